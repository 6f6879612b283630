"""Run the four services as real processes (uvicorn), the way `make up` does, for e2e tests.

Each process runs `support.apps:<service>`, the real app handed the test's clock: no service
started by a test reads the bare wall clock.
"""

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from support.clock import TestClock
from support.stack import REPO, Stack, free_port

SERVICES = ("intake", "router", "notifier", "console")


@dataclass
class Running:
    urls: dict[str, str]
    processes: dict[str, subprocess.Popen[bytes]]
    logs: dict[str, Path]
    envs: dict[str, dict[str, str]]
    ports: dict[str, int]
    prefix: str

    def database(self, service: str) -> str:
        return f"{self.prefix}_{service}"

    def log(self, service: str) -> str:
        return self.logs[service].read_text(errors="replace")

    def kill(self, service: str) -> None:
        """SIGKILL: no shutdown hook runs, no offset is committed on the way out."""
        stop(self.processes[service], kill=True)

    def restart(self, service: str) -> None:
        log = self.logs[service].with_suffix(f".{time.monotonic_ns()}.log")
        self.logs[service] = log
        self.processes[service] = start(service, self.envs[service], self.ports[service], log)
        wait_healthy(self.urls[service], self.processes[service], log)


OPERATOR_TOKEN = "operator-e2e-token"
"""The operators' bearer token every service started by `running_services` accepts."""

PERSON_TOKEN_SECRET = "person-e2e-token-secret-at-least-32-bytes"
"""The key of person tokens (`hoiam_shared.identity`) in processes started by tests."""

OPEN311_API_KEY = "open311-e2e-api-key"
"""The key an Open311 client posts with to consoles started by tests (never a real one)."""
VAULT_SECRET = "vault-e2e-secret-of-contacts"
"""The key of contact digests in the vault of processes started by tests (never a real one)."""


def vault_database(prefix: str) -> str:
    """The vault database of one test's processes (beside their own databases)."""
    return f"{prefix}_vault"


ID_SECRET = "intake-e2e-id-secret"
"""The key of intake's derived item ids in processes started by tests (never a real one)."""


def service_env(
    service: str, *, stack: Stack, prefix: str, port: int, smtp_port: int, clock: TestClock
) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOIAM_")}
    env["PYTHONPATH"] = os.pathsep.join(
        [str(REPO / "tests"), *filter(None, [os.environ.get("PYTHONPATH")])]
    )
    env |= clock.env()
    p = f"HOIAM_{service.upper()}_"
    env |= {
        f"{p}KAFKA_BOOTSTRAP_SERVERS": stack.kafka,
        f"{p}KAFKA_TOPIC_PREFIX": f"{prefix}.",
        f"{p}KAFKA_GROUP_ID": f"{prefix}-{service}",
        f"{p}MONGO_URL": stack.mongo_url,
        f"{p}MONGO_DATABASE": f"{prefix}_{service}",
        f"{p}HTTP_PORT": str(port),
        f"{p}RETRY_BACKOFF_SECONDS": "0.2",
        f"{p}VAULT_SECRET": VAULT_SECRET,
        f"{p}VAULT_DATABASE": vault_database(prefix),
        # Short here, so the erasure test sees both passes within its wait.
        f"{p}VAULT_CACHE_SECONDS": "2",
        f"{p}ERASURE_SETTLE_SECONDS": "8",
    }
    if service in ("intake", "router"):
        env[f"{p}OPERATOR_TOKEN"] = OPERATOR_TOKEN
    if service in ("intake", "router", "console"):
        env[f"{p}PERSON_TOKEN_SECRET"] = PERSON_TOKEN_SECRET
    if service == "intake":
        env[f"{p}ID_SECRET"] = ID_SECRET
        # Every test posts from this machine, many times as the same sample citizens: the
        # limits are proven by tests/unit/intake/test_access.py and test_intake_access.py.
        env[f"{p}RATE_EXEMPT_IPS"] = '["127.0.0.1"]'
        env[f"{p}RATE_PER_CONTACT"] = "0"
        # A chat conversation is gathered until its sender is quiet this long: short here, so
        # tests see the item in seconds (the gathering itself is tested on the test clock).
        env |= {f"{p}GATHER_SECONDS": "1", f"{p}GATHER_FLUSH_SECONDS": "0.3"}
    if service == "router":
        # The fitted model `services.sh` caches too: only the first start after a change of the
        # data, directory or code trains (minutes on a loaded machine, past START_SECONDS).
        env[f"{p}MODEL_CACHE_DIR"] = str(REPO / ".local" / "cache")
    if service == "notifier":
        env |= {f"{p}SMTP_PORT": str(smtp_port), f"{p}MAIL_DOMAIN": "e2e.hoiam.test"}
    return env


