"""The notifier app through the real Kafka and FerretDB: events in, the fake providers and a real
SMTP server receive the right requests; duplicates, fallbacks, retries, failures, quiet hours."""

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from pymongo import AsyncMongoClient

from hoiam_notifier.app import create_app
from hoiam_notifier.settings import NotifierSettings
from hoiam_shared.events import (
    BodyContact,
    BodyRef,
    Channel,
    Citizen,
    ContactReachabilityChanged,
    Contacts,
    Delivery,
    Event,
    FeedbackMessageAdded,
    FeedbackRouted,
    NotificationFailed,
    NotificationSent,
    OperatorTaskOpened,
    Origin,
    OriginKind,
    StatusChanged,
    decode_event,
)
from hoiam_shared.ids import new_id
from hoiam_shared.sealing import open_event
from hoiam_shared.topics import (
    CITIZEN_CONTACTS,
    FEEDBACK_MESSAGES,
    FEEDBACK_ROUTED,
    FEEDBACK_STATUS,
    NOTIFICATION_FAILED,
    NOTIFICATION_SENT,
    OPERATOR_TASKS,
    Topics,
)
from hoiam_shared.vault import MongoKeyStore, Vault
from support.clock import TestClock
from support.notifier_events import resolved as resolved_event
from support.notifier_events import routed as routed_event
from support.notifier_providers import FakeProviders, notifier_env
from support.services import VAULT_SECRET, vault_database
from support.smtp import SmtpServer
from support.stack import Stack, free_port, remove_test_leftovers

OUTPUTS: dict[str, type[Event]] = {
    NOTIFICATION_SENT: NotificationSent,
    NOTIFICATION_FAILED: NotificationFailed,
    OPERATOR_TASKS: OperatorTaskOpened,
    CITIZEN_CONTACTS: ContactReachabilityChanged,
}


@dataclass
class Site:
    topics: Topics
    producer: AIOKafkaProducer
    fake: FakeProviders
    smtp: SmtpServer
    clock: TestClock  # 10:00 in Việt Nam unless a test about quiet hours or digests moves it
    seen: list[Event] = field(default_factory=list)

    def back_to_daytime(self) -> None:
        self.clock.set(TestClock.daytime()())

    def routed(self, citizen: Citizen, *, origin: Origin | None, **extra: Any) -> FeedbackRouted:
        """Routed to the utility; received an hour ago unless `extra` says when."""
        fields: dict[str, Any] = {"received_at": self.clock() - timedelta(hours=1)}
        return routed_event(citizen, origin=origin, **(fields | extra))

    def zalo_citizen(self, user: str, phone: str, **extra: Any) -> Citizen:
        """A citizen who wrote on Zalo an hour ago (inside the 48 h window)."""
        return Citizen(
            name="Lê Thị Cúc",
            contacts=Contacts(zalo_user_id=user, phone=phone),
            preferred_channel=Channel.ZALO,
            last_inbound_at=self.clock() - timedelta(hours=1),
            **extra,
        )

    async def publish(self, topic: str, event: Event) -> None:
        await self.producer.send_and_wait(
            self.topics.name(topic), event.to_bytes(), key=str(event.correlation_id).encode()
        )

    async def outputs[E: Event](
        self, kind: type[E], count: int, *, item_id: UUID, within: float = 30
    ) -> list[E]:
        deadline = asyncio.get_running_loop().time() + within
        while True:
            found = [
                e
                for e in self.seen
                if isinstance(e, kind) and getattr(e, "correlation_id", None) == item_id
            ]
            if len(found) >= count or asyncio.get_running_loop().time() > deadline:
                assert len(found) >= count, f"{count} {kind.__name__} expected, got {found}"
                return found
            await asyncio.sleep(0.1)


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeProviders]:
    with FakeProviders(free_port()) as server:
        yield server


@pytest.fixture(scope="module")
def smtp() -> Iterator[SmtpServer]:
    with SmtpServer(free_port()) as server:
        yield server


