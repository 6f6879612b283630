"""Sessions and meetings through intake's real `build` on fakes: minutes in, items out."""

import json
from datetime import datetime

import httpx
import pytest
from pydantic import SecretStr

from fakes import IntakeWorld, intake_world
from hoiam_shared.events import Channel, FeedbackReceived, OriginKind, RawFeedbackAccepted
from support.clock import TestClock
from support.minutes import DOCX_TYPE, XLSX_TYPE, minutes_docx, minutes_xlsx, real_petitions

TOKEN = "op-token-for-sessions"
OPERATOR = {"authorization": f"Bearer {TOKEN}"}
AT = datetime(2026, 11, 20, 9, 0).astimezone()
SESSION = {
    "name": "Kỳ họp thứ 10, HĐND tỉnh khóa XVII",
    "province_code": "56",
    "opens_on": "2026-12-08",
    "closes_on": "2026-12-10",
    "term": "XVII",
    "number": 10,
}
DOCX = minutes_docx(
    "ninhthuan-nhon-son",
    title="BIÊN BẢN TIẾP XÚC CỬ TRI XÃ NHƠN SƠN",
    answer="Ông Chủ tịch UBND xã Nhơn Sơn trả lời, giải trình tại buổi tiếp xúc.",
)
XLSX = minutes_xlsx("backan-quang-bach", title="TỔNG HỢP Ý KIẾN, KIẾN NGHỊ CỬ TRI XÃ QUẢNG BẠCH")


@pytest.fixture
def world() -> IntakeWorld:
    return intake_world(clock=TestClock.frozen(AT), operator_token=SecretStr(TOKEN))


async def new_session(http: httpx.AsyncClient) -> str:
    created = await http.post("/v1/sessions", json=SESSION, headers=OPERATOR)
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


async def post_minutes(
    http: httpx.AsyncClient,
    session_id: str,
    data: bytes,
    *,
    name: str = "bien-ban.docx",
    kind: str = DOCX_TYPE,
    **fields: str,
) -> httpx.Response:
    form = {"held_on": "2026-11-25", "place": "xã Nhơn Sơn", **fields}
    return await http.post(
        f"/v1/sessions/{session_id}/meetings",
        files={"file": (name, data, kind)},
        data=form,
        headers=OPERATOR,
    )


async def test_a_session_is_declared_with_its_compile_windows(world: IntakeWorld) -> None:
    async with world.http() as http:
        session_id = await new_session(http)
        view = (await http.get(f"/v1/sessions/{session_id}", headers=OPERATOR)).json()
        listed = (await http.get("/v1/sessions", headers=OPERATOR)).json()
    assert view["session"]["compile_before_due"] == "2026-11-23"
    assert view["session"]["compile_after_due"] == "2026-12-25"
    assert view["meetings"] == []
    assert [s["id"] for s in listed] == [session_id]


async def test_a_docx_of_minutes_becomes_one_item_per_petition_on_the_meeting_channel(
    world: IntakeWorld,
) -> None:
    async with world.http() as http:
        session_id = await new_session(http)
        answer = await post_minutes(http, session_id, DOCX, delegates="Nguyễn Văn A; Trần Thị B")
    assert answer.status_code == 201, answer.text
    body = answer.json()
    words = [w for w, _ in real_petitions("ninhthuan-nhon-son")]
    assert [i["text"] for i in body["items"]] == words
    assert all(i["tracking_code"] for i in body["items"])
    assert all(i["answered_on_the_spot"] for i in body["items"])
    raws = world.published.of(RawFeedbackAccepted)
    assert [r.channel for r in raws] == [Channel.MEETING] * len(words)
    assert [r.tracking_code for r in raws] == [i["tracking_code"] for i in body["items"]]

    for raw in raws:  # the usual raw → received path
        await world.parts.normalise(raw)
    received = world.published.of(FeedbackReceived)
    assert [r.text.normalised for r in received] == words
    first = received[0]
    assert first.origin is not None
    assert first.origin.kind is OriginKind.MEETING
    assert first.origin.meeting_id == body["meeting_id"]
    assert first.origin.session_id == session_id
    assert first.citizen.name == "Cử tri xã Nhơn Sơn"
    assert first.citizen.contacts.email is None
    assert first.location.raw_address == "xã Nhơn Sơn"
    assert first.location.province_hint == "56"
    assert received[1].location.raw_address == "thôn Lương Tri, xã Nhơn Sơn"
    assert first.meeting is not None
    assert first.meeting.answered_on_the_spot
    assert all(r.to_route for r in received)


