"""MongoDB helpers: one AsyncMongoClient per service, and the errors that mean a duplicate."""

from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from hoiam_shared.settings import ServiceSettings

type Document = dict[str, object]

__all__ = ["Document", "DuplicateKeyError", "make_mongo", "ping_mongo"]


def make_mongo(
    settings: ServiceSettings,
) -> tuple[AsyncMongoClient[Document], AsyncDatabase[Document]]:
    """The service's client and its own database (one database per service, DESIGN.md §8)."""
    client: AsyncMongoClient[Document] = AsyncMongoClient(
        str(settings.mongo_url),
        tz_aware=True,
        serverSelectionTimeoutMS=5_000,
        connectTimeoutMS=5_000,
        appname="hoiam",
    )
    return client, client[settings.mongo_database]


async def ping_mongo(client: AsyncMongoClient[Document]) -> None:
    await client.admin.command("ping")
