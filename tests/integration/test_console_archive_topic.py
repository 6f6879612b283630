"""The console builds its archive from `feedback.published.v1` on the real Kafka and FerretDB:
approvals land, a redelivered copy changes nothing, a withdrawal takes an entry out, and the
public JSON answers a diacritic-free query from it."""

import asyncio
import time
from datetime import UTC, datetime, timedelta
from uuid import UUID

import httpx
import pytest
from aiokafka import AIOKafkaProducer
from pydantic import MongoDsn, SecretStr
from pymongo import AsyncMongoClient

from hoiam_console.app import create_app
from hoiam_console.domain.publication import WITHDRAWN_TEXT, publication_id
from hoiam_console.settings import ConsoleSettings
from hoiam_shared.events import AnswerPublished
from hoiam_shared.ids import new_id, new_tracking_code
from hoiam_shared.topics import FEEDBACK_PUBLISHED, Topics
from support.clock import TestClock
from support.services import VAULT_SECRET, vault_database
from support.stack import Stack

pytestmark = pytest.mark.integration

T0 = datetime(2026, 12, 5, 2, 0, tzinfo=UTC)


def answer(
    summary: str, *, at: datetime, item_id: UUID | None = None, withdrawn: bool = False
) -> AnswerPublished:
    item = item_id or new_id()
    return AnswerPublished(
        occurred_at=at,
        correlation_id=item,
        publication_id=publication_id(item),
        item_id=item,
        tracking_code=new_tracking_code(),
        summary=WITHDRAWN_TEXT if withdrawn else summary,
        answer=WITHDRAWN_TEXT if withdrawn else "UBND xã đã kè tạm đoạn sạt lở.",
        body_name="Ủy ban nhân dân xã Tiểu Cần",
        category_code="transport",
        category_name="Giao thông",
        province_code="86",
        commune_code="29341",
        approved_by="operator:operator",
        withdrawn=withdrawn,
        published_at=at,
    )


async def test_the_console_projects_published_answers_into_the_archive(
    stack: Stack, prefix: str, mongo: AsyncMongoClient[dict[str, object]]
) -> None:
    settings = ConsoleSettings(
        kafka_bootstrap_servers=stack.kafka,
        kafka_topic_prefix=f"{prefix}.",
        kafka_group_id=f"{prefix}-console",
        mongo_url=MongoDsn(stack.mongo_url),
        mongo_database=f"{prefix}_console",
        person_token_secret=SecretStr("console-integration-secret-of-32-bytes!"),
        retry_backoff_seconds=0.2,
        vault_secret=SecretStr(VAULT_SECRET),
        vault_database=vault_database(prefix),
    )
    app = create_app(settings, clock=TestClock.frozen(T0 + timedelta(days=1)))
    topic = Topics(prefix=f"{prefix}.").name(FEEDBACK_PUBLISHED)
    kept = answer("Đường liên ấp Phú Thọ bị sạt lở.", at=T0)
    gone = answer("Cống nghẹt ở khóm 3.", at=T0)
    withdrawn = answer("", at=T0 + timedelta(hours=1), item_id=gone.item_id, withdrawn=True)
    transport = httpx.ASGITransport(app=app, client=("203.0.113.5", 40000))
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://console.test") as client,
    ):
        producer = AIOKafkaProducer(bootstrap_servers=stack.kafka, acks="all")
        await producer.start()
        try:
            for event in (kept, gone, kept, withdrawn, gone):  # a redelivery; an old copy late
                await producer.send_and_wait(
                    topic, event.to_bytes(), key=event.publication_id.encode()
                )
        finally:
            await producer.stop()
        deadline = time.monotonic() + 60
        while True:
            found = (
                await client.get("/api/v1/public/answers", params={"q": "duong sat lo"})
            ).json()
            # The withdrawal's tombstone, so "gone" is out because it was withdrawn, not unseen.
            tomb = await mongo[f"{prefix}_console"]["archive"].find_one(
                {"_id": gone.publication_id, "withdrawn": True}
            )
            if (found["total"] == 1 and tomb is not None) or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.3)
        assert found["total"] == 1
        assert found["entries"][0]["publication_id"] == kept.publication_id
        assert tomb is not None
        gone_now = await client.get(f"/api/v1/public/answers/{gone.publication_id}")
        assert gone_now.status_code == 404
        everything = (await client.get("/api/v1/public/answers")).json()
        assert [e["publication_id"] for e in everything["entries"]] == [kept.publication_id]