@pytest.fixture(scope="module")
async def site(stack: Stack, fake: FakeProviders, smtp: SmtpServer) -> AsyncIterator[Site]:
    prefix = f"n{new_id().hex[:10]}"
    env = {k.removeprefix("HOIAM_NOTIFIER_").lower(): v for k, v in notifier_env(fake.url).items()}
    settings = NotifierSettings.model_validate(
        env
        | {
            "kafka_bootstrap_servers": stack.kafka,
            "kafka_topic_prefix": f"{prefix}.",
            "kafka_group_id": f"{prefix}-notifier",
            "kafka_partitions": 2,
            "kafka_consumers": 1,
            "mongo_url": stack.mongo_url,
            "mongo_database": f"{prefix}_notifier",
            "smtp_port": smtp.port,
            "mail_domain": "flow.hoiam.test",
            "retry_backoff_seconds": 0.05,
            "vault_secret": VAULT_SECRET,
            "vault_database": vault_database(prefix),
            "flush_interval_seconds": 0.3,
            "public_base_url": "https://hoiam.example",
            "console_base_url": "https://console.example",
        }
    )
    # Zalo and SMS go out at once only outside quiet hours (21:00-07:00): it is 10:00 here.
    clock = TestClock.daytime()
    app = create_app(settings, clock=clock)
    producer = AIOKafkaProducer(bootstrap_servers=stack.kafka)
    topics = settings.topics
    consumer = AIOKafkaConsumer(
        *(topics.name(t) for t in OUTPUTS),
        bootstrap_servers=stack.kafka,
        group_id=f"{prefix}-observer",
        auto_offset_reset="earliest",
        metadata_max_age_ms=1000,
    )
    async with app.router.lifespan_context(app):
        await producer.start()
        await consumer.start()
        current = Site(topics, producer, fake, smtp, clock)

        # What the notifier wrote, opened as its readers open it (personal fields are sealed).
        mongo: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(stack.mongo_url)
        vault = Vault(
            MongoKeyStore(mongo[vault_database(prefix)]), secret=VAULT_SECRET.encode(),
            clock=clock,
        )  # fmt: skip

        async def collect() -> None:
            async for record in consumer:
                kind = OUTPUTS[record.topic.removeprefix(f"{prefix}.")]
                current.seen.append(await open_event(decode_event(kind, record.value), vault))

        task = asyncio.create_task(collect())
        try:
            yield current
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            await consumer.stop()
            await producer.stop()
            await mongo.close()
    await remove_test_leftovers(stack, prefix)


def resolved(*items: FeedbackRouted) -> StatusChanged:
    return resolved_event(*items, answer="Điện lực đã nối lại đường dây ngày 26/11.")


def texts(fake: FakeProviders, provider: str, needle: str) -> list[dict[str, Any]]:
    return [r for r in fake.received(provider, accepted=True) if needle in str(r["body"])]


async def wait_texts(
    fake: FakeProviders, provider: str, needle: str, count: int, within: float = 30
) -> list[dict[str, Any]]:
    for _ in range(int(within * 10)):
        found = texts(fake, provider, needle)
        if len(found) >= count:
            return found
        await asyncio.sleep(0.1)
    raise AssertionError(f"{count} {provider} with {needle!r}: {fake.received(provider)}")


ZALO = Origin(kind=OriginKind.ZALO_MESSAGE, message_id="zmsg-1")


