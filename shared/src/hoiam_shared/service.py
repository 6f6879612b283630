"""What a service is once wired, and how it becomes a running ASGI app.

Each service's `app.build(...)` takes settings, stores, a publisher, senders and a clock, does no
I/O, and returns its handlers together with a `Wiring`; tests call `build` with fakes and put
the subscriptions on FastStream's in-memory broker. `create_app` makes the real clients, calls
`build` and hands the result to `serve`, so production and tests share one wiring.
"""

from collections.abc import Awaitable, Callable, Coroutine, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from fastapi import APIRouter, FastAPI
from faststream.kafka import KafkaBroker
from prometheus_client import CollectorRegistry
from pymongo import AsyncMongoClient

from hoiam_shared import dlq
from hoiam_shared.erasure import ForgetCitizen, MongoEraser, StoreEraser
from hoiam_shared.events import CitizenErased, Event
from hoiam_shared.http import service_app
from hoiam_shared.kafka import DeadLetters, Opener, Subscription, subscribe
from hoiam_shared.mongo import Document
from hoiam_shared.replay import replay_group
from hoiam_shared.sealing import open_event
from hoiam_shared.settings import ServiceSettings
from hoiam_shared.topics import CITIZEN_ERASURES, dead_letter_topic
from hoiam_shared.vault import MongoKeyStore, Vault


async def _nothing() -> None:
    return None


@dataclass(frozen=True)
class Wiring:
    """Everything a service does, built and not yet started."""

    name: str
    description: str
    dead_letters: DeadLetters
    on_dead_letter: Callable[[str], None]
    subscriptions: Sequence[Subscription[Any]] = ()
    routers: Sequence[APIRouter] = ()
    background: Sequence[Callable[[], Coroutine[Any, Any, None]]] = ()
    prepare_store: Callable[[], Awaitable[None]] = _nothing
    on_stop: Sequence[Callable[[], Awaitable[None]]] = ()
    publishes: Mapping[str, type[Event]] = field(default_factory=dict)
    """Topic → the event the service writes there (dead letters aside): its AsyncAPI document."""


def subscribe_all(
    broker: KafkaBroker,
    wiring: Wiring,
    settings: ServiceSettings,
    *,
    open_sealed: Opener | None = None,
) -> None:
    """Put every subscription of `wiring` on `broker` with the shared delivery rules; with
    `open_sealed`, handlers see events with their sealed personal fields opened."""
    for subscription in wiring.subscriptions:
        subscribe(
            broker,
            topic=subscription.topic,
            event=subscription.event,
            handle=subscription.handle,
            title=subscription.title,
            settings=settings,
            dead_letters=wiring.dead_letters,
            on_dead_letter=wiring.on_dead_letter,
            open_sealed=open_sealed,
        )


def honouring_erasures(
    wiring: Wiring,
    *,
    settings: ServiceSettings,
    eraser: StoreEraser,
    vault: Vault | None,
    prepare_vault: Callable[[], Awaitable[None]] = _nothing,
) -> Wiring:
    """`wiring` plus what every service does for erasure (issue 12): the `citizen.erasures`
    subscriber that masks the person in the service's own store, and the vault's indexes."""
    forget = Subscription(
        topic=settings.topics.name(CITIZEN_ERASURES),
        event=CitizenErased,
        handle=ForgetCitizen(eraser, vault=vault, settle_seconds=settings.erasure_settle_seconds),
        title="forget_citizen",
    )
    prepare = wiring.prepare_store

    async def prepare_store() -> None:
        await prepare()
        await prepare_vault()

    # Idempotent: a wiring already honouring erasures gets this subscriber instead.
    others = [s for s in wiring.subscriptions if s.title != forget.title]
    return replace(wiring, subscriptions=(*others, forget), prepare_store=prepare_store)


def measure_dead_letters(
    service: str,
    *,
    consumed: Iterable[str],
    settings: ServiceSettings,
    registry: CollectorRegistry,
) -> Callable[[], Coroutine[Any, Any, None]]:
    """The loop showing the letters waiting in the DLQ of each topic the service consumes, for
    its replay command (`hoiam_dlq_records`); the gauge is on `registry` once this returns."""
    return dlq.measure_periodically(
        dlq.kafka_offsets(settings.kafka_bootstrap_servers),
        dlqs=list(dict.fromkeys(dead_letter_topic(topic) for topic in consumed)),
        group=replay_group(service),
        backlog=dlq.DeadLetterBacklog(registry),
        interval_seconds=settings.dlq_measure_interval_seconds,
    )


def serve(
    wiring: Wiring,
    *,
    settings: ServiceSettings,
    broker: KafkaBroker,
    mongo: AsyncMongoClient[Document],
    registry: CollectorRegistry,
    vault: Vault,
    keys: MongoKeyStore,
) -> FastAPI:
    """Subscribe the wiring on the real broker and wrap it in the shared HTTP shell; every
    service honours erasures and reads sealed personal fields through `vault`."""
    # Imported here: the document is built from a `Wiring`, which this module defines.
    from hoiam_shared.asyncapi import asyncapi_document

    wiring = honouring_erasures(
        wiring,
        settings=settings,
        eraser=MongoEraser(mongo[settings.mongo_database]),
        vault=vault,
        prepare_vault=keys.prepare,
    )

    async def open_sealed(event: Event) -> Event:
        return await open_event(event, vault)

    subscribe_all(broker, wiring, settings, open_sealed=open_sealed)
    return service_app(
        name=wiring.name,
        settings=settings,
        broker=broker,
        mongo=mongo,
        registry=registry,
        prepare_store=wiring.prepare_store,
        routers=wiring.routers,
        background=[
            *wiring.background,
            measure_dead_letters(
                wiring.name,
                consumed=[s.topic for s in wiring.subscriptions],
                settings=settings,
                registry=registry,
            ),
        ],
        on_stop=wiring.on_stop,
        description=wiring.description,
        asyncapi=asyncapi_document(wiring, settings),
    )
