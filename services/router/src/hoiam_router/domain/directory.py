"""The routing directory (danh bạ cơ quan) of all 34 provinces, generated from the
administrative data (`vietnam-provinces`) and the YAML configuration (`data/directory.yaml`).

FixMyStreet's model: body × area × category → contact. Generated for every province: the
People's Committee, the departments after the 2025 restructuring, the agencies that answer
petitions, the power and water companies, the National Assembly delegation; for every commune
its People's Committee and its Front committee (Ủy ban MTTQ xã), which answers no petition but
is told, with the delegates, what happens to those of voters' meetings. Bodies abolished in
2025 (district committees, merged departments, the committees of merged provinces) stay, each
with `replaced_by`, so old names still resolve.

Pure: the configuration arrives as a parsed `DirectoryConfig`; reading the YAML (a file, or the
bundled one) is `hoiam_router.directory_yaml`'s job.
"""

import re
from collections import Counter
from functools import cached_property
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from hoiam_router.domain.classify import Lexicon, build_lexicon
from hoiam_router.domain.geo import gazetteer, place_names
from hoiam_router.domain.text import fold
from hoiam_shared.events import BodyContact, BodyRef, CategoryRef, Channel

Level = Literal["commune", "province_department", "province_committee", "utility", "national"]
Scope = Literal[
    "national", "provincial_policy", "national_highway", "provincial_road", "local", "province"
]
COMMUNE_FRONT = "mttq-xa"
"""The body key of a commune's Front committee (Ủy ban Mặt trận Tổ quốc Việt Nam xã)."""
PROVINCE_FRONT = "mttq"
"""The body key of a province's Front committee."""
ANY_CATEGORY = "*"
"""A competence rule for every category (e.g. provincial support levels → the committee)."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Province(_Frozen):
    code: str
    name: str


class Category(_Frozen):
    code: str
    name: str
    keywords: tuple[str, ...] = ()

    def ref(self) -> CategoryRef:
        """The category as events name it."""
        return CategoryRef(code=self.code, name=self.name)


class Body(_Frozen):
    """A body (cơ quan) that answers for some matters in some areas."""

    id: str
    key: str = Field(default="", description="The body key of routing-labels (so-xay-dung).")
    name: str
    level: Level
    provinces: tuple[str, ...] = ()
    communes: tuple[str, ...] = ()
    parent: str | None = None
    replaced_by: str | None = Field(
        default=None, description="Successor of a body abolished in 2025."
    )
    sla_working_days: int = Field(default=15, ge=1)
    contacts: tuple[BodyContact, ...] = ()
    source: str | None = Field(
        default=None, description="Where the body's name and competence come from."
    )
    contacts_source: str | None = Field(
        default=None, description="Where its contacts were published; None: generated."
    )

    @property
    def generated(self) -> bool:
        """Its contacts are placeholders: no published address was found."""
        return self.contacts_source is None

    def ref(self) -> BodyRef:
        """The body as events name it."""
        return BodyRef(id=self.id, name=self.name, level=self.level, contacts=self.contacts)


class Councillor(_Frozen):
    """An HĐND delegate (đại biểu HĐND) and the current communes of their constituency."""

    id: str
    name: str
    council: str
    constituency: str
    province: str
    communes: tuple[str, ...]
    illustrative: bool = False
    source: str | None = Field(default=None, description="Where the election result was published.")
    contacts: tuple[BodyContact, ...] = ()
    contacts_source: str | None = Field(
        default=None, description="Where their contacts were published; None: generated."
    )

    @property
    def generated(self) -> bool:
        """Their contacts are placeholders: no published address was found."""
        return self.contacts_source is None


class CompetenceRule(_Frozen):
    """Category (× scope) (× any of some words) → body key; the first matching rule decides."""

    category: str
    body: str
    scope: Scope | None = None
    unless_scope: Scope | None = None
    words: tuple[str, ...] = ()
    factor: float = Field(default=1.0, gt=0, le=1)


class Directory(_Frozen):
    version: str
    provinces: tuple[Province, ...]
    categories: tuple[Category, ...]
    bodies: tuple[Body, ...]
    councillors: tuple[Councillor, ...] = ()
    competence: tuple[CompetenceRule, ...] = ()
    scopes: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    national_strong: tuple[str, ...] = ()
    neutral_phrases: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _references_resolve(self) -> "Directory":
        body_ids = {b.id for b in self.bodies}
        if len(body_ids) != len(self.bodies):
            counts = Counter(b.id for b in self.bodies)
            twice = sorted(body_id for body_id, n in counts.items() if n > 1)
            raise ValueError(f"body ids must be unique; repeated: {twice}")
        category_codes = {c.code for c in self.categories}
        if "other" not in category_codes:
            raise ValueError("the directory needs an 'other' category")
        province_codes = {p.code for p in self.provinces}
        for body in self.bodies:
            for ref in (body.parent, body.replaced_by):
                if ref is not None and ref not in body_ids:
                    raise ValueError(f"body {body.id} points at unknown body {ref}")
            if unknown := set(body.provinces) - province_codes:
                raise ValueError(f"body {body.id} has unknown provinces {sorted(unknown)}")
        for rule in self.competence:
            if rule.category not in category_codes and rule.category != ANY_CATEGORY:
                raise ValueError(f"competence rule has unknown category {rule.category}")
        successor = {b.id: b.replaced_by for b in self.bodies}
        for start in body_ids:
            seen, current = {start}, successor[start]
            while current is not None:
                if current in seen:  # `body()` would loop for ever
                    raise ValueError(f"body {start} is in a replaced_by cycle")
                seen.add(current)
                current = successor[current]
        return self

    # Indexes, built on first use (the model is frozen, so they never go stale).
    @cached_property
    def _by_id(self) -> dict[str, Body]:
        return {b.id: b for b in self.bodies}

    @cached_property
    def lexicon(self) -> Lexicon:
        return build_lexicon(
            {c.code: c.keywords for c in self.categories},
            neutral=(*self.neutral_phrases, *place_names()),
        )

    @cached_property
    def _councillors_by_commune(self) -> dict[str, tuple[Councillor, ...]]:
        index: dict[str, list[Councillor]] = {}
        for councillor in self.councillors:
            for commune in councillor.communes:
                index.setdefault(commune, []).append(councillor)
        return {k: tuple(v) for k, v in index.items()}

    def find(self, body_id: str) -> Body | None:
        return self._by_id.get(body_id)

    def body(self, body_id: str) -> Body:
        """The body, or the body that replaced it (followed to the end of the chain)."""
        body = self._by_id[body_id]
        while body.replaced_by is not None:
            body = self._by_id[body.replaced_by]
        return body

    def live_body(self, *, province: str, key: str, commune: str | None = None) -> Body | None:
        """The current body with that key for the province (or, for ubnd-xa, the commune)."""
        body_id = f"{commune}-{key}" if key == "ubnd-xa" else f"{province}-{key}"
        if key == "ubnd-xa" and commune is None:
            return None
        body = self._by_id.get(body_id)
        if body is None:
            return None
        return self.body(body.id)

    def category(self, code: str) -> Category:
        found = self.find_category(code)
        if found is None:
            raise KeyError(f"no category {code}")
        return found

    def find_category(self, code: str) -> Category | None:
        return next((c for c in self.categories if c.code == code), None)

    def councillors_for(self, commune: str | None) -> tuple[Councillor, ...]:
        return self._councillors_by_commune.get(commune, ()) if commune else ()

    def front_for(self, *, commune: str | None, province: str | None) -> Body | None:
        """The Front committee closest to the voters: the commune's, else the province's."""
        if commune is not None and (found := self._by_id.get(f"{commune}-{COMMUNE_FRONT}")):
            return self.body(found.id)
        if province is not None and (found := self._by_id.get(f"{province}-{PROVINCE_FRONT}")):
            return self.body(found.id)
        return None


# --- generation from the configuration ---------------------------------------------------------


class _Department(_Frozen):
    key: str
    name: str
    only: tuple[str, ...] = ()
    source: str | None = None


class _Agency(_Frozen):
    key: str
    name: str
    level: Level
    parent: str | None = "ubnd-tinh"
    sla_working_days: int = 15
    short_name: bool = False
    source: str | None = None


class _Abolished(_Frozen):
    key: str
    name: str
    replaced_by: str


class _Constituency(_Frozen):
    """Written either with today's communes or with the pre-2025 units it was drawn from."""

    constituency: str
    council: str
    province: str
    communes: tuple[str, ...] = ()
    old_units: tuple[str, ...] = ()
    old_district: str | None = None
    delegates: tuple[str, ...]
    source: str | None = None
    units_source: str | None = None

    @model_validator(mode="after")
    def _one_way_to_its_area_and_a_source_for_real_names(self) -> "_Constituency":
        if bool(self.communes) == bool(self.old_units):
            raise ValueError(f"{self.constituency}: give either communes or old_units")
        if self.old_units and not self.old_district:
            raise ValueError(f"{self.constituency}: old_units need their old_district")
        if self.source is None and not all(_illustrative(d) for d in self.delegates):
            raise ValueError(f"{self.constituency}: real delegates need the source of the result")
        return self


