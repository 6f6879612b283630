"""MongoDB helpers: one AsyncMongoClient per service, and the errors that mean a duplicate."""

from collections.abc import Mapping

from prometheus_client import CollectorRegistry, Counter
from pymongo import AsyncMongoClient, monitoring
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError, DuplicateKeyError

from hoiam_shared.settings import ServiceSettings

type Document = dict[str, object]

__all__ = [
    "CommandCounter",
    "Document",
    "DuplicateKeyError",
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
