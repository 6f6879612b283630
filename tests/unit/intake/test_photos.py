"""Which photos the web form takes (count, size, type by their bytes) and that what a phone
writes beside the picture (GPS in EXIF, text chunks) is not kept."""

import pytest

from hoiam_intake.domain.photos import (
    HEIC,
    JPEG,
    MAX_PHOTO_BYTES,
    MAX_PHOTOS,
    PNG,
    WEBP,
    PhotoRefusedError,
    Upload,
    accept_photos,
    sniff,
)
from support.photos import GPS, heic, jpeg, png, webp


@pytest.mark.parametrize(
    ("data", "kind"), [(jpeg(), JPEG), (png(), PNG), (webp(), WEBP), (heic(), HEIC)]
)
def test_the_type_is_read_from_the_bytes(data: bytes, kind: str) -> None:
    assert sniff(data) == kind


def test_a_name_saying_jpg_does_not_make_a_photo() -> None:
    with pytest.raises(PhotoRefusedError) as refused:
        accept_photos([Upload(filename="anh.jpg", data=b"%PDF-1.7 not a picture")])
    assert refused.value.reason == "not_a_photo"
    assert "anh.jpg" in refused.value.detail


def test_a_jpeg_named_otherwise_is_still_a_jpeg() -> None:
    [photo] = accept_photos([Upload(filename="scan.pdf", data=jpeg())])
    assert photo.content_type == JPEG


def test_at_most_five_photos() -> None:
    five = [Upload(filename=f"{i}.png", data=png()) for i in range(MAX_PHOTOS)]
    assert len(accept_photos(five)) == MAX_PHOTOS
    with pytest.raises(PhotoRefusedError) as refused:
        accept_photos([*five, Upload(filename="6.png", data=png())])
    assert refused.value.reason == "too_many_photos"


def test_a_photo_over_five_megabytes_is_refused_and_one_at_the_limit_taken() -> None:
    at_limit = jpeg(exif=False)
    at_limit = at_limit[:-2] + b"\x00" * (MAX_PHOTO_BYTES - len(at_limit)) + b"\xff\xd9"
    assert len(at_limit) == MAX_PHOTO_BYTES
    assert accept_photos([Upload(filename="a.jpg", data=at_limit)])
    with pytest.raises(PhotoRefusedError) as refused:
        accept_photos([Upload(filename="b.jpg", data=at_limit + b"\x00")])
    assert refused.value.reason == "photo_too_large"


def test_an_empty_file_field_is_no_photo_but_an_empty_named_file_is_refused() -> None:
    assert accept_photos([Upload(filename=None, data=b"")]) == []
    with pytest.raises(PhotoRefusedError) as refused:
        accept_photos([Upload(filename="x.jpg", data=b"")])
    assert refused.value.reason == "empty_photo"


def test_a_damaged_jpeg_is_refused_with_a_reason() -> None:
    with pytest.raises(PhotoRefusedError) as refused:
        accept_photos([Upload(filename="x.jpg", data=jpeg()[:30])])
    assert refused.value.reason == "unreadable_photo"


@pytest.mark.parametrize("data", [jpeg(), png(), webp()], ids=["jpeg", "png", "webp"])
def test_gps_and_other_metadata_are_removed(data: bytes) -> None:
    assert GPS in data
    [photo] = accept_photos([Upload(filename="p", data=data)])
    assert GPS not in photo.data
    assert sniff(photo.data) == sniff(data)


def test_a_jpeg_keeps_every_segment_but_the_metadata() -> None:
    [photo] = accept_photos([Upload(filename="p.jpg", data=jpeg())])
    assert photo.data == jpeg(exif=False)


def test_a_png_keeps_every_chunk_but_the_metadata() -> None:
    [photo] = accept_photos([Upload(filename="p.png", data=png())])
    assert photo.data == png(text=False)


def test_a_webp_says_it_has_no_exif_any_more() -> None:
    [photo] = accept_photos([Upload(filename="p.webp", data=webp())])
    flags = photo.data[12 + 8]
    assert flags & 0x08 == 0
    assert int.from_bytes(photo.data[4:8], "little") == len(photo.data) - 8


def test_a_path_in_the_filename_is_dropped() -> None:
    [photo] = accept_photos([Upload(filename="C:\\Users\\lan\\IMG_1.jpg", data=jpeg())])
    assert photo.filename == "IMG_1.jpg"