def _illustrative(delegate: str) -> bool:
    return "minh họa" in delegate


class _Override(_Frozen):
    name: str | None = None
    contacts: tuple[BodyContact, ...] | None = None
    contacts_source: str | None = None
    sla_working_days: int | None = None

    @model_validator(mode="after")
    def _real_contacts_have_a_source(self) -> "_Override":
        real = [c.address for c in self.contacts or () if not _reserved(c.address)]
        if real and self.contacts_source is None:
            raise ValueError(f"real contacts need their source: {real}")
        return self


def _reserved(address: str) -> bool:
    """An address under the reserved `.example` domain (RFC 2606): a placeholder."""
    return address.rstrip(".").endswith(".example")


class DirectoryConfig(_Frozen):
    version: str
    contact_domain: str = "hoiam.example"
    # Where the generated entries' names come from (the bodies each province has by law, the
    # communes in the national list).
    committees_source: str | None = None
    communes_source: str | None = None
    fronts_source: str | None = None
    categories: tuple[Category, ...]
    departments: tuple[_Department, ...]
    agencies: tuple[_Agency, ...]
    abolished_departments: tuple[_Abolished, ...] = ()
    scopes: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    national_strong: tuple[str, ...] = ()
    neutral_phrases: tuple[str, ...] = ()
    competence: tuple[CompetenceRule, ...]
    councillors: tuple[_Constituency, ...] = ()
    overrides: dict[str, _Override] = Field(default_factory=dict)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")