async def test_zalo_a_resolution_reaches_the_citizen_once_even_if_the_event_repeats(
    site: Site,
) -> None:
    item = site.routed(site.zalo_citizen("flow-z1", "+84911000001"), origin=ZALO)
    await site.publish(FEEDBACK_ROUTED, item)
    await wait_texts(site.fake, "zalo_cs", item.tracking_code, 1)

    status = resolved(item)
    await site.publish(FEEDBACK_STATUS, status)
    await site.publish(FEEDBACK_STATUS, status)  # a redelivery

    [answer] = await wait_texts(site.fake, "zalo_cs", "nối lại đường dây", 1)
    assert answer["body"]["recipient"] == {"user_id": "flow-z1"}
    assert item.tracking_code in answer["body"]["message"]["text"]
    assert f"https://hoiam.example/t/{item.tracking_code}" in answer["body"]["message"]["text"]
    sent = await site.outputs(NotificationSent, 3, item_id=item.item_id)  # ack, answer, again
    await asyncio.sleep(1)
    assert len(texts(site.fake, "zalo_cs", item.tracking_code)) == 2  # ack + answer, no more
    assert {e.channel for e in sent} == {Channel.ZALO}


async def test_email_a_case_update_reaches_every_petitioner_in_their_thread(site: Site) -> None:
    people = [
        Citizen(
            name=f"Cử tri {n}",
            contacts=Contacts(email=f"flow{n}@example.vn"),
            preferred_channel=Channel.EMAIL,
        )
        for n in (1, 2)
    ]
    origin = Origin(kind=OriginKind.EMAIL, message_id="<q1@mail.example>")
    items = [site.routed(p, origin=origin, channel=Channel.EMAIL) for p in people]
    for item in items:
        await site.publish(FEEDBACK_ROUTED, item)
    await site.smtp.recorder.wait_for(items[1].tracking_code, 1)

    await site.publish(FEEDBACK_STATUS, resolved(*items))

    for item, person in zip(items, people, strict=True):
        _ack, answer = await site.smtp.recorder.wait_for(item.tracking_code, 2)
        assert str(answer["To"]) == person.contacts.email
        assert answer["In-Reply-To"].strip() == "<q1@mail.example>"
        assert item.tracking_code in str(answer["Subject"])
        plain = answer.get_body(("plain",))
        assert plain is not None
        assert "nối lại đường dây" in plain.get_content()
        assert answer.get_body(("html",)) is not None


async def test_messenger_inside_24h_and_human_agent_after(site: Site) -> None:
    now = site.clock()
    fresh = Citizen(
        contacts=Contacts(facebook_psid="flow-p1"),
        preferred_channel=Channel.FACEBOOK,
        last_inbound_at=now - timedelta(hours=2),
    )
    older = fresh.model_copy(
        update={
            "contacts": Contacts(facebook_psid="flow-p2"),
            "last_inbound_at": now - timedelta(days=3),
        }
    )
    origin = Origin(kind=OriginKind.MESSENGER, message_id="m_1")
    items = [
        site.routed(c, origin=origin, channel=Channel.FACEBOOK, received_at=c.last_inbound_at)
        for c in (fresh, older)
    ]
    for item in items:
        await site.publish(FEEDBACK_ROUTED, item)

    first = await wait_texts(site.fake, "messenger", items[0].tracking_code, 1)
    second = await wait_texts(site.fake, "messenger", items[1].tracking_code, 1)
    assert first[0]["body"]["messaging_type"] == "RESPONSE"
    assert first[0]["body"]["recipient"] == {"id": "flow-p1"}
    assert second[0]["body"]["messaging_type"] == "MESSAGE_TAG"
    assert second[0]["body"]["tag"] == "HUMAN_AGENT"

    await site.publish(FEEDBACK_STATUS, resolved(items[0]))

    # The answer, then the button that opens the rating form (docs/public.md).
    [_, answer, rating] = await wait_texts(site.fake, "messenger", items[0].tracking_code, 3)
    assert "nối lại đường dây" in answer["body"]["message"]["text"]
    assert answer["body"]["recipient"] == {"id": "flow-p1"}
    [button] = rating["body"]["message"]["attachment"]["payload"]["buttons"]
    assert button["url"].endswith(f"/t/{items[0].tracking_code}#rate")
    assert rating["accepted"]


