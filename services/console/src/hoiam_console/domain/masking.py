"""Personal data masked out of a petition or an answer before anyone may publish it: pure.

What is masked, and why each kind:
- phone numbers in Vietnamese forms (``0912 345 678``, ``+84 912…``, ``028 3822 1234``, the
  old 11-digit mobiles), emails, Zalo/Facebook links and handles, CCCD/CMND numbers, house
  numbers (``số nhà 12``, ``nhà số 12``, ``số 45 đường …``): they reach or locate one person;
- names the text carries: after a form of address (ông, bà, anh, chị, em, cụ, cô, chú, bác),
  after a label (``Tôi tên là``, ``Họ tên:``, ``Người gửi:``, ``Ký tên``…), a signature line
  after ``Trân trọng``, and the citizen's own name wherever it appears (accents or not).

Place names are not names of people: a form of address right after a place word (``đường Bà
Triệu``, ``cầu Ông Lãnh``, ``tỉnh Bà Rịa``) or capitalised inside a sentence is part of a
place, and is left alone. Every mask says what it hid and which cue decided (`Mask`), so an
operator can check the draft before approving it. Hard masks (`HARD_KINDS`) are applied again
to whatever the operator approves; names found by a cue are only proposed (an official's name
in an answer may stay public), except the citizen's own name, which is always hidden.
"""

import itertools
import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Literal

from pydantic import BaseModel, ConfigDict

from hoiam_console.domain.folding import fold

type MaskKind = Literal["phone", "email", "social", "id_number", "house_number", "name"]

LABELS: dict[MaskKind, str] = {
    "phone": "[đã ẩn số điện thoại]",
    "email": "[đã ẩn thư điện tử]",
    "social": "[đã ẩn tài khoản mạng xã hội]",
    "id_number": "[đã ẩn số giấy tờ]",
    "house_number": "[đã ẩn số nhà]",
    "name": "[đã ẩn tên]",
}
"""What stands in the text for each kind: it says something was there, and what kind."""

HARD_KINDS: frozenset[MaskKind] = frozenset(
    {"phone", "email", "social", "id_number", "house_number"}
)


class Mask(BaseModel):
    """One piece of personal data found: where, what it was, and the cue that decided."""

    model_config = ConfigDict(frozen=True)

    kind: MaskKind
    start: int
    end: int
    found: str
    cue: str | None = None
    own_name: bool = False

    @property
    def hard(self) -> bool:
        return self.kind in HARD_KINDS or self.own_name


class Masked(BaseModel):
    """A text with its personal data replaced by `LABELS`, and the list of what was."""

    model_config = ConfigDict(frozen=True)

    text: str
    masks: tuple[Mask, ...] = ()


# --- patterns -----------------------------------------------------------------------------------

EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
SOCIAL_URL = re.compile(
    r"(?i)(?<![\w/])(?:https?://)?(?:www\.|m\.|web\.)?"
    r"(?:facebook\.com|fb\.com|fb\.me|m\.me|messenger\.com|zalo\.me|chat\.zalo\.me)"
    r"/[\w.?=&%/-]*[\w/=]"
)
SOCIAL_LABEL = re.compile(
    r"(?i)\b(?:zalo|facebook|fb|messenger|nick(?: name)?)(?:\s+id)?\s*(?:là|:)\s*"
)
HANDLE = re.compile(r"@?[\w]+(?:[._][\w]+)+|@[\w]+")
ID_LABEL = re.compile(
    r"(?i)\b(?:cccd|cmnd|cmt|căn cước(?: công dân)?|chứng minh(?: nhân dân| thư)?|"
    r"(?:số )?định danh(?: cá nhân)?|hộ chiếu)\s*(?:số)?\s*[:.]?\s*(\d(?:[ .]?\d){7,13})(?!\d)"
)
CCCD = re.compile(r"(?<![\d+])0\d{11}(?!\d)")
"""A citizen identity card number: 12 digits, the first three the province of birth (0xx)."""
PHONE = re.compile(
    r"(?<![\w+])(?:(?:\+|00)\s?84|84(?=\d{9,10}(?!\d))|\(?0)(?:[\s.()-]{0,2}\d){8,10}(?!\d)"
)
HOUSE = re.compile(r"(?i)\b(?:số nhà|nhà số)\s*:?\s*\d+[a-z]?(?:/\d+[a-z]?)*\b")
HOUSE_ON_STREET = re.compile(
    r"(?i)\b(?:số\s+\d+[a-z]?(?:/\d+[a-z]?)*|\d+[a-z]?(?:/\d+[a-z]?)+)"
    r"(?=\s+(?:đường|phố|hẻm|ngõ|ngách|kiệt)\b)"
)

