"""The HTTP shell of every service: lifespan (topics, broker, store, background loops),
`/health`, `/metrics`, offline `/docs`, and the guard of operator endpoints."""

import asyncio
import contextlib
import hmac
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Mapping, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, Header, HTTPException, Response
from fastapi.responses import JSONResponse
from faststream.kafka import KafkaBroker
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from pydantic import SecretStr
from pymongo import AsyncMongoClient

from hoiam_shared.kafka import ensure_topics
from hoiam_shared.mongo import Document, ping_mongo
from hoiam_shared.settings import ServiceSettings
from hoiam_shared.vendor import mount_vendor

log = logging.getLogger(__name__)

HEALTH_TIMEOUT_SECONDS = 2.0


def service_app(
    *,
    name: str,
    settings: ServiceSettings,
    broker: KafkaBroker,
    mongo: AsyncMongoClient[Document],
    registry: CollectorRegistry,
    prepare_store: Callable[[], Awaitable[None]],
    routers: Sequence[APIRouter] = (),
    background: Sequence[Callable[[], Coroutine[Any, Any, None]]] = (),
    on_stop: Sequence[Callable[[], Awaitable[None]]] = (),
    description: str = "",
    asyncapi: Mapping[str, Any] | None = None,
    vendor: Path | None = None,
) -> FastAPI:
    """A FastAPI app that owns the broker's and store's life cycle and reports on both.

    `background` loops (a poller, a sweep, a flush) start once the broker runs and are cancelled
    before it stops; `on_stop` closes what the service opened itself (an HTTP client);
    `asyncapi`, the document of the service's topics, is served at `/docs/asyncapi`;
    `/docs`, `/redoc` and htmx are served from the verified assets in `vendor` (default:
    `hoiam_shared.vendor.vendor_dir()`), never from a CDN.
    """

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        created = await ensure_topics(
            settings.kafka_bootstrap_servers,
            settings.topics.everything(),
            partitions=settings.kafka_partitions,
            replication_factor=settings.kafka_replication_factor,
            configs=settings.topic_configs(),
        )
        if created:
            log.info("created topics", extra={"topics": created})
        await prepare_store()
        await broker.start()
        tasks = [
            asyncio.create_task(loop(), name=getattr(loop, "__name__", "background"))
            for loop in background
        ]
        for task in tasks:
            task.add_done_callback(_report_stopped)
        log.info("service started", extra={"port": settings.http_port})
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            for task in tasks:
                # A loop that died was reported when it did; the shutdown goes on regardless.
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
            await broker.stop()
            for close in on_stop:
                await close()
            await mongo.close()

    app = FastAPI(
        title=f"Hồi Âm {name}",
        description=description,
        lifespan=lifespan,
        # FastAPI's own pages load Swagger UI and ReDoc from a CDN: blank on an intranet.
        docs_url=None,
        redoc_url=None,
    )
    mount_vendor(app, vendor)

    @app.get("/health", tags=["operations"], summary="Broker and store reachable")
    async def health() -> JSONResponse:
        # Only a state per part: a client error names hosts, users and sometimes credentials,
        # and whoever can reach /health (a load balancer, anyone) must not read them.
        checks: dict[str, str] = {}
        try:
            ok = await broker.ping(timeout=HEALTH_TIMEOUT_SECONDS)
            checks["broker"] = "ok" if ok else "unreachable"
        except Exception as error:  # a health probe reports, it never raises
            log.warning("health: broker check failed", extra={"error": repr(error)})
            checks["broker"] = "unreachable"
        try:
            await asyncio.wait_for(ping_mongo(mongo), HEALTH_TIMEOUT_SECONDS)
            checks["store"] = "ok"
        except Exception as error:
            log.warning("health: store check failed", extra={"error": repr(error)})
            checks["store"] = "unreachable"
        healthy = all(v == "ok" for v in checks.values())
        return JSONResponse(
            {"status": "ok" if healthy else "degraded", "service": name, **checks},
            status_code=200 if healthy else 503,
        )

    @app.get("/metrics", tags=["operations"], summary="Prometheus metrics")
    async def metrics() -> Response:
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    if asyncapi is not None:
        document = dict(asyncapi)

        @app.get("/docs/asyncapi", tags=["operations"], summary="AsyncAPI document of the topics")
        async def asyncapi_document() -> JSONResponse:
            return JSONResponse(document)

    for router in routers:
        app.include_router(router)
    return app


def _report_stopped(task: asyncio.Task[None]) -> None:
    """A background loop must outlive outages; one that ends by an error says so, loudly."""
    if not task.cancelled() and (error := task.exception()) is not None:
        log.error("background loop stopped", extra={"loop": task.get_name()}, exc_info=error)


def operator_guard(token: SecretStr | None) -> Callable[..., Awaitable[None]]:
    """A FastAPI dependency letting through only ``Authorization: Bearer <token>``.

    Closed when no token is configured (or it is empty): citizens' personal data is never open
    by default. The comparison takes constant time, so the token cannot be guessed by timing.
    """
    expected = token.get_secret_value().encode() if token else b""

    async def check(authorization: Annotated[str | None, Header()] = None) -> None:
        scheme, _, given = (authorization or "").partition(" ")
        if not (
            expected
            and scheme.lower() == "bearer"
            and hmac.compare_digest(given.strip().encode(), expected)
        ):
            raise HTTPException(
                status_code=401,
                detail="operator token required (Authorization: Bearer <token>)",
                headers={"WWW-Authenticate": "Bearer"},
            )

    return check
