"""The triage queue and the item page show the router's reasons in Vietnamese, in English with
?lang=en, and a reason the console does not know as it is."""

from datetime import UTC, datetime

import httpx

from support.console import PASSWORD, TIEU_CAN_BODY, Console, received, routed

AT = datetime(2026, 12, 1, 20, 30, tzinfo=UTC)
REASONS = (
    "commune 'xã phú cần' before 2025 → Xã Tiểu Cần",
    "category transport from words 'đường', 'ổ gà' (weight 3)",
    "a reason from a newer router",
)


async def _waiting(console: Console, client: httpx.AsyncClient) -> str:
    item = received("Đường ấp Chợ có nhiều ổ gà.", at=AT)
    waiting = routed(item, body=None, at=AT, candidates=[TIEU_CAN_BODY])
    await console.project(item, waiting.model_copy(update={"reasons": REASONS}))
    answer = await client.post("/login", data={"username": "operator", "password": PASSWORD})
    assert answer.status_code == 303
    return item.tracking_code


async def test_the_triage_queue_gives_the_reasons_in_vietnamese_or_english(
    console: Console, client: httpx.AsyncClient
) -> None:
    await _waiting(console, client)
    vietnamese = (await client.get("/triage")).text
    assert "<li>đơn vị cũ &#39;xã phú cần&#39; (trước 2025) → Xã Tiểu Cần</li>" in vietnamese
    assert "lĩnh vực Giao thông theo các từ" in vietnamese
    assert "<li>a reason from a newer router</li>" in vietnamese
    assert "before 2025" not in vietnamese

    english = (await client.get("/triage?lang=en")).text
    assert "<li>commune &#39;xã phú cần&#39; before 2025 → Xã Tiểu Cần</li>" in english
    assert "<li>a reason from a newer router</li>" in english


async def test_the_item_history_gives_the_routing_reasons_in_vietnamese(
    console: Console, client: httpx.AsyncClient
) -> None:
    code = await _waiting(console, client)
    vietnamese = (await client.get(f"/items/{code}")).text
    assert (
        "đơn vị cũ &#39;xã phú cần&#39; (trước 2025) → Xã Tiểu Cần; lĩnh vực Giao thông theo "
        "các từ &#39;đường&#39;, &#39;ổ gà&#39; (trọng số 3); a reason from a newer router"
    ) in vietnamese
    english = (await client.get(f"/items/{code}?lang=en")).text
    assert "commune &#39;xã phú cần&#39; before 2025 → Xã Tiểu Cần; category transport" in english
