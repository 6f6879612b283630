"""The committed JSON Schemas match the events, and accept real example payloads."""

import json
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from hoiam_shared.events import EVENT_TYPES, Event
from hoiam_shared.schemas import SCHEMA_DIR, rendered

REGENERATE = "schemas are stale: run `uv run python -m hoiam_shared.schemas` and commit the result"


def committed_schema(name: str) -> dict[str, Any]:
    path = SCHEMA_DIR / f"{name}.v{EVENT_TYPES[name].VERSION}.json"
    schema: dict[str, Any] = json.loads(path.read_text("utf-8"))
    return schema


def test_the_committed_schema_files_are_exactly_the_rendered_ones() -> None:
    expected = rendered()
    committed = {path.name: path.read_text("utf-8") for path in SCHEMA_DIR.glob("*.json")}

    assert sorted(committed) == sorted(expected), REGENERATE
    for name, text in expected.items():
        assert committed[name] == text, f"{name}: {REGENERATE}"


def test_there_is_one_schema_per_event_type() -> None:
    assert {name.split(".")[0] for name in rendered()} == set(EVENT_TYPES)


@pytest.mark.parametrize("name", sorted(EVENT_TYPES))
def test_the_committed_schema_validates_an_example(name: str, examples: dict[str, Event]) -> None:
    schema = committed_schema(name)
    Draft202012Validator.check_schema(schema)
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    instance = json.loads(examples[name].to_bytes())

    validator.validate(instance)


@pytest.mark.parametrize("name", sorted(EVENT_TYPES))
def test_the_committed_schema_rejects_an_example_missing_its_envelope(
    name: str, examples: dict[str, Event]
) -> None:
    validator = Draft202012Validator(committed_schema(name))
    instance = json.loads(examples[name].to_bytes())
    del instance["correlation_id"]

    with pytest.raises(ValidationError, match="correlation_id"):
        validator.validate(instance)


def test_the_schema_pins_the_type_tag(examples: dict[str, Event]) -> None:
    validator = Draft202012Validator(committed_schema("StatusChanged"))
    instance = json.loads(examples["StatusChanged"].to_bytes()) | {"type": "FeedbackRouted"}

    with pytest.raises(ValidationError):
        validator.validate(instance)
