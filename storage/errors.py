"""Errors storage raises, so callers need not know sqlite3."""

from __future__ import annotations


class StorageError(Exception):
    """Base class for errors raised by storage."""


class ConstraintError(StorageError, ValueError):
    """A write broke a rule of the schema (a fact citing a missing source...); nothing kept."""


class UnusableDatabaseError(StorageError):
    """The file cannot serve as the database; the message says why, in an operator's words."""


class SchemaTooNewError(UnusableDatabaseError):
    """The database was written by a newer briefbot than this one."""


class SchemaTooOldError(UnusableDatabaseError):
    """The database lacks migrations this briefbot needs, and it is not the one to apply
    them (PostgreSQL: `briefbot migrate` does, so that replicas never race on a schema)."""


class UnwritableDatabaseError(UnusableDatabaseError):
    """The file or its folder cannot be written by this process (permissions, a read-only
    mount); the operator's fix is an owner or a mode, not another path."""