# Mobile prefixes after the trunk 0 (3, 5, 7, 8, 9), landlines (2x area codes) and the old
# 11-digit mobiles (01x); a number of another shape is not taken for a phone.
_NATIONAL_PHONE = re.compile(r"^0(?:[35789]\d{8}|2\d{9}|1\d{9})$")


def _is_phone(found: str) -> bool:
    digits = re.sub(r"\D", "", found)
    if digits.startswith("0084"):
        digits = "0" + digits[4:]
    elif digits.startswith("84") and not found.lstrip("(").startswith("0"):
        digits = "0" + digits[2:]
    return bool(_NATIONAL_PHONE.match(digits))


# --- names --------------------------------------------------------------------------------------

TITLES = frozenset({"ông", "bà", "anh", "chị", "em", "cụ", "cô", "chú", "bác"})
"""Forms of address that come before a person's name (xưng hô)."""

NAME_LABELS = (
    "tôi tên là", "tên tôi là", "em tên là", "cháu tên là", "tôi là", "tên là", "họ và tên",
    "họ tên", "người gửi", "người viết đơn", "người viết", "người phản ánh", "người kiến nghị",
    "người đề nghị", "người làm đơn", "người liên hệ", "ký tên", "ký", "tên",
)  # fmt: skip
"""Words after which the text gives its writer's (or someone's) name; longest first wins."""
_LABEL = re.compile(
    r"(?i)(?<!\w)(" + "|".join(re.escape(label) for label in NAME_LABELS) + r")\s*[:.,-]?\s+"
)

PLACE_WORDS = frozenset(fold(word) for word in (
    "đường", "phố", "xã", "phường", "tỉnh", "huyện", "quận", "tp", "tx", "tt", "ấp", "thôn",
    "xóm", "khu", "khóm", "cầu", "chợ", "sông", "núi", "kênh", "rạch", "hẻm", "ngõ", "ngách",
    "kiệt", "trường", "viện", "chùa", "đền", "miếu", "đình", "làng", "bản", "buôn", "cống",
    "bến", "bãi", "đảo", "vịnh", "hồ", "đập", "quảng", "lộ", "đèo", "suối", "cồn", "cù", "vàm",
    "lăng", "ga", "phà", "biển", "p", "x", "h", "q",
))  # fmt: skip
"""Words before which a capitalised word is a place's name, not a person's."""

UNIT_WORDS = frozenset(fold(word) for word in (
    "xã", "phường", "tỉnh", "huyện", "quận", "ấp", "thôn", "xóm", "khóm", "đường", "phố", "tp",
    "tx", "khu", "đặc",
))  # fmt: skip
"""A "name" that starts with one of these is a unit ("Xã Tiểu Cần"): surnames such as Hồ are
not in it, so "ông Hồ Văn Tư" stays a name."""

