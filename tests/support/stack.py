"""Make sure the real local stack (Kafka, FerretDB) runs; start it with our script if not."""

import os
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path

from aiokafka.admin import AIOKafkaAdminClient
from pymongo import AsyncMongoClient

REPO = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Stack:
    kafka: str
    mongo_url: str


def reachable(host: str, port: int, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def ensure_stack() -> Stack:
    """The stack's addresses; runs `deploy/local/stack.sh up` when either server is down.

    Never skips: an integration test without its servers is a failure, not a pass.
    """
    kafka_port = int(os.environ.get("HOIAM_KAFKA_PORT", "9092"))
    mongo_port = int(os.environ.get("HOIAM_MONGO_PORT", "27017"))
    if not (reachable("127.0.0.1", kafka_port) and reachable("127.0.0.1", mongo_port)):
        subprocess.run(
            ["bash", str(REPO / "deploy/local/stack.sh"), "up"], check=True, timeout=1200
        )
    return Stack(kafka=f"127.0.0.1:{kafka_port}", mongo_url=f"mongodb://127.0.0.1:{mongo_port}/")


async def remove_test_leftovers(stack: Stack, prefix: str) -> None:
    """Delete the topics and databases a test run made under `prefix`, so runs do not pile up."""
    admin = AIOKafkaAdminClient(bootstrap_servers=stack.kafka)
    await admin.start()
    try:
        doomed = [t for t in await admin.list_topics() if t.startswith(prefix)]
        if doomed:
            await admin.delete_topics(doomed)
    finally:
        await admin.close()
    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(stack.mongo_url)
    try:
        for name in await client.list_database_names():
            if name.startswith(prefix):
                await client.drop_database(name)
    finally:
        await client.close()