START_SECONDS = float(os.environ.get("HOIAM_TEST_START_SECONDS", "240"))
"""How long a service process may take to be healthy (a loaded machine needs minutes)."""


def wait_healthy(
    url: str, process: subprocess.Popen[bytes], log: Path, timeout: float = START_SECONDS
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"{url} exited with {process.returncode}:\n{log.read_text()[-3000:]}"
            )
        try:
            if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{url} not healthy after {timeout}s:\n{log.read_text()[-3000:]}")


def start(
    service: str, env: dict[str, str], port: int, log: Path, *, factory: str | None = None
) -> subprocess.Popen[bytes]:
    """Run `support.apps:<factory>` (the service's own by default) as `service`'s process."""
    return subprocess.Popen(
        [
            sys.executable, "-m", "uvicorn", "--factory", f"support.apps:{factory or service}",
            "--host", "127.0.0.1", "--port", str(port), "--no-access-log",
        ],
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )  # fmt: skip


def stop(process: subprocess.Popen[bytes], *, kill: bool = False) -> None:
    if process.poll() is None:
        process.kill() if kill else process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def running_services(
    *,
    stack: Stack,
    prefix: str,
    smtp_port: int,
    log_dir: Path,
    clock: TestClock,
    extra_env: dict[str, dict[str, str]] | None = None,
    public_links: bool = False,
) -> Iterator[Running]:
    """Start the four services on free ports, all reading `clock`; `extra_env[service]` adds or
    overrides settings; `public_links`: the notifier's messages link the console's pages (its
    status pages and published answers), as services.sh does."""
    ports = {name: free_port() for name in SERVICES}
    running = Running(urls={}, processes={}, logs={}, envs={}, ports=ports, prefix=prefix)
    try:
        for name in SERVICES:
            env = service_env(
                name, stack=stack, prefix=prefix, port=ports[name], smtp_port=smtp_port, clock=clock
            )
            if name == "console":
                env |= {
                    # A loaded test machine can take longer than a deployment's 10 s to answer.
                    "HOIAM_CONSOLE_UPSTREAM_TIMEOUT_SECONDS": "60",
                    "HOIAM_CONSOLE_INTAKE_URL": f"http://127.0.0.1:{ports['intake']}",
                    "HOIAM_CONSOLE_ROUTER_URL": f"http://127.0.0.1:{ports['router']}",
                    "HOIAM_CONSOLE_OPEN311_API_KEYS": f'{{"e2e": "{OPEN311_API_KEY}"}}',
                }
            if name == "notifier" and public_links:
                console = f"http://127.0.0.1:{ports['console']}"
                env |= {
                    "HOIAM_NOTIFIER_PUBLIC_BASE_URL": console,
                    "HOIAM_NOTIFIER_CONSOLE_BASE_URL": console,
                }
            env |= (extra_env or {}).get(name, {})
            running.envs[name] = env
            running.logs[name] = log_dir / f"{name}.log"
            running.processes[name] = start(name, env, ports[name], running.logs[name])
            running.urls[name] = f"http://127.0.0.1:{ports[name]}"
        for name in SERVICES:
            wait_healthy(running.urls[name], running.processes[name], running.logs[name])
        yield running
    finally:
        for process in running.processes.values():
            stop(process)
