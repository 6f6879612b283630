"""The only wiring of intake: `build` puts it together from what it is given; `create_app` gives
it the real clients.

`build` does no I/O and creates no client, so tests call it with the fakes of `tests/fakes.py`
and a test clock, and production calls it with MongoDB, Kafka and the system clock: one wiring.
"""

import logging
from dataclasses import dataclass
from datetime import timedelta

from fastapi import FastAPI
from prometheus_client import CollectorRegistry
from pymongo.asynchronous.database import AsyncDatabase

from hoiam_intake.accepting import Acceptor
from hoiam_intake.api import build_router
from hoiam_intake.attachments import AttachmentStore, MongoAttachmentStore
from hoiam_intake.domain.rules import Rules
from hoiam_intake.erasure import Eraser, ErasureLog, MongoErasureLog, build_erasure_router
from hoiam_intake.gatherings import ConversationStore, MongoConversationStore
from hoiam_intake.handlers import NormaliseFeedback, RecordTask, flush_gatherings_every
from hoiam_intake.imap import ImapPoller, MailboxState, MongoMailboxState
from hoiam_intake.metrics import IntakeMetrics
from hoiam_intake.repository import ItemRepository, MongoItemRepository
from hoiam_intake.resends import Resends
from hoiam_intake.sessions import MongoSessionStore, SessionStore
from hoiam_intake.sessions_api import build_sessions_router
from hoiam_intake.settings import IntakeSettings, load_settings
from hoiam_intake.store import IntakeStore, MongoIntakeStore
from hoiam_intake.tasks import MongoTaskList, TaskList
from hoiam_shared.access import actor_guard, operators_only
from hoiam_shared.clock import Clock, system_clock
from hoiam_shared.events import (
    CitizenErased,
    ContactReachabilityChanged,
    FeedbackMessageAdded,
    FeedbackReceived,
    OperatorTaskOpened,
    RawFeedbackAccepted,
)
from hoiam_shared.identity import verifier
from hoiam_shared.kafka import (
    DeadLetters,
    EventPublisher,
    KafkaEventPublisher,
    Subscription,
    make_broker,
)
from hoiam_shared.logs import configure_logging
from hoiam_shared.mongo import Document, make_mongo
from hoiam_shared.sealing import SealingPublisher
from hoiam_shared.service import Wiring, serve
from hoiam_shared.topics import (
    CITIZEN_CONTACTS,
    CITIZEN_ERASURES,
    FEEDBACK_MESSAGES,
    FEEDBACK_RECEIVED,
    INTAKE_RAW,
    OPERATOR_TASKS,
)
from hoiam_shared.vault import Vault, make_vault

SERVICE = "intake"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class IntakeParts:
    """Intake built and not yet started: the objects tests drive, and the `Wiring` to serve."""

    rules: Rules
    metrics: IntakeMetrics
    acceptor: Acceptor
    """Takes every submission in (HTTP endpoints and the IMAP poller)."""
    normalise: NormaliseFeedback
    """The subscriber of `intake.raw`."""
    record_task: RecordTask
    """The subscriber of `operator.tasks`: the operators' one task list."""
    poller: ImapPoller | None
    """Set when `imap_host` is: it runs as a background loop."""
    wiring: Wiring


def rules_of(settings: IntakeSettings) -> Rules:
    """What the pure normalisers read from the settings."""
    return Rules(
        secret=settings.id_secret.get_secret_value(),
        account_provinces=settings.account_provinces,
        timezone=settings.timezone,
        csv_columns=settings.calls_csv_columns,
        default_mailbox=settings.imap_user or None,
        max_text_chars=settings.max_text_chars,
    )


