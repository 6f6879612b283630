"""Publishing answers through the pages and the JSON API: operators and admins approve and
withdraw (body staff and delegates cannot), CSRF, 409 before the answer, 422 for a quote without
consent, 503 when the broker is down; the event and the entry that result."""

import re
from collections.abc import AsyncIterator

import httpx
import pytest

from hoiam_console.domain.masking import LABELS
from hoiam_console.domain.publication import WITHDRAWN_TEXT, publication_id
from hoiam_shared.events import AnswerPublished
from hoiam_shared.topics import FEEDBACK_PUBLISHED
from support.console import PASSWORD, TIEU_CAN_BODY, routed
from support.public import (
    ANSWER,
    NAME,
    PHONE,
    PublicConsole,
    citizen_item,
    make_public_console,
    resolved_item,
)


@pytest.fixture
async def console() -> PublicConsole:
    return await make_public_console()


@pytest.fixture
async def client(console: PublicConsole) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=console.app, client=("198.51.100.7", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://console.test") as client:
        yield client


async def signed_in(client: httpx.AsyncClient, who: str) -> None:
    answer = await client.post("/login", data={"username": who, "password": PASSWORD})
    assert answer.status_code == 303


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found is not None
    return found.group(1)


async def bearer(client: httpx.AsyncClient, who: str) -> dict[str, str]:
    answer = await client.post("/api/v1/auth/token", json={"username": who, "password": PASSWORD})
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def published(console: PublicConsole) -> list[AnswerPublished]:
    return [e for t, e in console.publisher.published if isinstance(e, AnswerPublished)
            and t == FEEDBACK_PUBLISHED]  # fmt: skip


async def test_an_operator_sees_the_masked_draft_approves_and_withdraws(
    console: PublicConsole, client: httpx.AsyncClient
) -> None:
    item = await resolved_item(console, publication_consent=True)
    code = item.tracking_code
    await signed_in(client, "operator")
    listing = await client.get("/publications")
    assert listing.status_code == 200
    assert code in listing.text
    assert "Chưa công khai" in listing.text
    page = await client.get(f"/publications/{code}")
    assert page.status_code == 200
    assert LABELS["phone"] in page.text
    assert "sau «" in page.text or "họ tên người gửi" in page.text  # why each mask
    summary = re.search(r'<textarea id="summary"[^>]*>([^<]*)</textarea>', page.text)
    assert summary is not None
    assert NAME not in summary.group(1)
    answer = await client.post(
        f"/publications/{code}",
        data={
            "csrf_token": csrf_of(page.text),
            "summary": "Đường liên ấp Phú Thọ có ổ gà sâu, xe máy té ngã.",
            "answer": ANSWER,
        },
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == "/publications?done=approved"
    [event] = published(console)
    assert event.publication_id == publication_id(item.item_id)
    assert event.approved_by == "operator:operator"
    assert not event.withdrawn
    entry = await console.archive.get(event.publication_id)
    assert entry is not None
    assert entry.answer == ANSWER
    listing = await client.get("/publications")
    assert "Đã công khai ngày" in listing.text

    page = await client.get(f"/publications/{code}")
    withdrawn = await client.post(
        f"/publications/{code}/withdraw", data={"csrf_token": csrf_of(page.text)}
    )
    assert withdrawn.status_code == 303
    last = published(console)[-1]
    assert last.withdrawn
    assert last.publication_id == event.publication_id  # the same key: it replaces the entry
    assert last.summary == WITHDRAWN_TEXT
    assert await console.archive.get(event.publication_id) is None


async def test_a_form_without_the_csrf_token_is_refused(
    console: PublicConsole, client: httpx.AsyncClient
) -> None:
    item = await resolved_item(console)
    await signed_in(client, "operator")
    refused = await client.post(
        f"/publications/{item.tracking_code}", data={"summary": "Tóm tắt", "answer": ANSWER}
    )
    assert refused.status_code == 403
    assert published(console) == []


@pytest.mark.parametrize("who", ["ubnd-tieucan", "daibieu"])
async def test_body_staff_and_delegates_cannot_publish(
    console: PublicConsole, client: httpx.AsyncClient, who: str
) -> None:
    item = await resolved_item(console)
    await signed_in(client, who)
    assert (await client.get("/publications")).status_code == 403
    assert (await client.get(f"/publications/{item.tracking_code}")).status_code == 403
    headers = await bearer(client, who)
    url = f"/api/v1/items/{item.tracking_code}/publication"
    refused = await client.post(url, json={"summary": "Tóm tắt", "answer": ANSWER}, headers=headers)
    assert refused.status_code == 403
    assert published(console) == []


async def test_the_json_twin_drafts_approves_withdraws_and_refuses_with_409(
    console: PublicConsole, client: httpx.AsyncClient
) -> None:
    item = await resolved_item(console)
    url = f"/api/v1/items/{item.tracking_code}/publication"
    assert (await client.post(url, json={"summary": "a", "answer": "b"})).status_code == 401
    headers = await bearer(client, "admin")
    draft = (await client.get(url, headers=headers)).json()
    assert draft["summary"] == "Ý kiến về lĩnh vực Giao thông tại Xã Tiểu Cần."
    assert draft["published"] is None
    assert (await client.delete(url, headers=headers)).status_code == 409  # nothing yet
    body = {"summary": draft["summary"], "answer": f"{ANSWER} Gọi {PHONE}."}
    made = await client.post(url, json=body, headers=headers)
    assert made.status_code == 201
    assert made.json()["answer"] == f"{ANSWER} Gọi {LABELS['phone']}."
    assert made.json()["link"] == f"/answers/{publication_id(item.item_id)}"
    again = (await client.get(url, headers=headers)).json()
    assert again["published"]["publication_id"] == publication_id(item.item_id)
    assert (await client.delete(url, headers=headers)).status_code == 204
    assert (await client.delete(url, headers=headers)).status_code == 409
    bad = await client.post(url, json={"summary": "", "answer": "x"}, headers=headers)
    assert bad.status_code == 422


async def test_an_item_not_answered_is_a_409_on_the_page_and_the_api(
    console: PublicConsole, client: httpx.AsyncClient
) -> None:
    item = citizen_item()
    await console.project(item, routed(item, body=TIEU_CAN_BODY, at=console.clock()))
    await signed_in(client, "operator")
    page = await client.get(f"/publications/{item.tracking_code}")
    assert page.status_code == 409
    assert "chưa được trả lời" in page.text
    headers = await bearer(client, "operator")
    url = f"/api/v1/items/{item.tracking_code}/publication"
    refused = await client.post(url, json={"summary": "a", "answer": "b"}, headers=headers)
    assert refused.status_code == 409
    assert refused.json()["detail"]["code"] == "not_answered"
    assert (
        await client.get("/api/v1/items/HA-ZZZZ-ZZZZ/publication", headers=headers)
    ).status_code == 404


async def test_a_quote_without_consent_comes_back_on_the_draft_with_the_reason(
    console: PublicConsole, client: httpx.AsyncClient
) -> None:
    item = await resolved_item(console)
    await signed_in(client, "operator")
    page = await client.get(f"/publications/{item.tracking_code}")
    quoted = "Đường liên ấp có ổ gà sâu, xe máy té ngã nhiều lần."
    answer = await client.post(
        f"/publications/{item.tracking_code}",
        data={"csrf_token": csrf_of(page.text), "summary": quoted, "answer": ANSWER},
    )
    assert answer.status_code == 422
    assert "did not consent" in answer.text
    assert quoted in answer.text  # the operator's edit is kept on the page
    assert published(console) == []


async def test_a_broker_outage_is_a_503_and_nothing_is_kept(
    console: PublicConsole, client: httpx.AsyncClient
) -> None:
    item = await resolved_item(console)
    console.publisher.fail = True
    headers = await bearer(client, "operator")
    url = f"/api/v1/items/{item.tracking_code}/publication"
    refused = await client.post(url, json={"summary": "Tóm tắt", "answer": ANSWER}, headers=headers)
    assert refused.status_code == 503
    assert await console.archive.of_items([item.item_id]) == {}


async def test_the_publication_pages_speak_english_when_asked(
    console: PublicConsole, client: httpx.AsyncClient
) -> None:
    item = await resolved_item(console)
    await signed_in(client, "admin")
    listing = await client.get("/publications?lang=en")
    assert "Not published" in listing.text
    draft = await client.get(f"/publications/{item.tracking_code}")
    assert "Approve and publish" in draft.text
    assert "did not agree to publication" in draft.text


async def test_an_archive_outage_after_the_publish_still_answers_201(
    console: PublicConsole, client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The event is on the topic: the subscription keeps the entry once the store is back."""
    item = await resolved_item(console)

    async def down(entry: object) -> bool:
        raise ConnectionError("archive store unreachable")

    monkeypatch.setattr(console.archive, "put", down)
    headers = await bearer(client, "operator")
    url = f"/api/v1/items/{item.tracking_code}/publication"
    made = await client.post(url, json={"summary": "Tóm tắt", "answer": ANSWER}, headers=headers)
    assert made.status_code == 201
    assert len(published(console)) == 1
