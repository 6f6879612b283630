"""The labelled evaluation set of real voter petitions: schema, vocabulary and provenance checks."""

import hashlib
import re
import unicodedata
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml
from vietnam_provinces import Province, ProvinceCode, Ward, WardCode

EVAL_FILE = Path(__file__).parents[3] / "services" / "router" / "data" / "eval" / "petitions.yaml"

# The number of real items collected (issue 4 asked for 150, issue 14 for a bigger, broader set):
# fewer means items were lost. These are the merged totals of the collections so far (issue 14 aims
# at 600 items, 15 provinces and 100 held-out items; the stored sources gave 504 items, 33 provinces
# and 125 held-out items by helper G, README "Further items added for issue 14 (helper G)").
MIN_ITEMS = 504
MIN_PROVINCES = 33
MIN_HELDOUT = 125
# The richest public source (Tuyên Quang's per-petition pages) must not become the whole set.
MAX_SHARE_OF_ONE_PROVINCE = 0.8

REQUIRED = {
    "id",
    "source_url",
    "source_title",
    "province_code",
    "province_name",
    "text",
    "answered_by",
    "category",
    "level",
    "body_key",
}
OPTIONAL = {"locality", "commune_code", "notes", "heldout"}

# The fixed routing vocabulary (briefs/routing-labels.md); the router produces exactly these.
CATEGORIES = {
    "land",
    "environment",
    "transport",
    "construction",
    "electricity",
    "water",
    "agriculture",
    "health",
    "education",
    "social_policy",
    "labour",
    "security",
    "civil_status",
    "finance",
    "culture",
    "telecoms",
    "other",
}
DEPARTMENTS = {
    "van-phong-ubnd",
    "so-noi-vu",
    "so-tu-phap",
    "so-tai-chinh",
    "so-cong-thuong",
    "so-nn-mt",
    "so-xay-dung",
    "so-khcn",
    "so-gd-dt",
    "so-y-te",
    "so-vhttdl",
    "thanh-tra",
    "so-dan-toc-ton-giao",
    "so-ngoai-vu",
    "cong-an",
    "thue",
    "bhxh",
    "ngan-hang",
    "toa-an",
    "vien-kiem-sat",
    "mttq",
}
LEVEL_OF_KEY = {
    "ubnd-tinh": "province_committee",
    "ubnd-xa": "commune",
    "dien-luc": "utility",
    "cap-nuoc": "utility",
    "doan-dbqh": "national",
} | dict.fromkeys(DEPARTMENTS, "province_department")

ID_PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)+$")
# Letters only Vietnamese writes: a text without any of them is not Vietnamese prose.
VIETNAMESE_LETTERS = re.compile(
    r"[ăâđêôơưàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ]"
)


@pytest.fixture(scope="module")
def items() -> list[dict[str, Any]]:
    loaded = yaml.safe_load(EVAL_FILE.read_text(encoding="utf-8"))
    assert isinstance(loaded, list), "the file is a YAML list of items"
    return loaded


def test_the_set_is_big_enough_and_spans_several_provinces(items: list[dict[str, Any]]) -> None:
    assert len(items) >= MIN_ITEMS
    provinces = Counter(item["province_code"] for item in items)
    assert len(provinces) >= MIN_PROVINCES
    assert provinces.most_common(1)[0][1] <= len(items) * MAX_SHARE_OF_ONE_PROVINCE


def test_the_held_out_part_follows_the_hash_rule(items: list[dict[str, Any]]) -> None:
    # Marked by a script, never by hand: sha256(source_url)[0] < 0x55 (README, "Held-out part").
    heldout = [item for item in items if item.get("heldout")]
    assert len(heldout) >= MIN_HELDOUT
    for item in heldout:
        assert hashlib.sha256(item["source_url"].encode()).digest()[0] < 0x55, item["id"]


def test_every_item_has_exactly_the_schema_fields_as_non_empty_strings(
    items: list[dict[str, Any]],
) -> None:
    for item in items:
        assert isinstance(item, dict)
        keys = set(item)
        assert keys >= REQUIRED, (item.get("id"), REQUIRED - keys)
        assert keys <= REQUIRED | OPTIONAL, (item["id"], keys - REQUIRED - OPTIONAL)
        for key, value in item.items():
            if key == "heldout":  # the one non-string key: only ever `true`, set by the hash rule
                assert value is True, item["id"]
                continue
            assert isinstance(value, str), (item["id"], key)
            assert value.strip(), (item["id"], key)
            assert unicodedata.is_normalized("NFC", value), (item["id"], key)


def test_ids_are_unique_slugs(items: list[dict[str, Any]]) -> None:
    ids = [item["id"] for item in items]
    assert all(ID_PATTERN.match(item_id) for item_id in ids)
    duplicated = [item_id for item_id, n in Counter(ids).items() if n > 1]
    assert not duplicated


def test_no_petition_appears_twice(items: list[dict[str, Any]]) -> None:
    texts = Counter((item["province_code"], " ".join(item["text"].split())) for item in items)
    assert not [text for text, n in texts.items() if n > 1]


def test_labels_use_the_fixed_vocabulary(items: list[dict[str, Any]]) -> None:
    for item in items:
        assert item["category"] in CATEGORIES, item["id"]
        assert item["body_key"] in LEVEL_OF_KEY, item["id"]
        assert item["level"] == LEVEL_OF_KEY[item["body_key"]], item["id"]


def test_every_item_cites_a_web_source(items: list[dict[str, Any]]) -> None:
    for item in items:
        assert re.match(r"^https?://[^\s/]+\.[a-z]{2,}(:\d+)?/\S*$", item["source_url"]), item["id"]


def test_petition_texts_are_vietnamese_prose(items: list[dict[str, Any]]) -> None:
    for item in items:
        text = item["text"]
        assert len(text.split()) >= 5, item["id"]
        assert VIETNAMESE_LETTERS.search(text.lower()), item["id"]


def test_provinces_are_current_ones_with_their_official_names(
    items: list[dict[str, Any]],
) -> None:
    for item in items:
        code = item["province_code"]
        assert re.fullmatch(r"\d{2}", code), item["id"]
        province = Province.from_code(ProvinceCode(int(code)))
        assert item["province_name"] == province.name, item["id"]


def test_commune_codes_when_given_are_current_wards_of_the_province(
    items: list[dict[str, Any]],
) -> None:
    for item in items:
        if "commune_code" not in item:
            continue
        ward = Ward.from_code(WardCode(int(item["commune_code"])))
        assert ward.province_code == ProvinceCode(int(item["province_code"])), item["id"]


def test_every_level_and_category_is_represented(items: list[dict[str, Any]]) -> None:
    levels = {item["level"] for item in items}
    assert levels == set(LEVEL_OF_KEY.values())
    # A category-balanced set: the biggest category stays under a third of the items.
    categories = Counter(item["category"] for item in items)
    assert len(categories) >= 12
    assert categories.most_common(1)[0][1] < len(items) / 3