def _short(province_name: str) -> str:
    """ "Tỉnh Vĩnh Long" → "Vĩnh Long"; "Thành phố Hồ Chí Minh" → "Hồ Chí Minh"."""
    for prefix in ("Thành phố ", "Tỉnh "):
        if province_name.startswith(prefix):
            return province_name[len(prefix) :]
    return province_name


def _of(province_name: str) -> str:
    """ "Tỉnh Vĩnh Long" → "tỉnh Vĩnh Long", for "Sở Xây dựng tỉnh Vĩnh Long"."""
    return province_name[0].lower() + province_name[1:]


def build_directory(config: DirectoryConfig) -> Directory:
    """Every body of the 34 provinces and their communes, plus the abolished ones."""
    g = gazetteer()
    domain = config.contact_domain
    bodies: list[Body] = []

    def contact(local: str, host: str) -> tuple[BodyContact, ...]:
        return (BodyContact(channel=Channel.EMAIL, address=f"{local}@{host}.{domain}"),)

    provinces = tuple(
        Province(code=f"{code:02d}", name=p.name) for code, p in sorted(g.provinces.items())
    )
    for province in provinces:
        code, host = province.code, _slug(_short(province.name))
        committee = f"{code}-ubnd-tinh"
        bodies.append(
            Body(
                id=committee,
                key="ubnd-tinh",
                name=f"Ủy ban nhân dân {_of(province.name)}",
                level="province_committee",
                provinces=(code,),
                sla_working_days=30,
                contacts=contact("ubnd", host),
                source=config.committees_source,
            )
        )
        for dept in config.departments:
            if dept.only and code not in dept.only:
                continue
            bodies.append(
                Body(
                    id=f"{code}-{dept.key}",
                    key=dept.key,
                    name=f"{dept.name} {_of(province.name)}",
                    level="province_department",
                    provinces=(code,),
                    parent=committee,
                    contacts=contact(dept.key, host),
                    source=dept.source,
                )
            )
        for agency in config.agencies:
            name = (
                f"{agency.name} {_short(province.name)}"
                if agency.short_name
                else f"{agency.name} {_of(province.name)}"
            )
            bodies.append(
                Body(
                    id=f"{code}-{agency.key}",
                    key=agency.key,
                    name=name,
                    level=agency.level,
                    provinces=(code,),
                    parent=f"{code}-{agency.parent}" if agency.parent else None,
                    sla_working_days=agency.sla_working_days,
                    contacts=contact(agency.key, host),
                    source=agency.source,
                )
            )
        for old in config.abolished_departments:
            bodies.append(
                Body(
                    id=f"{code}-{old.key}",
                    key=old.key,
                    name=f"{old.name} {_of(province.name)}",
                    level="province_department",
                    replaced_by=f"{code}-{old.replaced_by}",
                )
            )
    hosts = {p.code: _slug(_short(p.name)) for p in provinces}
    for ward_code, ward in sorted(g.wards.items()):
        province_code = f"{int(ward.province_code):02d}"
        bodies.append(
            Body(
                id=f"{ward_code:05d}-ubnd-xa",
                key="ubnd-xa",
                name=f"Ủy ban nhân dân {_of(ward.name)}",
                level="commune",
                provinces=(province_code,),
                communes=(f"{ward_code:05d}",),
                parent=f"{province_code}-ubnd-tinh",
                sla_working_days=10,
                contacts=contact("ubnd", f"{_slug(ward.name)}.{hosts[province_code]}"),
                source=config.communes_source,
            )
        )
        # Told, not asked: no competence rule names this key, so no petition is routed to it.
        bodies.append(
            Body(
                id=f"{ward_code:05d}-{COMMUNE_FRONT}",
                key=COMMUNE_FRONT,
                name=f"Ủy ban Mặt trận Tổ quốc Việt Nam {_of(ward.name)}",
                level="commune",
                provinces=(province_code,),
                communes=(f"{ward_code:05d}",),
                parent=f"{province_code}-{PROVINCE_FRONT}",
                sla_working_days=10,
                contacts=contact("mttq", f"{_slug(ward.name)}.{hosts[province_code]}"),
                source=config.fronts_source,
            )
        )
    # Abolished in 2025: the district committees and the committees of merged provinces.
    for district_code, district in sorted(g.old_districts.items()):
        successors = g.old_province_successors.get(int(district.province_code), ())
        if not successors:
            continue
        bodies.append(
            Body(
                id=f"old-{district_code:03d}-ubnd-huyen",
                key="ubnd-huyen",
                name=f"Ủy ban nhân dân {_of(district.name)} (giải thể 1/7/2025)",
                level="commune",
                replaced_by=f"{successors[0]:02d}-ubnd-tinh",
            )
        )
    for old_code, old_province in sorted(g.old_provinces.items()):
        successors = g.old_province_successors.get(old_code, ())
        if old_code in g.provinces or not successors:
            continue
        bodies.append(
            Body(
                id=f"old-{old_code:02d}-ubnd-tinh",
                key="ubnd-tinh",
                name=f"Ủy ban nhân dân {_of(old_province.name)} (hợp nhất 1/7/2025)",
                level="province_committee",
                replaced_by=f"{successors[0]:02d}-ubnd-tinh",
            )
        )
    bodies = [_apply(body, config.overrides.get(body.id)) for body in bodies]
    return Directory(
        version=config.version,
        provinces=provinces,
        categories=config.categories,
        bodies=tuple(bodies),
        councillors=_councillors(config.councillors, hosts=hosts, domain=domain),
        competence=config.competence,
        scopes=config.scopes,
        national_strong=config.national_strong,
        neutral_phrases=config.neutral_phrases,
    )


