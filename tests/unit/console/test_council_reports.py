"""The compilation, results and documents of a session through the console's pages and API,
with fakes: the session's real petitions (tests/support/compiling.py) projected into the read
model, the session and its meetings from the fake intake; adjust, lock, evaluate, send back,
and the .docx/.xlsx downloads opened with python-docx and openpyxl."""

import io
from datetime import timedelta

import docx
import httpx
import openpyxl

from hoiam_console.council_upstream import MeetingBrief, MeetingResult, SessionInfo
from hoiam_console.upstream import UpstreamError
from support.compiling import (
    AT,
    KHUON_THAM,
    KHUON_THAM_ANSWER,
    SESSION_ID,
    SHEET,
    TINH_LO_307,
    answered,
    planned,
    session_events,
)
from support.console import Console
from unit.console.test_desk import bearer, signed_in


async def seeded(console: Console) -> None:
    """The planned session in the fake intake, its items in the read model, one answered."""
    assert console.council is not None
    console.council.sessions_known[SESSION_ID] = SessionInfo(
        id=SHEET.id, name=SHEET.name, province_code="86", opens_on=SHEET.opens_on,
        closes_on=SHEET.closes_on, term=SHEET.term, number=SHEET.number,
        compile_before_due=SHEET.opens_on - timedelta(days=15),
        compile_after_due=SHEET.closes_on + timedelta(days=15), created_at=AT,
    )  # fmt: skip
    console.council.meetings[SESSION_ID] = [
        (
            MeetingBrief(id=m.id, held_on=m.held_on, place=m.place),
            MeetingResult(meeting_id=m.id, session_id=SESSION_ID, items=[], skipped=[]),
        )
        for m in SHEET.meetings
    ]
    await console.project(
        *session_events(),
        answered(planned("khuon-tham"), KHUON_THAM_ANSWER, at=AT + timedelta(days=20)),
    )


def paragraphs(content: bytes) -> str:
    document = docx.Document(io.BytesIO(content))
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return "\n".join([*(p.text for p in document.paragraphs), *cells])


async def test_the_compilation_page_groups_by_level_and_shows_merged_sources(
    console: Console, client: httpx.AsyncClient
) -> None:
    await seeded(console)
    csrf = await signed_in(console, client, "operator")
    page = await client.get(f"/sessions/{SESSION_ID}/compilation")
    assert page.status_code == 200, page.text
    assert "II. Kiến nghị thuộc thẩm quyền của tỉnh" in page.text
    assert "III. Kiến nghị thuộc thẩm quyền của xã, phường" in page.text
    assert "gộp từ 2 ý kiến" in page.text  # the same road raised at two meetings
    merged = page.text.split(f'id="p-{planned("tl307").item_id}"')[1].split("</li>\n</ul>")[0]
    assert "HA-0003" in merged  # both meetings' items are its sources
    assert "HA-0008" in merged
    key = str(planned("khuon-tham").item_id)
    dropped = await client.post(
        f"/sessions/{SESSION_ID}/compilation",
        data={"csrf_token": csrf, "op": "drop", "key": key, "reason": "Đã giải quyết xong"},
    )
    assert dropped.status_code == 303, dropped.text
    after = (await client.get(f"/sessions/{SESSION_ID}/compilation")).text
    assert "Đã giải quyết xong" in after
    locked = await client.post(
        f"/sessions/{SESSION_ID}/compilation/lock", data={"csrf_token": csrf, "op": "lock"}
    )
    assert locked.status_code == 303
    refused = await client.post(
        f"/sessions/{SESSION_ID}/compilation",
        data={"csrf_token": csrf, "op": "restore", "key": key},
    )
    assert refused.status_code == 409
    assert "locked" in refused.text


