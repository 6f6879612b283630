"""Issue 12 end to end, in a real browser (Debian's Chromium, headless, phone-sized, JavaScript
off) on the four real processes, Kafka and FerretDB: a citizen files on `/` and gets a code; the
commune's staff answer it in the console; the status page shows the answer and no personal data;
the citizen rates it; an operator approves it for the archive; `/answers` finds it by a query
without diacritics; a second citizen filing the same matter for the same commune is pointed to
it (the acknowledgement email links `/answers/…`) and the operator sees the match and links the
item to the answered case. Set HOIAM_SCREENSHOTS=docs/public to refresh docs/public.md's shots."""

import asyncio
import os
import shutil
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Browser, BrowserContext, Page, async_playwright
from pydantic import MongoDsn

from hoiam_console.accounts import create_accounts
from hoiam_console.settings import ConsoleSettings
from support.clock import TestClock
from support.console import DEMO_ACCOUNTS, PASSWORD
from support.services import Running, running_services
from support.smtp import SmtpServer
from support.stack import Stack, remove_test_leftovers

CHROMIUM = Path("/usr/bin/chromium")
WAIT_MS = 120_000  # a page waits on the console, which waits on intake or the router
FIRST = "Đường liên ấp đoạn qua ấp Phú Thọ bị sạt lở từ tháng 10, xe máy té ngã nhiều lần."
AGAIN = "Đường liên ấp qua ấp Phú Thọ sạt lở nặng, xe máy té ngã, đề nghị sửa sớm."
ANSWER = "UBND xã Tiểu Cần đã kè tạm đoạn đường sạt lở ngày 03/12 và sẽ sửa chữa trong năm 2027."
NAME, PHONE = "Lê Thị Hoa", "0912 345 678"


@pytest.fixture(scope="module")
def linked(
    stack: Stack, smtp: SmtpServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Running]:
    """The four services with the notifier linking the console's public pages."""
    prefix = f"e{uuid.uuid4().hex[:10]}"
    with running_services(
        stack=stack,
        prefix=prefix,
        smtp_port=smtp.port,
        log_dir=tmp_path_factory.mktemp("repeat-logs"),
        clock=TestClock.daytime(),
        public_links=True,
    ) as running:
        yield running
    asyncio.run(remove_test_leftovers(stack, prefix))


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    assert await asyncio.to_thread(CHROMIUM.exists), "no Chromium: make system-packages"
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        try:
            yield launched
        finally:
            await launched.close()


async def phone(browser: Browser) -> BrowserContext:
    context = await browser.new_context(
        viewport={"width": 390, "height": 844}, java_script_enabled=False, locale="vi-VN"
    )
    context.set_default_timeout(WAIT_MS)
    return context


async def sign_in(browser: Browser, url: str, username: str) -> Page:
    page = await (await phone(browser)).new_page()
    await page.goto(f"{url}/login")
    await page.fill("#username", username)
    await page.fill("#password", PASSWORD)
    await page.click("form[action='/login'] button")
    await page.wait_for_url(f"{url}/inbox")
    return page


async def until_shown(page: Page, url: str, text: str, within: float = 120) -> None:
    """Reload `url` until the console's read model (fed from Kafka) shows `text`."""
    deadline = time.monotonic() + within
    while True:
        await page.goto(url)
        if text in await page.content():
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"{text!r} not on {url} within {within}s")
        await asyncio.sleep(0.5)


async def file_on_the_form(page: Page, base: str, *, text: str, email: str) -> str:
    await page.goto(f"{base}/")
    await page.fill("#text", text)
    await page.fill("#place_q", "xã Phú Cần, huyện Tiểu Cần")
    await page.click("button[value=search]")
    await page.select_option("#commune", "29341")
    await page.fill("#name", NAME)
    await page.fill("#email", email)
    await page.fill("#phone", PHONE)
    await page.select_option("#answer_by", "email")
    await page.check("#consent")
    await page.check("#publication_consent")
    await page.click("button[value=send]")
    return (await page.inner_text("#tracking-code")).strip()


def mails_to(smtp: SmtpServer, address: str) -> list[str]:
    plain = [m.get_body(("plain",)) for m in smtp.recorder.to(address)]
    return [str(part.get_content()) for part in plain if part is not None]


async def mail_containing(smtp: SmtpServer, address: str, text: str, within: float = 120) -> str:
    deadline = time.monotonic() + within
    while True:
        found = [m for m in mails_to(smtp, address) if text in m]
        if found:
            return found[0]
        assert time.monotonic() < deadline, f"no mail to {address} with {text!r}"
        await asyncio.sleep(0.5)


