"""Legacy Vietnamese encodings (TCVN3, VNI) and declared charsets such as windows-1258."""

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hoiam_intake.domain.channels import interpret
from hoiam_intake.domain.items import accept_raw, normalise_text
from hoiam_intake.domain.legacy import (
    decode_declared,
    from_tcvn3,
    from_vni,
    is_vietnamese_syllable,
    repair_legacy,
)
from hoiam_intake.domain.outcomes import NewItem
from hoiam_intake.domain.rules import Rules
from hoiam_shared.events import Channel, RawFeedbackAccepted
from hoiam_shared.ids import new_id, new_tracking_code
from support.clock import TestClock
from support.intake_samples import (
    SENTENCE,
    VNI_EXPECTED,
    VNI_SENTENCE,
    email,
    to_cp1258,
    to_tcvn3,
)


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


# --- old-font text typed into Unicode (web form, Zalo, Messenger, UTF-8 mail) --------------------

PASTED_TCVN3 = [
    "KhÈn tr\u00ad¬ng kÐo ®\u00adêng d©y ®iÖn",
    "Nhµ v¨n ho¸ Êp 3 bÞ dét n¸t, ®Ò nghÞ söa ch÷a tr\u00adíc mïa m\u00ada",
    "§\u00adêng liªn x· bÞ s¹t lë nghiªm träng",
    "CÇu khØ qua kªnh ®· môc, häc sinh ®i l¹i rÊt nguy hiÓm",
]
REPAIRED_TCVN3 = [
    "Khẩn trương kéo đường dây điện",
    "Nhà văn hoá ấp 3 bị dột nát, đề nghị sửa chữa trước mùa mưa",
    "Đường liên xã bị sạt lở nghiêm trọng",
    "Cầu khỉ qua kênh đã mục, học sinh đi lại rất nguy hiểm",
]
PASTED_VNI = [
    "Xin baùo caùo: coáng thoaùt nöôùc bò taéc ôû toå 5, phöôøng 2",
    "Ñeøn ñöôøng khoâng saùng ñaõ hai tuaàn",
    "Keânh bò oâ nhieãm naëng, ngöôøi daân böùc xuùc",
]
REPAIRED_VNI = [
    "Xin báo cáo: cống thoát nước bị tắc ở tổ 5, phường 2",
    "Đèn đường không sáng đã hai tuần",
    "Kênh bị ô nhiễm nặng, người dân bức xúc",
]
ORDINARY = [
    "Xin chào bà con, tôi ở ấp Phú Hòa",
    "Hôm nay trời mưa to quá",
    "Tôi muốn góp ý về chương trình nông thôn mới",
    "Mẹ tôi già rồi, xin cho bà ấy được hưởng trợ cấp",
    "Nhà tôi gần chợ, cống bị tắc",
    "Chào anh chị",
    "The street light on Nguyen Hue has been off for two weeks, please fix it.",
    "Dear Sir or Madam, the bridge near the school is unsafe.",
    "Café crème à la mode, señor, naïve façade",
    "Xin chao, duong nay bi ngap",
]


@pytest.mark.parametrize(
    ("pasted", "repaired"), list(zip(PASTED_TCVN3, REPAIRED_TCVN3, strict=True))
)
def test_tcvn3_pasted_into_unicode_is_repaired(pasted: str, repaired: str) -> None:
    assert repair_legacy(pasted) == (repaired, "tcvn3")


@pytest.mark.parametrize(("pasted", "repaired"), list(zip(PASTED_VNI, REPAIRED_VNI, strict=True)))
def test_vni_pasted_into_unicode_is_repaired(pasted: str, repaired: str) -> None:
    assert repair_legacy(pasted) == (repaired, "vni")


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_vietnamese_and_english_are_not_touched(text: str) -> None:
    assert repair_legacy(text) == (text, None)


def test_a_pasted_paragraph_below_a_unicode_line_is_repaired_and_the_line_kept() -> None:
    text = "Kính gửi Ban Thường trực,\n" + PASTED_TCVN3[0] + "\nXin chào bà con"
    assert repair_legacy(text) == (
        "Kính gửi Ban Thường trực,\n" + REPAIRED_TCVN3[0] + "\nXin chào bà con",
        "tcvn3",
    )


def test_normalising_keeps_the_soft_hyphen_that_is_tcvn3s_u_horn() -> None:
    assert normalise_text("tr\u00ad¬ng  ®\u00adêng\u200b") == "tr\u00ad¬ng ®\u00adêng"


def web_raw(text: str) -> RawFeedbackAccepted:
    payload = json.dumps({"text": text, "subject": PASTED_TCVN3[2]}).encode()
    return accept_raw(
        item_id=new_id(), tracking_code=new_tracking_code(), channel=Channel.WEB, payload=payload,
        content_type="application/json", received_at=TestClock.daytime()(),
    )  # fmt: skip


def test_a_web_form_with_pasted_tcvn3_keeps_the_original_and_reads_the_repair() -> None:
    [outcome] = interpret(web_raw(PASTED_TCVN3[1]), Rules(secret="test"))
    assert isinstance(outcome, NewItem)
    text = outcome.item.text
    assert text.original == PASTED_TCVN3[1]  # what came, soft hyphens and all
    assert text.normalised == REPAIRED_TCVN3[1]
    assert text.subject == REPAIRED_TCVN3[2]


def test_a_utf8_mail_with_pasted_vni_is_read_repaired() -> None:
    mail = email(body=PASTED_VNI[0].encode(), charset="utf-8")
    raw = accept_raw(
        item_id=new_id(), tracking_code=new_tracking_code(), channel=Channel.EMAIL, payload=mail,
        content_type="message/rfc822", received_at=TestClock.daytime()(),
    )  # fmt: skip
    [outcome] = interpret(raw, Rules(secret="test"))
    assert isinstance(outcome, NewItem)
    assert outcome.item.text.original.strip() == PASTED_VNI[0]
    assert outcome.item.text.normalised == REPAIRED_VNI[0]
