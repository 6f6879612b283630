"""`make router-preview TEXT=... ADDRESS=...`: the routing decision for a text, printed as JSON."""

import json
import sys

from hoiam_router.api import PreviewRequest, preview
from hoiam_router.directory_yaml import load_directory


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if not args or not args[0].strip():
        print("usage: python -m hoiam_router.preview TEXT [ADDRESS]", file=sys.stderr)
        return 2
    request = PreviewRequest(text=args[0], address=(args[1] if len(args) > 1 else None) or None)
    answer = preview(load_directory(), request, None).model_dump(mode="json")
    print(json.dumps(answer, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