async def test_a_feed_comment_gets_a_comment_reply(site: Site) -> None:
    origin = Origin(kind=OriginKind.FEED_COMMENT, message_id="post7_c42", thread_id="post7")
    item = site.routed(Citizen(preferred_channel=Channel.FACEBOOK), origin=origin)

    await site.publish(FEEDBACK_ROUTED, item)

    [reply] = await wait_texts(site.fake, "fb_comment", item.tracking_code, 1)
    assert reply["path"] == "/graph/v21.0/post7_c42/comments"

    await site.publish(FEEDBACK_STATUS, resolved(item))

    [_, answer] = await wait_texts(site.fake, "fb_comment", item.tracking_code, 2)
    assert answer["path"] == "/graph/v21.0/post7_c42/comments"
    assert "đã giải quyết" in answer["body"]["message"]


async def test_sms_for_a_web_citizen_who_chose_phone(site: Site) -> None:
    citizen = Citizen(contacts=Contacts(phone="+84911000005"), preferred_channel=Channel.PHONE)
    item = site.routed(citizen, origin=Origin(kind=OriginKind.WEB_FORM), channel=Channel.WEB)

    await site.publish(FEEDBACK_ROUTED, item)

    [sms] = await wait_texts(site.fake, "sms", item.tracking_code, 1)
    assert sms["body"]["to"] == "+84911000005"

    await site.publish(FEEDBACK_STATUS, resolved(item))

    [_, answer] = await wait_texts(site.fake, "sms", item.tracking_code, 2)
    assert "đã giải quyết" in answer["body"]["text"]
    assert f"https://hoiam.example/t/{item.tracking_code}" in answer["body"]["text"]


async def test_a_web_citizen_who_chose_zalo_is_answered_by_zns_at_their_phone(site: Site) -> None:
    # The web form gives no Zalo user id: a ZNS template to the number is the Zalo way.
    citizen = Citizen(contacts=Contacts(phone="+84911000007"), preferred_channel=Channel.ZALO)
    item = site.routed(citizen, origin=Origin(kind=OriginKind.WEB_FORM), channel=Channel.WEB)

    await site.publish(FEEDBACK_ROUTED, item)

    [zns] = await wait_texts(site.fake, "zns", item.tracking_code, 1)
    assert zns["body"]["phone"] == "84911000007"
    assert texts(site.fake, "sms", item.tracking_code) == []
    [sent] = await site.outputs(NotificationSent, 1, item_id=item.item_id)
    assert sent.fallback_from is None


async def test_a_web_zalo_citizen_whom_zns_cannot_reach_gets_an_sms(site: Site) -> None:
    citizen = Citizen(contacts=Contacts(phone="+84911000008"), preferred_channel=Channel.ZALO)
    item = site.routed(citizen, origin=Origin(kind=OriginKind.WEB_FORM), channel=Channel.WEB)
    site.fake.script("84911000008", {"zalo_error": -119, "message": "Account cannot receive"})

    await site.publish(FEEDBACK_ROUTED, item)

    [sms] = await wait_texts(site.fake, "sms", item.tracking_code, 1)
    assert sms["body"]["to"] == "+84911000008"
    [sent] = await site.outputs(NotificationSent, 1, item_id=item.item_id)
    assert sent.fallback_from is Channel.ZALO


async def test_a_phone_only_caller_becomes_a_call_back_task(site: Site) -> None:
    citizen = Citizen(contacts=Contacts(phone="+84911000006"), preferred_channel=Channel.PHONE)
    item = site.routed(citizen, origin=Origin(kind=OriginKind.CALL), channel=Channel.PHONE)

    await site.publish(FEEDBACK_ROUTED, item)

    [task] = await site.outputs(OperatorTaskOpened, 1, item_id=item.item_id)
    assert (task.kind, task.phone) == ("call_back", "+84911000006")


