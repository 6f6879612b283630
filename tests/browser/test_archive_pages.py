"""Publishing an answer and finding it in the archive, in a real browser (Debian's Chromium,
headless, phone-sized, JavaScript off): an operator opens the masked draft of an answered item
and approves it; a citizen searches `/answers` without diacritics ("duong bi sat lo") and finds
"đường bị sạt lở", with no personal data on any page. Set HOIAM_SCREENSHOTS=docs/public to
refresh the screenshots docs/public.md shows."""

import asyncio
import os
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import uvicorn
from playwright.async_api import async_playwright

from hoiam_shared.events import AnswerPublished, Citizen, Contacts, Status
from support.console import PASSWORD, TIEU_CAN_BODY, received, routed, status_changed
from support.public import make_public_console
from support.stack import free_port

CHROMIUM = "/usr/bin/chromium"
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="no Debian Chromium here")

NAME = "Nguyễn Văn Tư"
PHONE = "0912 345 678"
EMAIL = "tu.nguyen1970@gmail.com"
TEXT = (
    f"Tôi tên là {NAME}, nhà số 45 ấp Phú Thọ. Đường liên ấp đoạn qua ấp Phú Thọ bị sạt lở "
    f"từ tháng 10, xe máy té ngã nhiều lần. Liên hệ {PHONE}, email {EMAIL}."
)
ANSWER = (
    "UBND xã Tiểu Cần đã kè tạm đoạn đường bị sạt lở ngày 03/12/2026 và đưa vào kế hoạch "
    "sửa chữa năm 2027."
)


async def test_an_operator_publishes_and_the_archive_finds_it_without_diacritics(
    tmp_path: Path,
) -> None:
    console = await make_public_console()
    at = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)
    item = received(TEXT, at=at)
    item = item.model_copy(
        update={
            "citizen": Citizen(
                name=NAME,
                contacts=Contacts(email=EMAIL, phone="+84912345678"),
                preferred_channel=item.citizen.preferred_channel,
                consent=True,
                publication_consent=True,
            )
        }
    )
    await console.project(
        item,
        routed(item, body=TIEU_CAN_BODY, at=at + timedelta(minutes=1)),
        status_changed(item, Status.RESOLVED, at=at + timedelta(days=3), answer=ANSWER),
    )
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(console.app, host="127.0.0.1", port=port, log_level="warning")
    )
    serving = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110 - uvicorn offers a flag, not an event
        await asyncio.sleep(0.05)
    base = f"http://127.0.0.1:{port}"
    shots: list[Path] = []
    personal = (NAME, PHONE, EMAIL, "+84912345678", "nhà số 45")
    try:
        async with async_playwright() as p:
            browser = await p.chromium.launch(executable_path=CHROMIUM, headless=True)
            phone = {"viewport": {"width": 390, "height": 844}, "java_script_enabled": False}
            staff = await browser.new_context(**phone)  # type: ignore[arg-type]
            page = await staff.new_page()
            await page.goto(f"{base}/login")
            await page.fill("#username", "operator")
            await page.fill("#password", PASSWORD)
            await page.click("form[action='/login'] button")
            await page.goto(f"{base}/publications")
            await page.click(f"#pub-{item.tracking_code} a.code")
            summary = await page.input_value("#summary")
            assert "bị sạt lở" in summary
            for piece in personal:
                assert piece not in summary
            assert "[đã ẩn số điện thoại]" in summary
            shots.append(tmp_path / "publish-draft.png")
            await page.screenshot(path=shots[-1], full_page=True)
            await page.click("#approve")
            assert "Đã công khai câu trả lời." in await page.content()
            [(_, event)] = console.publisher.published
            assert isinstance(event, AnswerPublished)

            citizen = await browser.new_context(**phone)  # type: ignore[arg-type]
            page = await citizen.new_page()
            await page.goto(f"{base}/answers")
            await page.fill("#q", "duong bi sat lo")
            await page.click("form[action='/answers'] button")
            assert "Tìm thấy 1 câu trả lời" in await page.inner_text("#answers-found")
            html = await page.content()
            assert "đường liên ấp đoạn qua ấp phú thọ bị sạt lở" in html.lower()
            assert ANSWER in html
            for piece in personal:
                assert piece not in html
            shots.append(tmp_path / "answers-search.png")
            await page.screenshot(path=shots[-1], full_page=True)
            await page.click("li.answer-entry h2 a")
            entry = await page.content()
            assert ANSWER in await page.inner_text("#answer-text")
            for piece in personal:
                assert piece not in entry
            shots.append(tmp_path / "answers-entry.png")
            await page.screenshot(path=shots[-1], full_page=True)
            await page.click(f"a[href='/t/{item.tracking_code}']")
            assert item.tracking_code in await page.content()
            await browser.close()
    finally:
        server.should_exit = True
        await serving
    target = os.environ.get("HOIAM_SCREENSHOTS")
    if target:
        await asyncio.to_thread(keep, shots, Path(target))


def keep(shots: list[Path], target: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    for shot in shots:
        shutil.copy(shot, target / shot.name)
