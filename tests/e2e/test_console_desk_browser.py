"""The desk's pages in a real browser (Debian's Chromium, headless, Playwright): the console
built with fakes (no stack needed) and served by uvicorn, seeded with items on several channels
and communes, one overdue, a note between levels, a dead-letter queue and a citizen suggestion.
An operator keys in a call through the form, a commune's Front forwards an item up; every page
gets its screenshot in .local/screenshots/ (docs/console.md shows them)."""

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI
from playwright.async_api import Browser, Page, ViewportSize, async_playwright

from hoiam_console.app import mount_static
from hoiam_console.desk_upstream import CitizenSuggestion
from hoiam_console.dlq import LetterBrief, QueueBrief
from hoiam_console.domain.accounts import Binding, NewAccount
from hoiam_shared.events import AreaRef, Channel, FrontLevel, NoteAdded, NoteKind, Status
from hoiam_shared.identity import Role
from hoiam_shared.vendor import mount_vendor
from support.clock import TestClock
from support.console import (
    DEMO_ACCOUNTS,
    PASSWORD,
    SO_XAY_DUNG_BODY,
    TIEU_CAN_BODY,
    Console,
    console_parts,
    received,
    routed,
    status_changed,
)
from support.stack import REPO, free_port

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = REPO / ".local" / "screenshots"
PHONE: ViewportSize = {"width": 412, "height": 915}
NOW = datetime(2026, 12, 2, 3, 0, tzinfo=UTC)
COMMUNES = {"29341": "Xã Tiểu Cần", "29551": "Xã minh họa 1", "29557": "Xã minh họa 2"}
"""Illustrative names beside the demo delegate's commune codes (as the directory's delegate)."""
COMMUNE_FRONT = NewAccount(
    username="mttq-tieucan",
    display_name="MTTQ xã Tiểu Cần",
    role=Role.OPERATOR,
    password=PASSWORD,
    binding=Binding(province_code="86", commune_code="29341"),
)


async def seeded() -> Console:
    clock = TestClock.frozen(NOW)
    parts, _, (accounts, sessions, failures, model, upstream, queues) = console_parts(clock)
    for account in (*DEMO_ACCOUNTS, COMMUNE_FRONT):
        await parts.actions.add_account(account, created_by="admin:test")
    app = FastAPI()
    mount_vendor(app, docs=False)  # htmx, as the real console serves it (before /static)
    for router in parts.wiring.routers:
        app.include_router(router)
    mount_static(app)
    console = Console(parts, app, accounts, sessions, failures, model, upstream, clock, queues)
    day = timedelta(days=1)
    items = [
        (received("Đường ấp Chợ có nhiều ổ gà, xe máy té ngã.", at=NOW - 9 * day), "29341"),
        (
            received("Đèn đường ấp 3 tắt cả tuần.", at=NOW - 3 * day, channel=Channel.PHONE),
            "29341",
        ),
        (received("Rác ở chợ xã chưa được thu gom.", at=NOW - 20 * day), "29551"),
        (
            received("Cống thoát nước bị nghẹt.", at=NOW - 2 * day, channel=Channel.EMAIL),
            "29557",
        ),
    ]
    for index, (item, commune) in enumerate(items):
        body = SO_XAY_DUNG_BODY if index == 3 else TIEU_CAN_BODY
        event = routed(item, body=body, at=item.received_at, commune=commune)
        assert event.location is not None
        place = AreaRef(code=commune, name=COMMUNES[commune])
        await console.project(
            item,
            event.model_copy(
                update={"location": event.location.model_copy(update={"commune": place})}
            ),
        )
    late, _, done, _ = (i for i, _ in items)
    # The first is overdue (its due date moved back), the third answered on time.
    await console.project(
        status_changed(late, Status.ACKNOWLEDGED, at=NOW - 8 * day).model_copy(
            update={"due_on": (NOW - 2 * day).date()}
        ),
        status_changed(done, Status.RESOLVED, at=NOW - 18 * day, answer="Đã thu gom ngày 14/11."),
        NoteAdded(
            occurred_at=NOW - 7 * day,
            correlation_id=late.item_id,
            item_id=late.item_id,
            tracking_code=late.tracking_code,
            kind=NoteKind.FORWARD,
            text="Đoạn đường dài, xã cần tỉnh hỗ trợ kinh phí.",
            actor="operator:mttq-tieucan",
            from_level=FrontLevel.COMMUNE,
            to_level=FrontLevel.PROVINCE,
            commune_code="29341",
        ),
    )
    waiting = received("Không rõ việc này của cơ quan nào.", at=NOW - day)
    await console.project(waiting, routed(waiting, body=None, at=NOW - day))
    queues.queues_known = [
        QueueBrief(
            topic="feedback.received.v1.dlq",
            source_topic="feedback.received.v1",
            size=2,
            last=[
                LetterBrief(
                    partition=0,
                    offset=1,
                    service="router",
                    error_type="ValidationError",
                    error="1 validation error for FeedbackReceived: text",
                    at=NOW - day,
                )
            ],
        ),
        QueueBrief(topic="intake.raw.v1.dlq", source_topic="intake.raw.v1", size=0, last=[]),
    ]
    upstream.suggestions_known = [
        CitizenSuggestion(
            id="s1",
            citizen_ids=("c-0901234567", "c-an.nguyen"),
            reason="same_name",
            detail="Nguyễn Văn An",
            created_at=NOW - day,
        )
    ]
    return console