async def test_an_xlsx_becomes_items_and_its_opinion_is_recorded_but_not_to_route(
    world: IntakeWorld,
) -> None:
    async with world.http() as http:
        session_id = await new_session(http)
        answer = await post_minutes(
            http, session_id, XLSX, name="tong-hop.xlsx", kind=XLSX_TYPE, place="xã Quảng Bạch"
        )
        view = (await http.get(f"/v1/sessions/{session_id}", headers=OPERATOR)).json()
    assert answer.status_code == 201, answer.text
    items = answer.json()["items"]
    assert len(items) == len(real_petitions("backan-quang-bach"))
    assert [i["kind"] for i in items].count("opinion") == 1
    for raw in world.published.of(RawFeedbackAccepted):
        await world.parts.normalise(raw)
    received = world.published.of(FeedbackReceived)
    [opinion] = [r for r in received if not r.to_route]
    assert opinion.meeting is not None
    assert opinion.meeting.kind == "opinion"
    assert view["meetings"][0]["counts"]["opinions"] == 1
    assert view["meetings"][0]["counts"]["petitions"] == len(items) - 1


async def test_the_same_file_twice_is_one_meeting_and_nothing_is_published_again(
    world: IntakeWorld,
) -> None:
    async with world.http() as http:
        session_id = await new_session(http)
        first = await post_minutes(http, session_id, DOCX)
        published = len(world.published.published)
        again = await post_minutes(http, session_id, DOCX)
        view = (await http.get(f"/v1/sessions/{session_id}", headers=OPERATOR)).json()
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["meeting_id"] == first.json()["meeting_id"]
    assert again.json()["items"] == first.json()["items"]
    assert len(world.published.published) == published
    assert len(view["meetings"]) == 1


async def test_a_review_returns_the_split_and_commits_nothing(world: IntakeWorld) -> None:
    async with world.http() as http:
        session_id = await new_session(http)
        review = await post_minutes(http, session_id, DOCX, review="true")
        view = (await http.get(f"/v1/sessions/{session_id}", headers=OPERATOR)).json()
        committed = await post_minutes(http, session_id, DOCX)
    assert review.status_code == 200
    assert review.json()["review"] is True
    assert [i["tracking_code"] for i in review.json()["items"]] == [None] * 6
    assert view["meetings"] == []
    assert committed.status_code == 201  # the review left nothing behind
    assert review.json()["meeting_id"] == committed.json()["meeting_id"]


async def test_pasted_text_is_minutes_too(world: IntakeWorld) -> None:
    text = (DATA_TEXT := "Cử tri xã Nhơn Sơn kiến nghị:\n1. Sớm hoàn thành Trường mẫu giáo Nha Hố.")
    async with world.http() as http:
        session_id = await new_session(http)
        answer = await http.post(
            f"/v1/sessions/{session_id}/meetings",
            data={"held_on": "2026-11-25", "place": "xã Nhơn Sơn", "text": text},
            headers=OPERATOR,
        )
    assert answer.status_code == 201, answer.text
    assert answer.json()["items"][0]["text"] == DATA_TEXT.split("1. ")[1].rstrip(".")


@pytest.mark.parametrize(
    ("data", "name", "code"),
    [
        (b"%PDF-1.7 minutes", "bien-ban.pdf", 415),
        (b"\xd0\xcf\x11\xe0 an old .doc", "bien-ban.doc", 415),
        (b"PK\x03\x04 not really a zip", "bien-ban.docx", 422),
        (b"   \n ", "bien-ban.txt", 422),
        ("Tác giả bài viết: Vân Thanh\nXem tiếp...".encode(), "tin.txt", 422),
    ],
)
async def test_bad_files_are_refused_with_a_reason(
    world: IntakeWorld, data: bytes, name: str, code: int
) -> None:
    async with world.http() as http:
        session_id = await new_session(http)
        answer = await post_minutes(http, session_id, data, name=name, kind="application/x")
    assert answer.status_code == code
    assert answer.json()["detail"]
    assert world.published.of(RawFeedbackAccepted) == []


async def test_minutes_larger_than_the_limit_are_413() -> None:
    world = intake_world(
        clock=TestClock.frozen(AT),
        operator_token=SecretStr(TOKEN),
        max_body_bytes_by_endpoint={"minutes": 4096},
    )
    async with world.http() as http:
        session_id = await new_session(http)
        answer = await post_minutes(http, session_id, DOCX)
    assert len(DOCX) > 4096
    assert answer.status_code == 413


