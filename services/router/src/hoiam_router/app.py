"""The only wiring of the router: `build` puts the handlers together from what it is handed;
`create_app` reads the directory, makes the real clients and serves what `build` returns."""

from dataclasses import dataclass

from fastapi import FastAPI
from prometheus_client import CollectorRegistry

from hoiam_router.api import router_api
from hoiam_router.categories_api import categories_api
from hoiam_router.corrections import LearnedCorrections
from hoiam_router.directory_yaml import load_directory
from hoiam_router.domain.directory import Directory
from hoiam_router.domain.learned import Predictor
from hoiam_router.handlers import RouteFeedback
from hoiam_router.messages import RecordCitizenMessage
from hoiam_router.metrics import RouterMetrics
from hoiam_router.model_cache import load_or_train
from hoiam_router.operations import Operations
from hoiam_router.outbox import Outbox
from hoiam_router.places_api import places_api
from hoiam_router.published import MongoPublishedAnswerStore, PublishedAnswerStore
from hoiam_router.ratings import ReopenOnLowRating
from hoiam_router.relocation import RelocateOnReply
from hoiam_router.repeats import RecordPublishedAnswer, RepeatFinder, reload_periodically
from hoiam_router.repository import AssignmentRepository, MongoAssignmentRepository
from hoiam_router.settings import RouterSettings
from hoiam_router.sweep import SweepOverdue, sweep_periodically
from hoiam_router.workload import MeasureWorkload, measure_periodically
from hoiam_shared.clock import Clock, system_clock
from hoiam_shared.events import (
    AnswerPublished,
    FeedbackMessageAdded,
    FeedbackReceived,
    FeedbackRouted,
    ItemRated,
    NoteAdded,
    StatusChanged,
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
from hoiam_shared.mongo import make_mongo
from hoiam_shared.sealing import SealingPublisher
from hoiam_shared.service import Wiring, serve
from hoiam_shared.topics import (
    FEEDBACK_MESSAGES,
    FEEDBACK_NOTES,
    FEEDBACK_PUBLISHED,
    FEEDBACK_RATINGS,
    FEEDBACK_RECEIVED,
    FEEDBACK_ROUTED,
    FEEDBACK_STATUS,
)
from hoiam_shared.vault import make_vault

SERVICE = "router"


@dataclass(frozen=True)
class RouterParts:
    """The router, built and not started: its handlers (what tests call) and its wiring."""

    route: RouteFeedback
    operations: Operations
    sweep: SweepOverdue
    corrections: LearnedCorrections
    outbox: Outbox
    metrics: RouterMetrics
    wiring: Wiring
    record_message: RecordCitizenMessage
    """The subscriber of `feedback.messages`: what citizens add joins the item's history."""
    relocate: RelocateOnReply
    reopen: ReopenOnLowRating
    """The subscriber of `feedback.ratings`: a low rating reopens the item for its body."""
    """The other subscriber of `feedback.messages`: a reply naming the commune routes the item."""
    workload: MeasureWorkload
    """One count of open and overdue items per body for the gauges (a loop repeats it)."""
    repeats: RepeatFinder
    """The published answers in memory, which every new item is matched against."""
    record_published: RecordPublishedAnswer
    """The subscriber of `feedback.published`: the archive's entries, kept and indexed."""


def build(
    settings: RouterSettings,
    *,
    directory: Directory,
    assignments: AssignmentRepository,
    publisher: EventPublisher,
    clock: Clock,
    registry: CollectorRegistry,
    published: PublishedAnswerStore,
    model: Predictor | None = None,
) -> RouterParts:
    """Everything the router does, from what it is handed; no I/O, no client made here."""
    metrics = RouterMetrics(registry)
    corrections = LearnedCorrections(predictor=model, threshold=settings.confidence_threshold)
    outbox = Outbox(store=assignments, publisher=publisher, topics=settings.topics, clock=clock)
    repeats = RepeatFinder()
    record_published = RecordPublishedAnswer(store=published, finder=repeats)

    async def prepare_stores() -> None:
        await assignments.prepare()
        await published.prepare()
        # Before the first item is consumed: it is matched against the whole archive.
        await repeats.reload(published)

    route = RouteFeedback(
        directory=directory,
        assignments=assignments,
        outbox=outbox,
        metrics=metrics,
        corrections=corrections,
        fallback_province=settings.fallback_province,
        clock=clock,
        ask_commune=settings.ask_commune,
        repeats=repeats,
    )
    operations = Operations(
        directory=directory,
        assignments=assignments,
        outbox=outbox,
        corrections=corrections,
        fallback_province=settings.fallback_province,
        clock=clock,
    )
    relocate = RelocateOnReply(operations=operations)
    reopen = ReopenOnLowRating(operations=operations)
    sweep = SweepOverdue(
        directory=directory, assignments=assignments, outbox=outbox, metrics=metrics, clock=clock
    )
    record_message = RecordCitizenMessage(assignments=assignments)
    workload = MeasureWorkload(assignments=assignments, metrics=metrics, clock=clock)
    wiring = Wiring(
        name=SERVICE,
        description="Assigns every item to the responsible body, or to triage.",
        dead_letters=DeadLetters(publisher, service=SERVICE, clock=clock),
        on_dead_letter=lambda kind: metrics.dead_letters.labels(kind).inc(),
        subscriptions=[
            Subscription(
                topic=settings.topics.name(FEEDBACK_RECEIVED),
                event=FeedbackReceived,
                handle=route.received,
                title="route_feedback",
            ),
            Subscription(
                topic=settings.topics.name(FEEDBACK_MESSAGES),
                event=FeedbackMessageAdded,
                handle=record_message,
                title="record_citizen_message",
            ),
            Subscription(
                topic=settings.topics.name(FEEDBACK_MESSAGES),
                event=FeedbackMessageAdded,
                handle=relocate,
                title="relocate_on_reply",
            ),
            Subscription(
                topic=settings.topics.name(FEEDBACK_RATINGS),
                event=ItemRated,
                handle=reopen,
                title="reopen_on_low_rating",
            ),
            Subscription(
                topic=settings.topics.name(FEEDBACK_PUBLISHED),
                event=AnswerPublished,
                handle=record_published,
                title="record_published_answer",
            ),
        ],
        routers=[
            places_api(clock=clock),
            categories_api(directory),
            router_api(
                directory=directory,
                operations=operations,
                corrections=corrections,
                metrics=metrics,
                operator_token=settings.operator_token,
                verify=verifier(settings.person_token_secret, clock),
            ),
        ],
        background=[
            sweep_periodically(
                sweep,
                corrections=corrections,
                store=assignments,
                metrics=metrics,
                interval_seconds=settings.sweep_interval_seconds,
            ),
            measure_periodically(
                workload, metrics=metrics, interval_seconds=settings.workload_interval_seconds
            ),
            reload_periodically(
                repeats, store=published, interval_seconds=settings.repeats_refresh_seconds
            ),
        ],
        prepare_store=prepare_stores,
        publishes={
            settings.topics.name(FEEDBACK_ROUTED): FeedbackRouted,
            settings.topics.name(FEEDBACK_STATUS): StatusChanged,
            settings.topics.name(FEEDBACK_NOTES): NoteAdded,
        },
    )
    return RouterParts(
        route,
        operations,
        sweep,
        corrections,
        outbox,
        metrics,
        wiring,
        record_message,
        relocate,
        reopen,
        workload,
        repeats,
        record_published,
    )


def create_app(settings: RouterSettings | None = None, *, clock: Clock | None = None) -> FastAPI:
    settings = settings or RouterSettings()
    configure_logging(SERVICE, settings.log_level)
    clock = clock or system_clock
    registry = CollectorRegistry()
    broker = make_broker(settings, service=SERVICE, registry=registry)
    mongo, db = make_mongo(settings, registry=registry)
    directory = load_directory(settings.directory_path)
    vault, keys = make_vault(settings, mongo, clock=clock)
    parts = build(
        settings,
        directory=directory,
        assignments=MongoAssignmentRepository(db, clock=clock),
        publisher=SealingPublisher(KafkaEventPublisher(broker), vault),
        clock=clock,
        registry=registry,
        published=MongoPublishedAnswerStore(db),
        model=load_or_train(settings, directory),
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
