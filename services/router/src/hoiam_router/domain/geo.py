"""Locate (định vị): an address or a place named in the text → current province and commune.

After the 1 July 2025 reform Việt Nam has 34 provinces and 3,321 communes (xã, phường, đặc khu)
and no districts. Citizens still write the old units ("xã Phú Cần, huyện Tiểu Cần, tỉnh Trà
Vinh", "P.7 TP Trà Vinh", "Q.1"), often without accents. `vietnam-provinces` carries both the
current units and the pre-2025 ones with the official old → new ward table; this module indexes
them once per process (`gazetteer()`), then resolves a text in one pass over its words.
"""

import itertools
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Literal

from vietnam_provinces import Province as NewProvince
from vietnam_provinces import Ward as NewWard
from vietnam_provinces._ward_conversion_2025 import OLD_TO_NEW as WARD_OLD_TO_NEW
from vietnam_provinces.legacy import District as OldDistrict
from vietnam_provinces.legacy import Province as OldProvince
from vietnam_provinces.legacy import Ward as OldWard

from hoiam_router.domain.text import fold, has_marks, lower
from hoiam_shared.events import AreaRef, ResolvedLocation

Group = Literal["province", "district", "commune"]
Guess = Literal["split", "district"]
Kind = Literal["province", "commune", "old_province", "old_district", "old_commune"]

# The written type of a unit (folded words) → the groups a name after it can belong to.
TYPE_WORDS: dict[tuple[str, ...], tuple[Group, ...]] = {
    ("thanh", "pho"): ("province", "district"),
    ("tinh",): ("province",),
    ("huyen",): ("district",),
    ("quan",): ("district",),
    ("thi", "xa"): ("district",),
    ("xa",): ("commune",),
    ("phuong",): ("commune",),
    ("thi", "tran"): ("commune",),
    ("dac", "khu"): ("commune",),
}
# How the type words are spelled: in accented text "xa" (far) is not "xã", "quan tâm" not "quận".
TYPE_SPELLING: dict[tuple[str, ...], str] = {
    ("thanh", "pho"): "thành phố",
    ("tinh",): "tỉnh",
    ("huyen",): "huyện",
    ("quan",): "quận",
    ("thi", "xa"): "thị xã",
    ("xa",): "xã",
    ("phuong",): "phường",
    ("thi", "tran"): "thị trấn",
    ("dac", "khu"): "đặc khu",
}
ROUTE_JOINERS = frozenset({"-", "–", "/"})
MAX_NAME_WORDS = 5
# Words (folded) after which a name is a hamlet, street, route or building, not a province:
# "ấp Phú Thọ", "đường Trà Vinh", "xa lộ Hà Nội", "bến xe Cần Thơ", "bệnh viện Chợ Rẫy".
NOT_A_UNIT = frozenset({
    "ap", "thon", "xom", "khom", "ban", "buon", "lang", "khu", "to",  # hamlets
    "duong", "pho", "hem", "kiet", "ngo", "lo", "toc", "tuyen", "huong", "nga",  # roads
    "cho", "cau", "kenh", "song", "rach", "cang", "xe",  # markets, bridges, waters, stations
    "so", "cu", "ty", "truong", "vien",  # số nhà, chung cư, công ty, trường, bệnh viện
})  # fmt: skip
# Road words (folded): a province typed right after one names a route ("cao tốc TP.HCM -
# Trung Lương", "quốc lộ ..."), not the place of the matter.
ROAD_WORDS = frozenset({"toc", "lo", "duong", "tuyen"})
# More candidates than this for one written name says nothing useful ("Phường 1" nationwide).
MAX_CANDIDATES = 6

# Abbreviations as people write them, expanded before the words are read. Order matters: the
# Hồ Chí Minh City forms before the generic "TP".
_ABBREVIATIONS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), replacement)
    for pattern, replacement in (
        (r"\b(?:tp\.?\s*hcm|tphcm|hcmc|hcm|sài gòn|sai gon)\b", " thành phố hồ chí minh "),
        (r"\b(?:tp|t\.p)\b\.?", " thành phố "),
        (r"\btx\b\.?", " thị xã "),
        (r"\btt\b\.?", " thị trấn "),
        (r"\bđk\b\.?", " đặc khu "),
        (r"\b[qQ]\.?\s*(\d{1,2})\b", r" quận \1 "),
        (r"\b[pPfF]\.?\s*(\d{1,2})\b", r" phường \1 "),
        (r"\bq\.\s*", " quận "),
        (r"\bp\.\s*", " phường "),
        (r"\bx\.\s*", " xã "),
        (r"\bh\.\s*", " huyện "),
        (r"\bt\.\s*", " tỉnh "),
    )
)  # fmt: skip
_TOKEN = re.compile(r"\w+|[,;:()\n\-–/.!?]")