ROLE_PHRASES = frozenset(fold(phrase) for phrase in (
    "chủ tịch", "phó chủ", "bí thư", "trưởng ấp", "trưởng thôn", "trưởng khu", "trưởng phòng",
    "trưởng ban", "trưởng công", "giám đốc", "tổ trưởng", "cán bộ", "đại biểu", "kế toán",
    "chánh văn", "thanh tra", "công an", "hiệu trưởng", "thủ trưởng", "tổng giám", "ủy ban",
    "trưởng đoàn", "phó giám", "phó trưởng", "chủ nhiệm", "công chức", "địa chính",
    "trưởng xóm", "đoàn thanh", "mặt trận", "hội đồng", "ban quản",
))  # fmt: skip
"""Offices that follow a form of address ("ông Chủ tịch UBND xã"): the office, not a name."""

TITLED_PLACES = frozenset(fold(name) for name in (
    "Bà Rịa", "Bà Chiểu", "Bà Điểm", "Bà Đen", "Bà Nà", "Bà Triệu", "Bà Huyện Thanh Quan",
    "Bà Hom", "Bà Quẹo", "Ông Lãnh", "Ông Đốc", "Ông Ích Khiêm", "Ông Ích Đường", "Cô Tô",
    "Cô Giang", "Cô Bắc", "Anh Sơn", "Chú Ía", "Cụ Hồ",
))  # fmt: skip
"""Places (and the one person everyone may name) whose name starts with a form of address:
at the start of a sentence nothing else tells them from a person's name."""

NOT_A_NAME_AFTER_TEN = frozenset({"đặt", "mang", "đổi", "có", "gọi"})
"""Before "tên" these make it a street's or a thing's name ("đặt tên đường Nguyễn Huệ")."""

CLOSINGS = ("trân trọng", "kính thư", "xin cảm ơn", "cảm ơn", "kính đơn", "xin chân thành cảm ơn")
"""Lines after which a letter is signed: the next line, if it is only a name, is the writer's."""

_WORD = re.compile(r"[^\W\d_]+")


def _name_word(word: str, *, caps_allowed: bool) -> bool:
    if not word or not word[0].isupper() or not word.isalpha():
        return False
    rest = word[1:]
    return not rest or rest.islower() or (caps_allowed and word.isupper())


def _name_after(text: str, at: int, *, most: int, caps_allowed: bool) -> tuple[int, int] | None:
    """The span of the capitalised words starting at `at` (one space between them), or None
    when there is none, or it is an office ("Chủ tịch") or a place ("Xã Tiểu Cần")."""
    words: list[re.Match[str]] = []
    for word in _WORD.finditer(text, at):
        expected = words[-1].end() + 1 if words else at
        if word.start() != expected or (words and text[words[-1].end()] != " "):
            break
        if not _name_word(word.group(), caps_allowed=caps_allowed):
            break
        words.append(word)
        if len(words) == most:
            break
    if not words or fold(words[0].group()) in UNIT_WORDS:
        return None
    following = _WORD.match(text, words[0].end() + 1)
    if (
        following is not None
        and text[words[0].end()] == " "
        and fold(f"{words[0].group()} {following.group()}") in ROLE_PHRASES
    ):
        return None
    return (at, words[-1].end())


def _word_before(text: str, at: int) -> str | None:
    """The word right before `at`, only spaces between (a word of the previous sentence is not)."""
    before = re.search(r"([^\W\d_]+)[ \t]+$", text[max(0, at - 40) : at])
    return before.group(1) if before else None


def _starts_sentence(text: str, at: int) -> bool:
    before = text[:at].rstrip(" \t")
    return not before or before[-1] in ".!?:;\n(\"'“-–—"


