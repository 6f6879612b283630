"""The session pages and their JSON API with fakes: a session declared as the operator, minutes
uploaded → reviewed (a line dropped, one fixed, one split, a skipped one restored) → committed
once with the reviewed lines; the same file again shows its meeting; the API commits as split;
refusals say why and send nothing."""

from datetime import timedelta

import httpx

from hoiam_console.upstream import UpstreamError
from support.console import Console
from support.council import FakeCouncilUpstream
from support.minutes import real_petitions
from unit.console.test_desk import bearer, signed_in

SESSION = {
    "name": "Kỳ họp thứ 5 HĐND tỉnh",
    "province_code": "56",
    "opens_on": "2026-12-08",
    "closes_on": "2026-12-10",
    "term": "XI",
    "number": "5",
}
PETITIONS = [words for words, _ in real_petitions("ninhthuan-nhon-son")]
MINUTES = ("BIÊN BẢN TIẾP XÚC CỬ TRI XÃ NHƠN SƠN\n" + "\n".join(
    f"{n}. {words}" for n, words in enumerate(PETITIONS, start=1)
)).encode()  # fmt: skip
MEETING = {"held_on": "2026-11-25", "place": "xã Nhơn Sơn, tỉnh Ninh Thuận"}


def fake(console: Console) -> FakeCouncilUpstream:
    assert console.council is not None
    return console.council


async def new_session(client: httpx.AsyncClient, csrf: str) -> str:
    created = await client.post("/sessions", data={**SESSION, "csrf_token": csrf})
    assert created.status_code == 303, created.text
    return created.headers["location"].rsplit("/", 1)[1]


async def upload(client: httpx.AsyncClient, csrf: str, session_id: str) -> httpx.Response:
    return await client.post(
        f"/sessions/{session_id}/minutes",
        data={**MEETING, "csrf_token": csrf},
        files={"file": ("bien-ban.txt", MINUTES, "text/plain")},
    )


async def test_a_session_is_declared_as_the_operator_and_shows_its_compile_due_dates(
    console: Console, client: httpx.AsyncClient
) -> None:
    csrf = await signed_in(console, client, "operator")
    session_id = await new_session(client, csrf)
    what, person, _args = fake(console).calls[0]
    assert (what, person.username) == ("create_session", "operator")
    page = (await client.get(f"/sessions/{session_id}")).text
    assert "Kỳ họp thứ 5 HĐND tỉnh" in page
    assert "23/11/2026" in page
    assert "25/12/2026" in page
    listed = (await client.get("/sessions")).text
    assert f'href="/sessions/{session_id}"' in listed
    assert "Thêm kỳ họp" in listed
    english = (await client.get("/sessions?lang=en")).text
    assert "New session" in english


async def test_minutes_are_reviewed_then_committed_once_with_the_operators_fixes(
    console: Console, client: httpx.AsyncClient
) -> None:
    csrf = await signed_in(console, client, "operator")
    session_id = await new_session(client, csrf)
    uploaded = await upload(client, csrf, session_id)
    assert uploaded.status_code == 303, uploaded.text
    review_url = uploaded.headers["location"]
    page = (await client.get(review_url)).text
    assert PETITIONS[0] in page
    assert "BIÊN BẢN TIẾP XÚC CỬ TRI" in page
    assert not [c for c in fake(console).calls if c[2].get("review") is False]  # nothing sent
    lines = {
        f"{field}_{i}": value
        for i, words in enumerate(PETITIONS)
        for field, value in (("text", words), ("kind", "petition"), ("place", ""))
    }
    fixed = "Đề nghị nâng cấp đường liên thôn Láng Me (đã sửa)"
    saved = await client.post(
        review_url,
        data={**lines, "csrf_token": csrf, "drop_1": "1", "text_0": f"{fixed} || Ý thứ hai",
              "op": "split:0"},
    )  # fmt: skip
    assert saved.status_code == 303, saved.text
    restored = await client.post(review_url, data={"csrf_token": csrf, "op": "restore:0"})
    assert restored.status_code == 303
    page = (await client.get(review_url)).text
    assert fixed in page
    assert "Ý thứ hai" in page
    committed = await client.post(review_url, data={"csrf_token": csrf, "op": "commit"})
    assert committed.status_code == 200, committed.text
    assert "HA-TEST-00" in committed.text
    sent = [c for c in fake(console).calls if c[2].get("review") is False]
    assert len(sent) == 1
    reviewed = sent[0][2]["petitions"]
    assert isinstance(reviewed, list)
    texts = [line.text for line in reviewed]
    assert texts[:2] == [fixed, "Ý thứ hai"]
    assert PETITIONS[1] not in texts  # dropped
    assert texts[-1] == "BIÊN BẢN TIẾP XÚC CỬ TRI XÃ NHƠN SƠN"  # restored
    assert len(texts) == len(PETITIONS) + 1  # one split in two, one dropped, one restored
    # The same file again: the meeting it already is, no second review, nothing sent.
    again = await upload(client, csrf, session_id)
    assert again.status_code == 303
    assert "existing=1" in again.headers["location"]
    shown = (await client.get(again.headers["location"])).text
    assert "đã được ghi nhận trước đây" in shown
    assert "xã Nhơn Sơn" in shown
    assert len([c for c in fake(console).calls if c[2].get("review") is False]) == 1
    gone = await client.get(review_url)
    assert gone.status_code == 404


