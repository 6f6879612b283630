"""A local SMTP server for the demo: accepts every message and saves it as a .eml file."""

import argparse
import asyncio
import re
import time
from email import policy
from email.parser import BytesHeaderParser
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller


class SaveToFolder:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        # Only the headers: the file name needs the tracking code, not the parsed body.
        message = BytesHeaderParser(policy=policy.compat32).parsebytes(envelope.content)
        code = message.get("X-HoiAm-Tracking-Code", "no-code")
        to = re.sub(r"[^\w.@-]", "_", ",".join(envelope.rcpt_tos))
        name = f"{time.time_ns()}-{code}-{to}.eml"
        (self.folder / name).write_bytes(envelope.content)
        return "250 2.0.0 OK saved"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=2525)
    parser.add_argument("--folder", type=Path, required=True)
    args = parser.parse_args()
    controller = Controller(SaveToFolder(args.folder), hostname="127.0.0.1", port=args.port)
    controller.start()
    print(f"mail catcher on 127.0.0.1:{args.port}, saving to {args.folder}", flush=True)
    try:
        asyncio.run(asyncio.Event().wait())
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
