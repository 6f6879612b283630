"""The demo's notifier helpers read what the mail catcher saved and what the fake providers got."""

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from uuid import UUID

import httpx
from aiosmtpd.controller import Controller

from hoiam_notifier.channels.meta import MetaSender
from hoiam_notifier.channels.port import Outgoing
from hoiam_notifier.channels.smtp import SmtpSender
from hoiam_notifier.domain.notifications import Notification, Target, Way
from hoiam_shared.events import RecipientKind
from support import notifier_providers as fake_api
from support.clock import TestClock
from support.notifier_providers import FakeProviders
from support.stack import REPO, free_port


def load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, REPO / "deploy" / "local" / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def note(code: str) -> Notification:
    return Notification(
        event_id=UUID(int=21),
        item_id=UUID(int=22),
        tracking_code=code,
        recipient_kind=RecipientKind.CITIZEN,
        recipient="citizen:22",
        subject=f"[Hồi Âm {code}] Thông báo",
        text=f"Kính gửi Ông/Bà,\n\nĐã sửa xong đường dây. Mã theo dõi: {code}",
        html="<p>x</p>",
        short_text=f"Hồi Âm {code}: đã giải quyết",
        in_reply_to="<orig@mail.example>",
    )


async def test_the_demo_sees_the_answer_by_email_and_by_messenger(tmp_path: Path) -> None:
    demo = load("demo_notifier")
    catcher = load("mailcatcher")
    code, other = "HA-DEMO-0001", "HA-DEMO-0002"
    port = free_port()
    controller = Controller(catcher.SaveToFolder(tmp_path), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        smtp = SmtpSender(
            host="127.0.0.1",
            port=port,
            username=None,
            password=None,
            starttls=False,
            timeout=5,
            mail_from="hoi-am@hoiam.example",
            mail_domain="hoiam.example",
            clock=TestClock.shifted(),
        )
        for tracking in (code, other):
            target = Target(way=Way.EMAIL, address="cutri@example.vn")
            await smtp.send(Outgoing(note(tracking), target, f"d-{tracking}"))
    finally:
        controller.stop()
    with FakeProviders(free_port()) as fake:
        async with httpx.AsyncClient() as client:
            meta = MetaSender(
                client=client,
                graph_base=f"{fake.url}/graph/v21.0",
                page_id="me",
                page_token=fake_api.PAGE_TOKEN,
                clock=TestClock.shifted(),
            )
            target = Target(way=Way.MESSENGER, address="psid-demo")
            await meta.send(Outgoing(note(code), target, "d-m"))

        emails, requests = await demo.wait_for_answer(
            code, "Đã sửa xong", fake_url=fake.url, mail_dir=tmp_path, within=5
        )
        everything = await demo.received_by_providers(fake.url)

    [email] = emails
    assert email["to"] == "cutri@example.vn"
    assert email["in_reply_to"] == "<orig@mail.example>"
    assert code in email["subject"]
    [request] = requests
    assert request["provider"] == "messenger"
    assert "Đã sửa xong" in demo.text_of(request)
    assert len(everything) == 1
    summary = demo.describe(code, emails, requests)
    assert "email → cutri@example.vn" in summary
    assert "messenger" in summary
