"""Legacy Vietnamese encodings (TCVN3, VNI) and declared charsets such as windows-1258."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hoiam_intake.domain.legacy import (
    decode_declared,
    from_tcvn3,
    from_vni,
    is_vietnamese_syllable,
    repair_legacy,
)
from support.intake_samples import SENTENCE, VNI_EXPECTED, VNI_SENTENCE, to_cp1258, to_tcvn3


def test_tcvn3_bytes_labelled_latin1_are_converted() -> None:
    assert decode_declared(to_tcvn3(SENTENCE), "iso-8859-1") == (SENTENCE, "tcvn3")


def test_tcvn3_table_covers_every_toned_letter_and_the_capitals() -> None:
    letters = "àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵĂÂĐÊÔƠƯ"
    assert from_tcvn3(to_tcvn3(letters).decode("cp1252")) == letters


def test_known_tcvn3_bytes() -> None:
    # "Việt Nam" typed in .VnTime: i=0x69, ệ=0xD6; "đường": đ=0xAE, ư=0xAD, ờ=0xEA
    assert from_tcvn3(b"Vi\xd6t Nam \xae\xad\xeang".decode("latin-1")) == "Việt Nam đường"


def test_vni_typed_text_is_converted() -> None:
    assert repair_legacy(VNI_SENTENCE) == (VNI_EXPECTED, "vni")
    assert from_vni("Vieät Nam") == "Việt Nam"
    assert from_vni("ÑÖÔØNG") == "ĐƯỜNG"


def test_windows_1258_combining_tones_become_nfc() -> None:
    raw = to_cp1258(SENTENCE)
    assert b"\xd2" in raw or b"\xec" in raw  # tones really are separate bytes in cp1258
    assert decode_declared(raw, "windows-1258") == (SENTENCE, None)


@pytest.mark.parametrize(
    "text",
    [
        "Café crème brûlée à la française, très élégant. Où est la gare? Ça va.",
        "Gruß aus München, schöne Grüße, Mädchen",
        "Plain ASCII text only",
        SENTENCE,
    ],
)
def test_text_that_is_not_legacy_is_left_alone(text: str) -> None:
    assert repair_legacy(text) == (text, None)


def test_undeclared_or_wrong_charsets_never_fail() -> None:
    assert decode_declared("Đường".encode(), "no-such-charset") == ("Đường", None)
    assert decode_declared("Đường".encode(), None) == ("Đường", None)
    text, _ = decode_declared(b"\xff\xfe\x81", "utf-8")
    assert text  # windows-1252 fallback reads every byte


@pytest.mark.parametrize(
    ("word", "valid"),
    [("nghiêng", True), ("người", True), ("khuya", True), ("Café", False), ("strč", False)],
)
def test_syllable_shape(word: str, valid: bool) -> None:
    assert is_vietnamese_syllable(word) is valid


@given(st.text())
def test_repair_never_raises_and_is_idempotent(text: str) -> None:
    once, _ = repair_legacy(text)
    assert repair_legacy(once)[0] == once


@given(st.binary(), st.sampled_from([None, "utf-8", "windows-1258", "iso-8859-1", "x-bogus"]))
def test_decode_never_raises(data: bytes, charset: str | None) -> None:
    text, _ = decode_declared(data, charset)
    assert isinstance(text, str)
