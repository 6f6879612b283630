"""What the pages show: Vietnamese first, English remembered, Vietnam time, dd/mm/yyyy, badges,
escaping, labels on every field, and the forms going through the same actions as the API."""

import re
from datetime import UTC, datetime
from pathlib import Path

import httpx

from hoiam_console.domain.masking import LABELS as MASK_LABELS
from hoiam_console.i18n import CATALOGUE
from hoiam_shared.events import Channel, FrontLevel, NoteKind, RecipientKind, Status
from hoiam_shared.identity import Role
from support.console import PASSWORD, TIEU_CAN_BODY, Console, received, routed, status_changed

AT = datetime(2026, 12, 1, 20, 30, tzinfo=UTC)  # 03:30 on 2/12 in Việt Nam
TEMPLATES = Path(__file__).parents[3] / "services/console/src/hoiam_console/templates"


async def signed_in(client: httpx.AsyncClient, who: str) -> None:
    answer = await client.post("/login", data={"username": who, "password": PASSWORD})
    assert answer.status_code == 303


async def test_the_inbox_in_vietnamese_with_local_time_dates_and_badges(
    console: Console, client: httpx.AsyncClient
) -> None:
    item = received("Đường <b>ấp Chợ</b> có ổ gà.", at=AT)
    await console.project(item, routed(item, body=TIEU_CAN_BODY, at=AT))
    await signed_in(client, "ubnd-tieucan")
    page = await client.get("/inbox")
    assert '<html lang="vi">' in page.text
    assert "02/12/2026 03:30" in page.text  # Vietnam time, dd/mm/yyyy
    assert "Hạn xử lý 11/12/2026" in page.text
    assert "Còn 7 ngày làm việc" in page.text  # 2/12 (Wed) → 11/12 (Fri)
    assert "&lt;b&gt;ấp Chợ&lt;/b&gt;" in page.text
    assert "<b>ấp Chợ</b>" not in page.text


async def test_english_is_asked_once_and_remembered(client: httpx.AsyncClient) -> None:
    await signed_in(client, "operator")
    english = await client.get("/inbox?lang=en")
    assert '<html lang="en">' in english.text
    assert "Inbox" in english.text
    assert (await client.get("/inbox")).text.count('<html lang="en">') == 1
    assert '<html lang="vi">' in (await client.get("/inbox?lang=vi")).text


async def test_the_item_page_shows_the_history_and_answers_through_the_action(
    console: Console, client: httpx.AsyncClient
) -> None:
    item = received("Cống nghẹt.", at=AT)
    await console.project(
        item,
        routed(item, body=TIEU_CAN_BODY, at=AT),
        status_changed(item, Status.ACKNOWLEDGED, at=AT.replace(hour=21)),
    )
    await signed_in(client, "ubnd-tieucan")
    page = await client.get(f"/items/{item.tracking_code}")
    assert "Cơ quan đã nhận" in page.text
    assert "body:ubnd-tieucan" in page.text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert csrf is not None
    done = await client.post(
        f"/items/{item.tracking_code}/resolve",
        data={"csrf_token": csrf.group(1), "answer": "Đã nạo vét cống ngày 03/12."},
    )
    assert done.status_code == 303
    [call] = console.upstream.calls
    assert (call.what, call.args["status"], call.args["answer"]) == (
        "status",
        "resolved",
        "Đã nạo vét cống ngày 03/12.",
    )


