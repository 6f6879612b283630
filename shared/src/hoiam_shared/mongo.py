"""MongoDB helpers: one AsyncMongoClient per service, and the errors that mean a duplicate."""

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Mapping

from prometheus_client import CollectorRegistry, Counter
from pymongo import AsyncMongoClient, monitoring
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError, DuplicateKeyError, OperationFailure

from hoiam_shared.settings import ServiceSettings

type Document = dict[str, object]

__all__ = [
    "CommandCounter",
    "Document",
    "DuplicateKeyError",
    "FindBatcher",
    "InsertBatcher",
    "insert_all_once",
    "insert_once",
    "make_mongo",
    "ping_mongo",
]


class CommandCounter(monitoring.CommandListener):
    """Counts the store's round trips by command (`hoiam_mongo_commands_total`): `make bench`
    divides them by the items it sent, so a change that adds or saves one shows per item."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.commands = Counter(
            "hoiam_mongo_commands",
            "Commands sent to the store (round trips), by command name.",
            ["command"],
            registry=registry,
        )

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        self.commands.labels(event.command_name).inc()

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


def make_mongo(
    settings: ServiceSettings, *, registry: CollectorRegistry | None = None
) -> tuple[AsyncMongoClient[Document], AsyncDatabase[Document]]:
    """The service's client and its own database (one database per service, DESIGN.md §8);
    with a `registry`, its commands are counted there."""
    client: AsyncMongoClient[Document] = AsyncMongoClient(
        str(settings.mongo_url),
        tz_aware=True,
        serverSelectionTimeoutMS=5_000,
        connectTimeoutMS=5_000,
        appname="hoiam",
        event_listeners=[CommandCounter(registry)] if registry is not None else [],
    )
    return client, client[settings.mongo_database]


async def ping_mongo(client: AsyncMongoClient[Document]) -> None:
    await client.admin.command("ping")


async def insert_once(
    collection: AsyncCollection[Document], key: str, document: Document
) -> tuple[Document | None, bool]:
    """Insert `document` under `_id` = `key` unless one is there; return what is stored, and
    whether this call inserted it.

    First write wins, which is what makes a redelivered event harmless. A plain insert is tried
    first because the unique `_id` index answers it without a lookup, while FerretDB 1.x scans the
    collection for any filter (docs/decisions.md); the lookup happens only for a duplicate. The
    stored document is None only when another unique index (not `_id`) refused the insert.
    """
    record: Document = {"_id": key, **document}
    try:
        await collection.insert_one(record)
    except DuplicateKeyError:
        return await collection.find_one({"_id": key}), False
    return record, True


_DUPLICATE_KEY = 11000


class _GroupCommit[Ask, Answer]:
    """Asks made while the previous round trip is on the wire, sent together in the next one.

    Nobody waits for a timer: alone, an ask leaves at once (after one turn of the event loop,
    so the asks made in the same turn join it); under load, one round trip carries every ask
    that came in while the one before it was away. `run` answers each ask of a group, in order,
    with its answer or its own error; an error of the whole round trip is every ask's."""

    def __init__(self, run: Callable[[list[Ask]], Awaitable[list[Answer | Exception]]], most: int):
        self._run = run
        self._most = most
        self._waiting: list[tuple[Ask, asyncio.Future[Answer]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def ask(self, ask: Ask) -> Answer:
        answer: asyncio.Future[Answer] = asyncio.get_running_loop().create_future()
        self._waiting.append((ask, answer))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._send())
        return await answer

    async def _send(self) -> None:
        await asyncio.sleep(0)  # the asks of this turn of the loop join the first round trip
        while self._waiting:
            group, self._waiting = self._waiting[: self._most], self._waiting[self._most :]
            try:
                answers = await self._run([ask for ask, _ in group])
            except Exception as error:
                answers = [error] * len(group)
            for (_, waiting), answer in zip(group, answers, strict=True):
                if waiting.done():  # its caller was cancelled meanwhile
                    continue
                if isinstance(answer, Exception):
                    waiting.set_exception(answer)
                else:
                    waiting.set_result(answer)


class InsertBatcher:
    """`insert_once` for the concurrent writers of one collection, in shared round trips.

    The partitions of a consumed batch are handled at once, and the recipients of one event;
    each writes the same kinds of records, a round trip each. Here the inserts asked for while
    the previous one is on the wire go in the next one, one unordered `insert_many`
    (`_GroupCommit`): under load one command carries the records of every partition, alone it is
    one command per record as before.

    Each caller learns what `insert_once` would tell it, once its own record is stored: a
    duplicate key (of `_id` or of another unique index) is that record's answer, and only then
    is the stored document read back (first write wins). Any other failure of the command is the
    error of every caller in it (nothing of theirs is known to be stored: they retry, and their
    writes are idempotent)."""

    def __init__(self, collection: AsyncCollection[Document], *, most: int = 500) -> None:
        self._collection = collection
        self._inserts = _GroupCommit(self._insert, most)

    async def insert_once(self, key: str, document: Document) -> tuple[Document | None, bool]:
        """As `insert_once(collection, key, document)`."""
        record: Document = {"_id": key, **document}
        if await self._inserts.ask(record):
            return record, True
        return await self._collection.find_one({"_id": key}), False

    async def _insert(self, records: list[Document]) -> list[bool | Exception]:
        """Per record: True stored now, False a duplicate key, else the store's error for it."""
        answers: list[bool | Exception] = [True] * len(records)
        try:
            await self._collection.insert_many(records, ordered=False)
        except BulkWriteError as error:
            for failed in error.details.get("writeErrors", []):
                code = failed.get("code")
                answers[int(failed["index"])] = (
                    False
                    if code == _DUPLICATE_KEY
                    else OperationFailure(str(failed.get("errmsg")), code, failed)
                )
        return answers


class FindBatcher:
    """Concurrent reads of one collection by one field's values, in shared round trips: the
    values asked for while the previous read is on the wire are read together in the next one
    (`$in` of them all), and each caller gets the documents whose field is one of its values."""

    def __init__(
        self, collection: AsyncCollection[Document], field: str, *, most: int = 500
    ) -> None:
        self._collection = collection
        self._field = field
        self._reads = _GroupCommit(self._find, most)

    async def find_in(self, values: Iterable[str]) -> list[Document]:
        wanted = frozenset(values)
        if not wanted:
            return []
        return await self._reads.ask(wanted)

    async def _find(self, asks: list[frozenset[str]]) -> list[list[Document] | Exception]:
        every = sorted(frozenset().union(*asks))
        cursor = self._collection.find({self._field: {"$in": every}})
        found = [doc async for doc in cursor]
        return [[doc for doc in found if doc.get(self._field) in ask] for ask in asks]


DUPLICATE_KEY = 11000
"""The server's error code for a write refused by a unique index."""


async def insert_all_once(
    collection: AsyncCollection[Document], documents: Mapping[str, Document]
) -> set[str]:
    """Insert each document under `_id` = its key, in one unordered command; return the keys
    that were there already, or that another unique index refused (left as they were).

    `insert_once` for many documents at the price of one round trip: an unordered insert goes
    on past a duplicate, and the server names each refused one by its index. Any other write
    error is raised.
    """
    if not documents:
        return set()
    keys = list(documents)
    try:
        await collection.insert_many(
            [{"_id": key, **documents[key]} for key in keys], ordered=False
        )
    except BulkWriteError as error:
        errors = error.details.get("writeErrors", [])
        if error.details.get("writeConcernErrors") or any(
            e.get("code") != DUPLICATE_KEY for e in errors
        ):
            raise
        return {keys[e["index"]] for e in errors}
    return set()
