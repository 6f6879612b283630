"""The public pages in a real browser (Debian's Chromium, headless, phone-sized): a citizen
files on `/` without JavaScript (with a photo, answered on Zalo), opens `/t/{code}`, sees the
answer and no personal data (and no photo), and rates it. The console is built with fakes
and served by uvicorn in this test's loop; set HOIAM_SCREENSHOTS=docs/public to refresh the
screenshots docs/public.md shows."""

import asyncio
import os
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import uvicorn
from playwright.async_api import async_playwright

from hoiam_shared.events import Attachment, ItemRated, Status
from support.console import TIEU_CAN_BODY, received, routed, status_changed
from support.photos import jpeg
from support.public import ANSWER, EMAIL, NAME, PHONE, make_public_console
from support.stack import free_port

CHROMIUM = "/usr/bin/chromium"
JPEG = "image/jpeg"
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="no Debian Chromium here")


async def test_a_citizen_files_follows_and_rates(tmp_path: Path) -> None:
    console = await make_public_console()
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(console.app, host="127.0.0.1", port=port, log_level="warning")
    )
    serving = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110 - uvicorn offers a flag, not an event
        await asyncio.sleep(0.05)
    base = f"http://127.0.0.1:{port}"
    shots: list[Path] = []
    try:
        async with async_playwright() as p:
            browser = await p.chromium.launch(executable_path=CHROMIUM, headless=True)
            context = await browser.new_context(
                viewport={"width": 390, "height": 844}, java_script_enabled=False
            )
            page = await context.new_page()
            await page.goto(f"{base}/")
            text = "Đường liên ấp Phú Thọ có ổ gà sâu, xe máy té ngã nhiều lần."
            await page.fill("#text", text)
            await page.fill("#place_q", "xã Phú Cần, huyện Tiểu Cần")
            await page.click("button[value=search]")
            await page.select_option("#commune", "29341")
            await page.fill("#name", NAME)
            await page.fill("#email", EMAIL)
            await page.fill("#phone", PHONE)
            await page.select_option("#answer_by", "zalo")
            photo = tmp_path / "o-ga.jpg"
            photo.write_bytes(jpeg())
            await page.set_input_files("#photo", [photo])
            shots.append(tmp_path / "public-form.png")
            await page.screenshot(path=shots[-1], full_page=True)
            await page.click("button[value=send]")
            code = (await page.inner_text("#tracking-code")).strip()
            shots.append(tmp_path / "public-filed.png")
            await page.screenshot(path=shots[-1], full_page=True)
            [(submission, key)] = console.upstream.filed
            assert submission["address"] == "Xã Tiểu Cần, Tỉnh Vĩnh Long"
            assert submission["preferred_channel"] == "zalo"
            assert [(p.filename, p.data) for p in console.upstream.photos[key]] == [
                ("o-ga.jpg", jpeg())
            ]

            # Intake, the router and the body did their part: the events reach the read model.
            at = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)
            stored = Attachment(
                id="c" * 64, sha256="c" * 64, filename="o-ga.jpg", content_type=JPEG, size=9
            )
            item = received(text + f" Liên hệ {PHONE}.", at=at).model_copy(
                update={"tracking_code": code, "attachments": (stored,)}
            )
            await console.project(
                item,
                routed(item, body=TIEU_CAN_BODY, at=at + timedelta(minutes=1)),
                status_changed(item, Status.RESOLVED, at=at + timedelta(days=2), answer=ANSWER),
            )
            await page.click(f"a[href='/t/{code}']")
            html = await page.content()
            assert ANSWER in html
            for personal in (NAME, EMAIL, PHONE, "Nguyễn Văn An", "cutri.nguyenvana"):
                assert personal not in html
            # No photo on the public page: photos carry faces, plates, house fronts.
            assert "<img" not in html
            assert "o-ga.jpg" not in html
            await page.select_option("#score", "2")
            await page.fill("#reason", "Vá xong lại bể sau một tuần")
            await page.click("form[action$='/rating'] button")
            assert "Bạn đã đánh giá 2/5." in await page.content()
            shots.append(tmp_path / "public-status.png")
            await page.screenshot(path=shots[-1], full_page=True)
            await page.goto(f"{base}/t/{code}?lang=en")
            assert "You rated it 2/5." in await page.content()
            await browser.close()
        [(_, event)] = console.publisher.published
        assert isinstance(event, ItemRated)
        assert event.score == 2
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