def _apply(body: Body, override: _Override | None) -> Body:
    if override is None:
        return body
    changes = dict(override.model_dump(exclude_none=True).items())
    return body.model_validate({**body.model_dump(), **changes})


def _councillors(
    constituencies: tuple[_Constituency, ...], *, hosts: dict[str, str], domain: str
) -> tuple[Councillor, ...]:
    """Each constituency's communes as today's codes: named ones looked up in the province,
    pre-2025 units resolved to every successor. Contacts are generated like the bodies' (no
    delegate's address was published), so the delegates are told of their voters' petitions."""
    from hoiam_router.domain.geo import gazetteer, locate

    g = gazetteer()
    result = []
    numbered: Counter[str] = Counter()  # ids count per province, so one province's are stable
    for unit in constituencies:
        numbered[unit.province] += 1
        n = numbered[unit.province]
        communes: dict[str, None] = {}
        in_province = {
            fold(ward.name): code
            for code, ward in g.wards.items()
            if int(ward.province_code) == int(unit.province)
        }
        for name in unit.communes:
            code = in_province.get(fold(name))
            if code is None:
                # A misspelt commune would silently drop its delegates: refuse the file instead.
                raise ValueError(f"{unit.constituency}: no commune {name!r} in {unit.province}")
            communes[f"{code:05d}"] = None
        for old in unit.old_units:
            located = locate(address=f"{old}, {unit.old_district}", text="", province_hint=None)
            location = located.location
            for ref in (location.commune, *location.commune_candidates):
                if ref is not None:
                    communes[ref.code] = None
        for seat, delegate in enumerate(unit.delegates, start=1):
            councillor_id = f"{unit.province}-hdnd-{n}-{seat}"
            host = f"hdnd.{hosts[unit.province]}.{domain}"
            result.append(
                Councillor(
                    id=councillor_id,
                    name=delegate,
                    council=unit.council,
                    constituency=unit.constituency,
                    province=unit.province,
                    communes=tuple(communes),
                    illustrative=_illustrative(delegate),
                    source=unit.source,
                    contacts=(
                        BodyContact(channel=Channel.EMAIL, address=f"{councillor_id}@{host}"),
                    ),
                )
            )
    return tuple(result)
