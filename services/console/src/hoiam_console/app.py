"""The only wiring of the console: `build` puts the read model's subscribers, the API and the
pages together from what it is handed; `create_app` makes the real clients."""

from dataclasses import dataclass, replace
from datetime import timedelta
from importlib.resources import files
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.staticfiles import StaticFiles
from prometheus_client import CollectorRegistry, Counter

from hoiam_console.actions import Actions
from hoiam_console.api import console_api
from hoiam_console.archive import Archive, archive_routes
from hoiam_console.auth import Authenticator
from hoiam_console.compilations import Compilations
from hoiam_console.council import Council
from hoiam_console.council_api import council_api
from hoiam_console.council_upstream import (
    CouncilUpstream,
    HttpCouncilUpstream,
    NoCouncilUpstream,
)
from hoiam_console.desk import Desk, NoQueues
from hoiam_console.desk_api import desk_api
from hoiam_console.desk_upstream import DeskUpstream, HttpDeskUpstream, NoDeskUpstream
from hoiam_console.dlq import DeadLetterQueues, KafkaDeadLetterQueues
from hoiam_console.handlers import ProjectAnswer, ProjectEvent
from hoiam_console.limits import InProcessLimiter
from hoiam_console.open311 import HttpOpen311Upstream, Open311, Open311Deps, open311_routes
from hoiam_console.pages import council as council_pages
from hoiam_console.pages import page_routers
from hoiam_console.pages import publications as publication_pages
from hoiam_console.pages.desk_areas import desk_page_routers
from hoiam_console.pages.erasure import CitizenEraser, HttpCitizenEraser
from hoiam_console.pages.erasure import routes as erasure_page
from hoiam_console.passwords import Passwords
from hoiam_console.ports import (
    AccountStore,
    ArchiveStore,
    CompilationStore,
    FailureLog,
    ReadModel,
    SessionStore,
)
from hoiam_console.public import Public, PublicDeps, public_routes
from hoiam_console.public_upstream import HttpPublicUpstream
from hoiam_console.publications import Publications
from hoiam_console.publications_api import publications_api
from hoiam_console.review_store import MongoReviews, NoReviews, ReviewStore
from hoiam_console.settings import ConsoleSettings
from hoiam_console.store import (
    MongoAccounts,
    MongoArchive,
    MongoCompilations,
    MongoFailures,
    MongoRatings,
    MongoReadModel,
    MongoSessions,
)
from hoiam_console.upstream import Upstream
from hoiam_console.web import Web
from hoiam_shared.clock import Clock, system_clock
from hoiam_shared.events import (
    AnswerPublished,
    FeedbackMessageAdded,
    FeedbackReceived,
    FeedbackRouted,
    ItemRated,
    NoteAdded,
    NotificationFailed,
    NotificationSent,
    OperatorTaskOpened,
    StatusChanged,
)
from hoiam_shared.identity import check_secret
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
    NOTIFICATION_FAILED,
    NOTIFICATION_SENT,
    OPERATOR_TASKS,
)
from hoiam_shared.vault import make_vault

SERVICE = "console"
STATIC = files("hoiam_console") / "static"

SUBSCRIBED = (
    (FEEDBACK_RECEIVED, FeedbackReceived, "project_received"),
    (FEEDBACK_ROUTED, FeedbackRouted, "project_routed"),
    (FEEDBACK_STATUS, StatusChanged, "project_status"),
    (FEEDBACK_MESSAGES, FeedbackMessageAdded, "project_messages"),
    (NOTIFICATION_SENT, NotificationSent, "project_notification_sent"),
    (NOTIFICATION_FAILED, NotificationFailed, "project_notification_failed"),
    (OPERATOR_TASKS, OperatorTaskOpened, "project_tasks"),
    (FEEDBACK_NOTES, NoteAdded, "project_notes"),
    (FEEDBACK_RATINGS, ItemRated, "project_ratings"),
)
"""Topic, event and subscriber name of every stream the read model is built from."""


@dataclass(frozen=True)
class ConsoleParts:
    """The console, built and not started."""

    project: ProjectEvent
    actions: Actions
    auth: Authenticator
    web: Web
    wiring: Wiring
    desk: Desk | None = None
    public: Public | None = None
    compilations: Compilations | None = None
    publications: Publications | None = None
    council: Council | None = None


