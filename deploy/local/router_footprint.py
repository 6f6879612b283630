"""The router's start: CPU seconds, wall seconds and RSS after importing the app and after
`create_app()` (directory, places and routing model; no network is touched before serving).

Reads VmRSS/VmHWM from /proc/self/status and the process's CPU time, prints JSON. Run it twice
with a cache directory to see a start that trains and one that loads. Usage:
  HOIAM_ROUTER_MODEL_CACHE_DIR=.local/cache .venv/bin/python deploy/local/router_footprint.py
"""

import json
import resource
import sys
import time
from typing import Any

STARTED = time.perf_counter()


def _sample() -> dict[str, Any]:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    status = {}
    with open("/proc/self/status", encoding="ascii") as file:
        for line in file:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                status[key] = int(value.split()[0]) // 1024
    return {
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
        "wall_s": round(time.perf_counter() - STARTED, 2),
        "rss_mb": status["VmRSS"],
        "peak_rss_mb": status["VmHWM"],
    }


def main() -> int:
    from hoiam_router.app import create_app  # timed: the import is part of the start

    imported = _sample()
    create_app()
    built = _sample()
    report = {
        "import": imported,
        "create_app": built,
        "sklearn_imported": "sklearn" in sys.modules,
    }
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
