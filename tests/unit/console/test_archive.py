"""The public archive `/answers` and its JSON twin: diacritic-free search, places by old names
through the router's place search, field and session, pages, an entry page, rate limits,
English, and no personal data in anything it answers."""

from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest

from hoiam_console.domain.publication import approved, publication_id, withdrawal
from hoiam_console.domain.readmodel import ItemRecord
from hoiam_shared.events import FeedbackReceived
from support.public import (
    ANSWER,
    EMAIL,
    NAME,
    PHONE,
    PublicConsole,
    make_public_console,
    resolved_item,
)

SUMMARY = "Cử tri phản ánh đường liên ấp Phú Thọ bị sạt lở, xe máy đi lại nguy hiểm."
PERSONAL = (NAME, "Bích Ngọc", EMAIL, PHONE, "0918 234 567", "nhà số 12")


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


async def publish(
    console: PublicConsole, *, summary: str = SUMMARY, session: str | None = None, **options: bool
) -> FeedbackReceived:
    """An item resolved and approved by an operator, as `Publications.approve` does it."""
    item = await resolved_item(console, **options)
    record = await console.read_model.by_tracking_code(item.tracking_code)
    assert isinstance(record, ItemRecord)
    if session is not None:
        record = record.model_copy(update={"session_id": session})
    event = approved(
        record, summary=summary, answer=ANSWER, approved_by="operator:operator", at=console.clock()
    )
    assert await console.parts.wiring.subscriptions[-1].handle(event)
    return item


def no_personal_data(text: str) -> None:
    for piece in PERSONAL:
        assert piece not in text, piece


async def test_a_diacritic_free_query_finds_the_answer(
    console: PublicConsole, client: httpx.AsyncClient
) -> None:
    item = await publish(console, publication_consent=True)
    page = await client.get("/answers", params={"q": "duong bi sat lo"})
    assert page.status_code == 200
    assert "Tìm thấy 1 câu trả lời" in page.text
    assert "đường liên ấp Phú Thọ bị sạt lở" in page.text
    assert ANSWER in page.text
    assert f"/answers/{publication_id(item.item_id)}" in page.text
    assert f"/t/{item.tracking_code}" in page.text
    no_personal_data(page.text)
    data = (await client.get("/api/v1/public/answers", params={"q": "ĐƯỜNG SẠT LỞ"})).json()
    assert data["total"] == 1
    [entry] = data["entries"]
    assert entry["answer"] == ANSWER
    assert entry["body_name"] == "Ủy ban nhân dân xã Tiểu Cần"
    assert entry["answered_on"] == "2026-12-03"
    assert set(entry) >= {"summary", "answer", "body_name", "answered_on", "link", "status_link"}
    assert "approved_by" not in entry
    assert "item_id" not in entry
    no_personal_data(str(data))
    none = await client.get("/answers", params={"q": "đèn đường hỏng"})
    assert "Không có câu trả lời nào phù hợp." in none.text


async def test_a_place_by_its_pre_2025_name_resolves_through_the_router(
    console: PublicConsole, client: httpx.AsyncClient
) -> None:
    await publish(console)
    old = await client.get(
        "/api/v1/public/answers", params={"commune": "xã Phú Cần, huyện Tiểu Cần"}
    )
    assert old.status_code == 200
    assert old.json()["commune_codes"] == ["29341"]
    assert old.json()["total"] == 1
    page = await client.get("/answers", params={"commune": "xa phu can", "province": "86"})
    assert "Tìm tại: Xã Tiểu Cần" in page.text
    assert "Tìm thấy 1 câu trả lời" in page.text
    by_name = await client.get("/api/v1/public/answers", params={"province": "Vĩnh Long"})
    assert (by_name.json()["province_code"], by_name.json()["total"]) == ("86", 1)
    elsewhere = await client.get("/api/v1/public/answers", params={"province": "79"})
    assert elsewhere.json()["total"] == 0
    unknown = await client.get("/api/v1/public/answers", params={"commune": "xã Không Có"})
    assert unknown.status_code == 404
    page = await client.get("/answers", params={"commune": "xã Không Có"})
    assert page.status_code == 404
    assert "Không tìm thấy địa danh" in page.text


