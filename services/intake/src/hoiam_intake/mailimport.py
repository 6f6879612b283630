"""Import saved mail: ``python -m hoiam_intake.mailimport a.eml archive.mbox --url URL``.

Each message is POSTed to intake's `/v1/intake/email`, the same path a mail pipe uses, rather
than written to Kafka directly: it gets the same checks, size limit, raw-first acceptance and
Message-ID idempotency (importing an archive twice makes no new items), and an operator's
machine needs only HTTP access, not broker credentials.
"""

import argparse
import asyncio
import json
import mailbox
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx


def messages(path: Path) -> Iterator[tuple[str, bytes]]:
    """(where, raw bytes) of each message in an .eml file or an mbox archive."""
    data = path.read_bytes()
    if data.startswith(b"From ") and path.suffix != ".eml":
        box = mailbox.mbox(path, create=False)
        try:
            for index, key in enumerate(box.keys(), start=1):
                yield f"{path}#{index}", box.get_bytes(key)
        finally:
            box.close()
    else:
        yield str(path), data


async def import_mail(paths: list[Path], *, url: str) -> dict[str, Any]:
    summary: dict[str, Any] = {"accepted": 0, "duplicates": 0, "failed": []}
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        for path in paths:
            for where, raw in messages(path):
                try:
                    answer = await client.post(
                        "/v1/intake/email", content=raw,
                        headers={"content-type": "message/rfc822"},
                    )  # fmt: skip
                except httpx.HTTPError as error:
                    summary["failed"].append({"message": where, "reason": repr(error)})
                    continue
                if answer.status_code == 202:
                    summary["accepted"] += 1
                elif answer.status_code == 200:
                    summary["duplicates"] += 1
                else:
                    summary["failed"].append(
                        {"message": where, "status": answer.status_code, "reason": answer.text}
                    )
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m hoiam_intake.mailimport", description=__doc__)
    parser.add_argument("files", nargs="+", type=Path, help=".eml files and mbox archives")
    parser.add_argument("--url", default="http://127.0.0.1:8001", help="intake's base URL")
    args = parser.parse_args(argv)
    summary = asyncio.run(import_mail(args.files, url=args.url))
    print(json.dumps(summary, ensure_ascii=False))
    return 1 if summary["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