@pytest.mark.timeout(1200)
async def test_a_repeat_petition_meets_its_published_answer(
    linked: Running, smtp: SmtpServer, stack: Stack, browser: Browser, tmp_path: Path
) -> None:
    base = linked.urls["console"]
    await create_accounts(
        ConsoleSettings(
            mongo_url=MongoDsn(stack.mongo_url), mongo_database=linked.database("console")
        ),
        DEMO_ACCOUNTS,
        skip_existing=True,
    )
    shots: list[Path] = []

    async def shot(page: Page, name: str) -> None:
        shots.append(tmp_path / f"{name}.png")
        await page.screenshot(path=shots[-1], full_page=True)

    # A citizen files on the public form and gets a tracking code.
    first_mail = f"cutri-{uuid.uuid4().hex[:8]}@example.com"
    citizen = await (await phone(browser)).new_page()
    code = await file_on_the_form(citizen, base, text=FIRST, email=first_mail)
    assert code.startswith("HA-")

    # The commune's staff answer it in the console.
    staff = await sign_in(browser, base, "ubnd-tieucan")
    await until_shown(staff, f"{base}/inbox", code)
    await staff.goto(f"{base}/items/{code}")
    await staff.fill("#answer", ANSWER)
    await staff.click("button[name=resolve]")
    await staff.wait_for_url(f"{base}/items/{code}?done=1")
    await until_shown(staff, f"{base}/items/{code}", "Đã trả lời")

    # The status page shows the answer and nothing personal; the citizen rates it.
    await until_shown(citizen, f"{base}/t/{code}", ANSWER)
    status = await citizen.content()
    for personal in (NAME, first_mail, PHONE, "+84912345678"):
        assert personal not in status
    await citizen.select_option("#score", "5")
    await citizen.fill("#reason", "Đã kè tạm, đi lại an toàn hơn")
    await citizen.click("form[action$='/rating'] button")
    assert "Bạn đã đánh giá 5/5." in await citizen.content()

    # An operator approves the masked draft for the archive.
    operator = await sign_in(browser, base, "operator")
    await until_shown(operator, f"{base}/publications", code)
    await operator.click(f"#pub-{code} a.code")
    assert "sạt lở" in await operator.input_value("#summary")
    await operator.click("#approve")
    assert "Đã công khai câu trả lời." in await operator.content()

    # The archive finds it by a query typed without diacritics.
    reader = await (await phone(browser)).new_page()
    await until_shown(reader, f"{base}/answers?q=duong+lien+ap+sat+lo", ANSWER)
    assert "Tìm thấy 1 câu trả lời" in await reader.inner_text("#answers-found")
    for personal in (NAME, first_mail, PHONE):
        assert personal not in await reader.content()
    await reader.click("li.answer-entry h2 a")
    answer_url = reader.url
    assert "/answers/" in answer_url

    # A second citizen files the same matter for the same commune: pointed to the answer.
    second_mail = f"cutri-{uuid.uuid4().hex[:8]}@example.com"
    again = await (await phone(browser)).new_page()
    second = await file_on_the_form(again, base, text=AGAIN, email=second_mail)
    acknowledgement = await mail_containing(smtp, second_mail, "/answers/")
    assert "Một kiến nghị tương tự ở cùng địa phương đã được trả lời" in acknowledgement
    assert answer_url in acknowledgement
    await again.goto(answer_url)
    assert ANSWER in await again.inner_text("#answer-text")

    # The operator sees the match on the new item and links it to the answered case.
    await until_shown(operator, f"{base}/items/{second}", "Kiến nghị đã được trả lời")
    page = await operator.content()
    assert code in page
    assert answer_url.removeprefix(base) in page
    await shot(operator, "repeat-match")
    # Same matter, same commune, within the case window: the router had joined it to the
    # answered case when routing it, so the page says so instead of offering the merge.
    assert "Ý kiến này đã thuộc vụ việc đã được trả lời." in page
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        public = await client.get(f"/api/v1/public/items/{second}")
    assert public.status_code == 200

    target = os.environ.get("HOIAM_SCREENSHOTS")
    if target:
        await asyncio.to_thread(keep, shots, Path(target))


def keep(shots: list[Path], target: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    for shot in shots:
        shutil.copy(shot, target / shot.name)
