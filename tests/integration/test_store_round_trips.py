"""The store counts its round trips (`hoiam_mongo_commands_total`); insert-first costs one, and
concurrent first writes share one."""

import asyncio

from prometheus_client import CollectorRegistry
from pydantic import MongoDsn

from hoiam_shared.mongo import FindBatcher, InsertBatcher, insert_once, make_mongo
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


async def test_concurrent_first_writes_share_one_command_and_each_learns_its_answer(
    stack: Stack, prefix: str
) -> None:
    settings = ServiceSettings(mongo_url=MongoDsn(stack.mongo_url), mongo_database=f"{prefix}_rt")
    registry = CollectorRegistry()
    client, db = make_mongo(settings, registry=registry)
    try:
        await db["claims"].create_index("code", unique=True)
        await insert_once(db["claims"], "old", {"code": "A"})
        batcher = InsertBatcher(db["claims"])
        before = (commands(registry, "insert"), commands(registry, "find"))

        answers = await asyncio.gather(
            batcher.insert_once("k1", {"code": "B"}),
            batcher.insert_once("k2", {"code": "C"}),
            batcher.insert_once("k1", {"code": "D"}),  # the same key again: the first one stands
            batcher.insert_once("k3", {"code": "A"}),  # another unique index refuses it
            batcher.insert_once("old", {"code": "E"}),  # stored before: read back
        )

        assert list(answers) == [
            ({"_id": "k1", "code": "B"}, True),
            ({"_id": "k2", "code": "C"}, True),
            ({"_id": "k1", "code": "B"}, False),
            (None, False),
            ({"_id": "old", "code": "A"}, False),
        ]
        # One insert for the five; a read only for each of the three refused.
        assert (commands(registry, "insert"), commands(registry, "find")) == (
            before[0] + 1,
            before[1] + 3,
        )
        assert await db["claims"].count_documents({}) == 3
    finally:
        await client.close()


async def test_writes_asked_for_while_one_is_on_the_wire_go_together_in_the_next(
    stack: Stack, prefix: str
) -> None:
    settings = ServiceSettings(mongo_url=MongoDsn(stack.mongo_url), mongo_database=f"{prefix}_rt")
    registry = CollectorRegistry()
    client, db = make_mongo(settings, registry=registry)
    try:
        batcher = InsertBatcher(db["claims"])
        first = asyncio.create_task(batcher.insert_once("a", {}))
        await asyncio.sleep(0.001)  # the first command has left
        later = [batcher.insert_once(f"b{n}", {}) for n in range(20)]
        results = await asyncio.gather(first, *later)

        assert all(inserted for _, inserted in results)
        assert commands(registry, "insert") <= 2
        assert await db["claims"].count_documents({}) == 21
    finally:
        await client.close()


async def test_concurrent_reads_by_one_field_share_one_command(stack: Stack, prefix: str) -> None:
    settings = ServiceSettings(mongo_url=MongoDsn(stack.mongo_url), mongo_database=f"{prefix}_rt")
    registry = CollectorRegistry()
    client, db = make_mongo(settings, registry=registry)
    try:
        await db["facts"].insert_many(
            [
                {"_id": "1", "contact": "a"},
                {"_id": "2", "contact": "b"},
                {"_id": "3", "contact": "a"},
            ]
        )
        reads = FindBatcher(db["facts"], "contact")
        before = commands(registry, "find")

        found = await asyncio.gather(
            reads.find_in(["a"]), reads.find_in(["b", "c"]), reads.find_in(["c"]), reads.find_in([])
        )

        assert [sorted(str(d["_id"]) for d in docs) for docs in found] == [
            ["1", "3"],
            ["2"],
            [],
            [],
        ]
        assert commands(registry, "find") == before + 1
    finally:
        await client.close()
