"""MongoDB helpers: one AsyncMongoClient per service, and the errors that mean a duplicate."""

from prometheus_client import CollectorRegistry, Counter
from pymongo import AsyncMongoClient, monitoring
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from hoiam_shared.settings import ServiceSettings

type Document = dict[str, object]

__all__ = [
    "CommandCounter",
    "Document",
    "DuplicateKeyError",
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
