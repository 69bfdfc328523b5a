"""Voice-note bytes as Telegram's clients need them: an Ogg stream carrying Opus (RFC 7845),
one audio channel (TDLib's inputMessageVoiceNote: "encoded with the Opus codec and stored
inside an OGG container with a single audio channel, or be in MP3 or M4A format").

`check_ogg_opus` reads the whole stream: every page whole and its CRC right, the Opus
identification header alone on the first page (beginning of stream), the comment header
next, one logical stream, the last page marked end of stream. What it does not do is
decode the Opus packets. `ogg_opus` makes such a file (silence) for tests.
"""

from __future__ import annotations

import math
import struct
from dataclasses import dataclass

OPUS_RATE = 48_000  # Opus granule positions always count 48 kHz samples (RFC 7845 §4)
_PAGE_HEADER = struct.Struct("<4sBBqIIIB")  # capture, version, flags, granule, serial, seq, crc
_BOS, _EOS, _CONTINUED = 0x02, 0x04, 0x01
_FRAME_SAMPLES = 960  # one 20 ms Opus frame
_PRE_SKIP = 312  # what libopus encoders use


def _crc_table() -> list[int]:
    table = []
    for byte in range(256):
        value = byte << 24
        for _ in range(8):
            value = (value << 1) ^ 0x04C11DB7 if value & 0x80000000 else value << 1
        table.append(value & 0xFFFFFFFF)
    return table


_CRC_TABLE = _crc_table()


def ogg_crc(data: bytes) -> int:
    """Ogg's CRC-32 (polynomial 0x04C11DB7, not reflected, no final xor): not zlib's."""
    crc = 0
    table = _CRC_TABLE
    for byte in data:
        crc = ((crc << 8) & 0xFFFFFFFF) ^ table[(crc >> 24) ^ byte]
    return crc


@dataclass(frozen=True)
class OpusInfo:
    channels: int
    seconds: float  # from the last page's granule position, less the pre-skip


@dataclass(frozen=True)
class _Page:
    flags: int
    granule: int
    serial: int
    sequence: int
    lacing: bytes
    body: bytes


def _pages(content: bytes) -> list[_Page]:
    pages, offset = [], 0
    while offset < len(content):
        if len(content) - offset < _PAGE_HEADER.size:
            raise ValueError(f"truncated Ogg page header at byte {offset}")
        capture, version, flags, granule, serial, seq, crc, count = _PAGE_HEADER.unpack_from(
            content, offset
        )
        if capture != b"OggS" or version != 0:
            raise ValueError(f"no Ogg page at byte {offset}")
        start = offset + _PAGE_HEADER.size
        lacing = content[start : start + count]
        end = start + count + sum(lacing)
        if len(lacing) < count or end > len(content):
            raise ValueError(f"truncated Ogg page at byte {offset}")
        raw = content[offset:end]
        if ogg_crc(raw[:22] + b"\0\0\0\0" + raw[26:]) != crc:
            raise ValueError(f"bad CRC in the Ogg page at byte {offset}")
        pages.append(_Page(flags, granule, serial, seq, lacing, content[start + count : end]))
        offset = end
    return pages


def _first_packet(page: _Page) -> tuple[bytes, bool]:
    """The page's first packet, and whether it ends on this page."""
    size = 0
    for lace in page.lacing:
        size += lace
        if lace < 255:
            return page.body[:size], True
    return page.body[:size], False


def check_ogg_opus(content: bytes) -> OpusInfo:
    """The stream's channels and length; ValueError saying what is wrong with it."""
    if not content.startswith(b"OggS"):
        raise ValueError("not an Ogg stream")
    pages = _pages(content)
    head, whole = _first_packet(pages[0])
    if not pages[0].flags & _BOS or not head.startswith(b"OpusHead") or len(head) < 19:
        raise ValueError("the first Ogg page has no Opus identification header (OpusHead)")
    if not whole or len(pages[0].lacing) != 1 or pages[0].lacing[0] == 255:
        raise ValueError("the Opus identification header must be alone on the first page")
    if len(pages) < 2 or not _first_packet(pages[1])[0].startswith(b"OpusTags"):
        raise ValueError("the Opus comment header (OpusTags) must begin the second page")
    if len({page.serial for page in pages}) != 1:
        raise ValueError("more than one logical stream")
    if [page.sequence for page in pages] != list(range(len(pages))):
        raise ValueError("Ogg pages missing or out of order")
    if not pages[-1].flags & _EOS:
        raise ValueError("the last Ogg page is not marked end of stream (truncated?)")
    channels, pre_skip = head[9], int.from_bytes(head[10:12], "little")
    return OpusInfo(channels, max(pages[-1].granule - pre_skip, 0) / OPUS_RATE)


def _page(flags: int, granule: int, sequence: int, packets: list[bytes]) -> bytes:
    lacing = b"".join(bytes([255] * (len(p) // 255) + [len(p) % 255]) for p in packets)
    header = _PAGE_HEADER.pack(b"OggS", 0, flags, granule, 0x62726966, sequence, 0, len(lacing))
    page = header + lacing + b"".join(packets)
    return page[:22] + ogg_crc(page).to_bytes(4, "little") + page[26:]


def ogg_opus(seconds: float = 1.0, *, channels: int = 1) -> bytes:
    """A valid Ogg/Opus file of `seconds` of silence (each frame a 1-byte packet, which
    RFC 6716 §3.2.1 allows: a zero-length frame)."""
    head = b"OpusHead" + struct.pack("<BBHIhB", 1, channels, _PRE_SKIP, OPUS_RATE, 0, 0)
    vendor = b"briefbot fakebot"
    tags = b"OpusTags" + struct.pack("<I", len(vendor)) + vendor + struct.pack("<I", 0)
    pages = [_page(_BOS, 0, 0, [head]), _page(0, 0, 1, [tags])]
    samples = round(seconds * OPUS_RATE)
    frames = max(math.ceil(samples / _FRAME_SAMPLES), 1)
    toc = bytes([0xFC if channels == 2 else 0xF8])  # CELT fullband 20 ms, one frame
    done = 0
    while done < frames:
        batch = min(50, frames - done)
        done += batch
        last = done == frames
        granule = _PRE_SKIP + (samples if last else done * _FRAME_SAMPLES)
        pages.append(_page(_EOS if last else 0, granule, len(pages), [toc] * batch))
    return b"".join(pages)