def build(
    settings: ConsoleSettings,
    *,
    accounts: AccountStore,
    sessions: SessionStore,
    failures: FailureLog,
    read_model: ReadModel,
    upstream: Upstream,
    publisher: EventPublisher,
    passwords: Passwords,
    clock: Clock,
    registry: CollectorRegistry,
    desk_upstream: DeskUpstream | None = None,
    dead_letter_queues: DeadLetterQueues | None = None,
    public: PublicDeps | None = None,
    council_upstream: CouncilUpstream | None = None,
    reviews: ReviewStore | None = None,
    compilation_store: CompilationStore | None = None,
    archive: ArchiveStore | None = None,
    open311: Open311Deps | None = None,
    citizen_eraser: CitizenEraser | None = None,
) -> ConsoleParts:
    """Everything the console does, from what it is handed; no I/O, no client made here.
    Without `public` the public pages (`/`, `/t/{code}`, ratings) are not served, and
    Open311 (`/open311/v2/`) needs them and `open311`; without `compilation_store` no session
    is compiled; without `archive` neither publishing answers nor the archive (`/publications`,
    `/answers`) is; without `citizen_eraser`, nor is the operators' erasure page."""
    dead_letters_total = Counter(
        "console_dead_letters_total",
        "Records the read model could not use, sent to their DLQ, by error type",
        ["error_type"],
        registry=registry,
    )
    project = ProjectEvent(read_model)
    actions = Actions(
        read_model=read_model,
        accounts=accounts,
        upstream=upstream,
        passwords=passwords,
        clock=clock,
    )
    auth = Authenticator(
        accounts=accounts,
        sessions=sessions,
        failures=failures,
        passwords=passwords,
        clock=clock,
        ttl=timedelta(minutes=settings.session_ttl_minutes),
        failures_allowed=settings.login_failures_allowed,
        window=timedelta(minutes=settings.login_window_minutes),
    )
    web = Web(auth=auth, actions=actions, clock=clock, cookie_secure=settings.cookie_secure)
    desk = Desk(
        actions=actions,
        read_model=read_model,
        upstream=desk_upstream or NoDeskUpstream(),
        queues=dead_letter_queues or NoQueues(),
        clock=clock,
    )
    public_side = (
        Public(
            read_model=read_model,
            deps=public,
            publisher=publisher,
            topics=settings.topics,
            clock=clock,
            registry=registry,
        )
        if public is not None
        else None
    )
    public_routers = [public_routes(web, public_side)] if public_side is not None else []
    if public_side is not None and open311 is not None:
        public_routers.append(open311_routes(Open311(public=public_side, deps=open311)))

    compilations = (
        Compilations(items=read_model, store=compilation_store, clock=clock)
        if compilation_store is not None
        else None
    )
    council = Council(
        upstream=council_upstream or NoCouncilUpstream(),
        reviews=reviews or NoReviews(),
        compilations=compilations,
        clock=clock,
    )

    publications = (
        Publications(
            actions=actions,
            archive=archive,
            publisher=publisher,
            topics=settings.topics,
            clock=clock,
            registry=registry,
        )
        if archive is not None
        else None
    )
    archive_routers: list[APIRouter] = []
    archive_subscriptions: list[Subscription[Any]] = []
    if publications is not None:
        archive_routers += [
            publication_pages.routes(web, publications),
            publications_api(web, publications),
        ]
        archive_subscriptions.append(
            Subscription(
                topic=settings.topics.name(FEEDBACK_PUBLISHED),
                event=AnswerPublished,
                handle=ProjectAnswer(publications.archive),
                title="project_published",
            )
        )
        if public is not None:
            reader = Archive(store=publications.archive, upstream=public.upstream)
            archive_routers.append(archive_routes(web, reader, public.lookups))

    async def prepare_stores() -> None:
        await read_model.prepare()
        if archive is not None:
            await archive.prepare()
        if compilation_store is not None:
            await compilation_store.prepare()

    wiring = Wiring(
        name=SERVICE,
        description="Operators, body staff, delegates and admins, each with their own account.",
        dead_letters=DeadLetters(publisher, service=SERVICE, clock=clock),
        on_dead_letter=lambda kind: dead_letters_total.labels(kind).inc(),
        subscriptions=[
            Subscription(
                topic=settings.topics.name(topic), event=event, handle=project, title=title
            )
            for topic, event, title in SUBSCRIBED
        ]
        + archive_subscriptions,
        routers=[
            *public_routers,
            *archive_routers,
            console_api(web),
            desk_api(web, desk),
            council_api(web, council),
            *page_routers(web),
            *desk_page_routers(web, desk),
            council_pages.routes(web, council),
            *([erasure_page(web, citizen_eraser)] if citizen_eraser is not None else []),
        ],
        prepare_store=prepare_stores,
        # Operators approve answers for the public archive (AnswerPublished), public side or not.
        publishes={settings.topics.name(FEEDBACK_PUBLISHED): AnswerPublished}
        | ({settings.topics.name(FEEDBACK_RATINGS): ItemRated} if public_side else {}),
    )
    return ConsoleParts(
        project,
        actions,
        auth,
        web,
        wiring,
        desk,
        public_side,
        compilations,
        publications,
        council,
    )


