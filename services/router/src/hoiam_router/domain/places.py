"""Place search for the public form: the current (post-2025) communes whose name, or whose
pre-2025 predecessor's name, matches what a citizen types ("xã Phú Cần, huyện Tiểu Cần" offers
Xã Tiểu Cần), with or without diacritics."""

from dataclasses import dataclass
from functools import cache

from hoiam_router.domain.geo import gazetteer, locate
from hoiam_router.domain.text import fold

MAX_PLACES = 20


@dataclass(frozen=True, slots=True)
class Place:
    """A current commune, as the form offers it; `via` names the old unit it was found by."""

    code: str
    name: str
    province_code: str
    province_name: str
    via: str | None = None


def provinces() -> list[tuple[str, str]]:
    """Every current province (code, name), by name."""
    g = gazetteer()
    return sorted(((f"{c:02d}", p.name) for c, p in g.provinces.items()), key=lambda p: p[1])


def _place(code: int, via: str | None = None) -> Place:
    g = gazetteer()
    ward = g.wards[code]
    province = int(ward.province_code)
    return Place(
        code=f"{code:05d}",
        name=ward.name,
        province_code=f"{province:02d}",
        province_name=g.provinces[province].name,
        via=via,
    )


def communes_of(province_code: str) -> list[Place]:
    g = gazetteer()
    found = [
        _place(c) for c, w in g.wards.items() if f"{int(w.province_code):02d}" == province_code
    ]
    return sorted(found, key=lambda p: fold(p.name))


@cache
def _index() -> tuple[tuple[str, int, str | None], ...]:
    """(folded name, current commune code, the old name it came by) for every current commune
    and every pre-2025 commune (with its old district), built once."""
    g = gazetteer()
    rows: list[tuple[str, int, str | None]] = [
        (f" {_plain(ward.name)} ", code, None) for code, ward in g.wards.items()
    ]
    for units in g.old_district_wards.values():
        for unit in units:
            district = g.old_districts.get(unit.district)
            old = f"{unit.name}, {district.name}" if district else unit.name
            for code in g.old_ward_successors.get(unit.code, ()):
                rows.append((f" {_plain(old)} ", code, old))
    return tuple(rows)


def _plain(text: str) -> str:
    return " ".join(fold(text).replace(",", " ").split())


def search(query: str, *, province_code: str | None = None) -> list[Place]:
    """Current communes for `query`: the one the router's own locator reads in it first (old
    names included), then those whose current or pre-2025 name holds its words."""
    wanted = _plain(query)
    if len(wanted) < 2:
        return []
    found: dict[str, Place] = {}
    located = locate(address=query, text="")
    code = located.commune_code or (
        located.likely_commune.code if located.likely_commune is not None else None
    )
    if code is not None:
        place = _place(int(code))
        found[place.code] = place
    for name, code_of, old in _index():
        if f" {wanted} " in name:
            place = _place(code_of, via=old)
            found.setdefault(place.code, place)
    ranked = [p for p in found.values() if province_code in (None, p.province_code)]
    return ranked[:MAX_PLACES]