_GROUP_OF: dict[Kind, Group] = {
    "province": "province",
    "old_province": "province",
    "old_district": "district",
    "commune": "commune",
    "old_commune": "commune",
}


@dataclass(frozen=True, slots=True)
class Unit:
    """One administrative unit, current or pre-2025, as the gazetteer knows it."""

    kind: Kind
    code: int
    name: str
    type_words: tuple[str, ...]
    province: int  # current province code; for old units the old province code
    district: int = 0  # old communes: their old district


# "Hồ Chí Minh" alone is the person (tư tưởng Hồ Chí Minh, đường Hồ Chí Minh); the city is
# written TP.HCM, HCM, Sài Gòn or "thành phố Hồ Chí Minh", all typed after expansion.
PERSON_NOT_PLACE = frozenset({("ho", "chi", "minh")})


@dataclass(frozen=True, slots=True)
class Gazetteer:
    """Indexes built once: (group, folded name words) → units with that name."""

    names: dict[tuple[Group, tuple[str, ...]], tuple[Unit, ...]]
    bare_provinces: frozenset[tuple[str, ...]]
    bare_districts: frozenset[tuple[str, ...]]
    provinces: dict[int, NewProvince]
    wards: dict[int, NewWard]
    old_provinces: dict[int, OldProvince]
    old_districts: dict[int, OldDistrict]
    old_province_successors: dict[int, tuple[int, ...]]  # most of the old wards first
    old_ward_successors: dict[int, tuple[int, ...]]  # in the order of the official table
    old_district_wards: dict[int, tuple[Unit, ...]]