async def test_an_unsatisfactory_answer_is_recorded_and_sent_back_through_the_router(
    console: Console, client: httpx.AsyncClient
) -> None:
    await seeded(console)
    csrf = await signed_in(console, client, "operator")
    page = (await client.get(f"/sessions/{SESSION_ID}/results")).text
    assert KHUON_THAM_ANSWER[:60] in page
    assert "Gợi ý loại trả lời" in page
    key = str(planned("khuon-tham").item_id)
    sent = await client.post(
        f"/sessions/{SESSION_ID}/results/{key}",
        data={"csrf_token": csrf, "kind": "explanation", "verdict": "unsatisfactory",
              "note": "Chưa có lộ trình đầu tư", "follow_up": "send_back"},
    )  # fmt: skip
    assert sent.status_code == 303, sent.text
    assert console.council is not None
    assert console.council.follow_ups == [("send_back", "HA-0007", "Chưa có lộ trình đầu tư")]
    after = (await client.get(sent.headers["location"])).text
    assert "Đã chuyển lại cơ quan giải quyết." in after
    assert "Chưa đạt yêu cầu" in after
    # The router refusing (no such route yet): the page says why, nothing is recorded.
    console.council.refuse = UpstreamError(503, "the router does not offer this follow-up yet")
    refused = await client.post(
        f"/sessions/{SESSION_ID}/results/{key}",
        data={"csrf_token": csrf, "verdict": "unsatisfactory", "follow_up": "question"},
    )
    assert refused.status_code == 503
    assert "does not offer" in refused.text


async def test_the_documents_download_and_hold_every_petition_under_its_level(
    console: Console, client: httpx.AsyncClient
) -> None:
    await seeded(console)
    headers = await bearer(console, "operator")
    report = await client.get(f"/api/v1/sessions/{SESSION_ID}/report.docx", headers=headers)
    assert report.status_code == 200, report.text
    assert "attachment" in report.headers["content-disposition"]
    text = paragraphs(report.content).lower()
    province = text.index("thẩm quyền của tỉnh")
    commune = text.index("thẩm quyền của xã")
    road, lane = text.index(TINH_LO_307[:50].lower()), text.index(KHUON_THAM[:30].lower())
    assert province < road < commune < lane
    again = await client.get(f"/api/v1/sessions/{SESSION_ID}/report.docx", headers=headers)
    assert again.content == report.content  # the same bytes for the same data
    table = await client.get(f"/api/v1/sessions/{SESSION_ID}/report.xlsx", headers=headers)
    sheet = openpyxl.load_workbook(io.BytesIO(table.content)).active
    assert sheet is not None
    rows = [
        " ".join(str(v) for v in row if v is not None) for row in sheet.iter_rows(values_only=True)
    ]
    assert any(KHUON_THAM[:30] in row for row in rows)
    results = await client.get(f"/api/v1/sessions/{SESSION_ID}/results.docx", headers=headers)
    assert KHUON_THAM_ANSWER[:40] in paragraphs(results.content)
    for name in ("results.xlsx", "handout.docx"):
        found = await client.get(f"/api/v1/sessions/{SESSION_ID}/{name}", headers=headers)
        assert found.status_code == 200, name
    # The pages serve the same documents to a signed-in operator.
    await signed_in(console, client, "operator")
    page_copy = await client.get(f"/sessions/{SESSION_ID}/report.docx")
    assert page_copy.content == report.content


async def test_the_api_adjusts_locks_and_evaluates(
    console: Console, client: httpx.AsyncClient
) -> None:
    await seeded(console)
    headers = await bearer(console, "operator")
    key = str(planned("khuon-tham").item_id)
    base = f"/api/v1/sessions/{SESSION_ID}"
    moved = await client.post(
        f"{base}/compilation/adjustments",
        json={"op": "move", "key": key, "level": "province"},
        headers=headers,
    )
    assert moved.status_code == 200, moved.text
    levels = {p["key"]: p["level"] for p in moved.json()["petitions"]}
    assert levels[key] == "province"
    unknown = await client.post(
        f"{base}/compilation/adjustments", json={"op": "drop", "key": "nope", "reason": "x y z"},
        headers=headers,
    )  # fmt: skip
    assert unknown.status_code == 404
    evaluated = await client.post(
        f"{base}/results/{key}/evaluation",
        json={"kind": "explanation", "verdict": "satisfactory"},
        headers=headers,
    )
    assert evaluated.status_code == 200, evaluated.text
    assert evaluated.json()["counts"]["satisfactory"] == 1
    locked = await client.post(f"{base}/compilation/lock", headers=headers)
    assert locked.json()["locked"]["actor"] == "operator:operator"
    not_admin = await client.post(
        f"{base}/compilation/unlock", json={"reason": "Sửa lại"}, headers=headers
    )
    assert not_admin.status_code == 403
    admin = await bearer(console, "admin")
    unlocked = await client.post(
        f"{base}/compilation/unlock", json={"reason": "Sửa lại"}, headers=admin
    )
    assert unlocked.status_code == 200
    assert unlocked.json()["locked"] is None