async def test_an_unknown_session_is_404_and_no_token_is_401(world: IntakeWorld) -> None:
    async with world.http() as http:
        unknown = await post_minutes(http, "no-such-session", DOCX)
        anonymous = await http.post("/v1/sessions", json=SESSION)
        bad_dates = await http.post(
            "/v1/sessions", json=SESSION | {"closes_on": "2026-12-01"}, headers=OPERATOR
        )
    assert unknown.status_code == 404
    assert anonymous.status_code == 401
    assert bad_dates.status_code == 422


async def test_an_edited_review_is_committed_instead_of_the_split(world: IntakeWorld) -> None:
    """The operator joins the first two lines, drops the third and makes the last an opinion:
    those lines, in their order, are the meeting's items."""
    async with world.http() as http:
        session_id = await new_session(http)
        review = (await post_minutes(http, session_id, DOCX, review="true")).json()
        lines = [dict(item) for item in review["items"]]
        joined = {**lines[0], "text": f"{lines[0]['text']} {lines[1]['text']}"}
        edited = [joined, *lines[3:-1], {**lines[-1], "kind": "opinion"}]
        committed = await post_minutes(
            http,
            session_id,
            DOCX,
            petitions=json.dumps(edited, ensure_ascii=False),
            delegates="Nguyễn Văn A; Trần Thị B",
            constituency="Đơn vị bầu cử số 3",
        )
        view = (await http.get(f"/v1/sessions/{session_id}", headers=OPERATOR)).json()
    assert committed.status_code == 201, committed.text
    items = committed.json()["items"]
    assert [i["text"] for i in items] == [line["text"] for line in edited]
    assert [i["position"] for i in items] == list(range(len(edited)))
    assert [i["kind"] for i in items][-1] == "opinion"
    assert items[-1]["routed"] is False
    assert view["meetings"][0]["constituency"] == "Đơn vị bầu cử số 3"
    assert view["meetings"][0]["counts"]["opinions"] == 1
    raws = world.published.of(RawFeedbackAccepted)
    assert len(raws) == len(edited)
    for raw in raws:
        await world.parts.normalise(raw)
    received = world.published.of(FeedbackReceived)
    assert [r.text.normalised for r in received] == [line["text"] for line in edited]
    assert received[0].meeting is not None
    assert received[0].meeting.delegates == ("Nguyễn Văn A", "Trần Thị B")
    assert received[0].meeting.constituency == "Đơn vị bầu cử số 3"
    assert [r.to_route for r in received][-1] is False


async def test_the_same_file_with_other_edits_is_still_the_first_meeting(
    world: IntakeWorld,
) -> None:
    async with world.http() as http:
        session_id = await new_session(http)
        first = await post_minutes(
            http,
            session_id,
            DOCX,
            petitions=json.dumps([{"text": "Làm đường", "kind": "petition"}]),
        )
        published = len(world.published.published)
        again = await post_minutes(
            http, session_id, DOCX, petitions=json.dumps([{"text": "Khác", "kind": "opinion"}])
        )
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["items"] == first.json()["items"]
    assert [i["text"] for i in again.json()["items"]] == ["Làm đường"]
    assert len(world.published.published) == published


@pytest.mark.parametrize(
    ("petitions", "reason"),
    [
        ("[{", "not JSON"),
        ('{"text": "x"}', "a JSON list"),
        ("[]", "empty"),
        ("[" * 100_000, "too deeply"),
        ('["a line"]', "line 1: Input should be"),
        (json.dumps([{"text": "   ", "kind": "petition"}]), "line 1, text"),
        (
            json.dumps([{"text": "x", "kind": "petition"}, {"text": "y", "kind": "wish"}]),
            "line 2, kind",
        ),
        (json.dumps([{"text": "x" * 20_001, "kind": "petition"}]), "line 1, text"),
        (json.dumps([{"text": "x", "kind": "petition"}] * 501), "at most 500"),
    ],
)
async def test_reviewed_lines_that_cannot_be_committed_are_refused_with_reasons(
    world: IntakeWorld, petitions: str, reason: str
) -> None:
    async with world.http() as http:
        session_id = await new_session(http)
        answer = await post_minutes(http, session_id, DOCX, petitions=petitions)
    assert answer.status_code == 422
    assert any(reason in line for line in answer.json()["detail"]), answer.json()
    assert world.published.of(RawFeedbackAccepted) == []