def _key(words: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """Folded words, numbers without leading zeros ("Phường 07" = "phường 7")."""
    return tuple(_token_key(w) for w in words)


@lru_cache(maxsize=65_536)
def _token_key(token: str) -> str:
    """One word's key, kept: find_mentions keys every token of every text, and tokens
    (syllables, mostly) repeat."""
    return _number(fold(token))


def _number(word: str) -> str:
    """A decimal number without its leading zeros, any other word as it is; by digits, since
    `int` refuses superscripts ("²".isdigit()) and numbers over 4300 digits."""
    if not word.isdecimal():
        return word
    return "".join(str(unicodedata.decimal(c)) for c in word).lstrip("0") or "0"


def _split_type(name: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """("Thành phố Trà Vinh") → (("thanh", "pho"), ("tra", "vinh"))."""
    folded = _key(re.findall(r"\w+", lower(name)))
    for type_words in sorted(TYPE_WORDS, key=len, reverse=True):
        if folded[: len(type_words)] == type_words and len(folded) > len(type_words):
            return type_words, folded[len(type_words) :]
    return (), folded


@cache
def gazetteer() -> Gazetteer:
    """Every current and pre-2025 unit, indexed by name (about a second, once per process)."""
    names: dict[tuple[Group, tuple[str, ...]], list[Unit]] = {}

    def add(group: Group, unit: Unit, key: tuple[str, ...]) -> None:
        names.setdefault((group, key), []).append(unit)

    provinces = {int(p.code): p for p in NewProvince.iter_all()}
    wards = {int(w.code): w for w in NewWard.iter_all()}
    old_provinces = {int(p.code): p for p in OldProvince.iter_all()}
    old_districts = {int(d.code): d for d in OldDistrict.iter_all()}
    bare_provinces: set[tuple[str, ...]] = set()
    bare_districts: set[tuple[str, ...]] = set()
    for code, province in provinces.items():
        type_words, key = _split_type(province.name)
        add("province", Unit("province", code, province.name, type_words, code), key)
        if key not in PERSON_NOT_PLACE:
            bare_provinces.add(key)
    for code, ward in wards.items():
        type_words, key = _split_type(ward.name)
        add("commune", Unit("commune", code, ward.name, type_words, int(ward.province_code)), key)
    successors: dict[int, list[int]] = {}
    old_ward_successors: dict[int, tuple[int, ...]] = {}
    old_province_of_district = {c: int(d.province_code) for c, d in old_districts.items()}
    for old_code, entry in WARD_OLD_TO_NEW.items():
        old_ward_successors[old_code] = tuple(w.code for w in entry.new_wards)
        for ward_ref in entry.new_wards:
            successors.setdefault(entry.old_ward.province_code, []).append(ward_ref.province_code)
    old_province_successors = {
        old: tuple(code for code, _ in Counter(news).most_common())
        for old, news in successors.items()
    }
    for code, old_province in old_provinces.items():
        type_words, key = _split_type(old_province.name)
        add("province", Unit("old_province", code, old_province.name, type_words, code), key)
        if key not in PERSON_NOT_PLACE:
            bare_provinces.add(key)
    for code, district in old_districts.items():
        type_words, key = _split_type(district.name)
        unit = Unit("old_district", code, district.name, type_words, int(district.province_code))
        add("district", unit, key)
        if len(key) >= 2:
            bare_districts.add(key)
    old_district_wards: dict[int, list[Unit]] = {}
    for old_ward in OldWard.iter_all():
        code, district_code = int(old_ward.code), int(old_ward.district_code)
        type_words, key = _split_type(old_ward.name)
        unit = Unit(
            "old_commune",
            code,
            old_ward.name,
            type_words,
            old_province_of_district[district_code],
            district_code,
        )
        add("commune", unit, key)
        old_district_wards.setdefault(district_code, []).append(unit)
    return Gazetteer(
        names={k: tuple(v) for k, v in names.items()},
        bare_provinces=frozenset(bare_provinces),
        bare_districts=frozenset(bare_districts),
        provinces=provinces,
        wards=wards,
        old_provinces=old_provinces,
        old_districts=old_districts,
        old_province_successors=old_province_successors,
        old_ward_successors=old_ward_successors,
        old_district_wards={k: tuple(v) for k, v in old_district_wards.items()},
    )


@cache
def place_names() -> frozenset[str]:
    """Every unit name of two words or more, without its type ("cầu ngang", "chợ lách"): the
    classifier reads them as neutral, so a place is not taken for the bridge or market it names.
    """
    g = gazetteer()
    names: set[str] = set()
    for units in g.names.values():
        for unit in units:
            written = re.findall(r"\w+", lower(unit.name))[len(unit.type_words) :]
            if len(written) >= 2 and not any(w.isdigit() for w in written):
                names.add(" ".join(written))
    return frozenset(names)


@dataclass(frozen=True, slots=True)
class Mention:
    """A unit name found in the address or the text, with every unit it may mean."""

    group: Group
    written: str
    units: tuple[Unit, ...]
    source: Literal["address", "text"]
    typed: bool = True  # written after its type word ("tỉnh X"), not bare ("X")


def _expand(text: str) -> str:
    out = lower(text)
    for pattern, replacement in _ABBREVIATIONS:
        out = pattern.sub(replacement, out)
    return out


def find_mentions(text: str, source: Literal["address", "text"]) -> list[Mention]:
    """Every unit named in `text`: after a type word ("xã", "huyện", "tỉnh"...), or a bare
    province name (and, in an address, a bare old district name)."""
    g = gazetteer()
    expanded = _expand(text)
    accented = has_marks(text)  # the expansions themselves carry accents
    tokens = _TOKEN.findall(expanded)
    keys = [_token_key(t) if t[0].isalnum() or t[0] == "_" else "" for t in tokens]
    mentions: list[Mention] = []
    i = 0
    while i < len(tokens):
        found = _typed_at(g, tokens, keys, i, accented, source)
        if found is None and (i == 0 or keys[i - 1] not in NOT_A_UNIT):
            found = _bare_at(g, tokens, keys, i, accented, source)
        if found is None:
            i += 1
            continue
        mention, i = found
        mentions.append(mention)
    return mentions


def _same_accents(units: tuple[Unit, ...], written: str) -> tuple[Unit, ...]:
    """Keep the units spelled exactly as written (accents too), if any is."""
    exact = tuple(u for u in units if written in lower(u.name))
    return exact or units


# find_mentions tries every token: the type words are ordered (longest first) once, not per token.
_TYPE_WORDS_LONGEST_FIRST = sorted(TYPE_WORDS.items(), key=lambda kv: -len(kv[0]))
_TYPE_FIRST_WORDS = frozenset(type_words[0] for type_words in TYPE_WORDS)


def _typed_at(
    g: Gazetteer,
    tokens: list[str],
    keys: list[str],
    i: int,
    accented: bool,
    source: Literal["address", "text"],
) -> tuple[Mention, int] | None:
    if keys[i] not in _TYPE_FIRST_WORDS:
        return None
    for type_words, groups in _TYPE_WORDS_LONGEST_FIRST:
        end = i + len(type_words)
        if tuple(keys[i:end]) != type_words:
            continue
        if accented and " ".join(tokens[i:end]) != TYPE_SPELLING[type_words]:
            continue
        for length in range(MAX_NAME_WORDS, 0, -1):
            name_keys = keys[end : end + length]
            if len(name_keys) < length or "" in name_keys:
                continue
            units = tuple(u for group in groups for u in g.names.get((group, tuple(name_keys)), ()))
            if not units:
                continue
            # The accents first (a name keeps its accents when a xã becomes a phường: "xã An
            # Tường" is Phường An Tường, not Xã Ân Tường), then the same written type:
            # "thành phố Trà Vinh" is the old city, not the old province.
            if accented:
                units = _same_accents(units, " ".join(tokens[end : end + length]))
            typed = tuple(u for u in units if u.type_words == type_words) or units
            group = _GROUP_OF[typed[0].kind]
            if group == "province" and i > 0 and keys[i - 1] in ROAD_WORDS:
                # "cao tốc TP.HCM - Trung Lương": a province after a road word names the
                # road's end, not where the matter is.
                return None
            typed = tuple(u for u in typed if _GROUP_OF[u.kind] == group)
            written = " ".join(tokens[i : end + length])
            return Mention(group, written, typed, source), end + length
        return None
    return None


def _bare_at(
    g: Gazetteer,
    tokens: list[str],
    keys: list[str],
    i: int,
    accented: bool,
    source: Literal["address", "text"],
) -> tuple[Mention, int] | None:
    for length in range(MAX_NAME_WORDS, 1, -1):
        name_keys = tuple(keys[i : i + length])
        if len(name_keys) < length or "" in name_keys:
            continue
        joined = (i > 0 and tokens[i - 1] in ROUTE_JOINERS) or (
            i + length < len(tokens) and tokens[i + length] in ROUTE_JOINERS
        )
        if joined:  # "cao tốc Mỹ Thuận - Cần Thơ" names a route, not where the writer is
            continue
        groups: list[Group] = []
        if name_keys in g.bare_provinces:
            groups.append("province")
        if source == "address" and name_keys in g.bare_districts:
            groups.append("district")
        for group in groups:
            written = " ".join(tokens[i : i + length])
            units = g.names[(group, name_keys)]
            if accented:
                exact = tuple(u for u in units if lower(u.name).endswith(written))
                if not exact:  # "Dương" is not "đường": accented text must match accents
                    continue
                units = exact
            return Mention(group, written, units, source, typed=False), i + length
    return None


@dataclass(frozen=True, slots=True)
class Located:
    """Where an item is, and why the router thinks so."""

    location: ResolvedLocation
    reasons: tuple[str, ...]
    old_districts: tuple[str, ...] = field(default=())
    # When no single commune is known: the most likely one (see `likely_successor` and
    # `district_seat`), for a commune-level matter only, with how it was guessed and why.
    likely_commune: AreaRef | None = None
    likely_basis: Guess | None = None
    likely_why: str = ""

    @property
    def province_code(self) -> str | None:
        return self.location.province.code if self.location.province else None

    @property
    def commune_code(self) -> str | None:
        return self.location.commune.code if self.location.commune else None


def province_ref(g: Gazetteer, code: int, confidence: float) -> AreaRef:
    return AreaRef(code=f"{code:02d}", name=g.provinces[code].name, confidence=confidence)


def commune_ref(g: Gazetteer, code: int, confidence: float) -> AreaRef:
    return AreaRef(code=f"{code:05d}", name=g.wards[code].name, confidence=round(confidence, 3))


def likely_successor(g: Gazetteer, old: Unit) -> tuple[int, str]:
    """The successor that most likely continues a split pre-2025 commune, and why: the one that
    kept its code (in the code table of Quyết định 19/2025/QĐ-TTg, as the package carries it,
    every commune formed in 2025 has the code of one of the communes it was made of), else the
    one that kept its name, else the first listed in the official conversion table (a tie-break
    with no administrative meaning)."""
    news = g.old_ward_successors.get(old.code, ())
    if old.code in news:
        return old.code, "kept its code"
    for new in news:
        if _split_type(g.wards[new].name)[1] == _split_type(old.name)[1]:
            return new, "kept its name"
    return news[0], "first listed in the official conversion table"


@cache
def district_seat(district: int) -> tuple[int, str, tuple[int, ...]] | None:
    """For an old district named without its commune: the current commune most likely to hold
    what the district's seat was, why, and every current commune of the district (most of its
    old communes first). The commune that took the district's name (the 2025 mergers usually
    named the commune around the old seat after the district: Xã Hàm Yên, Phường Ô Môn), else
    the successor of the district's town (thị trấn, the usual seat), else the commune that took
    most of the district's old communes."""
    g = gazetteer()
    olds = g.old_district_wards.get(district, ())
    counts = Counter(new for old in olds for new in g.old_ward_successors.get(old.code, ()))
    if not counts:
        return None
    ranked = tuple(code for code, _ in counts.most_common())
    name = _split_type(g.old_districts[district].name)[1]
    for new in ranked:
        if _split_type(g.wards[new].name)[1] == name:
            return new, "took the old district's name", ranked
    towns = [u for u in olds if u.type_words == ("thi", "tran") and u.code in g.old_ward_successors]
    if len(towns) == 1:
        new, _ = likely_successor(g, towns[0])
        return new, f"continues {towns[0].name}, the district's town", ranked
    return ranked[0], "took most of the district's old communes", ranked


def _current_provinces(g: Gazetteer, unit: Unit) -> tuple[int, ...]:
    if unit.kind in ("province", "commune"):
        return (unit.province,)
    return g.old_province_successors.get(unit.province, ())


def locate(*, address: str | None, text: str, province_hint: str | None = None) -> Located:
    """The current province and commune of an item, from its address, then its text, then the
    province of the channel that received it."""
    g = gazetteer()
    reasons: list[str] = []
    mentions = [
        *(find_mentions(address, "address") if address else []),
        *(find_mentions(text, "text") if text else []),
    ]
    province, province_confidence, old_province = _named_province(
        g, [m for m in mentions if m.group == "province"], reasons
    )
    districts = _old_districts(g, [m for m in mentions if m.group == "district"], province)
    if districts:
        names = ", ".join(dict.fromkeys(d.name for d in districts))
        reasons.append(f"old district {names} (abolished 1 July 2025)")
        options = {_current_provinces(g, d)[0] for d in districts}
        if province is None and len(options) == 1:
            province, province_confidence = options.pop(), 0.9
            reasons.append(f"province {g.provinces[province].name} from the old district")
    district_codes = {d.code for d in districts}
    commune_mentions = [m for m in mentions if m.group == "commune"]
    communes, why, old_commune, likely = _first_commune(
        g, commune_mentions, province, district_codes
    )

    hint = _hint(g, province_hint)
    if province is None and hint is not None:
        # A commune named alone (many names repeat across provinces) is read in the channel's
        # province first; one found only elsewhere, in a single province, still wins.
        in_hint = _first_commune(g, commune_mentions, hint, district_codes)
        found_elsewhere = {int(g.wards[c].province_code) for c in communes}
        if in_hint[0] or len(found_elsewhere) != 1:
            province, province_confidence = hint, 0.6
            communes, why, old_commune, likely = in_hint
            reasons.append(
                f"province {g.provinces[hint].name} from the receiving channel (fallback)"
            )
            why = why and f"{why} (in the channel's province)"
    if province is None and communes:
        options = {int(g.wards[c].province_code) for c in communes}
        if len(options) == 1:
            province, province_confidence = options.pop(), 0.9
            reasons.append(f"province {g.provinces[province].name} from the commune")
    if not communes and text and (province or hint) is not None:
        # No commune named as such: a place in the text (a bridge, canal, market, hamlet, or an
        # old commune named bare) that carries a commune's name says where, less surely.
        communes, why = text_places(g, text, province if province is not None else hint)
        if communes and province is None and hint is not None:
            province, province_confidence = hint, 0.6
            reasons.append(
                f"province {g.provinces[hint].name} from the receiving channel (fallback)"
            )
    if why:
        reasons.append(why)
    if province is None:
        reasons.append("no province named in the address or text, and no fallback province")
        return Located(
            ResolvedLocation(commune_candidates=_ranked(g, communes), confidence=0.0),
            tuple(reasons),
        )

    ranked = _ranked(g, communes)
    # A split commune: every successor stays a candidate and none is chosen.
    commune = (
        ranked[0]
        if len(ranked) == 1 or (ranked and ranked[0].confidence > ranked[1].confidence)
        else None
    )
    confidence = province_confidence
    if commune is not None:
        confidence = round(min(province_confidence, 0.5 + commune.confidence / 2), 3)
    old_district = districts[0].name if len(district_codes) == 1 else None
    legacy = [n for n in (old_commune, old_district, old_province) if n]
    location = ResolvedLocation(
        province=province_ref(g, province, province_confidence),
        commune=commune,
        commune_candidates=ranked if len(ranked) > 1 else (),
        legacy=", ".join(legacy) or None,
        confidence=confidence,
    )
    old_names = tuple(d.name for d in districts)
    if commune is not None:
        return Located(location, tuple(reasons), old_names)
    if likely is not None and len(ranked) > 1:
        code, how = likely
        names = ", ".join(c.name for c in ranked)
        return Located(
            location,
            tuple(reasons),
            old_names,
            likely_commune=commune_ref(g, code, communes[code]),
            likely_basis="split",
            likely_why=f"{g.wards[code].name}, the successor that {how} (candidates: {names})",
        )
    if not ranked and len(district_codes) == 1:
        seat = district_seat(districts[0].code)
        if seat is not None and int(g.wards[seat[0]].province_code) == province:
            code, how, all_codes = seat
            names = ", ".join(g.wards[c].name for c in all_codes)
            return Located(
                location,
                tuple(reasons),
                old_names,
                likely_commune=commune_ref(g, code, 0.9 / len(all_codes)),
                likely_basis="district",
                likely_why=(
                    f"{g.wards[code].name}, the commune of {districts[0].name} that {how} "
                    f"(communes of the old district: {names})"
                ),
            )
    return Located(location, tuple(reasons), old_names)


# Words after which a capitalised name is a place of the matter: what people build, cross or
# live in, and "cử tri" ("Cử tri Tân Phước Khánh phản ánh…"). Not streets and schools: they are
# named after people, as many wards are.
PLACE_WORDS = frozenset(
    fold(w)
    for w in (
        "cầu", "kênh", "rạch", "sông", "chợ", "ấp", "thôn", "xóm", "bản", "buôn", "khóm",
        "bến", "đập", "hồ", "cống", "đê", "trạm", "tri", "làng", "phum",
        "sóc", "bãi", "cồn", "cù", "lao", "vàm", "ngã",
    )
)  # fmt: skip
TEXT_PLACE_SHARE = 0.6  # a place named after a commune is a weaker sign than the commune typed


def text_places(g: Gazetteer, text: str, province: int | None) -> tuple[dict[int, float], str]:
    """Current communes (code → confidence) that a place named in the text points to: the
    capitalised name after a place word ("cầu Phú Cần", "ấp Tân Phước Khánh") read as a
    commune's name, current or pre-2025 (through its successors), in the province. Several
    communes stay candidates. With the reason."""
    tokens = re.findall(r"\w+", unicodedata.normalize("NFC", text))
    accented = has_marks(text)
    for i, token in enumerate(tokens[:-1]):
        if fold(token) not in PLACE_WORDS:
            continue
        name = list(itertools.takewhile(lambda t: t[:1].isupper(), tokens[i + 1 : i + 5]))
        for n in range(len(name), 1, -1):  # longest first; one word alone means too much
            written = " ".join(name[:n])
            units = g.names.get(("commune", _key(name[:n])), ())
            if accented:
                units = _same_accents(units, written)
            found: dict[int, float] = {}
            for unit in units:
                if unit.kind == "commune" and unit.province == province:
                    found[unit.code] = found.get(unit.code, 0.0) + 1.0
                elif unit.kind == "old_commune" and province in _current_provinces(g, unit):
                    news = [c for c in g.old_ward_successors.get(unit.code, ())
                            if int(g.wards[c].province_code) == province]  # fmt: skip
                    for new in news:
                        found[new] = found.get(new, 0.0) + 1.0 / len(news)
            if found and len(found) <= MAX_CANDIDATES:
                total = sum(found.values())
                scores = {c: round(TEXT_PLACE_SHARE * v / total, 3) for c, v in found.items()}
                names = ", ".join(g.wards[c].name for c in scores)
                kind = "candidates" if len(scores) > 1 else "commune"
                return scores, (
                    f"no commune in the address: {token} {written!r} in the text bears the "
                    f"name of a commune → {kind} {names}"
                )
    return {}, ""


def _named_province(
    g: Gazetteer, mentions: list[Mention], reasons: list[str]
) -> tuple[int | None, float, str | None]:
    """The province the address or text names: (code, confidence, its pre-2025 name if old)."""
    if not mentions:
        return None, 0.0, None
    # An address runs from the smallest unit to the largest: its last province is the one;
    # a province written with its type word beats a bare name.
    in_address = [m for m in mentions if m.source == "address"]
    pool = in_address[::-1] if in_address else mentions
    chosen = next((m for m in pool if m.typed), pool[0])
    unit = chosen.units[0]
    successors = _current_provinces(g, unit)
    if not successors:
        return None, 0.0, None
    old = unit.name if unit.kind == "old_province" else None
    reasons.append(
        f"province {g.provinces[successors[0]].name} from the {chosen.source} "
        f"({chosen.written!r}" + (f", {old} before 2025)" if old else ")")
    )
    return successors[0], 1.0 if chosen.source == "address" else 0.9, old


def _old_districts(g: Gazetteer, mentions: list[Mention], province: int | None) -> list[Unit]:
    """Old districts named (inside the province, if known); too many say nothing."""
    districts = [
        u
        for m in mentions
        for u in m.units
        if province is None or province in _current_provinces(g, u)
    ]
    return districts if len({d.code for d in districts}) <= MAX_CANDIDATES else []


Likely = tuple[int, str] | None  # a split commune's likely successor, and why


def _first_commune(
    g: Gazetteer, mentions: list[Mention], province: int | None, districts: set[int]
) -> tuple[dict[int, float], str, str | None, Likely]:
    """The first commune mention that resolves: (code → confidence, why, old name, the likely
    successor if the commune was split)."""
    for mention in mentions:
        scores, why, old, likely = _resolve_commune(g, mention, province, districts)
        if scores:
            if province is not None:
                scores = {
                    c: v for c, v in scores.items() if int(g.wards[c].province_code) == province
                }
            if scores:
                return scores, why, old, likely if likely and likely[0] in scores else None
    return {}, "", None, None


def _ranked(g: Gazetteer, communes: dict[int, float]) -> tuple[AreaRef, ...]:
    ranked = sorted(communes.items(), key=lambda kv: (-kv[1], kv[0]))
    return tuple(commune_ref(g, code, score) for code, score in ranked)


def _hint(g: Gazetteer, province_hint: str | None) -> int | None:
    try:
        code = int(province_hint or "")
    except ValueError:
        return None
    return code if code in g.provinces else None


def _resolve_commune(
    g: Gazetteer, mention: Mention, province: int | None, districts: set[int]
) -> tuple[dict[int, float], str, str | None, Likely]:
    """Current communes (code → confidence) a commune mention stands for, why, and its old name."""
    current = [u for u in mention.units if u.kind == "commune" and province in (None, u.province)]
    old = [u for u in mention.units if u.kind == "old_commune"]
    if districts:
        old = [u for u in old if u.district in districts]
    elif province is not None:
        old = [u for u in old if province in _current_provinces(g, u)]
    # A district in the address means the writer used the pre-2025 address: read it as such.
    if old and (districts or not current):
        successors: dict[int, float] = {}
        for unit in old:
            news = g.old_ward_successors.get(unit.code, ())
            for new in news:
                share = 1.0 / (len(news) * len(old))
                successors[new] = successors.get(new, 0.0) + share
        if not successors or len(successors) > MAX_CANDIDATES:
            return {}, "", None, None
        scores = {c: round(0.9 * s, 3) for c, s in successors.items()}
        names = ", ".join(g.wards[c].name for c in scores)
        split = " (split: every successor kept)" if len(scores) > 1 else ""
        why = f"commune {mention.written!r} before 2025 → {names}{split}"
        likely = likely_successor(g, old[0]) if len(old) == 1 and len(scores) > 1 else None
        return scores, why, old[0].name if len(old) == 1 else None, likely
    if current and len(current) <= MAX_CANDIDATES:
        share = 0.95 if len(current) == 1 else 0.9 / len(current)
        scores = {u.code: round(share, 3) for u in current}
        return scores, f"commune {current[0].name} from {mention.written!r}", None, None
    return {}, "", None, None
