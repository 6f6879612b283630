"""A council session through the console's JSON API on the real processes: a .docx and an .xlsx
of real minutes (services/intake/data/minutes, via tests/support/minutes.py) posted to the
console become items in intake, routed by the router, projected into the console; one is
answered; the compiled report and the results report open with python-docx and openpyxl and
hold every petition under its level. The demo's meeting (deploy/local/demo_sessions.py) too."""

import asyncio
import importlib.util
import io
import time
from collections.abc import Awaitable, Callable
from types import ModuleType
from typing import Any

import httpx
import openpyxl
import pytest

from hoiam_console.reports.words import LEVEL_TITLES
from support.council_e2e import console_token, document_text
from support.minutes import DOCX_TYPE, XLSX_TYPE, minutes_docx, minutes_xlsx
from support.services import OPERATOR_TOKEN, Running
from support.stack import REPO, Stack

SESSION = {
    "name": "Kỳ họp thường lệ cuối năm 2026, HĐND tỉnh",
    "province_code": "56",
    "opens_on": "2026-12-08",
    "closes_on": "2026-12-10",
    "term": "XI",
    "number": 5,
}


async def until[T](
    read: Callable[[], Awaitable[T]], done: Callable[[T], bool], *, within: float = 120
) -> T:
    """`read()` again until `done` holds (the console's read model follows Kafka)."""
    deadline = time.monotonic() + within
    while True:
        found = await read()
        if done(found):
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"not done within {within}s: {str(found)[:2000]}")
        await asyncio.sleep(1)


def under_its_level(text: str, summary: str, level: str) -> bool:
    """`summary` appears after its level's heading and before the next level's."""
    folded = text.lower()
    start = folded.find(LEVEL_TITLES[level].lower())  # type: ignore[index]
    if start < 0:
        return False
    ends = [folded.find(t.lower(), start + 1) for t in LEVEL_TITLES.values()]
    end = min([e for e in ends if e > start] or [len(folded)])
    return summary[:60].lower() in folded[start:end]


def status_is(code: str, status: str) -> Callable[[dict[str, Any]], bool]:
    def check(found: dict[str, Any]) -> bool:
        return any(
            s["tracking_code"] == code and p["status"] == status
            for p in found["petitions"]
            for s in p["sources"]
        )

    return check


