"""UUIDv7 ids and the short tracking codes citizens read aloud."""

import random
import re
import time

import pytest

from hoiam_shared.ids import (
    TRACKING_CODE_RE,
    is_tracking_code,
    new_id,
    new_tracking_code,
    tracking_code_from_bits,
)

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE = re.compile(rf"HA-[{CROCKFORD}]{{4}}-[{CROCKFORD}]{{4}}")


def test_new_id_is_a_uuid7_carrying_the_current_time() -> None:
    before = int(time.time() * 1000)
    uid = new_id()

    assert uid.version == 7
    # The first 48 bits are Unix milliseconds; uuid6 runs ahead of the clock by 1 ms per id made
    # within the same millisecond (to stay monotonic), so allow the bursts other tests create.
    assert before <= uid.int >> 80 <= before + 60_000


def test_ids_sort_in_creation_order() -> None:
    ids = [new_id() for _ in range(2000)]
    assert sorted(ids) == ids
    assert len(set(ids)) == len(ids)


def test_tracking_codes_use_crockford_base32_in_two_groups_of_four() -> None:
    codes = [new_tracking_code() for _ in range(10_000)]

    assert all(CODE.fullmatch(code) for code in codes)
    # Random draws may repeat (10,000 of 2**40 do so about once in 22,000 runs; stores enforce
    # uniqueness), so distinct codes are proven on distinct bits, not on luck.
    bits = random.Random(20261202).sample(range(2**40), 10_000)
    assert len({tracking_code_from_bits(b) for b in bits}) == len(bits)
    used = set("".join(code[3:].replace("-", "") for code in codes))
    assert used == set(CROCKFORD)  # every symbol is used; I, L, O and U never


def test_a_generated_code_is_recognised() -> None:
    assert is_tracking_code(new_tracking_code())


@pytest.mark.parametrize(
    "text",
    [
        "HA-7K3Q-92XM",
        "HA-0000-ZZZZ",
    ],
)
def test_is_tracking_code_accepts(text: str) -> None:
    assert is_tracking_code(text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "HA-7K3Q-92X",  # too short
        "HA-7K3Q-92XMM",  # too long
        "HA-7K3Q",
        "HA-7K3Q-92XM-AAAA",
        "HB-7K3Q-92XM",  # wrong prefix
        "ha-7k3q-92xm",  # lower case
        "HA-7K3I-92XM",  # I is not in Crockford's alphabet
        "HA-7K3Q-92XO",  # nor O
        "HA-7L3Q-92XU",  # nor L, U
        "HA7K3Q92XM",
        "HA-7K3Q 92XM",
        " HA-7K3Q-92XM",
    ],
)
def test_is_tracking_code_rejects(text: str) -> None:
    assert not is_tracking_code(text)


def test_a_code_is_found_inside_a_mail_subject_and_not_inside_a_longer_word() -> None:
    assert TRACKING_CODE_RE.findall("Re: [HA-7K3Q-92XM] Đường ấp 3") == ["HA-7K3Q-92XM"]
    assert TRACKING_CODE_RE.search("XHA-7K3Q-92XMM") is None


def test_the_bits_spell_the_same_code_every_time() -> None:
    assert tracking_code_from_bits(0) == "HA-0000-0000"
    assert tracking_code_from_bits(2**40 - 1) == "HA-ZZZZ-ZZZZ"
    # Only the low 40 bits count: a derived 64-bit digest and its low part name one code.
    assert tracking_code_from_bits(2**45 + 31) == tracking_code_from_bits(31)
    assert is_tracking_code(tracking_code_from_bits(123_456_789))
