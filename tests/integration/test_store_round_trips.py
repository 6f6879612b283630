"""The store counts its round trips (`hoiam_mongo_commands_total`); insert-first costs one."""

from prometheus_client import CollectorRegistry
from pydantic import MongoDsn

from hoiam_shared.mongo import insert_once, make_mongo
from hoiam_shared.settings import ServiceSettings
from support.stack import Stack


def commands(registry: CollectorRegistry, name: str) -> float:
    return registry.get_sample_value("hoiam_mongo_commands_total", {"command": name}) or 0.0


async def test_a_first_write_is_one_round_trip_and_a_repeat_reads_the_winner(
    stack: Stack, prefix: str
) -> None:
    settings = ServiceSettings(mongo_url=MongoDsn(stack.mongo_url), mongo_database=f"{prefix}_rt")
    registry = CollectorRegistry()
    client, db = make_mongo(settings, registry=registry)
    try:
        stored, inserted = await insert_once(db["claims"], "k1", {"n": 1})
        assert inserted
        assert stored == {"_id": "k1", "n": 1}
        assert (commands(registry, "insert"), commands(registry, "find")) == (1, 0)

        stored, inserted = await insert_once(db["claims"], "k1", {"n": 2})
        assert not inserted
        assert stored == {"_id": "k1", "n": 1}
        assert (commands(registry, "insert"), commands(registry, "find")) == (2, 1)
    finally:
        await client.close()
