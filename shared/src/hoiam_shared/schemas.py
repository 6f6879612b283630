"""Exports each event's JSON Schema into `shared/schemas/`, so a schema change shows in review.

Run `python -m hoiam_shared.schemas` after changing an event; a test fails while they differ.
"""

import json
import sys
from collections.abc import Mapping
from pathlib import Path

from hoiam_shared.events import EVENT_TYPES

SCHEMA_DIR = Path(__file__).resolve().parents[2] / "schemas"


def rendered() -> dict[str, str]:
    """File name → JSON text, for every event type at its current version."""
    files = {}
    for name, cls in sorted(EVENT_TYPES.items()):
        schema = cls.model_json_schema(mode="serialization")
        files[f"{name}.v{cls.VERSION}.json"] = (
            json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
        )
    return files


def write_changed(directory: Path, files: Mapping[str, str]) -> list[Path]:
    """Write each file whose text differs from what `directory` holds; returns those written.

    A committed export (these schemas, the AsyncAPI documents) then changes only when it must.
    """
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in files.items():
        path = directory / name
        if not path.exists() or path.read_text("utf-8") != text:
            path.write_text(text, "utf-8")
            written.append(path)
    return written


def export(directory: Path = SCHEMA_DIR) -> list[Path]:
    return write_changed(directory, rendered())


if __name__ == "__main__":
    for path in export(Path(sys.argv[1]) if len(sys.argv) > 1 else SCHEMA_DIR):
        print(f"wrote {path}")
