"""Every page and API route of the console, for every kind of person: the role × route matrix.

Each case signs the person in (a browser session for pages, a bearer token for the API), asks
once, and checks the status. A route of the app that the matrix does not list fails
`test_the_matrix_covers_every_route`, so a new page cannot ship without its row.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import httpx
import pytest
from fastapi.routing import APIRoute

from hoiam_console.council import DOCUMENTS
from hoiam_console.council_upstream import NewSessionFields
from hoiam_console.domain.review import MeetingFields, MinutesFile
from hoiam_console.upstream import Task
from support.console import (
    PASSWORD,
    SO_XAY_DUNG_BODY,
    TIEU_CAN_BODY,
    Console,
    received,
    routed,
)

SESSION = {
    "name": "Kỳ họp thứ 5 HĐND tỉnh",
    "province_code": "86",
    "opens_on": "2026-12-08",
    "closes_on": "2026-12-10",
}
PEOPLE = ("anonymous", "operator", "ubnd-tieucan", "so-xaydung", "daibieu", "admin")
"""Anonymous; the operator of the item's province; the item's body; another body; a delegate
whose constituency is elsewhere; the admin."""

AT = datetime(2026, 12, 2, 1, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Row:
    method: str
    path: str
    expected: tuple[int, int, int, int, int, int]
    """One status per person of `PEOPLE`."""
    body: dict[str, Any] | None = None
    files: dict[str, tuple[str, bytes, str]] | None = None
    """A page's multipart upload (the call log)."""


ITEM_READ = (401, 200, 200, 403, 403, 200)
ITEM_ACT = (401, 202, 202, 403, 403, 202)
OPERATORS_READ = (401, 200, 403, 403, 403, 200)
OPERATORS_ACT = (401, 202, 403, 403, 403, 202)
EVERYONE = (401, 200, 200, 200, 200, 200)

