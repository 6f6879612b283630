"""Looking for a person everywhere: every record of every topic, every document of every store.

A trace is one of the person's values (name, email, phone in its usual forms, Zalo id, PSID)
found as text (any case), as base64 of text (a raw payload, a dead letter's bytes), or in the
encodings mail headers use (RFC 2047 Q and B); JSON and BSON are searched string by string,
with each base64-looking string decoded and searched again.
"""

import base64
import binascii
import json
import quopri
import re
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import bson
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from pymongo import AsyncMongoClient

_BASE64 = re.compile(rb"[A-Za-z0-9+/_-]{16,}={0,2}")


@dataclass(frozen=True)
class Trace:
    where: str
    value: str


def forms(value: str) -> set[bytes]:
    """The byte forms a value takes in records and documents."""
    raw = value.encode()
    found = {raw.lower(), base64.b64encode(raw), quopri.encodestring(raw).strip()}
    found.add(json.dumps(value).encode()[1:-1])  # \u-escaped, as ensure_ascii JSON writes it
    return {f for f in found if f}


def _decoded(data: bytes) -> Iterator[bytes]:
    for match in _BASE64.finditer(data):
        run = match.group()
        try:
            yield base64.b64decode(run + b"=" * (-len(run) % 4))
        except (binascii.Error, ValueError):
            continue


def _strings(data: bytes) -> Iterator[bytes]:
    """`data` and every base64 run inside it decoded, two levels deep (a dead letter holds a
    record whose payload is base64 again)."""
    yield data
    for decoded in _decoded(data):
        yield decoded
        yield from _decoded(decoded)


def traces_in(data: bytes, values: Iterable[str], *, where: str) -> list[Trace]:
    wanted = {value: forms(value) for value in values}
    found = []
    for blob in _strings(data):
        lowered = blob.lower()
        for value, shapes in wanted.items():
            if any(shape.lower() in lowered for shape in shapes):
                found.append(Trace(where, value))
    return found


async def scan_topics(
    bootstrap_servers: str, prefix: str, values: Iterable[str]
) -> tuple[int, list[Trace]]:
    """Every record (key, value, headers) of every topic named `prefix…`, from the beginning;
    how many records were read, and the traces found."""
    values = list(values)
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap_servers, auto_offset_reset="earliest", enable_auto_commit=False
    )
    await consumer.start()
    found: list[Trace] = []
    read = 0
    try:
        topics = sorted(t for t in await consumer.topics() if t.startswith(prefix))
        # A consumer knows the partitions of what it subscribed only: ask the broker.
        admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers)
        await admin.start()
        try:
            described = await admin.describe_topics(topics)
        finally:
            await admin.close()
        partitions = [
            TopicPartition(topic["topic"], p["partition"])
            for topic in described
            for p in topic["partitions"]
        ]
        assert partitions, f"no partitions under {prefix!r}"
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        left = {tp for tp, end in ends.items() if end > 0}
        deadline = time.monotonic() + 120
        while left and time.monotonic() < deadline:
            for tp, records in (await consumer.getmany(timeout_ms=500)).items():
                for record in records:
                    read += 1
                    where = f"{tp.topic}[{tp.partition}]@{record.offset}"
                    blob = b"\n".join(
                        [
                            record.key or b"",
                            record.value or b"",
                            *(v for _, v in record.headers or ()),
                        ]
                    )
                    found += traces_in(blob, values, where=where)
                if records and records[-1].offset + 1 >= ends[tp]:
                    left.discard(tp)
        assert not left, f"could not read to the end of {sorted(map(str, left))}"
    finally:
        await consumer.stop()
    return read, found


async def scan_databases(
    client: AsyncMongoClient[dict[str, Any]], prefix: str, values: Iterable[str]
) -> tuple[int, list[Trace]]:
    """Every document of every collection of every database named `prefix…`."""
    values = list(values)
    found: list[Trace] = []
    read = 0
    for name in sorted(await client.list_database_names()):
        if not name.startswith(prefix):
            continue
        db = client[name]
        for collection in sorted(await db.list_collection_names()):
            async for document in db[collection].find({}):
                read += 1
                where = f"{name}.{collection}/{document.get('_id')}"
                found += traces_in(bson.encode(document), values, where=where)
    return read, found