@pytest.mark.timeout(900)
async def test_minutes_through_the_console_become_routed_items_and_the_reports(
    services: Running, stack: Stack
) -> None:
    headers = await console_token(services, stack, "admin")
    docx_minutes = minutes_docx(
        "ninhthuan-nhon-son",
        title="BIÊN BẢN TIẾP XÚC CỬ TRI XÃ NHƠN SƠN",
        answer="Lãnh đạo UBND xã Nhơn Sơn trả lời, giải trình tại buổi tiếp xúc.",
    )
    xlsx_minutes = minutes_xlsx("backan-quang-bach", title="TỔNG HỢP Ý KIẾN CỬ TRI XÃ QUẢNG BẠCH")
    async with httpx.AsyncClient(
        base_url=services.urls["console"], timeout=120, headers=headers
    ) as client:
        created = await client.post("/api/v1/sessions", json=SESSION)
        assert created.status_code == 201, created.text
        session_id = created.json()["id"]
        meetings = f"/api/v1/sessions/{session_id}/meetings"
        from_docx = await client.post(
            meetings,
            files={"file": ("bien-ban.docx", docx_minutes, DOCX_TYPE)},
            data={"held_on": "2026-11-25", "place": "xã Nhơn Sơn, tỉnh Ninh Thuận",
                  "delegates": "Nguyễn Văn A; Trần Thị B", "constituency": "Đơn vị số 3"},
        )  # fmt: skip
        assert from_docx.status_code == 201, from_docx.text
        from_xlsx = await client.post(
            meetings,
            files={"file": ("tong-hop.xlsx", xlsx_minutes, XLSX_TYPE)},
            data={"held_on": "2026-11-26", "place": "xã Quảng Bạch, tỉnh Bắc Kạn"},
        )
        assert from_xlsx.status_code == 201, from_xlsx.text
        again = await client.post(
            meetings,
            files={"file": ("bien-ban.docx", docx_minutes, DOCX_TYPE)},
            data={"held_on": "2026-11-25", "place": "xã Nhơn Sơn, tỉnh Ninh Thuận"},
        )
        assert again.status_code == 200, again.text
        assert again.json()["meeting_id"] == from_docx.json()["meeting_id"]
        items = [*from_docx.json()["items"], *from_xlsx.json()["items"]]
        petitions = [i for i in items if i["kind"] == "petition"]
        assert len(petitions) >= 4
        assert all(i["tracking_code"] for i in items)
        detail = (await client.get(f"/api/v1/sessions/{session_id}")).json()
        assert len(detail["meetings"]) == 2

        async def compiled() -> dict[str, Any]:
            found = await client.get(f"/api/v1/sessions/{session_id}/compilation")
            assert found.status_code == 200, found.text
            body: dict[str, Any] = found.json()
            return body

        def all_routed(found: dict[str, Any]) -> bool:
            codes = {
                s["tracking_code"]: p["status"] for p in found["petitions"] for s in p["sources"]
            }
            return all(codes.get(i["tracking_code"]) in ("routed", "triage") for i in petitions)

        compilation = await until(compiled, all_routed)
        assert compilation["counts"]["raised"] >= len(items)
        routed = next(
            s["tracking_code"]
            for p in compilation["petitions"]
            if p["status"] == "routed"
            for s in p["sources"]
        )
        answer = "UBND xã đã bố trí kinh phí, khởi công nâng cấp tuyến đường trong quý I/2027."
        for step in ({"status": "acknowledged"}, {"status": "resolved", "answer": answer}):
            changed = await client.post(f"/api/v1/items/{routed}/status", json=step)
            assert changed.status_code == 202, changed.text
            await until(compiled, status_is(routed, step["status"]))

        # The answer misses the point: evaluated, sent back to its body through the router.
        key = next(
            p["key"]
            for p in (await compiled())["petitions"]
            if any(s["tracking_code"] == routed for s in p["sources"])
        )
        evaluated = await client.post(
            f"/api/v1/sessions/{session_id}/results/{key}/evaluation",
            json={"kind": "roadmap", "verdict": "unsatisfactory",
                  "note": "Chưa nêu nguồn vốn", "follow_up": "send_back"},
        )  # fmt: skip
        assert evaluated.status_code == 200, evaluated.text
        assert evaluated.json()["counts"]["sent_back"] == 1
        await until(compiled, status_is(routed, "reopened"))

        report = await client.get(f"/api/v1/sessions/{session_id}/report.docx")
        assert report.status_code == 200, report.text
        text = document_text(report.content)
        compilation = await compiled()
        for petition in compilation["petitions"]:
            assert under_its_level(text, petition["summary"], petition["level"]), petition
        table = await client.get(f"/api/v1/sessions/{session_id}/report.xlsx")
        sheet = openpyxl.load_workbook(io.BytesIO(table.content)).active
        assert sheet is not None
        rows = "\n".join(
            " ".join(str(v) for v in row if v is not None)
            for row in sheet.iter_rows(values_only=True)
        )
        for petition in compilation["petitions"]:
            assert petition["summary"][:60] in rows
        results = await client.get(f"/api/v1/sessions/{session_id}/results.docx")
        assert results.status_code == 200
        results_text = document_text(results.content)
        assert "Chưa nêu nguồn vốn" in results_text
        for petition in compilation["petitions"]:
            assert under_its_level(results_text, petition["summary"], petition["level"])


def load_demo() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "demo_sessions", REPO / "deploy/local/demo_sessions.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


async def test_the_demo_shows_one_meeting_once(services: Running, stack: Stack) -> None:
    demo = load_demo()
    console = services.urls["console"]
    url, meeting = await demo.show_meeting(services.urls["intake"], OPERATOR_TOKEN, console=console)
    again_url, again = await demo.show_meeting(
        services.urls["intake"], OPERATOR_TOKEN, console=console
    )
    assert (again_url, again["meeting_id"]) == (url, meeting["meeting_id"])
    assert meeting["counts"]["petitions"] >= 3
    headers = await console_token(services, stack, "admin")
    session_id = url.rsplit("/", 1)[1]
    async with httpx.AsyncClient(base_url=console, timeout=60, headers=headers) as client:
        detail = await client.get(f"/api/v1/sessions/{session_id}")
    assert detail.status_code == 200, detail.text
    assert [m["id"] for m in detail.json()["meetings"]] == [meeting["meeting_id"]]
