"""The places a Vietnamese text names: "ấp Thuận Chánh", "thôn 22, xã Kim Phú", "tổ 62".

A place is an administrative word (hamlet, village, ward, commune, province…) followed by a name:
capitalised words (a typed-in lower-case word between two capitals is kept: "xã tân Hiệp") or a
number ("ấp 10", "Tổ dân phố số 11"). Places written one after another ("thôn Phú Thứ xã Tiền
Châu", "phường Đậu Liêu, thị xã Hồng Lĩnh") form one address, smallest first, which is what the
router reads. A place only bordered ("giáp xã Nguyên Phúc") is not where the petition is.
"""

import re

# Longest first, so "thị trấn" wins over "thị" and "tổ dân phố" over "tổ".
UNITS = (
    "tổ dân phố",
    "khu dân cư",
    "khu phố",
    "thị trấn",
    "thị xã",
    "thành phố",
    "đặc khu",
    "tỉnh",
    "huyện",
    "quận",
    "phường",
    "xã",
    "thôn",
    "ấp",
    "xóm",
    "bản",
    "làng",
    "khóm",
    "buôn",
    "plei",
    "sóc",
    "tổ",
    "đội",
    "TDP",
    "TP.",
    "TP",
    "Tp.",
)
_UNIT = "|".join(re.escape(u) for u in UNITS)
_WORD = r"[^\W\d_][\w'’-]*"
# A name never runs into the next place's unit word ("thôn Phú Thứ xã Tiền Châu").
_NAME_TOKEN = rf"(?!(?:{_UNIT})(?!\w))(?:{_WORD}|\d+[A-Za-z]?)"
_NAME = rf"(?:số\s+)?{_NAME_TOKEN}(?:\s+{_NAME_TOKEN}){{0,4}}"
PLACE = re.compile(
    rf"(?<![\w])(?<!hợp tác )(?<!Hợp tác )(?P<unit>{_UNIT})(?![\w])\s*:?\s+(?P<name>{_NAME})",
    re.IGNORECASE,
)
_BORDERING = re.compile(r"giáp(?: với)?\s*$", re.IGNORECASE)
_CHAIN_GAP = re.compile(r"^\s*(?:,|\(|-|–)?\s*$")
# Words that end a name even when capitalised at a sentence start.
_UNIT_WORDS = {u.split()[0].lower().rstrip(".") for u in UNITS}
_STOP = {"và", "đã", "để", "đề", "có", "cho", "của", "tại", "ở", "đến", "từ", "đi", "với", "là"}


def _is_name_word(token: str, *, first: bool, next_token: str | None) -> bool:
    if token.isdigit() or (token[:-1].isdigit() and token[-1:].isalpha()):
        return True
    if token.lower() in _STOP:
        return False
    if token[:1].isupper():
        return True
    # "xã tân Hiệp": a typed-in lower-case first syllable before a capital one; "Bản Thành yên":
    # a lower-case last syllable after one capitalised word (checked in `_name`).
    if first:
        return bool(next_token and next_token[:1].isupper())
    return next_token is None or not next_token[:1].isupper()


def _name(raw: str, unit: str) -> str | None:
    tokens = raw.split()
    if tokens and tokens[0].lower() == "số":
        return " ".join(tokens[:2]) if len(tokens) > 1 and tokens[1].isdigit() else None
    kept: list[str] = []
    for i, token in enumerate(tokens):
        following = tokens[i + 1] if i + 1 < len(tokens) else None
        if kept and token.lower() in _UNIT_WORDS:
            break  # the next place begins ("thôn Phú Thứ xã Tiền Châu")
        if not _is_name_word(token, first=not kept, next_token=following):
            break
        if kept and token[:1].islower() and not (following and following[:1].isupper()):
            # A trailing lower-case syllable joins only a one-word capitalised name.
            if len(kept) > 1:
                break
            kept.append(token)
            break
        kept.append(token)
    if not kept or (kept[0][:1].islower() and not kept[0].isdigit() and len(kept) == 1):
        return None
    if unit.lower() in {"tổ", "đội"} and not kept[0][:1].isdigit():
        return None  # "tổ đại biểu", "Tổ Đại biểu": not a place without a number
    return " ".join(kept)


def places_in(text: str) -> list[tuple[int, int, str]]:
    """Every place named in `text`: (start, end, "unit Name"), in order."""
    found: list[tuple[int, int, str]] = []
    for match in PLACE.finditer(text):
        if _BORDERING.search(text[max(0, match.start() - 12) : match.start()]):
            continue
        name = _name(match.group("name"), match.group("unit"))
        if name is None:
            continue
        unit = match.group("unit")
        end = match.start("name") + match.group("name").find(name) + len(name)
        found.append((match.start(), end, f"{unit} {name}"))
    return found


def first_address(text: str) -> str | None:
    """The first place `text` names with the places written right after it (its address)."""
    found = places_in(text)
    if not found:
        return None
    _, end, first = found[0]
    parts = [first]
    for next_start, next_end, place in found[1:]:
        if not _CHAIN_GAP.match(text[end:next_start]):
            break
        parts.append(place)
        end = next_end
    return ", ".join(parts)