async def test_window_closed_at_zalo_falls_back_to_zns(site: Site) -> None:
    item = site.routed(site.zalo_citizen("flow-z2", "+84911000002"), origin=ZALO)
    site.fake.script("flow-z2", {"zalo_error": -230, "message": "User not interact recently"})

    await site.publish(FEEDBACK_ROUTED, item)

    [zns] = await wait_texts(site.fake, "zns", item.tracking_code, 1)
    assert zns["body"]["phone"] == "84911000002"
    sent = await site.outputs(NotificationSent, 1, item_id=item.item_id)
    assert sent[0].fallback_from is Channel.ZALO


async def test_an_unfollow_on_kafka_sends_the_next_update_by_zns(site: Site) -> None:
    item = site.routed(site.zalo_citizen("flow-z3", "+84911000003"), origin=ZALO)
    await site.publish(FEEDBACK_ROUTED, item)
    await wait_texts(site.fake, "zalo_cs", item.tracking_code, 1)
    await site.publish(
        CITIZEN_CONTACTS,
        ContactReachabilityChanged(
            correlation_id=item.item_id,
            channel=Channel.ZALO,
            address="flow-z3",
            reachable=False,
            reason="unfollowed",
            changed_at=site.clock(),
        ),
    )
    await asyncio.sleep(1.5)  # the contact fact is consumed from its own topic

    await site.publish(FEEDBACK_STATUS, resolved(item))

    await wait_texts(site.fake, "zns", item.tracking_code, 1)
    assert len(texts(site.fake, "zalo_cs", item.tracking_code)) == 1


async def test_a_reply_on_kafka_reopens_the_zalo_window(site: Site) -> None:
    four_days_ago = site.clock() - timedelta(days=4)
    citizen = site.zalo_citizen("flow-z8", "+84911000010").model_copy(
        update={"last_inbound_at": four_days_ago}
    )
    item = site.routed(citizen, origin=ZALO, received_at=four_days_ago)
    await site.publish(FEEDBACK_ROUTED, item)
    await wait_texts(site.fake, "zns", item.tracking_code, 1)  # the 48 h window is closed
    await site.publish(
        FEEDBACK_MESSAGES,
        FeedbackMessageAdded(
            correlation_id=item.item_id,
            item_id=item.item_id,
            tracking_code=item.tracking_code,
            channel=Channel.ZALO,
            kind="reply",
            received_at=site.clock() - timedelta(minutes=5),
        ),
    )
    await asyncio.sleep(1.5)  # the reply is consumed from its own topic

    await site.publish(FEEDBACK_STATUS, resolved(item))

    [answer] = await wait_texts(site.fake, "zalo_cs", item.tracking_code, 1)
    assert "nối lại đường dây" in answer["body"]["message"]["text"]
    assert answer["body"]["recipient"] == {"user_id": "flow-z8"}


async def test_a_5xx_then_success_is_retried(site: Site) -> None:
    item = site.routed(site.zalo_citizen("flow-z4", "+84911000004"), origin=ZALO)
    site.fake.script("flow-z4", {"status": 502})

    await site.publish(FEEDBACK_ROUTED, item)

    [sent] = await site.outputs(NotificationSent, 1, item_id=item.item_id)
    assert sent.attempts == 2
    tried = [
        r for r in site.fake.received("zalo_cs") if r["body"]["recipient"]["user_id"] == "flow-z4"
    ]
    assert [r["status"] for r in tried] == [502, 200]


async def test_a_bad_address_gives_notification_failed_with_the_provider_answer(
    site: Site,
) -> None:
    citizen = Citizen(contacts=Contacts(phone="+8491"), preferred_channel=Channel.PHONE)
    item = site.routed(citizen, origin=Origin(kind=OriginKind.WEB_FORM), channel=Channel.WEB)

    await site.publish(FEEDBACK_ROUTED, item)

    failed = await site.outputs(NotificationFailed, 1, item_id=item.item_id)
    assert failed[0].channel is Channel.PHONE
    assert failed[0].provider_answer is not None
    assert "invalid_number" in failed[0].provider_answer
    # Nothing automatic is left, so a person takes over: here, a call-back.
    [task] = await site.outputs(OperatorTaskOpened, 1, item_id=item.item_id)
    assert task.kind == "call_back"


