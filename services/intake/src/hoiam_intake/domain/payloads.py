"""Reading a provider's JSON body: every way it can be unreadable is one `ValueError`."""

import json
from typing import Any


def read_json(payload: bytes | str) -> Any:
    """`json.loads`; JSON nested deeper than Python can follow (100k ``[``) is a `ValueError`
    too, not the `RecursionError` the parser raises, so it is refused like any bad JSON."""
    try:
        return json.loads(payload)
    except RecursionError as error:
        raise ValueError("JSON nested too deep") from error
