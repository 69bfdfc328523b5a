"""Handlers, one module per command group, each exporting its handlers in order."""
