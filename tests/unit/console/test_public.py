"""The public status page and its JSON twin: no personal data, 404 for unknown codes, rate
limits, and the rating rules (409 before the answer and on a second rating)."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from hoiam_console.domain.masking import LABELS
from hoiam_console.domain.public import Rating, masked, may_rate, public_item, satisfaction
from hoiam_console.domain.readmodel import record_of
from hoiam_shared.events import FeedbackReceived, ItemRated, Status
from hoiam_shared.topics import FEEDBACK_RATINGS
from support.console import TIEU_CAN_BODY, routed
from support.public import (
    ANSWER,
    EMAIL,
    NAME,
    PHONE,
    TEXT,
    PublicConsole,
    citizen_item,
    make_public_console,
    resolved_item,
)

PERSONAL = (NAME, "Bích Ngọc", EMAIL, PHONE, "0918 234 567", "nhà số 12", TEXT[:40])


@pytest.fixture
async def console() -> PublicConsole:
    return await make_public_console()


async def client_of(console: PublicConsole, address: str = "203.0.113.9") -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=console.app, client=(address, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://console.test")


@pytest.fixture
async def client(console: PublicConsole) -> AsyncIterator[httpx.AsyncClient]:
    async with await client_of(console) as client:
        yield client


def no_personal_data(text: str) -> None:
    for piece in PERSONAL:
        assert piece not in text, piece


async def test_the_status_page_shows_where_it_is_and_the_answer_and_nothing_personal(
    console: PublicConsole, client: httpx.AsyncClient
) -> None:
    item = await resolved_item(console)
    page = await client.get(f"/t/{item.tracking_code}")
    assert page.status_code == 200
    html = page.text
    assert item.tracking_code in html
    assert "Ủy ban nhân dân xã Tiểu Cần" in html
    assert "Đã trả lời" in html
    assert ANSWER in html
    assert "Ý kiến về lĩnh vực Giao thông tại Xã Tiểu Cần." in html  # the neutral line
    assert "11/12/2026" in html  # the due date, dd/mm/yyyy
    assert "30/11/2026" in html  # received 02:15 UTC is 09:15 in Vietnam, the same day
    no_personal_data(html)
    data = (await client.get(f"/api/v1/public/items/{item.tracking_code}")).json()
    assert data["status"] == "resolved"
    assert data["answer"] == ANSWER
    assert data["published_text"] is None
    assert [step["status"] for step in data["timeline"]] == ["received", "routed", "resolved"]
    no_personal_data(str(data))


async def test_vietnam_dates_cross_midnight(
    console: PublicConsole, client: httpx.AsyncClient
) -> None:
    item = citizen_item()
    late = datetime(2026, 11, 30, 18, 30, tzinfo=UTC)  # 01:30 on 1 December in Vietnam
    await console.project(routed(item, body=TIEU_CAN_BODY, at=late))
    html = (await client.get(f"/t/{item.tracking_code}")).text
    assert "01/12/2026" in html


async def test_the_text_is_shown_only_with_consent_to_publication(
    console: PublicConsole, client: httpx.AsyncClient
) -> None:
    item = await resolved_item(console, publication_consent=True)
    html = (await client.get(f"/t/{item.tracking_code}?lang=en")).text
    assert "Đường liên ấp" in html  # the words the citizen agreed to publish
    # but not who, nor how to reach them (the archive's masks, `domain.masking`)
    assert (
        "Tôi là [đã ẩn tên], [đã ẩn số nhà] ấp Phú Thọ, điện thoại [đã ẩn số điện thoại]." in html
    )
    for piece in (NAME, EMAIL, PHONE, "0918 234 567"):
        assert piece not in html
    assert "The body&#39;s answer" in html or "The body's answer" in html


async def test_answers_are_not_shown_before_the_resolution(console: PublicConsole) -> None:
    item = citizen_item()
    at = datetime(2026, 11, 30, 3, 0, tzinfo=UTC)
    await console.project(item, routed(item, body=TIEU_CAN_BODY, at=at))
    record = await console.read_model.by_tracking_code(item.tracking_code)
    assert record is not None
    view = public_item(record)
    assert view.answer is None
    assert not view.rateable
    assert may_rate(record) == "not_resolved"


async def test_an_unknown_or_malformed_code_is_a_404_page(client: httpx.AsyncClient) -> None:
    for code in ("HA-ZZZZ-ZZZZ", "not-a-code", "HA-' OR 1=1"):
        page = await client.get(f"/t/{code}")
        assert page.status_code == 404
        assert "Không có ý kiến nào mang mã" in page.text
    assert (await client.get("/api/v1/public/items/HA-ZZZZ-ZZZZ")).status_code == 404


async def test_lookups_are_limited_per_address_so_codes_cannot_be_enumerated() -> None:
    console = await make_public_console(lookups_allowed=3)
    item = await resolved_item(console)
    async with await client_of(console, "203.0.113.50") as guesser:
        for _ in range(3):
            assert (await guesser.get("/t/HA-AAAA-AAAA")).status_code == 404
        refused = await guesser.get(f"/t/{item.tracking_code}")
        assert refused.status_code == 429
        assert int(refused.headers["retry-after"]) > 0
        assert "quá nhiều lần" in refused.text
        api = await guesser.get(f"/api/v1/public/items/{item.tracking_code}")
        assert api.status_code == 429
        assert "retry" in api.json()["detail"]
    async with await client_of(console, "203.0.113.51") as someone_else:
        assert (await someone_else.get(f"/t/{item.tracking_code}")).status_code == 200
    console.clock.advance(timedelta(minutes=11))
    async with await client_of(console, "203.0.113.50") as guesser:
        assert (await guesser.get(f"/t/{item.tracking_code}")).status_code == 200


async def test_a_rating_before_the_answer_is_refused(
    console: PublicConsole, client: httpx.AsyncClient
) -> None:
    item = citizen_item()
    await console.project(
        item, routed(item, body=TIEU_CAN_BODY, at=datetime(2026, 11, 30, tzinfo=UTC))
    )
    answer = await client.post(
        f"/api/v1/public/items/{item.tracking_code}/rating", json={"score": 4}
    )
    assert answer.status_code == 409
    assert answer.json()["code"] == "not_resolved"
    assert console.publisher.published == []


async def test_a_resolved_item_is_rated_once(
    console: PublicConsole, client: httpx.AsyncClient
) -> None:
    item = await resolved_item(console)
    url = f"/api/v1/public/items/{item.tracking_code}/rating"
    first = await client.post(url, json={"score": 2, "reason": "Vá xong lại bể"})
    assert first.status_code == 201
    [(topic, event)] = console.publisher.published
    assert topic == FEEDBACK_RATINGS
    assert isinstance(event, ItemRated)
    assert (event.item_id, event.score, event.reason) == (item.item_id, 2, "Vá xong lại bể")
    assert event.body_id == TIEU_CAN_BODY.id
    second = await client.post(url, json={"score": 5})
    assert second.status_code == 409
    assert second.json()["code"] == "already_rated"
    assert len(console.publisher.published) == 1
    # The rating is on the page, and no longer offered.
    html = (await client.get(f"/t/{item.tracking_code}")).text
    assert "Bạn đã đánh giá 2/5." in html
    assert 'name="score"' not in html
    counted = console.registry.get_sample_value(
        "console_ratings_total", {"body": TIEU_CAN_BODY.id, "score": "2"}
    )
    assert counted == 1.0


async def test_a_redelivered_rating_event_changes_nothing(console: PublicConsole) -> None:
    item = await resolved_item(console)
    record = await console.read_model.by_tracking_code(item.tracking_code)
    assert record is not None
    rated = _rated(item, 3)
    await console.project(rated, rated)
    again = await console.read_model.get(item.item_id)
    assert again is not None
    assert again.rating_score == 3
    assert [e.kind for e in again.history].count("rated") == 1


async def test_bad_ratings_are_422(console: PublicConsole, client: httpx.AsyncClient) -> None:
    item = await resolved_item(console)
    url = f"/api/v1/public/items/{item.tracking_code}/rating"
    for body in ({"score": 0}, {"score": 6}, {"score": "x"}, {"reason": "?"}, {"score": 3, "x": 1}):
        assert (await client.post(url, json=body)).status_code == 422, body
    assert console.publisher.published == []


async def test_an_unpublished_rating_is_not_kept(
    console: PublicConsole, client: httpx.AsyncClient
) -> None:
    item = await resolved_item(console)
    console.publisher.fail = True
    url = f"/api/v1/public/items/{item.tracking_code}/rating"
    assert (await client.post(url, json={"score": 4})).status_code == 503
    console.publisher.fail = False
    assert (await client.post(url, json={"score": 4})).status_code == 201


async def test_the_rating_form_needs_its_csrf_token(
    console: PublicConsole, client: httpx.AsyncClient
) -> None:
    item = await resolved_item(console)
    page = await client.get(f"/t/{item.tracking_code}")
    assert 'name="score"' in page.text
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    forged = await client.post(
        f"/t/{item.tracking_code}/rating", data={"score": "5", "csrf_token": "x" * 43}
    )
    assert forged.status_code == 403
    assert console.publisher.published == []
    done = await client.post(
        f"/t/{item.tracking_code}/rating", data={"score": "5", "csrf_token": token}
    )
    assert done.status_code == 303
    assert done.headers["location"].endswith("?rated=1")
    assert "Cảm ơn bạn đã đánh giá" in (await client.get(done.headers["location"])).text


def test_satisfaction_per_body_least_satisfied_first() -> None:
    at = datetime(2026, 12, 1, tzinfo=UTC)

    def rating(body: str, score: int) -> Rating:
        item = citizen_item()
        return Rating(
            item_id=item.item_id,
            tracking_code=item.tracking_code,
            score=score,
            body_id=body,
            body_name=body.upper(),
            rated_at=at,
        )

    found = satisfaction([rating("a", 5), rating("a", 4), rating("b", 1), rating("b", 3)])
    assert [(s.body_id, s.ratings, s.mean, s.low) for s in found] == [
        ("b", 2, 2.0, 1),
        ("a", 2, 4.5, 0),
    ]
    assert found[0].by_score == {1: 1, 2: 0, 3: 1, 4: 0, 5: 0}


def test_the_public_view_copies_no_personal_field() -> None:
    item = citizen_item()
    record = record_of(
        {
            "item_id": str(item.item_id),
            "tracking_code": item.tracking_code,
            "citizen_name": NAME,
            "text": TEXT,
            "raw_address": "nhà số 12 ấp Phú Thọ",
            "status": Status.RESOLVED.value,
            "answer": ANSWER,
        }
    )
    no_personal_data(public_item(record).model_dump_json())


def test_masking_emails_phones_and_the_writers_name() -> None:
    text = "Trần thị bích ngọc, bichngoc@gmail.com, 0918.234.567, +84 918 234 567, 12 hộ, 2026"
    assert masked(text, NAME) == (
        f"{LABELS['name']}, {LABELS['email']}, {LABELS['phone']}, {LABELS['phone']}, 12 hộ, 2026"
    )


def _rated(item: FeedbackReceived, score: int) -> ItemRated:
    at = datetime(2026, 12, 4, tzinfo=UTC)
    return ItemRated(
        occurred_at=at,
        correlation_id=item.item_id,
        item_id=item.item_id,
        tracking_code=item.tracking_code,
        score=score,
        rated_at=at,
    )