async def test_field_and_session_narrow_and_are_offered(
    console: PublicConsole, client: httpx.AsyncClient
) -> None:
    await publish(console, session="86-hdnd-k10-s12")
    page = await client.get("/answers")
    assert '<option value="transport">Giao thông</option>' in page.text
    assert '<option value="86-hdnd-k10-s12">' in page.text
    found = await client.get(
        "/api/v1/public/answers", params={"field": "transport", "session": "86-hdnd-k10-s12"}
    )
    assert found.json()["total"] == 1
    assert found.json()["entries"][0]["session_id"] == "86-hdnd-k10-s12"
    for params in ({"field": "environment"}, {"session": "86-hdnd-k10-s11"}):
        assert (await client.get("/api/v1/public/answers", params=params)).json()["total"] == 0


async def test_the_archive_is_paginated_without_javascript(
    console: PublicConsole, client: httpx.AsyncClient
) -> None:
    for _ in range(12):
        console.clock.advance(timedelta(minutes=1))
        await publish(console)
    first = await client.get("/answers", params={"q": "sat lo"})
    assert "Trang 1/2" in first.text
    assert 'rel="next" href="/answers?q=sat+lo&amp;page=2"' in first.text
    second = await client.get("/answers", params={"q": "sat lo", "page": "2"})
    assert second.text.count('class="card answer-entry"') == 2
    assert 'rel="prev"' in second.text
    data = (await client.get("/api/v1/public/answers", params={"page": 2})).json()
    assert (data["total"], data["pages"], len(data["entries"])) == (12, 2, 2)


async def test_an_entry_page_and_its_json_and_a_withdrawn_one_is_gone(
    console: PublicConsole, client: httpx.AsyncClient
) -> None:
    item = await publish(console)
    pid = publication_id(item.item_id)
    page = await client.get(f"/answers/{pid}?lang=en")
    assert page.status_code == 200
    assert "The answer" in page.text
    assert ANSWER in page.text
    assert "Tỉnh Vĩnh Long" in page.text
    no_personal_data(page.text)
    assert (await client.get(f"/api/v1/public/answers/{pid}")).json()["summary"] == SUMMARY
    record = await console.read_model.by_tracking_code(item.tracking_code)
    assert record is not None

    gone = withdrawal(record, withdrawn_by="operator:operator", at=console.clock())
    await console.parts.wiring.subscriptions[-1].handle(gone)
    assert (await client.get(f"/answers/{pid}")).status_code == 404
    assert (await client.get(f"/api/v1/public/answers/{pid}")).status_code == 404
    assert (await client.get("/answers/not a valid id")).status_code == 404
    assert (await client.get("/api/v1/public/answers")).json()["total"] == 0


async def test_archive_lookups_are_rate_limited_per_address() -> None:
    console = await make_public_console(lookups_allowed=3)
    async with await client_of(console, "203.0.113.77") as reader:
        for _ in range(3):
            assert (await reader.get("/answers")).status_code == 200
        limited = await reader.get("/api/v1/public/answers")
        assert limited.status_code == 429
        assert int(limited.headers["Retry-After"]) > 0
        assert (await reader.get("/answers")).status_code == 429
    async with await client_of(console, "203.0.113.78") as other:
        assert (await other.get("/answers")).status_code == 200


async def test_the_archive_subscribes_to_the_published_answers(console: PublicConsole) -> None:
    subscription = console.parts.wiring.subscriptions[-1]
    assert subscription.topic == "feedback.published.v1"
    assert subscription.title == "project_published"


async def test_the_archive_speaks_english_when_asked(
    console: PublicConsole, client: httpx.AsyncClient
) -> None:
    await publish(console)
    page = await client.get("/answers", params={"q": "sat lo", "lang": "en"})
    assert '<html lang="en">' in page.text
    assert "Answers found: 1" in page.text
    assert "Words (accents optional)" in page.text
    assert "Answers archive" in (await client.get("/answers")).text  # remembered


async def test_the_language_switch_keeps_the_search(client: httpx.AsyncClient) -> None:
    page = await client.get("/answers", params={"q": "sat lo", "page": "1"})
    assert 'href="/answers?q=sat+lo&amp;page=1&amp;lang=en"' in page.text