API = [
    Row("GET", "/api/v1/me", EVERYONE),
    Row("GET", "/api/v1/inbox", EVERYONE),
    Row("GET", "/api/v1/items/{code}", ITEM_READ),
    Row("POST", "/api/v1/items/{code}/status", ITEM_ACT, {"status": "acknowledged"}),
    Row("POST", "/api/v1/items/{code}/hand-back", ITEM_ACT, {"reason": "Không thuộc xã."}),
    Row(
        "POST",
        "/api/v1/items/{code}/reassign",
        ITEM_ACT,
        {"body_id": SO_XAY_DUNG_BODY.id, "reason": "Việc của Sở."},
    ),
    Row("GET", "/api/v1/triage", OPERATORS_READ),
    Row("POST", "/api/v1/triage/{triage}/decision", OPERATORS_ACT, {"body_id": TIEU_CAN_BODY.id}),
    Row("GET", "/api/v1/tasks", OPERATORS_READ),
    Row("POST", "/api/v1/tasks/{task}/assign", OPERATORS_ACT),
    Row("POST", "/api/v1/tasks/{task}/done", OPERATORS_ACT, {"note": "Đã gọi lại."}),
    Row("GET", "/api/v1/accounts", (401, 403, 403, 403, 403, 200)),
    Row(
        "POST",
        "/api/v1/accounts",
        (401, 403, 403, 403, 403, 201),
        {
            "username": "new-staff",
            "role": "body",
            "password": PASSWORD,
            "body_id": TIEU_CAN_BODY.id,
        },
    ),
    Row("POST", "/api/v1/auth/logout", (401, 204, 204, 204, 204, 204)),
    # the desk (hoiam_console.desk_api)
    Row("GET", "/api/v1/incoming", OPERATORS_READ),
    Row("POST", "/api/v1/calls", OPERATORS_ACT, {"caller": "0901234567", "text": "Đèn hỏng."}),
    Row("POST", "/api/v1/calls/log", OPERATORS_READ, {"a log": "line"}),
    Row("POST", "/api/v1/cases/{code}/merge", OPERATORS_READ, {"tracking_codes": ["{triage}"]}),
    Row("POST", "/api/v1/cases/{code}/split", OPERATORS_READ, {"tracking_codes": ["{triage}"]}),
    Row("GET", "/api/v1/citizen-suggestions", OPERATORS_READ),
    Row("GET", "/api/v1/dlq", OPERATORS_READ),
    Row(
        "POST",
        "/api/v1/dlq/replay",
        OPERATORS_READ,
        {"service": "router", "topic": "feedback.received.v1"},
    ),
    Row("GET", "/api/v1/delegate/items", (401, 403, 403, 403, 200, 200)),
    Row("GET", "/api/v1/front", OPERATORS_READ),
    Row("POST", "/api/v1/items/{code}/notes", OPERATORS_ACT, {"kind": "note", "text": "Đã xem."}),
    Row("GET", "/api/v1/dashboard", EVERYONE),
    # sessions and meetings (hoiam_console.council_api)
    Row("POST", "/api/v1/sessions", (401, 201, 403, 403, 403, 201), SESSION),
    Row("GET", "/api/v1/sessions", OPERATORS_READ),
    Row("GET", "/api/v1/sessions/{session}", OPERATORS_READ),
    # A JSON body is no minutes file: refused with the reason, once the person may send one.
    Row("POST", "/api/v1/sessions/{session}/meetings", (401, 422, 403, 403, 403, 422), {}),
    Row("POST", "/api/v1/items/{code}/send-back", OPERATORS_ACT, {"note": "Chưa đạt."}),
    Row(
        "POST",
        "/api/v1/sessions/{session}/items/{code}/question",
        OPERATORS_ACT,
        {"note": "Chất vấn."},
    ),
    Row("GET", "/api/v1/sessions/{session}/compilation", OPERATORS_READ),
    Row(
        "POST",
        "/api/v1/sessions/{session}/compilation/adjustments",
        (401, 404, 403, 403, 403, 404),
        {"op": "restore", "key": "{key}"},
    ),
    Row("POST", "/api/v1/sessions/{session}/compilation/lock", (401, 200, 403, 403, 403, 200)),
    Row(
        "POST",
        "/api/v1/sessions/{session}/compilation/unlock",
        (401, 403, 403, 403, 403, 409),  # admins only; this one is not locked
        {"reason": "Sửa lại."},
    ),
    Row("GET", "/api/v1/sessions/{session}/results", OPERATORS_READ),
    Row(
        "POST",
        "/api/v1/sessions/{session}/results/{key}/evaluation",
        (401, 404, 403, 403, 403, 404),  # no such petition in an empty session
        {"verdict": "satisfactory"},
    ),
    *(Row("GET", f"/api/v1/sessions/{{session}}/{name}", OPERATORS_READ) for name in DOCUMENTS),
]

SIGN_IN = 303  # what anonymous visitors get on every page: the way to the sign-in form
PAGE_READ = (SIGN_IN, 200, 200, 403, 403, 200)
PAGE_ACT = (SIGN_IN, 303, 303, 403, 403, 303)
PAGE_OPERATORS = (SIGN_IN, 200, 403, 403, 403, 200)
PAGE_OPERATORS_ACT = (SIGN_IN, 303, 403, 403, 403, 303)
PAGE_EVERYONE = (SIGN_IN, 200, 200, 200, 200, 200)