async def test_quiet_hours_hold_zalo_until_seven(site: Site) -> None:
    night = datetime(2026, 11, 27, 15, 30, tzinfo=UTC)  # 22:30 in Vietnam
    site.clock.set(night)
    try:
        citizen = site.zalo_citizen("flow-z5", "+84911000007").model_copy(
            update={"last_inbound_at": night - timedelta(hours=1)}
        )
        item = site.routed(citizen, origin=ZALO, received_at=night - timedelta(hours=1))
        await site.publish(FEEDBACK_ROUTED, item)
        await asyncio.sleep(3)
        assert texts(site.fake, "zalo_cs", item.tracking_code) == []

        site.clock.set(night + timedelta(hours=8, minutes=31))  # 07:01 next morning
        await wait_texts(site.fake, "zalo_cs", item.tracking_code, 1)
        await asyncio.sleep(1)  # several flushes ran: still one message
        assert len(texts(site.fake, "zalo_cs", item.tracking_code)) == 1
    finally:
        site.back_to_daytime()


async def test_an_expired_zalo_token_is_refreshed_and_the_message_goes(site: Site) -> None:
    item = site.routed(site.zalo_citizen("flow-z6", "+84911000008"), origin=ZALO)
    site.fake.expire_zalo_token()

    await site.publish(FEEDBACK_ROUTED, item)

    await wait_texts(site.fake, "zalo_cs", item.tracking_code, 1)
    assert site.fake.received("zalo_oauth", accepted=True)


async def test_a_body_contact_on_zalo_is_told_with_the_inbox_link(site: Site) -> None:
    body = BodyRef(
        id="dl",
        name="Công ty Điện lực Vĩnh Long",
        level="utility",
        contacts=(BodyContact(channel=Channel.ZALO, address="flow-officer"),),
    )
    item = site.routed(site.zalo_citizen("flow-z7", "+84911000009"), origin=ZALO, body=body)

    await site.publish(FEEDBACK_ROUTED, item)

    messages = await wait_texts(site.fake, "zalo_cs", "flow-officer", 1)
    assert f"/inbox/{item.item_id}" in messages[0]["body"]["message"]["text"]


async def test_a_digest_contact_gets_one_email_a_day_at_the_digest_hour(site: Site) -> None:
    noon = datetime(2026, 11, 27, 5, 0, tzinfo=UTC)  # 12:00 in Vietnam; digests at 17:00
    site.clock.set(noon)
    try:
        body = BodyRef(
            id="digest-body",
            name="UBND xã Phú Cần",
            level="commune",
            contacts=(
                BodyContact(
                    channel=Channel.EMAIL, address="digest@phucan.example", delivery=Delivery.DIGEST
                ),
            ),
        )
        items = [
            site.routed(site.zalo_citizen(f"flow-d{n}", f"+8491100002{n}"), origin=ZALO, body=body)
            for n in range(3)
        ]
        for item in items:
            await site.publish(FEEDBACK_ROUTED, item)
        await wait_texts(site.fake, "zalo_cs", items[-1].tracking_code, 1)  # citizens: at once
        await asyncio.sleep(1)
        assert site.smtp.recorder.to("digest@phucan.example") == []

        site.clock.set(noon + timedelta(hours=5, minutes=1))  # 17:01
        for _ in range(300):
            if site.smtp.recorder.to("digest@phucan.example"):
                break
            await asyncio.sleep(0.1)
        await asyncio.sleep(1.5)  # more flushes ran: still one digest
        [digest] = site.smtp.recorder.to("digest@phucan.example")
        plain = digest.get_body(("plain",))
        assert plain is not None
        assert all(i.tracking_code in plain.get_content() for i in items)
        assert "(3)" in str(digest["Subject"])
    finally:
        site.back_to_daytime()
