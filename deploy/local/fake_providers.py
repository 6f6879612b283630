"""Fake Zalo OA / ZNS / Meta Graph / SMS providers for the local demo (see tests/support)."""

import sys
from pathlib import Path

# The server is the test support module, so the demo and the tests use one implementation.
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests"))

from support.notifier_providers import main

if __name__ == "__main__":
    main()