@pytest.fixture
async def served() -> AsyncIterator[tuple[str, Console]]:
    console = await seeded()
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(console.app, host="127.0.0.1", port=port, log_level="warning")
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        assert not task.done(), "uvicorn did not start"
        await asyncio.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}", console
    finally:
        server.should_exit = True
        await task


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
    await page.goto(f"{url}/login")
    await page.get_by_label("Tên đăng nhập").fill(username)
    await page.get_by_label("Mật khẩu").fill(PASSWORD)
    await page.get_by_role("button", name="Đăng nhập").click()
    await page.wait_for_url(f"{url}/inbox")
    return page


async def shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


async def test_the_desks_pages_in_a_browser(served: tuple[str, Console], browser: Browser) -> None:
    url, console = served
    operator = await sign_in(browser, url, "operator")

    await operator.goto(f"{url}/incoming")
    assert await operator.get_by_role("heading", name="Điện thoại (1)").is_visible()
    # htmx is served by the console itself and swaps the fragment in place.
    assert await operator.evaluate("typeof htmx") == "object"
    await shot(operator, "desk-incoming")

    await operator.goto(f"{url}/calls")
    await operator.get_by_label("Số điện thoại người gọi").fill("0901 234 567")
    await operator.get_by_label("Họ tên người gọi").fill("Lê Văn Ba")
    await operator.get_by_label("Nội dung phản ánh").fill("Cống ấp Chợ bị nghẹt sau mưa.")
    await operator.get_by_role("button", name="Ghi nhận cuộc gọi").click()
    await operator.get_by_text("HA-CALL-0001").first.wait_for()
    [call] = [c for c in console.upstream.calls if c.what == "key_call"]
    assert call.args["call"].caller == "0901 234 567"
    await shot(operator, "desk-calls")

    await operator.goto(f"{url}/cases")
    await shot(operator, "desk-cases")
    await operator.goto(f"{url}/dlq")
    assert await operator.get_by_text("ValidationError").is_visible()
    await shot(operator, "desk-dlq")
    await operator.goto(f"{url}/front")
    await shot(operator, "front-province")
    await operator.goto(f"{url}/dashboard")
    assert await operator.locator("svg[role=img]").count() == 3
    await shot(operator, "dashboard")

    commune = await sign_in(browser, url, "mttq-tieucan")
    await commune.goto(f"{url}/front")
    card = commune.locator("section", has_text="Điện thoại").locator("li").first
    await card.get_by_label("Nội dung").fill("Đèn tắt cả ấp, xin tỉnh đôn đốc điện lực.")
    await card.get_by_role("button", name="Gửi").click()
    await commune.wait_for_url(f"{url}/front?done=1")
    [note] = [c for c in console.upstream.calls if c.what == "note"]
    assert note.args["kind"] is NoteKind.FORWARD
    await shot(commune, "front-commune")

    delegate = await sign_in(browser, url, "daibieu")
    await delegate.goto(f"{url}/delegate")
    assert await delegate.get_by_text("Đã thu gom ngày 14/11.").is_visible()
    await shot(delegate, "delegate")
