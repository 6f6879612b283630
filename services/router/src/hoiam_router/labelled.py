"""Adapter: the labelled set of real petitions (YAML), read for the evaluation and for training."""

from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "data/eval/petitions.yaml"


class Petition(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    id: str
    source_url: str
    source_title: str | None = None
    province_code: str
    province_name: str | None = None
    locality: str | None = None
    commune_code: str | None = None
    text: str = Field(min_length=1)
    answered_by: str | None = None
    category: str
    level: str
    body_key: str
    notes: str | None = None
    # Kept apart before anyone read it: no rule, feature or setting may be chosen on these.
    heldout: bool = False


class DataError(ValueError):
    """The labelled set is missing or not in the agreed format."""


def load_petitions(path: Path = DEFAULT_DATA) -> list[Petition]:
    if not path.is_file():
        raise DataError(f"no evaluation set at {path}")
    try:
        raw = yaml.safe_load(path.read_text("utf-8"))
    except yaml.YAMLError as error:
        raise DataError(f"{path} is not valid YAML: {error}") from None
    if not isinstance(raw, list) or not raw:
        raise DataError(f"{path} must be a non-empty YAML list of petitions")
    try:
        return [Petition.model_validate(entry) for entry in raw]
    except ValidationError as error:
        raise DataError(f"{path} has a malformed item: {error}") from None