PAGES = [
    Row("GET", "/", (303,) * 6),
    Row("GET", "/login", (200,) * 6),
    Row("GET", "/inbox", PAGE_EVERYONE),
    Row("GET", "/inbox/{item_id}", (SIGN_IN, 303, 303, 403, 403, 303)),
    Row("GET", "/items/{code}", PAGE_READ),
    # Only the item's readers get as far as "no such photo on this item".
    Row("GET", "/items/{code}/photos/{attachment_id}", (SIGN_IN, 404, 404, 403, 403, 404)),
    Row("POST", "/items/{code}/acknowledge", PAGE_ACT, {}),
    Row("POST", "/items/{code}/resolve", PAGE_ACT, {"answer": "Đã sửa xong."}),
    Row("POST", "/items/{code}/hand-back", PAGE_ACT, {"reason": "Không thuộc xã."}),
    Row(
        "POST",
        "/items/{code}/reassign",
        PAGE_ACT,
        {"body_id": SO_XAY_DUNG_BODY.id, "reason": "Việc của Sở."},
    ),
    Row("GET", "/triage", PAGE_OPERATORS),
    Row("POST", "/triage/{triage}/decision", PAGE_OPERATORS_ACT, {"body_id": TIEU_CAN_BODY.id}),
    Row("GET", "/tasks", PAGE_OPERATORS),
    Row("POST", "/tasks/{task}/assign", PAGE_OPERATORS_ACT, {}),
    Row("POST", "/tasks/{task}/done", PAGE_OPERATORS_ACT, {"note": "Đã gọi."}),
    Row("GET", "/citizens/erase", PAGE_OPERATORS),
    Row(
        "POST",
        "/citizens/erase",
        PAGE_OPERATORS_ACT,
        {"citizen_id": "cit-1", "verified_by": "CCCD đã đối chiếu"},
    ),
    Row("GET", "/lookup", PAGE_EVERYONE),
    Row("GET", "/lookup?code={code}", (SIGN_IN, 303, 303, 403, 403, 303)),
    Row("GET", "/admin/accounts", (SIGN_IN, 403, 403, 403, 403, 200)),
    Row(
        "POST",
        "/admin/accounts",
        (SIGN_IN, 403, 403, 403, 403, 303),
        {
            "username": "new-staff",
            "role": "body",
            "password": PASSWORD,
            "body_id": TIEU_CAN_BODY.id,
        },
    ),
    Row("POST", "/logout", (SIGN_IN, 303, 303, 303, 303, 303), {}),
    # the desk (hoiam_console.pages.desk_areas)
    Row("GET", "/incoming", PAGE_OPERATORS),
    Row("GET", "/incoming/live", PAGE_OPERATORS),
    Row("GET", "/calls", PAGE_OPERATORS),
    Row("POST", "/calls", PAGE_OPERATORS, {"caller": "0901234567", "text": "Đèn đường hỏng."}),
    Row(
        "POST",
        "/calls/log",
        PAGE_OPERATORS,
        {"format": "csv"},
        {"log": ("calls.csv", b"caller,text\n0901234567,Den hong\n", "text/csv")},
    ),
    Row("GET", "/cases", PAGE_OPERATORS),
    Row("POST", "/cases/merge", PAGE_OPERATORS_ACT, {"code": "{code}", "others": "{triage}"}),
    Row("POST", "/cases/split", PAGE_OPERATORS_ACT, {"code": "{code}", "leaving": "{triage}"}),
    Row("GET", "/dlq", PAGE_OPERATORS),
    Row(
        "POST",
        "/dlq/replay",
        PAGE_OPERATORS,
        {"service": "router", "topic": "feedback.received.v1"},
    ),
    Row("GET", "/delegate", (SIGN_IN, 403, 403, 403, 200, 200)),
    Row("GET", "/front", PAGE_OPERATORS),
    Row("POST", "/items/{code}/notes", PAGE_OPERATORS_ACT, {"kind": "note", "text": "Đã xem."}),
    Row("GET", "/dashboard", PAGE_EVERYONE),
    # sessions and meetings (hoiam_console.pages.council)
    Row("GET", "/sessions", PAGE_OPERATORS),
    Row("POST", "/sessions", PAGE_OPERATORS_ACT, SESSION),
    Row("GET", "/sessions/{session}", PAGE_OPERATORS),
    Row(
        "POST",
        "/sessions/{session}/minutes",
        PAGE_OPERATORS_ACT,
        {"held_on": "2026-11-25", "place": "xã Nhơn Sơn"},
        {"file": ("bien-ban.txt", "1. Đề nghị sửa đường thôn Láng Me.".encode(), "text/plain")},
    ),
    Row("GET", "/sessions/{session}/reviews/{draft}", PAGE_OPERATORS),
    Row("POST", "/sessions/{session}/reviews/{draft}", PAGE_OPERATORS_ACT, {"op": "save"}),
    Row("GET", "/sessions/{session}/compilation", PAGE_OPERATORS),
    Row(
        "POST",
        "/sessions/{session}/compilation",
        (SIGN_IN, 404, 403, 403, 403, 404),
        {"op": "restore", "key": "{key}"},
    ),
    Row("POST", "/sessions/{session}/compilation/lock", PAGE_OPERATORS_ACT, {"op": "lock"}),
    Row("GET", "/sessions/{session}/results", PAGE_OPERATORS),
    Row(
        "POST",
        "/sessions/{session}/results/{key}",
        (SIGN_IN, 404, 403, 403, 403, 404),
        {"verdict": "satisfactory"},
    ),
    *(Row("GET", f"/sessions/{{session}}/{name}", PAGE_OPERATORS) for name in DOCUMENTS),
]

