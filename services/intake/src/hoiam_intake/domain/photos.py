"""Photos a citizen attaches to the web form: what is accepted, and what is kept of them.

Pure. A photo's type is decided by its first bytes, never by its name or the browser's declared
type (both are the sender's words). What a phone writes into a photo beside the picture (EXIF:
GPS position, time, device; XMP; text chunks) is removed from JPEG, PNG and WebP before the
bytes are stored; HEIC keeps its metadata (its boxes are rewritten only by a full HEIF writer)
and, like every photo, is served to signed-in staff only and never published.
"""

import hashlib
import struct
from dataclasses import dataclass

MAX_PHOTOS = 5
MAX_PHOTO_BYTES = 5 * 1024 * 1024
"""A phone's photo is 1–4 MB; 5 × 5 MB keeps one submission far under a FerretDB document's
16 MB each and bounds what one form post can make intake hold in memory."""

MAX_FILENAME_CHARS = 200

JPEG = "image/jpeg"
PNG = "image/png"
WEBP = "image/webp"
HEIC = "image/heic"
ACCEPTED_TYPES = (JPEG, PNG, WEBP, HEIC)

_HEIF_BRANDS = frozenset({b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"})


class PhotoRefusedError(ValueError):
    """A photo, or the set of them, that is not accepted; `reason` is a stable code."""

    def __init__(self, reason: str, detail: str, filename: str | None = None) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail
        self.filename = filename


@dataclass(frozen=True, slots=True)
class Upload:
    """One file as it came in a form post."""

    filename: str | None
    data: bytes


@dataclass(frozen=True, slots=True)
class Photo:
    """An accepted photo: its sniffed type and its bytes with the metadata removed."""

    filename: str | None
    content_type: str
    data: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @property
    def content_id(self) -> str:
        """The store key: the content's own hash, so storing it twice is one document."""
        return self.sha256


def sniff(data: bytes) -> str | None:
    """The image type the bytes are, by their signature; None for anything else."""
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return WEBP
    if len(data) >= 12 and data[4:8] == b"ftyp" and data[8:12] in _HEIF_BRANDS:
        return HEIC
    return None


def accept_photos(uploads: list[Upload]) -> list[Photo]:
    """The photos to keep, in order; raises `PhotoRefusedError` naming the first problem.

    Empty file fields (a form sent with no photo chosen) are skipped, not refused.
    """
    chosen = [u for u in uploads if u.data or u.filename]
    if len(chosen) > MAX_PHOTOS:
        raise PhotoRefusedError(
            "too_many_photos", f"at most {MAX_PHOTOS} photos, {len(chosen)} were sent"
        )
    photos = []
    for upload in chosen:
        name = _filename(upload.filename)
        if not upload.data:
            raise PhotoRefusedError("empty_photo", f"{name or 'a photo'} is empty", name)
        if len(upload.data) > MAX_PHOTO_BYTES:
            raise PhotoRefusedError(
                "photo_too_large",
                f"{name or 'a photo'} is {len(upload.data)} bytes; at most {MAX_PHOTO_BYTES}",
                name,
            )
        kind = sniff(upload.data)
        if kind is None:
            raise PhotoRefusedError(
                "not_a_photo", f"{name or 'a file'} is not a JPEG, PNG, WebP or HEIC photo", name
            )
        try:
            data = strip_metadata(kind, upload.data)
        except (ValueError, struct.error, IndexError) as error:
            raise PhotoRefusedError(
                "unreadable_photo", f"{name or 'a photo'} is damaged: {error}", name
            ) from error
        photos.append(Photo(filename=name, content_type=kind, data=data))
    return photos


def _filename(given: str | None) -> str | None:
    # Only the last path part: old browsers send "C:\\Users\\…\\IMG_1.jpg".
    if not given:
        return None
    base = given.replace("\\", "/").rsplit("/", 1)[-1].strip()
    return base[:MAX_FILENAME_CHARS] or None


def strip_metadata(kind: str, data: bytes) -> bytes:
    """The same picture without the metadata segments/chunks of its format."""
    if kind == JPEG:
        return _strip_jpeg(data)
    if kind == PNG:
        return _strip_png(data)
    if kind == WEBP:
        return _strip_webp(data)
    return data


# JPEG markers APPn carry metadata: APP1 Exif and XMP, APP13 IPTC/Photoshop, COM comments. APP0
# (JFIF) and APP14 (Adobe: how to read the colours) are needed to show the picture right; APP2
# holds the ICC colour profile.
_JPEG_KEEP_APP = frozenset({0xE0, 0xE2, 0xEE})


def _strip_jpeg(data: bytes) -> bytes:
    out = bytearray(data[:2])
    at = 2
    while at < len(data):
        if data[at] != 0xFF:
            raise ValueError("JPEG marker expected")
        marker = data[at + 1]
        if marker == 0xFF:  # fill byte before a marker
            at += 1
            continue
        if marker == 0xDA or marker == 0xD9:  # start of scan: the picture itself, to the end
            out += data[at:]
            return bytes(out)
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            out += data[at : at + 2]
            at += 2
            continue
        (length,) = struct.unpack(">H", data[at + 2 : at + 4])
        if length < 2 or at + 2 + length > len(data):
            raise ValueError("JPEG segment runs past the end")
        metadata = (0xE0 <= marker <= 0xEF and marker not in _JPEG_KEEP_APP) or marker == 0xFE
        if not metadata:
            out += data[at : at + 2 + length]
        at += 2 + length
    raise ValueError("JPEG without image data")


_PNG_METADATA = frozenset({b"eXIf", b"tEXt", b"zTXt", b"iTXt", b"tIME"})


def _strip_png(data: bytes) -> bytes:
    out = bytearray(data[:8])
    at = 8
    while at < len(data):
        length, kind = struct.unpack(">I4s", data[at : at + 8])
        end = at + 12 + length
        if end > len(data):
            raise ValueError("PNG chunk runs past the end")
        if kind not in _PNG_METADATA:
            out += data[at:end]
        at = end
        if kind == b"IEND":
            return bytes(out)
    raise ValueError("PNG without IEND")


_VP8X_EXIF = 0x08
_VP8X_XMP = 0x04


def _strip_webp(data: bytes) -> bytes:
    chunks = bytearray()
    at = 12
    while at + 8 <= len(data):
        kind = data[at : at + 4]
        (length,) = struct.unpack("<I", data[at + 4 : at + 8])
        end = at + 8 + length + (length & 1)  # chunks are padded to an even size
        if at + 8 + length > len(data):
            raise ValueError("WebP chunk runs past the end")
        chunk = bytearray(data[at:end])
        if kind == b"VP8X":
            chunk[8] &= ~(_VP8X_EXIF | _VP8X_XMP) & 0xFF  # the flags saying they are there
        if kind not in (b"EXIF", b"XMP "):
            chunks += chunk
        at = end
    return b"RIFF" + struct.pack("<I", 4 + len(chunks)) + b"WEBP" + bytes(chunks)
