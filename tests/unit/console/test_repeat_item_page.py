"""An item that repeats a published answer: the operator sees the match on the item page (the
answer's summary, the score against its bar, the shared terms, the links) and one button links
the item to the answered case through the router's case merge; a body's staff see the match but
not the button."""

import re
from datetime import UTC, datetime

import httpx

from hoiam_shared.events import RepeatMatch, Status
from support.console import PASSWORD, TIEU_CAN_BODY, Console, received, routed, status_changed

AT = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)


async def signed_in(client: httpx.AsyncClient, who: str) -> None:
    answer = await client.post("/login", data={"username": who, "password": PASSWORD})
    assert answer.status_code == 303


async def repeat_pair(console: Console) -> tuple[str, str]:
    """An answered item and a new one the router matched to its published answer."""
    old = received("Đường ấp Chợ bị sạt lở, nhiều ổ gà.", at=AT)
    new = received("Ổ gà và sạt lở ở đường ấp Chợ.", at=AT.replace(day=25))
    match = RepeatMatch(
        item_id=old.item_id,
        tracking_code=old.tracking_code,
        publication_id="pub-77",
        score=0.58,
        threshold=0.35,
        shared_terms=("sạt lở", "ổ gà", "ấp chợ"),
        place="29341",
        summary="Đường ấp Chợ bị sạt lở, nhiều ổ gà.",
    )
    new_routed = routed(new, body=TIEU_CAN_BODY, at=AT.replace(day=25))
    await console.project(
        old,
        routed(old, body=TIEU_CAN_BODY, at=AT),
        status_changed(old, Status.RESOLVED, at=AT.replace(hour=9)),
        new,
        new_routed.model_copy(update={"repeat_of": match}),
    )
    return old.tracking_code, new.tracking_code


async def test_the_operator_sees_the_match_and_links_the_item_to_the_answered_case(
    console: Console, client: httpx.AsyncClient
) -> None:
    old, new = await repeat_pair(console)
    await signed_in(client, "operator")
    page = await client.get(f"/items/{new}")
    assert page.status_code == 200
    assert "Kiến nghị đã được trả lời" in page.text
    assert "Đường ấp Chợ bị sạt lở, nhiều ổ gà." in page.text
    assert "0.58 (ngưỡng 0.35)" in page.text
    assert "sạt lở, ổ gà, ấp chợ" in page.text
    assert 'href="/answers/pub-77"' in page.text
    assert f'href="/items/{old}"' in page.text
    assert "Gộp vào vụ việc đã trả lời" in page.text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert csrf is not None
    done = await client.post(
        "/cases/merge", data={"csrf_token": csrf.group(1), "code": old, "others": new}
    )
    assert done.status_code == 303
    [call] = console.upstream.calls
    old_item = await console.read_model.by_tracking_code(old)
    new_item = await console.read_model.by_tracking_code(new)
    assert old_item is not None
    assert new_item is not None
    assert new_item.repeat_of is not None
    assert (call.what, call.args["case_id"], call.args["others"]) == (
        "merge",
        old_item.item_id,
        [new_item.item_id],
    )
    english = await client.get(f"/items/{new}?lang=en")
    assert "Already answered" in english.text
    assert "Link to the answered case" in english.text


async def test_an_item_already_in_the_answered_case_needs_no_merge(
    console: Console, client: httpx.AsyncClient
) -> None:
    old, new = await repeat_pair(console)
    old_item = await console.read_model.by_tracking_code(old)
    new_item = await console.read_model.by_tracking_code(new)
    assert old_item is not None
    assert new_item is not None
    # The router joined the new item to the answered item's case when it routed it.
    joined = routed(received("x", at=AT), body=TIEU_CAN_BODY, at=AT.replace(day=26))
    await console.project(
        joined.model_copy(
            update={
                "item_id": new_item.item_id,
                "correlation_id": new_item.item_id,
                "tracking_code": new,
                "case_id": old_item.item_id,
                "repeat_of": new_item.repeat_of,
            }
        )
    )
    await signed_in(client, "operator")
    page = await client.get(f"/items/{new}")
    assert "Ý kiến này đã thuộc vụ việc đã được trả lời." in page.text
    assert "Gộp vào vụ việc đã trả lời" not in page.text


async def test_a_bodys_staff_see_the_match_without_the_merge(
    console: Console, client: httpx.AsyncClient
) -> None:
    _, new = await repeat_pair(console)
    await signed_in(client, "ubnd-tieucan")
    page = await client.get(f"/items/{new}")
    assert 'href="/answers/pub-77"' in page.text
    assert "Gộp vào vụ việc đã trả lời" not in page.text


async def test_an_item_repeating_nothing_shows_no_match(
    console: Console, client: httpx.AsyncClient
) -> None:
    item = received("Cống nghẹt.", at=AT)
    await console.project(item, routed(item, body=TIEU_CAN_BODY, at=AT))
    await signed_in(client, "operator")
    page = await client.get(f"/items/{item.tracking_code}")
    assert page.status_code == 200
    assert "Kiến nghị đã được trả lời" not in page.text
