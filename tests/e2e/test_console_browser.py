"""The console in a real browser (Debian's Chromium, headless, driven by Playwright) on the real
processes: an operator confirms a triaged item's body, that body's staff acknowledge and answer
it, the citizen's email brings the answer, and another body's staff are refused the item.
Screenshots of each main page go to .local/screenshots/ (docs/console.md shows them)."""

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Browser, Page, ViewportSize, async_playwright
from pydantic import MongoDsn

from hoiam_console.accounts import create_accounts
from hoiam_console.settings import ConsoleSettings
from support.console import DEMO_ACCOUNTS, PASSWORD, TIEU_CAN
from support.services import Running
from support.smtp import SmtpServer
from support.stack import REPO, Stack

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = REPO / ".local" / "screenshots"
PHONE: ViewportSize = {"width": 412, "height": 915}  # commune staff mostly work on a phone
WAIT_MS = 120_000  # a page waits on the console, which waits on the router: slow when loaded


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    assert await asyncio.to_thread(CHROMIUM.exists), "no Chromium: make system-packages"
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        try:
            yield launched
        finally:
            await launched.close()


async def sign_in(browser: Browser, url: str, username: str) -> Page:
    page = await browser.new_page(viewport=PHONE, locale="vi-VN")
    page.set_default_timeout(WAIT_MS)
    await page.goto(f"{url}/login")
    await page.get_by_label("Tên đăng nhập").fill(username)
    await page.get_by_label("Mật khẩu").fill(PASSWORD)
    await page.get_by_role("button", name="Đăng nhập").click()
    await page.wait_for_url(f"{url}/inbox")
    return page


async def shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


async def until_shown(page: Page, url: str, text: str, within: float = 90) -> None:
    """Reload `url` until the read model (fed from Kafka) shows `text`."""
    deadline = time.monotonic() + within
    while True:
        await page.goto(url)
        if text in await page.content():
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"{text!r} not on {url} within {within}s")
        await asyncio.sleep(0.5)


# Four processes start for it (when it runs first) on a shared machine, and the browser waits on
# Kafka twice: more than the default two minutes.
@pytest.mark.timeout(900)
async def test_operator_triage_body_answer_citizen_email_and_another_body_refused(
    services: Running, smtp: SmtpServer, stack: Stack, browser: Browser
) -> None:
    console = services.urls["console"]
    await create_accounts(
        ConsoleSettings(
            mongo_url=MongoDsn(stack.mongo_url), mongo_database=services.database("console")
        ),
        DEMO_ACCOUNTS,
        skip_existing=True,
    )
    citizen = f"cutri-{uuid.uuid4().hex[:8]}@example.com"
    async with httpx.AsyncClient(base_url=services.urls["intake"], timeout=10) as client:
        accepted = await client.post(
            "/v1/intake/web",
            json={
                "name": "Trần Thị Mai",
                "email": citizen,
                "address": "ấp Chợ, xã Tiểu Cần, tỉnh Vĩnh Long",
                "text": "Đề nghị các cơ quan xem xét giải quyết việc này sớm cho bà con trong ấp.",
                "consent": True,
            },
        )
    assert accepted.status_code == 202, accepted.text
    code = accepted.json()["tracking_code"]

    # The operator finds it in the triage queue and sends it to Tiểu Cần's committee.
    operator = await sign_in(browser, console, "operator")
    await shot(operator, "inbox-operator")
    await until_shown(operator, f"{console}/triage", code)
    await shot(operator, "triage")
    card = operator.locator(f"section[id='{code}']")
    await card.get_by_label("Hoặc chọn cơ quan khác (mã)").fill(TIEU_CAN)
    await card.get_by_role("button", name="Chuyển", exact=True).click()
    await operator.wait_for_url(f"{console}/triage?done=1")

    # Tiểu Cần's staff see it in their inbox once the router has routed it, and answer it.
    staff = await sign_in(browser, console, "ubnd-tieucan")
    await until_shown(staff, f"{console}/inbox", code)
    await shot(staff, "inbox-body")
    await staff.get_by_role("link", name=code).click()
    await staff.get_by_role("button", name="Xác nhận đã nhận").click()
    await staff.wait_for_url(f"{console}/items/{code}?done=1")
    await until_shown(staff, f"{console}/items/{code}", "Cơ quan đã nhận")
    answer = "Ngày 03/12 UBND xã đã cử cán bộ kiểm tra và khắc phục tại ấp Chợ."
    await staff.get_by_label("Câu trả lời gửi cử tri").fill(answer)
    await staff.get_by_role("button", name="Trả lời và hoàn thành").click()
    await staff.wait_for_url(f"{console}/items/{code}?done=1")
    await until_shown(staff, f"{console}/items/{code}", "Đã trả lời")
    await shot(staff, "item")

    # The citizen's email brings the answer.
    def texts() -> list[str]:
        plain = [m.get_body(("plain",)) for m in smtp.recorder.to(citizen)]
        return [str(part.get_content()) for part in plain if part is not None]

    deadline = time.monotonic() + 120
    while not any(answer in text for text in texts()):
        assert time.monotonic() < deadline, f"no answer mailed to {citizen}: {texts()}"
        await asyncio.sleep(0.5)

    # Another body's staff are refused the item, on the page and in the API.
    other = await sign_in(browser, console, "so-xaydung")
    refused = await other.goto(f"{console}/items/{code}")
    assert refused is not None
    assert refused.status == 403
    await shot(other, "forbidden")
    async with httpx.AsyncClient(base_url=console, timeout=10) as client:
        token = (
            await client.post(
                "/api/v1/auth/token", json={"username": "so-xaydung", "password": PASSWORD}
            )
        ).json()["access_token"]
        api = await client.get(
            f"/api/v1/items/{code}", headers={"Authorization": f"Bearer {token}"}
        )
    assert api.status_code == 403

    # The remaining main pages, for the docs: lookup, tasks, accounts, sign-in.
    await operator.goto(f"{console}/lookup")
    await shot(operator, "lookup")
    await operator.goto(f"{console}/tasks")
    await shot(operator, "tasks")
    admin = await sign_in(browser, console, "admin")
    await admin.goto(f"{console}/admin/accounts")
    await shot(admin, "admin-accounts")
    anonymous = await browser.new_page(viewport=PHONE)
    await anonymous.goto(f"{console}/login")
    await shot(anonymous, "login")