async def test_a_review_expires_after_a_day(console: Console, client: httpx.AsyncClient) -> None:
    csrf = await signed_in(console, client, "operator")
    session_id = await new_session(client, csrf)
    review_url = (await upload(client, csrf, session_id)).headers["location"]
    console.clock.advance(timedelta(days=1))
    await signed_in(console, client, "operator")  # a sign-in lasts 8 hours
    expired = await client.get(review_url)
    assert expired.status_code == 404
    assert "expires a day" in expired.text


async def test_review_refusals_say_why(console: Console, client: httpx.AsyncClient) -> None:
    csrf = await signed_in(console, client, "operator")
    session_id = await new_session(client, csrf)
    review_url = (await upload(client, csrf, session_id)).headers["location"]
    no_marker = await client.post(review_url, data={"csrf_token": csrf, "op": "split:0"})
    assert no_marker.status_code == 422
    assert "||" in no_marker.text
    no_csrf = await client.post(review_url, data={"op": "commit"})
    assert no_csrf.status_code == 403
    wrong = await client.post(
        f"/sessions/{session_id}/minutes",
        data={**MEETING, "csrf_token": csrf},
        files={"file": ("bien-ban.pdf", b"%PDF-1.4", "application/pdf")},
    )
    assert wrong.status_code == 422
    assert ".docx" in wrong.text
    no_date = await client.post(
        f"/sessions/{session_id}/minutes",
        data={"place": "xã Nhơn Sơn", "csrf_token": csrf},
        files={"file": ("bien-ban.txt", MINUTES, "text/plain")},
    )
    assert no_date.status_code == 422


async def test_body_staff_and_delegates_are_refused_the_sessions(
    console: Console, client: httpx.AsyncClient
) -> None:
    for who in ("ubnd-tieucan", "daibieu"):
        await signed_in(console, client, who)
        refused = await client.get("/sessions")
        assert refused.status_code == 403, who
    assert fake(console).calls == []


async def test_the_api_declares_a_session_and_commits_minutes_as_split(
    console: Console, client: httpx.AsyncClient
) -> None:
    headers = await bearer(console, "operator")
    created = await client.post(
        "/api/v1/sessions",
        json={k: v for k, v in SESSION.items() if k != "number"} | {"number": 5},
        headers=headers,
    )
    assert created.status_code == 201, created.text
    session_id = created.json()["id"]
    listed = await client.get("/api/v1/sessions", headers=headers)
    assert [s["id"] for s in listed.json()] == [session_id]
    assert listed.json()[0]["compile_before_due"] == "2026-11-23"
    meetings = f"/api/v1/sessions/{session_id}/meetings"
    files = {"file": ("bien-ban.txt", MINUTES, "text/plain")}
    first = await client.post(meetings, data=MEETING, files=files, headers=headers)
    assert first.status_code == 201, first.text
    body = first.json()
    assert [i["text"] for i in body["items"]] == PETITIONS
    assert all(i["tracking_code"] for i in body["items"])
    assert body["skipped"][0]["reason"] == "title"
    again = await client.post(meetings, data=MEETING, files=files, headers=headers)
    assert again.status_code == 200
    assert again.json()["meeting_id"] == body["meeting_id"]
    detail = await client.get(f"/api/v1/sessions/{session_id}", headers=headers)
    assert [m["id"] for m in detail.json()["meetings"]] == [body["meeting_id"]]


async def test_the_api_refuses_with_reasons(console: Console, client: httpx.AsyncClient) -> None:
    headers = await bearer(console, "operator")
    bad = await client.post(
        "/api/v1/sessions", json={**SESSION, "province_code": "5"}, headers=headers
    )
    assert bad.status_code == 422
    fake(console).refuse = UpstreamError(404, "no such session")
    unknown = await client.get("/api/v1/sessions/nope", headers=headers)
    assert unknown.status_code == 404
    assert unknown.json()["detail"] == "no such session"
    fake(console).refuse = None
    no_file = await client.post("/api/v1/sessions/x/meetings", data=MEETING, headers=headers)
    assert no_file.status_code == 422
    body_staff = await bearer(console, "ubnd-tieucan")
    refused = await client.get("/api/v1/sessions", headers=body_staff)
    assert refused.status_code == 403
    anonymous = await client.get("/api/v1/sessions")
    assert anonymous.status_code == 401


async def test_an_unsatisfactory_answer_is_sent_back_or_marked_for_questioning(
    console: Console, client: httpx.AsyncClient
) -> None:
    headers = await bearer(console, "operator")
    sent = await client.post(
        "/api/v1/items/HA-7K3Q-92/send-back",
        json={"note": "Trả lời chưa nêu lộ trình"},
        headers=headers,
    )
    assert sent.status_code == 202, sent.text
    marked = await client.post(
        "/api/v1/sessions/s1/items/HA-7K3Q-92/question",
        json={"note": "Chất vấn Sở Xây dựng"},
        headers=headers,
    )
    assert marked.status_code == 202
    assert fake(console).follow_ups == [
        ("send_back", "HA-7K3Q-92", "Trả lời chưa nêu lộ trình"),
        ("question", "HA-7K3Q-92", "Chất vấn Sở Xây dựng"),
    ]
    fake(console).refuse = UpstreamError(503, "the router does not offer this follow-up yet")
    missing = await client.post(
        "/api/v1/items/HA-7K3Q-92/send-back", json={"note": "Chưa đạt"}, headers=headers
    )
    assert missing.status_code == 503
    assert "not offer" in missing.json()["detail"]
