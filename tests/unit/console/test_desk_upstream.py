"""The desk's client (`HttpDeskUpstream`) against the real intake and router apps built on fakes:
the paths, bodies and person token it sends are the ones those services accept, and the actor
they record is the person's."""

from collections.abc import Mapping
from datetime import UTC, datetime

import httpx
import pytest
from fastapi import FastAPI
from pydantic import SecretStr

from fakes import intake_world, router_world
from hoiam_console.desk_upstream import HttpDeskUpstream, ManualCallFields
from hoiam_console.upstream import UpstreamError
from hoiam_router.settings import RouterSettings
from hoiam_shared.events import NoteAdded, NoteKind
from hoiam_shared.identity import Person, Role
from support.clock import TestClock
from support.router import bundled_directory
from support.samples import make_received

SECRET = SecretStr("console-unit-person-secret-long-enough")
FRONT = Person(username="operator", role=Role.OPERATOR, province_code="86")
PLACE = "ấp 3, xã Phú Cần, huyện Tiểu Cần, tỉnh Trà Vinh"


class ByHost(httpx.AsyncBaseTransport):
    """Each host's requests to its own app, in this process."""

    def __init__(self, apps: Mapping[str, FastAPI]) -> None:
        self._apps = {host: httpx.ASGITransport(app=app) for host, app in apps.items()}

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await self._apps[request.url.host].handle_async_request(request)


def app_of(routers: object) -> FastAPI:
    app = FastAPI()
    for router in routers:  # type: ignore[attr-defined]
        app.include_router(router)
    return app


def client(apps: Mapping[str, FastAPI], clock: TestClock) -> HttpDeskUpstream:
    return HttpDeskUpstream(
        intake_url="http://intake",
        router_url="http://router",
        secret=SECRET,
        clock=clock,
        timeout=5,
        transport=ByHost(apps),
    )


async def test_a_keyed_call_a_call_log_and_the_suggestions_are_intakes_answers() -> None:
    clock = TestClock.frozen(datetime(2026, 11, 27, 3, 0, tzinfo=UTC))
    world = intake_world(clock=clock, person_token_secret=SECRET)
    upstream = client({"intake": app_of(world.parts.wiring.routers)}, clock)
    keyed = await upstream.key_call(
        FRONT,
        ManualCallFields(call_id="console-1", caller="0901234567", text="Cống ấp Chợ bị nghẹt."),
    )
    assert keyed.tracking_code.startswith("HA-")
    again = await upstream.key_call(
        FRONT,
        ManualCallFields(call_id="console-1", caller="0901234567", text="Cống ấp Chợ bị nghẹt."),
    )
    assert again.tracking_code == keyed.tracking_code  # one call, however often it is sent
    log = await upstream.upload_call_log(
        FRONT, b"not,a,cdr,line\n", log_format="asterisk-cdr", content_type="text/csv"
    )
    assert (log.accepted, [r.line for r in log.rejected]) == (0, [1])
    assert await upstream.citizen_suggestions(FRONT) == []
    staff = Person(username="ubnd", role=Role.BODY, body_id="29341-ubnd-xa")
    with pytest.raises(UpstreamError) as refused:
        await upstream.citizen_suggestions(staff)
    assert refused.value.status == 403
    await upstream.close()


async def test_a_forward_is_the_routers_note_with_the_persons_actor() -> None:
    settings = RouterSettings(fallback_province="86", person_token_secret=SECRET)
    world = router_world(bundled_directory(), settings=settings)
    routed = await world.route(make_received("Mất điện cả ấp", address=PLACE))
    assert routed.location is not None
    assert routed.location.commune is not None
    commune = Person(
        username="mttq-xa",
        role=Role.OPERATOR,
        province_code="86",
        commune_code=routed.location.commune.code,
    )
    upstream = client({"router": app_of(world.parts.wiring.routers)}, world.clock)
    await upstream.add_note(commune, routed.item_id, kind=NoteKind.FORWARD, text="Nhờ tỉnh.")
    [note] = world.publisher.of(NoteAdded)
    assert (note.kind, note.actor, note.text) == (NoteKind.FORWARD, "operator:mttq-xa", "Nhờ tỉnh.")
    # A case of one item cannot be split: the router's own refusal, not a malformed request.
    with pytest.raises(UpstreamError) as refused:
        await upstream.split_case(commune, routed.case_id or routed.item_id, [routed.item_id])
    assert refused.value.status == 409, refused.value.detail
    await upstream.close()
