"""How long an OGG/Opus file plays, read from its pages (RFC 3533, RFC 7845): no decoder.

An Opus stream counts its samples at 48 kHz whatever the input's rate: the last page's
granule position, less the pre-skip its OpusHead announces, is the playing time.
"""

from __future__ import annotations

import struct

OPUS_RATE = 48_000
# capture pattern, version, header type, granule position, serial, sequence, CRC, segments
_PAGE = struct.Struct("<4sBBqIIIB")
_END_OF_STREAM = 0x04
_NO_PACKET_ENDS = -1  # the granule position of a page on which no packet ends


def opus_duration(data: bytes) -> float:
    """Seconds of audio in `data`, a single OGG/Opus stream written to its end; ValueError
    saying what is wrong otherwise. Linear in the size, never reads past the end."""
    offset = 0
    pre_skip: int | None = None
    serial: int | None = None
    granule, header_type = _NO_PACKET_ENDS, 0
    while offset < len(data):
        if len(data) - offset < _PAGE.size:
            raise ValueError(f"a page header is cut short at byte {offset}")
        capture, version, header_type, page_granule, page_serial, _, _, count = _PAGE.unpack_from(
            data, offset
        )
        if capture != b"OggS" or version != 0:
            raise ValueError(f"no OGG page at byte {offset}")
        if serial is not None and page_serial != serial:
            raise ValueError("more than one logical stream")
        serial = page_serial
        table = data[offset + _PAGE.size : offset + _PAGE.size + count]
        body_at = offset + _PAGE.size + count
        end = body_at + sum(table)
        if len(table) < count or end > len(data):
            raise ValueError(f"the page at byte {offset} is cut short")
        if pre_skip is None:
            pre_skip = _opus_head(data[body_at:end])
        if page_granule != _NO_PACKET_ENDS:
            granule = page_granule
        offset = end
    if pre_skip is None:
        raise ValueError("empty: no OGG page")
    if not header_type & _END_OF_STREAM:
        raise ValueError("the stream does not end (its last page is not marked the last)")
    return max(granule - pre_skip, 0) / OPUS_RATE


def _opus_head(body: bytes) -> int:
    """The pre-skip of the identification header that must open an Opus stream."""
    if len(body) < 19 or not body.startswith(b"OpusHead"):
        raise ValueError("not an Opus stream: no OpusHead on the first page")
    pre_skip: int = struct.unpack_from("<H", body, 10)[0]
    return pre_skip
