"""A session walked in a real browser (Debian's Chromium, headless, Playwright) on the real
processes: the session created through the form, real minutes (.docx) uploaded, the split
reviewed (a line dropped, one fixed), committed once, the items routed by the router, one
answered in the console and evaluated, the results report downloaded and opened. Every page
gets its screenshot in .local/screenshots/ (docs/sessions.md shows them)."""

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, ViewportSize, async_playwright

from support.council_e2e import console_token, document_text
from support.minutes import minutes_docx, real_petitions
from support.services import Running
from support.stack import REPO, Stack

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = REPO / ".local" / "screenshots"
DESKTOP: ViewportSize = {"width": 1280, "height": 900}  # the Front's office works on a desktop
WAIT_MS = 120_000
SLUG = "ninhthuan-nhon-son"


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    assert await asyncio.to_thread(CHROMIUM.exists), "no Chromium: make system-packages"
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        try:
            yield launched
        finally:
            await launched.close()


async def shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


async def until_shown(page: Page, url: str, text: str, within: float = 120) -> None:
    """Reload `url` until the read model (fed from Kafka) shows `text`."""
    deadline = time.monotonic() + within
    while True:
        await page.goto(url)
        if text in await page.content():
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"{text!r} not on {url} within {within}s")
        await asyncio.sleep(1)


@pytest.mark.timeout(900)
async def test_a_session_from_its_creation_to_the_results_report(
    services: Running, stack: Stack, browser: Browser, tmp_path: Path
) -> None:
    await console_token(services, stack, "admin")  # makes the demo accounts
    console = services.urls["console"]
    page = await browser.new_page(viewport=DESKTOP, locale="vi-VN")
    page.set_default_timeout(WAIT_MS)
    await page.goto(f"{console}/login")
    await page.get_by_label("Tên đăng nhập").fill("admin")
    await page.get_by_label("Mật khẩu").fill("local-demo-only")
    await page.get_by_role("button", name="Đăng nhập").click()
    await page.wait_for_url(f"{console}/inbox")

    # A new session, through the form: its compile due dates follow from its dates.
    await page.get_by_role("link", name="Kỳ họp").click()
    await page.get_by_label("Tên kỳ họp").fill("Kỳ họp thứ 5 HĐND tỉnh khóa XI")
    await page.get_by_label("Mã tỉnh (2 số)").fill("56")
    await page.get_by_label("Ngày khai mạc").fill("2026-12-08")
    await page.get_by_label("Ngày bế mạc").fill("2026-12-10")
    await page.get_by_role("button", name="Tạo kỳ họp").click()
    await page.wait_for_url(f"{console}/sessions/*")
    session_url = page.url
    assert "23/11/2026" in await page.content()
    await shot(page, "sessions-session")

    # Real minutes uploaded: the split waits for review, nothing committed yet.
    minutes = tmp_path / "bien-ban-nhon-son.docx"
    minutes.write_bytes(minutes_docx(SLUG, title="BIÊN BẢN TIẾP XÚC CỬ TRI XÃ NHƠN SƠN"))
    await page.get_by_label("Tệp biên bản").set_input_files(str(minutes))
    await page.get_by_label("Ngày tiếp xúc").fill("2026-11-25")
    await page.get_by_label("Địa điểm (xã, phường)").fill("xã Nhơn Sơn, tỉnh Ninh Thuận")
    async with page.expect_navigation():
        await page.get_by_role("button", name="Tách kiến nghị").click()
    assert "/reviews/" in page.url, (await page.content())[-3000:]
    await shot(page, "sessions-review")
    petitions = [words for words, _ in real_petitions(SLUG)]
    assert petitions[0] in await page.content()

    # Review: fix the first line's words, drop the second, commit once.
    fixed = f"{petitions[0]} (đã rà soát)"
    await page.locator("#text_0").fill(fixed)
    await page.locator("#drop_1").check()
    await page.get_by_role("button", name="Ghi nhận biên bản").click()
    await page.get_by_role("heading", name="Đã ghi nhận biên bản").wait_for()
    await shot(page, "sessions-committed")
    committed = await page.content()
    assert fixed in committed
    assert petitions[1] not in committed
    code = await page.locator("a.code").first.inner_text()

    # The same file again: the meeting it already is.
    await page.goto(session_url)
    await page.get_by_label("Tệp biên bản").set_input_files(str(minutes))
    await page.get_by_label("Ngày tiếp xúc").fill("2026-11-25")
    await page.get_by_label("Địa điểm (xã, phường)").fill("xã Nhơn Sơn, tỉnh Ninh Thuận")
    await page.get_by_role("button", name="Tách kiến nghị").click()
    await page.wait_for_url("**existing=1**")
    assert "đã được ghi nhận trước đây" in await page.content()

    # The router routes the items; the compilation shows them by level.
    results_url = f"{session_url}/results"
    await until_shown(page, f"{session_url}/compilation", code)
    await shot(page, "sessions-compilation")
    await until_shown(page, results_url, "Đã chuyển cơ quan")

    # One is answered in the console (acknowledged, then answered).
    await page.goto(f"{console}/items/{code}")
    await page.get_by_role("button", name="Xác nhận đã nhận").click()
    await until_shown(page, f"{console}/items/{code}", "Cơ quan đã nhận")
    answer = "UBND xã đã đưa tuyến đường vào kế hoạch đầu tư công năm 2027."
    await page.get_by_label("Câu trả lời gửi cử tri").fill(answer)
    await page.get_by_role("button", name="Trả lời và hoàn thành").click()
    await until_shown(page, results_url, answer)

    # Its kind of answer and evaluation recorded on the results page.
    card = page.locator("li.card", has_text=answer)
    await card.get_by_label("Loại trả lời").select_option("roadmap")
    await card.get_by_label("Đánh giá").select_option("satisfactory")
    await card.get_by_role("button", name="Ghi nhận đánh giá").click()
    await page.get_by_text("Đã ghi nhận đánh giá.").wait_for()
    await shot(page, "sessions-results")

    # The results report, downloaded from the page, holds the answer.
    async with page.expect_download() as started:
        await page.get_by_role("link", name="Báo cáo kết quả giải quyết (.docx)").click()
    download = await started.value
    saved = tmp_path / download.suggested_filename
    await download.save_as(saved)
    text = document_text(saved.read_bytes())
    assert answer in text
    assert fixed[:60] in text