def _title_names(text: str) -> Iterable[Mask]:
    for word in _WORD.finditer(text):
        title = word.group()
        if title.lower() not in TITLES:
            continue
        if title[0].isupper() and not _starts_sentence(text, word.start()):
            continue  # "Bà Triệu", "Ông Lãnh" inside a sentence: a place's name
        before = _word_before(text, word.start())
        if before is not None and fold(before) in PLACE_WORDS:
            continue  # "đường Bà Triệu", "cầu Ông Lãnh", "tỉnh Bà Rịa"
        if text[word.end() : word.end() + 1] != " ":
            continue
        span = _name_after(text, word.end() + 1, most=4, caps_allowed=False)
        if (
            span is not None
            and title[0].isupper()
            and any(fold(text[word.start() : span[1]]).startswith(p) for p in TITLED_PLACES)
        ):
            continue  # "Bà Rịa - Vũng Tàu có …": a place, even at the start of a sentence
        if span is not None:
            yield Mask(
                kind="name", start=span[0], end=span[1], found=text[slice(*span)], cue=title.lower()
            )
            yield from _listed_names(text, span[1], cue=title.lower())


SURNAMES = frozenset((
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ",
    "Hồ", "Ngô", "Dương", "Lý", "Lương", "Đinh", "Trương", "Lưu", "Đào", "Mai", "Tạ", "Trịnh",
    "Đoàn", "Lâm", "Phùng", "Cao", "Hà", "Thái", "Tô", "Kiều", "Châu", "Quách", "Triệu", "Đàm",
    "Chu", "Lại", "Hứa", "Thân", "Tăng", "Lục", "Mạc", "Vương", "Khổng", "Từ", "Nông", "La",
    "Giang", "Tôn", "Thạch", "Danh", "Kim", "Lò", "Hầu", "Ông", "Âu", "Doãn", "Văn",
))  # fmt: skip
"""Common Vietnamese family names: a name listed after another starts with one."""

NAMED_LIKE_PEOPLE = frozenset(fold(place) for place in (
    "Hà Nội", "Hà Nam", "Hà Tĩnh", "Hà Giang", "Thái Nguyên", "Thái Bình", "Lâm Đồng",
    "Cao Bằng", "Hồ Chí Minh", "Kim Bảng", "Đồng Tháp",
))  # fmt: skip
"""Provinces and towns that begin with a family name ("…, Hà Nội"): not a listed person."""

_LIST_JOIN = re.compile(r",\s*|\s+và\s+|\s*;\s*")


def _listed_names(text: str, at: int, *, cue: str) -> Iterable[Mask]:
    """The full names listed after a first one ("Ông Lưu Thế Thủ, Nguyễn Khắc Vinh và …"): a
    family name and one word or more, so "…, Xã Tiểu Cần", "…, Hà Nội" or "…, Tư" are not."""
    while (join := _LIST_JOIN.match(text, at)) is not None:
        span = _name_after(text, join.end(), most=4, caps_allowed=False)
        if span is None:
            return
        words = text[slice(*span)].split()
        if len(words) < 2 or words[0] not in SURNAMES or fold(" ".join(words)) in NAMED_LIKE_PEOPLE:
            return
        yield Mask(kind="name", start=span[0], end=span[1], found=text[slice(*span)], cue=cue)
        at = span[1]


def _label_names(text: str) -> Iterable[Mask]:
    for label in _LABEL.finditer(text):
        cue = label.group(1)
        if cue.lower() == "tên":
            before = _word_before(text, label.start())
            if before is not None and before.lower() in NOT_A_NAME_AFTER_TEN:
                continue
        span = _name_after(text, label.end(), most=5, caps_allowed=True)
        if span is not None:
            yield Mask(kind="name", start=span[0], end=span[1], found=text[slice(*span)], cue=cue)


def _signature(text: str) -> Iterable[Mask]:
    """A line that is only a name, right after a closing line ("Trân trọng,")."""
    lines = list(re.finditer(r"[^\n]+", text))
    for previous, line in itertools.pairwise(lines):
        closing = previous.group().strip().rstrip(",.!").strip().lower()
        if closing not in CLOSINGS:
            continue
        stripped = line.group().strip()
        start = line.start() + line.group().index(stripped) if stripped else line.start()
        span = _name_after(text, start, most=5, caps_allowed=True)
        if span is not None and span[1] == start + len(stripped) and " " in stripped:
            yield Mask(
                kind="name",
                start=span[0],
                end=span[1],
                found=text[slice(*span)],
                cue=previous.group().strip(),
            )