OUTSIDE_THE_MATRIX = {
    ("POST", "/api/v1/auth/token"),  # signing in: tests/unit/console/test_sign_in.py
    ("POST", "/login"),  # the same, as a form
}


async def seed(console: Console) -> dict[str, str]:
    """An item of Tiểu Cần's committee, one waiting in triage, one task."""
    item = received("Đường ấp Chợ có nhiều ổ gà.", at=AT)
    waiting = received("Không rõ cơ quan nào.", at=AT)
    await console.project(
        item,
        routed(item, body=TIEU_CAN_BODY, at=AT),
        waiting,
        routed(waiting, body=None, at=AT, candidates=[TIEU_CAN_BODY]),
    )
    console.upstream.task_list.append(
        Task(task_id="t1", kind="call_back", state="open", reason="gọi lại", opened_at=AT)
    )
    names = {
        "code": item.tracking_code,
        "item_id": str(item.item_id),
        "triage": waiting.tracking_code,
        "task": "t1",
        "attachment_id": "f" * 64,  # a photo the item does not carry
    }
    return names | await seed_session(console)


async def seed_session(console: Console) -> dict[str, str]:
    """A session with a minutes review waiting (the session pages' fakes, not the upstream)."""
    assert console.council is not None
    person = (await console.accounts.get("admin")).person()  # type: ignore[union-attr]
    session = await console.council.create_session(person, NewSessionFields.model_validate(SESSION))
    started = await console.parts.council.start_review(  # type: ignore[union-attr]
        person,
        session,
        file=MinutesFile(content="1. Đề nghị lắp đèn thôn Láng Me.".encode()),
        meeting=MeetingFields(held_on=date(2026, 11, 25), place="xã Nhơn Sơn"),
    )
    assert started.draft is not None
    console.council.calls.clear()
    return {"session": session, "draft": started.draft.id, "key": "no-such-petition"}


async def browser(console: Console, client: httpx.AsyncClient, who: str) -> str | None:
    """Sign `who` in as a browser would; the CSRF token of their session."""
    if who == "anonymous":
        return None
    signed = await console.parts.auth.sign_in(who, PASSWORD, client="test", kind="browser")
    client.cookies.set("hoiam_session", signed.token)
    return signed.session.csrf_token


async def api_token(console: Console, who: str) -> dict[str, str]:
    if who == "anonymous":
        return {}
    signed = await console.parts.auth.sign_in(who, PASSWORD, client="test", kind="api")
    return {"Authorization": f"Bearer {signed.token}"}


def filled(body: Any, names: dict[str, str]) -> Any:
    """A row's body with the seeded codes put in (`{code}`, `{triage}`)."""
    if isinstance(body, str):
        return body.format(**names)
    if isinstance(body, list):
        return [filled(value, names) for value in body]
    if isinstance(body, dict):
        return {key: filled(value, names) for key, value in body.items()}
    return body


def cases(rows: list[Row]) -> list[Any]:
    return [
        pytest.param(row, who, expected, id=f"{row.method} {row.path} as {who}")
        for row in rows
        for who, expected in zip(PEOPLE, row.expected, strict=True)
    ]


@pytest.mark.parametrize(("row", "who", "expected"), cases(API))
async def test_api_route(
    console: Console, client: httpx.AsyncClient, row: Row, who: str, expected: int
) -> None:
    names = await seed(console)
    headers = await api_token(console, who)
    answer = await client.request(
        row.method, row.path.format(**names), json=filled(row.body, names), headers=headers
    )
    assert answer.status_code == expected, answer.text
    if expected in (401, 403):
        assert answer.json()["detail"]  # a refusal says why
        assert not [c for c in console.upstream.calls if c.what != "tasks"]
        assert console.council is not None
        assert not console.council.calls


