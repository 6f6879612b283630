"""The routing directory (danh bạ cơ quan): provinces, categories and bodies, loaded from YAML."""

from collections import Counter
from importlib import resources
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from hoiam_shared.events import BodyContact

Level = Literal["commune", "province_department", "province_committee", "utility", "national"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Province(_Frozen):
    code: str
    name: str
    aliases: tuple[str, ...] = ()


class Category(_Frozen):
    code: str
    name: str
    keywords: tuple[str, ...] = ()


class Body(_Frozen):
    """A body (cơ quan) that answers for some categories in some areas."""

    id: str
    name: str
    level: Level
    provinces: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    parent: str | None = None
    replaced_by: str | None = Field(
        default=None, description="Successor of a body abolished in 2025."
    )
    sla_working_days: int = Field(default=15, ge=1)
    contacts: tuple[BodyContact, ...] = ()


class Directory(_Frozen):
    version: str
    provinces: tuple[Province, ...]
    categories: tuple[Category, ...]
    bodies: tuple[Body, ...]

    @model_validator(mode="after")
    def _references_resolve(self) -> "Directory":
        body_ids = {b.id for b in self.bodies}
        if len(body_ids) != len(self.bodies):
            counts = Counter(b.id for b in self.bodies)
            twice = sorted(body_id for body_id, n in counts.items() if n > 1)
            raise ValueError(f"body ids must be unique; repeated: {twice}")
        category_codes = {c.code for c in self.categories}
        province_codes = {p.code for p in self.provinces}
        if "other" not in category_codes:
            raise ValueError("the directory needs an 'other' category")
        for body in self.bodies:
            for ref in (body.parent, body.replaced_by):
                if ref is not None and ref not in body_ids:
                    raise ValueError(f"body {body.id} points at unknown body {ref}")
            if unknown := set(body.categories) - category_codes:
                raise ValueError(f"body {body.id} has unknown categories {sorted(unknown)}")
            if unknown := set(body.provinces) - province_codes:
                raise ValueError(f"body {body.id} has unknown provinces {sorted(unknown)}")
        successor = {b.id: b.replaced_by for b in self.bodies}
        for start in body_ids:
            seen, current = {start}, successor[start]
            while current is not None:
                if current in seen:  # `body()` would loop for ever
                    raise ValueError(f"body {start} is in a replaced_by cycle")
                seen.add(current)
                current = successor[current]
        return self

    def body(self, body_id: str) -> Body:
        """The body, or the body that replaced it (followed to the end of the chain)."""
        by_id = {b.id: b for b in self.bodies}
        body = by_id[body_id]
        while body.replaced_by is not None:
            body = by_id[body.replaced_by]
        return body

    def category(self, code: str) -> Category:
        return next(c for c in self.categories if c.code == code)


def parse_directory(text: str) -> Directory:
    return Directory.model_validate(yaml.safe_load(text))


def load_directory(path: Path | None = None) -> Directory:
    """The directory at `path`, or the sample shipped with the router."""
    if path is None:
        text = resources.files("hoiam_router").joinpath("data/directory.yaml").read_text("utf-8")
    else:
        text = path.read_text("utf-8")
    return parse_directory(text)
