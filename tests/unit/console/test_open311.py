"""Open311 GeoReport v2 on the console, with fakes: a client that only knows the spec discovers
the endpoint, lists the services, posts and polls, in JSON and XML; refusals are the spec's
error list with the right status; nothing personal is served."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from hoiam_console.domain.open311 import Open311Error
from hoiam_shared.events import Citizen, Contacts, FeedbackReceived, Location, Status
from support.console import TIEU_CAN_BODY, received, routed, status_changed
from support.open311 import (
    API_KEY,
    CREATED_FIELDS,
    REQUEST_FIELDS,
    SERVICE_FIELDS,
    GeoReportClient,
    GeoReportError,
    Open311Console,
    make_open311_console,
    parse_xml,
)
from support.public import ANSWER, EMAIL, NAME, PHONE, TEXT

BASE = "http://console.test/open311/v2"
RECEIVED_AT = datetime(2026, 11, 30, 2, 15, tzinfo=UTC)
PERSONAL = (NAME, "Bích Ngọc", EMAIL, PHONE, "0918 234 567")


@pytest.fixture
def console() -> Open311Console:
    return make_open311_console()


@pytest.fixture
async def http(console: Open311Console) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=console.app, client=("203.0.113.9", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://console.test") as client:
        yield client


@pytest.fixture(params=["json", "xml"])
async def client(request: pytest.FixtureRequest, http: httpx.AsyncClient) -> GeoReportClient:
    georeport = GeoReportClient(http, fmt=request.param)
    await georeport.discover(f"{BASE}/discovery.{request.param}")
    return georeport


def item_of(
    *, consent: bool, at: datetime = RECEIVED_AT, address: str | None = None
) -> FeedbackReceived:
    item = received(TEXT, at=at)
    citizen = Citizen(
        name=NAME,
        contacts=Contacts(email=EMAIL, phone=PHONE),
        preferred_channel=item.citizen.preferred_channel,
        consent=True,
        publication_consent=consent,
    )
    return item.model_copy(update={"citizen": citizen, "location": Location(raw_address=address)})


async def routed_item(console: Open311Console, item: FeedbackReceived) -> FeedbackReceived:
    await console.parts.project(item)
    await console.parts.project(
        routed(item, body=TIEU_CAN_BODY, at=item.received_at + timedelta(minutes=5))
    )
    return item


async def resolved(console: Open311Console, item: FeedbackReceived) -> FeedbackReceived:
    await routed_item(console, item)
    at = item.received_at + timedelta(days=2)
    await console.parts.project(status_changed(item, Status.RESOLVED, at=at, answer=ANSWER))
    return item


async def test_discovery_names_the_v2_endpoint_and_both_formats(http: httpx.AsyncClient) -> None:
    for fmt in ("json", "xml"):
        georeport = GeoReportClient(http, fmt=fmt)
        found = await georeport.discover(f"{BASE}/discovery.{fmt}")
        assert georeport.endpoint == BASE
        assert found["contact"] == "test@hoiam"


async def test_services_are_the_routers_categories(client: GeoReportClient) -> None:
    services = await client.services()
    assert [s["service_code"] for s in services] == ["transport", "water"]
    transport = services[0]
    assert transport["service_name"] == "Giao thông"
    assert set(transport) == set(SERVICE_FIELDS)
    assert str(transport["metadata"]).lower() == "false"
    assert transport["type"] == "realtime"
    assert "ổ gà" in transport["keywords"]


async def test_a_service_definition_and_an_unknown_service(client: GeoReportClient) -> None:
    found = await client.definition("water")
    assert found == {"service_code": "water", "attributes": []}
    with pytest.raises(GeoReportError) as refused:
        await client.definition("graffiti")
    assert refused.value.status == 404


async def test_a_post_is_forwarded_to_intake_without_the_key(
    console: Open311Console, client: GeoReportClient
) -> None:
    created = await client.create(
        api_key=API_KEY,
        service_code="transport",
        lat="9.8123456",
        long="106.1987654",
        description="Đường liên ấp có ổ gà sâu, xe máy té ngã.",
        email="an.nguyen@example.vn",
        first_name="An",
        last_name="Nguyễn",
    )
    assert set(created) == set(CREATED_FIELDS)
    assert created["service_request_id"] == "HA-0001-O311"
    assert created["service_notice"]
    (posted,) = console.upstream.posted
    assert "api_key" not in posted
    assert posted["service_code"] == "transport"
    assert posted["lat"] == "9.8123456"
    assert posted["last_name"] == "Nguyễn"


@pytest.mark.parametrize("key", [None, "", "not-the-key"])
async def test_a_post_without_a_known_key_is_403(
    console: Open311Console, client: GeoReportClient, key: str | None
) -> None:
    fields = {"service_code": "transport", "address_string": "Tiểu Cần", "description": "ổ gà"}
    with pytest.raises(GeoReportError) as refused:
        await client.create(api_key=key, **fields)
    assert refused.value.status == 403
    assert "api_key" in refused.value.errors[0]["description"]
    assert console.upstream.posted == []


async def test_a_post_for_an_unknown_service_is_400(
    console: Open311Console, client: GeoReportClient
) -> None:
    with pytest.raises(GeoReportError) as refused:
        await client.create(
            api_key=API_KEY, service_code="graffiti", address_string="x", description="abc"
        )
    assert refused.value.status == 400
    assert "graffiti" in refused.value.errors[0]["description"]
    assert console.upstream.posted == []


async def test_intakes_refusal_comes_back_in_the_spec_shape(
    console: Open311Console, client: GeoReportClient
) -> None:
    console.upstream.refuse = Open311Error(400, "a location is required")
    with pytest.raises(GeoReportError) as refused:
        await client.create(api_key=API_KEY, service_code="water", description="Mất nước")
    assert refused.value.status == 400
    assert refused.value.errors[0]["description"] == "a location is required"
    console.upstream.refuse = Open311Error(503, "the service is unavailable; try again shortly")
    with pytest.raises(GeoReportError) as away:
        await client.create(
            api_key=API_KEY, service_code="water", address_string="x", description="Mất nước"
        )
    assert away.value.status == 503


async def test_with_the_router_away_a_post_still_reaches_intake(
    console: Open311Console, client: GeoReportClient
) -> None:
    console.upstream.router_down = True
    created = await client.create(
        api_key=API_KEY, service_code="water", address_string="Tiểu Cần", description="Mất nước"
    )
    assert created["service_request_id"]
    assert len(console.upstream.posted) == 1
    with pytest.raises(GeoReportError) as away:
        await client.services()
    assert away.value.status == 503


async def test_a_post_that_is_not_a_form_is_400_and_a_huge_one_413(
    http: httpx.AsyncClient,
) -> None:
    as_json = await http.post(f"{BASE}/requests.json", json={"api_key": API_KEY})
    assert as_json.status_code == 400
    assert as_json.json()[0]["code"] == 400
    huge = await http.post(
        f"{BASE}/requests.xml",
        content=b"description=" + b"a" * 70_000,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert huge.status_code == 413
    assert parse_xml(huge.content).findtext("error/code") == "413"


async def test_a_resolved_request_is_closed_with_the_answer_and_nothing_personal(
    console: Open311Console, client: GeoReportClient
) -> None:
    item = await resolved(console, item_of(consent=False))
    found = await client.request(item.tracking_code)
    assert set(found) == set(REQUEST_FIELDS)
    assert found["service_request_id"] == item.tracking_code
    assert found["status"] == "closed"
    assert found["status_notes"] == ANSWER
    assert found["agency_responsible"] == "Ủy ban nhân dân xã Tiểu Cần"
    assert found["service_code"] == "transport"
    assert found["service_name"] == "Giao thông"
    assert found["address"] == "Xã Tiểu Cần"
    assert found["requested_datetime"] == "2026-11-30T09:15:00+07:00"
    assert found["updated_datetime"] == "2026-12-02T09:15:00+07:00"
    assert not found["description"]  # no consent to publication
    assert not found["expected_datetime"]  # answered: nothing is expected any more
    served = str(found)
    for piece in (*PERSONAL, TEXT[:30]):
        assert piece not in served


async def test_an_open_request_has_its_due_time_and_a_consented_text_masked(
    console: Open311Console, client: GeoReportClient
) -> None:
    item = await routed_item(console, item_of(consent=True, address="9.8123456, 106.1987654"))
    found = await client.request(item.tracking_code)
    assert found["status"] == "open"
    assert not found["status_notes"]
    assert found["expected_datetime"] == "2026-12-11T17:00:00+07:00"
    assert "ổ gà sâu" in found["description"]
    for piece in PERSONAL:
        assert piece not in found["description"]
    assert float(found["lat"]) == 9.812
    assert float(found["long"]) == 106.199


async def test_an_unknown_request_is_404(client: GeoReportClient) -> None:
    for code in ("HA-ZZZZ-ZZZZ", "not-a-code"):
        with pytest.raises(GeoReportError) as refused:
            await client.request(code)
        assert refused.value.status == 404


async def test_the_list_holds_only_published_items_filtered_and_paged(
    console: Open311Console, client: GeoReportClient
) -> None:
    consented = [
        await routed_item(console, item_of(consent=True, at=RECEIVED_AT - timedelta(hours=h)))
        for h in range(5)
    ]
    done = await resolved(console, item_of(consent=True, at=RECEIVED_AT - timedelta(days=1)))
    hidden = await resolved(console, item_of(consent=False))
    listed = [r["service_request_id"] for r in await client.requests()]
    assert listed == [*(i.tracking_code for i in consented), done.tracking_code]
    assert hidden.tracking_code not in listed
    closed = await client.requests(status="closed")
    assert [r["service_request_id"] for r in closed] == [done.tracking_code]
    opened = await client.requests(status="open", service_code="transport")
    assert len(opened) == 5
    assert await client.requests(service_code="water") == []
    page_2 = await client.requests(page="2", page_size="2")
    assert [r["service_request_id"] for r in page_2] == [i.tracking_code for i in consented[2:4]]
    window = await client.requests(
        start_date="2026-11-30T05:00:00+07:00", end_date="2026-11-30T08:30:00+07:00"
    )
    assert [r["service_request_id"] for r in window] == [i.tracking_code for i in consented[1:5]]
    by_id = await client.requests(
        service_request_id=f"{hidden.tracking_code},{consented[0].tracking_code},HA-ZZZZ-ZZZZ"
    )
    assert [r["service_request_id"] for r in by_id] == [
        hidden.tracking_code,
        consented[0].tracking_code,
    ]


async def test_the_default_window_is_the_last_90_days(
    console: Open311Console, client: GeoReportClient
) -> None:
    old = await routed_item(console, item_of(consent=True, at=RECEIVED_AT - timedelta(days=95)))
    recent = await routed_item(console, item_of(consent=True))
    listed = [r["service_request_id"] for r in await client.requests()]
    assert listed == [recent.tracking_code]
    earlier = await client.requests(start_date="2026-08-20", end_date="2026-09-30T00:00:00Z")
    assert [r["service_request_id"] for r in earlier] == [old.tracking_code]


@pytest.mark.parametrize(
    ("params", "why"),
    [
        ({"status": "pending"}, "status"),
        ({"start_date": "yesterday"}, "start_date"),
        ({"start_date": "2026-11-01T00:00:00"}, "time zone"),
        ({"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-11-01T00:00:00Z"}, "90 days"),
        ({"start_date": "2026-11-02T00:00:00Z", "end_date": "2026-11-01T00:00:00Z"}, "before"),
        ({"page_size": "0"}, "page_size"),
        ({"page_size": "5000"}, "page_size"),
        ({"page": "-1"}, "page"),
        ({"service_request_id": ",".join(f"HA-{i:04d}-AAAA" for i in range(51))}, "at most"),
    ],
)
async def test_bad_queries_are_400_with_the_reason(
    client: GeoReportClient, params: dict[str, str], why: str
) -> None:
    with pytest.raises(GeoReportError) as refused:
        await client.requests(**params)
    assert refused.value.status == 400
    assert why in refused.value.errors[0]["description"]


async def test_other_formats_and_resources_are_404_in_the_spec_shape(
    http: httpx.AsyncClient,
) -> None:
    for path in ("services.csv", "services", "requests/HA-0000-0000.html", "nothing.json"):
        response = await http.get(f"{BASE}/{path}")
        assert response.status_code == 404, path
        assert response.json()[0]["code"] == 404
    xml = await http.get(f"{BASE}/nothing.xml")
    assert xml.status_code == 404
    assert parse_xml(xml.content).tag == "errors"


async def test_lookups_are_rate_limited_like_the_status_page() -> None:
    console = make_open311_console(lookups_allowed=2)
    item = await routed_item(console, item_of(consent=False))
    transport = httpx.ASGITransport(app=console.app, client=("198.51.100.7", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://console.test") as http:
        for _ in range(2):
            assert (await http.get(f"{BASE}/requests/{item.tracking_code}.json")).status_code == 200
        refused = await http.get(f"{BASE}/requests/{item.tracking_code}.xml")
        assert refused.status_code == 429
        assert int(refused.headers["Retry-After"]) > 0
        assert parse_xml(refused.content).findtext("error/code") == "429"
        console.clock.advance(timedelta(minutes=11))
        assert (await http.get(f"{BASE}/requests/{item.tracking_code}.json")).status_code == 200


@pytest.mark.parametrize(
    ("method", "path", "params"),
    [
        ("GET", "requests.json", {"start_date": "9999-99-99"}),
        ("GET", "requests.json", {"end_date": "2026-13-01T00:00:00Z"}),
        ("GET", "requests.xml", {"page": "1e9"}),
        ("GET", "requests.json", {"page": "100000", "page_size": "1000"}),
        ("GET", "requests.json", {"status": ",,,", "service_code": ",,"}),
        ("GET", "requests.json", {"service_request_id": "\x00,%00,HA-Ư"}),
        ("GET", "requests/.json", {}),
        ("GET", "requests/..xml", {}),
        ("GET", "services/.xml", {}),
        ("GET", "services/ổ gà.json", {}),
        ("GET", "requests/HA-0000-0000.", {}),
        ("POST", "services.json", {}),
        ("POST", "requests", {}),
    ],
)
async def test_odd_input_is_answered_in_the_spec_shape_never_a_5xx(
    http: httpx.AsyncClient, method: str, path: str, params: dict[str, str]
) -> None:
    response = await http.request(method, f"{BASE}/{path}", params=params)
    assert response.status_code < 500
    if response.status_code >= 400:
        code = (
            parse_xml(response.content).findtext("error/code")
            if path.endswith(".xml")
            else response.json()[0]["code"]
        )
        assert str(code) == str(response.status_code)


async def test_a_form_that_is_not_utf8_is_400(http: httpx.AsyncClient) -> None:
    response = await http.post(
        f"{BASE}/requests.json",
        content=b"api_key=" + API_KEY.encode() + b"&description=\xff\xfe",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 400
    assert "UTF-8" in response.json()[0]["description"]