def mount_static(app: FastAPI) -> FastAPI:
    """The console's own CSS, served by itself: it works on an intranet with no internet."""
    app.mount("/static/console", StaticFiles(directory=str(STATIC)), name="console-static")
    return app


def create_app(settings: ConsoleSettings | None = None, *, clock: Clock | None = None) -> FastAPI:
    settings = settings or ConsoleSettings()
    if settings.person_token_secret is None:
        # Without it the console can sign people in but not act for them anywhere.
        raise SystemExit(
            "HOIAM_CONSOLE_PERSON_TOKEN_SECRET is not set (the same as intake's and the router's)"
        )
    check_secret(settings.person_token_secret)
    configure_logging(SERVICE, settings.log_level)
    clock = clock or system_clock
    registry = CollectorRegistry()
    broker = make_broker(settings, service=SERVICE, registry=registry)
    mongo, db = make_mongo(settings)
    vault, keys = make_vault(settings, mongo, clock=clock)
    upstream = HttpDeskUpstream(
        intake_url=str(settings.intake_url),
        router_url=str(settings.router_url),
        secret=settings.person_token_secret,
        clock=clock,
        timeout=settings.upstream_timeout_seconds,
    )
    council_upstream = HttpCouncilUpstream(
        intake_url=str(settings.intake_url),
        router_url=str(settings.router_url),
        secret=settings.person_token_secret,
        clock=clock,
        timeout=settings.upstream_timeout_seconds,
    )
    public_upstream = HttpPublicUpstream(
        intake_url=str(settings.intake_url),
        router_url=str(settings.router_url),
        timeout=settings.upstream_timeout_seconds,
    )
    open311_upstream = HttpOpen311Upstream(
        intake_url=str(settings.intake_url),
        router_url=str(settings.router_url),
        timeout=settings.upstream_timeout_seconds,
    )
    parts = build(
        settings,
        accounts=MongoAccounts(db),
        sessions=MongoSessions(db),
        failures=MongoFailures(db),
        read_model=MongoReadModel(db),
        upstream=upstream,
        publisher=SealingPublisher(KafkaEventPublisher(broker), vault),
        passwords=Passwords(),
        clock=clock,
        registry=registry,
        desk_upstream=upstream,
        dead_letter_queues=KafkaDeadLetterQueues(
            bootstrap_servers=settings.kafka_bootstrap_servers, topics=settings.topics
        ),
        public=PublicDeps(
            lookups=InProcessLimiter(
                allowed=settings.public_lookups_allowed,
                window=timedelta(minutes=settings.public_window_minutes),
                clock=clock,
            ),
            ratings=MongoRatings(db),
            upstream=public_upstream,
        ),
        council_upstream=council_upstream,
        reviews=MongoReviews(db),
        compilation_store=MongoCompilations(db),
        archive=MongoArchive(db),
        open311=Open311Deps(
            upstream=open311_upstream,
            api_keys=settings.open311_api_keys,
            contact=settings.open311_contact,
        ),
        citizen_eraser=HttpCitizenEraser(
            intake_url=str(settings.intake_url),
            secret=settings.person_token_secret,
            clock=clock,
            timeout=settings.upstream_timeout_seconds,
        ),
    )
    wiring = replace(
        parts.wiring,
        on_stop=[
            upstream.close,
            public_upstream.close,
            open311_upstream.close,
            council_upstream.close,
        ],
    )
    app = serve(
        wiring,
        settings=settings,
        broker=broker,
        mongo=mongo,
        registry=registry,
        vault=vault,
        keys=keys,
    )
    return mount_static(app)
