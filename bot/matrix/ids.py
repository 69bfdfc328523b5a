"""Which chat ids are Matrix's: the adapter's own names for rooms and users, kept by
storage.matrix, all at or above MATRIX_ID_BASE, where no Telegram id reaches."""

from __future__ import annotations

from storage.matrix_schema import MATRIX_ID_BASE


def is_matrix(chat_id: int | None) -> bool:
    return chat_id is not None and chat_id >= MATRIX_ID_BASE