async def test_resolving_without_an_answer_is_refused_with_the_reason(
    console: Console, client: httpx.AsyncClient
) -> None:
    item = received("Cống nghẹt.", at=AT)
    await console.project(item, routed(item, body=TIEU_CAN_BODY, at=AT))
    await signed_in(client, "operator")
    token = (
        await client.post(
            "/api/v1/auth/token", json={"username": "ubnd-tieucan", "password": PASSWORD}
        )
    ).json()["access_token"]
    answer = await client.post(
        f"/api/v1/items/{item.tracking_code}/status",
        json={"status": "resolved", "answer": "  "},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 422
    assert "answer" in answer.json()["detail"]
    assert console.upstream.calls == []


async def test_the_notifiers_link_leads_to_the_item(
    console: Console, client: httpx.AsyncClient
) -> None:
    item = received("Cống nghẹt.", at=AT)
    await console.project(item, routed(item, body=TIEU_CAN_BODY, at=AT))
    await signed_in(client, "ubnd-tieucan")
    answer = await client.get(f"/inbox/{item.item_id}")
    assert answer.headers["location"] == f"/items/{item.tracking_code}"


async def test_lookup_finds_a_code_or_says_it_does_not_exist(
    console: Console, client: httpx.AsyncClient
) -> None:
    item = received("Cống nghẹt.", at=AT)
    await console.project(item, routed(item, body=TIEU_CAN_BODY, at=AT))
    await signed_in(client, "operator")
    found = await client.get(f"/lookup?code={item.tracking_code.lower()}")
    assert found.headers["location"] == f"/items/{item.tracking_code}"
    missing = await client.get("/lookup?code=HA-0000-0000")
    assert missing.status_code == 404
    assert "Không tìm thấy mã HA-0000-0000." in missing.text


async def test_the_admin_creates_an_account_bound_to_a_directory_body(
    console: Console, client: httpx.AsyncClient
) -> None:
    await signed_in(client, "admin")
    page = await client.get("/admin/accounts")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert csrf is not None
    fields = {"csrf_token": csrf.group(1), "role": "body", "password": "mot mat khau dai"}
    made = await client.post(
        "/admin/accounts", data={**fields, "username": "canbo2", "body_id": TIEU_CAN_BODY.id}
    )
    assert made.status_code == 303
    account = console.accounts.accounts["canbo2"]
    assert account.binding.body_name == TIEU_CAN_BODY.name
    unknown = await client.post(
        "/admin/accounts", data={**fields, "username": "canbo3", "body_id": "no-such-body"}
    )
    assert unknown.status_code == 422
    assert "no body" in unknown.text


def test_every_field_has_a_label_and_every_post_form_a_csrf_token() -> None:
    for template in TEMPLATES.glob("*.html"):
        text = template.read_text()
        ids = set(re.findall(r'<(?:input|select|textarea)[^>]*\bid="([^"]+)"', text))
        labelled = set(re.findall(r'<label for="([^"]+)"', text))
        assert ids <= labelled, f"{template.name}: fields without a label {ids - labelled}"
        for field in re.findall(r"<(?:input|select|textarea)[^>]*>", text):
            assert 'type="hidden"' in field or "id=" in field, f"{template.name}: {field}"
        for form in re.findall(r'<form method="post".*?</form>', text, flags=re.S):
            if 'action="/login"' not in form:
                assert 'name="csrf_token"' in form, f"{template.name}: a form without CSRF"


def test_every_word_the_templates_use_is_in_the_catalogue() -> None:
    used = set()
    for template in TEMPLATES.glob("*.html"):
        used |= set(re.findall(r't\(["\']([a-z_.]+)["\']', template.read_text()))
    fixed = {key for key in used if not key.endswith(".")}
    assert fixed
    assert fixed - set(CATALOGUE) == set()
    # Keys built from a value ("status." ~ item.status): every value has its words.
    prefixes = {key for key in used if key.endswith(".")}
    desk = {"channel.", "calls.kind.", "suggestion.", "note.", "front.level."}
    archive = {"mask.kind.", "publish.done."}
    assert prefixes == {"status.", "role.", "sla.", "entry.", "recipient.", *desk, *archive}
    values = {
        "status.": [s.value for s in Status],
        "role.": [r.value for r in Role],
        "sla.": ["due", "today", "overdue"],
        "entry.": ["received", "routed", "status", "message", "notification", "task", "note"],
        "recipient.": [k.value for k in RecipientKind],
        "channel.": [c.value for c in Channel],
        "calls.kind.": ["item", "call_back"],  # intake's CallResult.kind
        "suggestion.": ["contacts_meet", "same_name"],  # intake's reasons
        "note.": [k.value for k in NoteKind],
        "front.level.": [level.value for level in FrontLevel],
        "mask.kind.": [str(kind) for kind in MASK_LABELS],
        "publish.done.": ["approved", "withdrawn"],
    }
    for prefix, names in values.items():
        assert {prefix + name for name in names} <= set(CATALOGUE)
    assert all({"vi", "en"} <= set(words) for words in CATALOGUE.values())
