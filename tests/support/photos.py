"""Photos as phones write them, built byte by byte: the structure of each format with a
metadata block that carries a GPS position, so tests can see it removed."""

import struct
import zlib

GPS = b"GPS 9.7825N 106.2398E"
"""What a test looks for: it must not survive intake (a phone's EXIF holds the position)."""


def _segment(marker: int, body: bytes) -> bytes:
    return bytes([0xFF, marker]) + struct.pack(">H", len(body) + 2) + body


JFIF = _segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")
DQT = _segment(0xDB, b"\x00" + bytes(range(1, 65)))
SOF0 = _segment(0xC0, b"\x08\x00\x01\x00\x01\x01\x01\x11\x00")
SCAN = _segment(0xDA, b"\x01\x01\x00\x00\x3f\x00") + b"\x12\x34\xff\x00\x56" + b"\xff\xd9"


def jpeg(*, exif: bool = True) -> bytes:
    """A JPEG of one pixel's structure; with an APP1 Exif segment (and a comment) when `exif`."""
    metadata = _segment(0xE1, b"Exif\x00\x00MM\x00\x2a" + GPS) + _segment(0xFE, b"Lan's phone")
    return b"\xff\xd8" + JFIF + (metadata if exif else b"") + DQT + SOF0 + SCAN


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png(*, text: bool = True) -> bytes:
    """A 1×1 PNG; with eXIf and tEXt chunks when `text`."""
    ihdr = _chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
    idat = _chunk(b"IDAT", zlib.compress(b"\x00\x00"))
    extra = _chunk(b"eXIf", b"MM\x00\x2a" + GPS) + _chunk(b"tEXt", b"Comment\x00" + GPS)
    return b"\x89PNG\r\n\x1a\n" + ihdr + (extra if text else b"") + idat + _chunk(b"IEND", b"")


def _riff(kind: bytes, data: bytes) -> bytes:
    return kind + struct.pack("<I", len(data)) + data + (b"\x00" if len(data) % 2 else b"")


def webp() -> bytes:
    """An extended WebP (VP8X) whose flags announce the EXIF chunk it carries."""
    vp8x = _riff(b"VP8X", bytes([0x08, 0, 0, 0]) + b"\x00\x00\x00" + b"\x00\x00\x00")
    image = _riff(b"VP8L", b"\x2f\x00\x00\x00\x00")
    exif = _riff(b"EXIF", b"MM\x00\x2a" + GPS)
    body = b"WEBP" + vp8x + image + exif
    return b"RIFF" + struct.pack("<I", len(body)) + body


def heic() -> bytes:
    """The first box of a HEIC file (what the type is decided by)."""
    return struct.pack(">I", 24) + b"ftypheic" + b"\x00\x00\x00\x00" + b"mif1heic" + b"\x00" * 64