def build(
    settings: IntakeSettings,
    *,
    items: ItemRepository,
    store: IntakeStore,
    tasks: TaskList,
    conversations: ConversationStore,
    sessions: SessionStore,
    attachments: AttachmentStore,
    publisher: EventPublisher,
    clock: Clock,
    registry: CollectorRegistry,
    vault: Vault,
    erasures: ErasureLog,
    mailbox_state: MailboxState | None = None,
) -> IntakeParts:
    """Intake's handlers, routes and background loops on the given stores, publisher and clock;
    `vault` seals raw payloads and destroys an erased citizen's keys.

    `mailbox_state` keeps the IMAP poller's marks; it is needed only when `imap_host` is set.
    """
    metrics = IntakeMetrics(registry)
    rules = rules_of(settings)
    acceptor = Acceptor(
        publisher=publisher,
        store=store,
        topics=settings.topics,
        metrics=metrics,
        secret=rules.secret,
        clock=clock,
        vault=vault,
    )
    resends = Resends(
        store=store,
        conversations=conversations,
        period=timedelta(hours=settings.duplicate_window_hours),
        threshold=settings.resent_similarity,
    )
    normalise = NormaliseFeedback(
        items=items,
        publisher=publisher,
        topics=settings.topics,
        metrics=metrics,
        store=store,
        tasks=tasks,
        rules=rules,
        conversations=conversations,
        resends=resends,
        gather_window=timedelta(seconds=settings.gather_seconds),
        conversation=timedelta(hours=settings.conversation_hours),
        clock=clock,
        vault=vault,
    )
    poller = None
    if settings.imap_host:
        if mailbox_state is None:
            raise ValueError("imap_host is set: build() needs the mailbox_state for the poller")
        poller = ImapPoller(
            settings=settings, acceptor=acceptor, state=mailbox_state, metrics=metrics
        )

    record_task = RecordTask(tasks=tasks)

    async def prepare_store() -> None:
        await items.prepare()
        await store.prepare()
        await tasks.prepare()
        await conversations.prepare()
        await sessions.prepare()
        await attachments.prepare()

    router = build_router(
        acceptor=acceptor,
        items=items,
        store=store,
        tasks=tasks,
        metrics=metrics,
        rules=rules,
        settings=settings,
        clock=clock,
        resends=resends,
        attachments=attachments,
    )
    wiring = Wiring(
        name=SERVICE,
        description="Every channel in, raw first, normalised into one event.",
        dead_letters=DeadLetters(publisher, service=SERVICE, clock=clock),
        on_dead_letter=lambda kind: metrics.dead_letters.labels(kind).inc(),
        subscriptions=(
            Subscription(
                topic=settings.topics.name(INTAKE_RAW),
                event=RawFeedbackAccepted,
                handle=normalise,
                title="normalise_raw_feedback",
            ),
            Subscription(
                topic=settings.topics.name(OPERATOR_TASKS),
                event=OperatorTaskOpened,
                handle=record_task,
                title="record_operator_task",
            ),
        ),
        routers=(
            router,
            build_sessions_router(
                acceptor=acceptor,
                sessions=sessions,
                settings=settings,
                secret=rules.secret,
                clock=clock,
            ),
            build_erasure_router(
                eraser=Eraser(
                    log=erasures,
                    vault=vault,
                    publisher=publisher,
                    topics=settings.topics,
                    clock=clock,
                    attachments=attachments,
                ),
                operator=operators_only(
                    actor_guard(
                        settings.operator_token, verifier(settings.person_token_secret, clock)
                    )
                ),
            ),
        ),
        background=(
            flush_gatherings_every(normalise, settings.gather_flush_seconds),
            *((poller.run_forever,) if poller is not None else ()),
        ),
        prepare_store=prepare_store,
        publishes={
            settings.topics.name(INTAKE_RAW): RawFeedbackAccepted,
            settings.topics.name(FEEDBACK_RECEIVED): FeedbackReceived,
            settings.topics.name(FEEDBACK_MESSAGES): FeedbackMessageAdded,
            settings.topics.name(CITIZEN_CONTACTS): ContactReachabilityChanged,
            settings.topics.name(OPERATOR_TASKS): OperatorTaskOpened,
            settings.topics.name(CITIZEN_ERASURES): CitizenErased,
        },
    )
    return IntakeParts(
        rules=rules,
        metrics=metrics,
        acceptor=acceptor,
        normalise=normalise,
        record_task=record_task,
        poller=poller,
        wiring=wiring,
    )


def build_on_mongo(
    settings: IntakeSettings,
    db: AsyncDatabase[Document],
    *,
    publisher: EventPublisher,
    clock: Clock,
    registry: CollectorRegistry,
    vault: Vault,
    mailbox_state: MailboxState | None = None,
) -> IntakeParts:
    """`build` on every Mongo store of one database (the mailbox marks too, unless given):
    the service and the tests on the real store name the stores in this one place."""
    return build(
        settings,
        items=MongoItemRepository(db),
        store=MongoIntakeStore(db),
        tasks=MongoTaskList(db),
        conversations=MongoConversationStore(db),
        sessions=MongoSessionStore(db),
        attachments=MongoAttachmentStore(db),
        mailbox_state=mailbox_state or MongoMailboxState(db),
        publisher=publisher,
        clock=clock,
        registry=registry,
        vault=vault,
        erasures=MongoErasureLog(db),
    )


def create_app(settings: IntakeSettings | None = None, *, clock: Clock | None = None) -> FastAPI:
    """The running service: MongoDB, Kafka and (unless a test hands one) the system clock."""
    settings = settings or load_settings()
    configure_logging(SERVICE, settings.log_level)
    registry = CollectorRegistry()
    broker = make_broker(settings, service=SERVICE, registry=registry)
    mongo, db = make_mongo(settings, registry=registry)
    if settings.operator_token is None:
        log.warning("HOIAM_INTAKE_OPERATOR_TOKEN is unset: operator endpoints answer 401")
    clock = clock or system_clock
    vault, keys = make_vault(settings, mongo, clock=clock)
    parts = build_on_mongo(
        settings,
        db,
        publisher=SealingPublisher(KafkaEventPublisher(broker), vault),
        clock=clock,
        registry=registry,
        vault=vault,
    )
    return serve(
        parts.wiring,
        settings=settings,
        broker=broker,
        mongo=mongo,
        registry=registry,
        vault=vault,
        keys=keys,
    )