def _own_names(text: str, names: Sequence[str]) -> Iterable[Mask]:
    """The citizen's own name, with or without accents, and its given names (two syllables
    or more: a single one, "An", would hide "an toàn")."""
    folded = fold(text)
    for name in names:
        words = _WORD.findall(unicodedata.normalize("NFC", name))
        candidates = {" ".join(words[i:]) for i in range(len(words)) if len(words) - i >= 2}
        for candidate in sorted(candidates, key=len, reverse=True):
            pattern = re.compile(r"(?<!\w)" + re.escape(fold(candidate)) + r"(?!\w)")
            for found in pattern.finditer(folded):
                yield Mask(
                    kind="name",
                    start=found.start(),
                    end=found.end(),
                    found=text[found.start() : found.end()],
                    own_name=True,
                )


def _patterns(text: str) -> Iterable[Mask]:
    for found in EMAIL.finditer(text):
        yield Mask(kind="email", start=found.start(), end=found.end(), found=found.group())
    for found in SOCIAL_URL.finditer(text):
        yield Mask(kind="social", start=found.start(), end=found.end(), found=found.group())
    for label in SOCIAL_LABEL.finditer(text):
        handle = HANDLE.match(text, label.end())
        span = (handle.start(), handle.end()) if handle else None
        if span is None:
            span = _name_after(text, label.end(), most=5, caps_allowed=True)
        if span is not None and not PHONE.match(text, span[0]):
            yield Mask(
                kind="social",
                start=span[0],
                end=span[1],
                found=text[slice(*span)],
                cue=label.group().strip(" :"),
            )
    for found in ID_LABEL.finditer(text):
        yield Mask(
            kind="id_number",
            start=found.start(1),
            end=found.end(1),
            found=found.group(1),
            cue=found.group().split()[0].rstrip(":."),
        )
    for found in CCCD.finditer(text):
        yield Mask(kind="id_number", start=found.start(), end=found.end(), found=found.group())
    for found in PHONE.finditer(text):
        start = found.start()
        if found.group().startswith("(") and ")" not in found.group():
            start += 1  # "(0918 234 567)": the brackets are the sentence's, not the number's
        if _is_phone(found.group()):
            yield Mask(kind="phone", start=start, end=found.end(), found=text[start : found.end()])
    for found in HOUSE.finditer(text):
        yield Mask(kind="house_number", start=found.start(), end=found.end(), found=found.group())
    for found in HOUSE_ON_STREET.finditer(text):
        yield Mask(kind="house_number", start=found.start(), end=found.end(), found=found.group())


def find_masks(text: str, *, names: Sequence[str] = (), hard_only: bool = False) -> list[Mask]:
    """Every piece of personal data in NFC `text`, without overlaps (the first found wins,
    then the longest); `hard_only` keeps the kinds always masked and the citizen's own name."""
    found = [*_patterns(text), *_own_names(text, names)]
    if not hard_only:
        found += [*_title_names(text), *_label_names(text), *_signature(text)]
    kept: list[Mask] = []
    for mask in sorted(found, key=lambda m: (m.start, -(m.end - m.start), not m.hard)):
        if kept and mask.start < kept[-1].end:
            continue
        kept.append(mask)
    return kept


def mask(text: str, *, names: Sequence[str] = (), hard_only: bool = False) -> Masked:
    """`text` (made NFC) with its personal data replaced; see the module's docstring."""
    text = unicodedata.normalize("NFC", text)
    masks = find_masks(text, names=[n for n in names if n and n.strip()], hard_only=hard_only)
    pieces: list[str] = []
    at = 0
    for found in masks:
        pieces += [text[at : found.start], LABELS[found.kind]]
        at = found.end
    pieces.append(text[at:])
    return Masked(text="".join(pieces), masks=tuple(masks))