@pytest.mark.parametrize(("row", "who", "expected"), cases(PAGES))
async def test_page_route(
    console: Console, client: httpx.AsyncClient, row: Row, who: str, expected: int
) -> None:
    names = await seed(console)
    csrf = await browser(console, client, who)
    url = row.path.format(**names)
    if row.method == "POST":
        fields = {**filled(row.body or {}, names), "csrf_token": csrf or ""}
        answer = await client.post(url, data=fields, files=row.files)
    else:
        answer = await client.get(url)
    assert answer.status_code == expected, answer.text[:2000]
    if who == "anonymous" and row.path not in ("/", "/login"):
        assert answer.headers["location"].startswith("/login?next=")
    if expected == 403:
        assert '<html lang="vi">' in answer.text
        assert not console.upstream.calls
        assert console.council is not None
        assert not console.council.calls


def test_the_matrix_covers_every_route(console: Console) -> None:
    listed = {(row.method, row.path.split("?")[0]) for row in [*API, *PAGES]}
    routes = {
        (
            method,
            route.path.replace("{tracking_code}", "{code}")
            .replace("{task_id}", "{task}")
            .replace("{session_id}", "{session}")
            .replace("{draft_id}", "{draft}")
            .replace("{petition_key}", "{key}"),
        )
        for router in console.parts.wiring.routers
        for route in router.routes
        if isinstance(route, APIRoute)
        for method in route.methods or set()
    }
    normalised = {(m, p.replace("/triage/{code}", "/triage/{triage}")) for m, p in routes}
    assert len(normalised) > 30  # the app's routes were found at all
    assert normalised - listed - OUTSIDE_THE_MATRIX == set()


async def test_a_form_without_the_sessions_csrf_token_is_refused(
    console: Console, client: httpx.AsyncClient
) -> None:
    names = await seed(console)
    other = await console.parts.auth.sign_in("operator", PASSWORD, client="x", kind="browser")
    await browser(console, client, "ubnd-tieucan")
    for token in ("", other.session.csrf_token):
        answer = await client.post(
            f"/items/{names['code']}/acknowledge", data={"csrf_token": token}
        )
        assert answer.status_code == 403
    assert console.upstream.calls == []


async def test_the_upstream_is_called_as_the_acting_person(
    console: Console, client: httpx.AsyncClient
) -> None:
    names = await seed(console)
    headers = await api_token(console, "ubnd-tieucan")
    answer = await client.post(
        f"/api/v1/items/{names['code']}/status",
        json={"status": "resolved", "answer": "Đã vá ổ gà ngày 01/12."},
        headers=headers,
    )
    assert answer.status_code == 202
    [call] = console.upstream.calls
    assert (call.what, call.args["status"], call.args["answer"]) == (
        "status",
        "resolved",
        "Đã vá ổ gà ngày 01/12.",
    )
    assert (call.person.role.value, call.person.body_id) == ("body", TIEU_CAN_BODY.id)
    assert str(call.args["item_id"]) == names["item_id"]


async def test_a_delegate_reads_their_constituencys_items_but_does_not_act(
    console: Console, client: httpx.AsyncClient
) -> None:
    local = received("Đèn đường hỏng.", at=AT)
    await console.project(local, routed(local, body=TIEU_CAN_BODY, at=AT, commune="29551"))
    headers = await api_token(console, "daibieu")
    assert (await client.get(f"/api/v1/items/{local.tracking_code}", headers=headers)).is_success
    inbox = (await client.get("/api/v1/inbox", headers=headers)).json()
    assert [i["tracking_code"] for i in inbox] == [local.tracking_code]
    refused = await client.post(
        f"/api/v1/items/{local.tracking_code}/status",
        json={"status": "acknowledged"},
        headers=headers,
    )
    assert refused.status_code == 403


async def test_a_body_inbox_lists_only_that_bodys_items(
    console: Console, client: httpx.AsyncClient
) -> None:
    names = await seed(console)
    mine = await client.get("/api/v1/inbox", headers=await api_token(console, "ubnd-tieucan"))
    assert [i["tracking_code"] for i in mine.json()] == [names["code"]]
    theirs = await client.get("/api/v1/inbox", headers=await api_token(console, "so-xaydung"))
    assert theirs.json() == []
