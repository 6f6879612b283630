"""Citizens' satisfaction per body on the dashboard: from the ratings the read model holds, the
least satisfied body first, the share of low ratings; on the page and its JSON twin, each
viewer seeing only their scope's."""

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import httpx

from hoiam_console.domain.dashboard import dashboard, satisfaction_by_body
from hoiam_console.domain.readmodel import ItemRecord
from hoiam_shared.events import BodyRef, FeedbackReceived, ItemRated, Status
from support.console import (
    PASSWORD,
    SO_XAY_DUNG_BODY,
    TIEU_CAN_BODY,
    Console,
    received,
    routed,
    status_changed,
)

AT = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)


def record(body: str | None, score: int | None, **fields: Any) -> ItemRecord:
    return ItemRecord(
        item_id=uuid4(), body_name=body, rating_score=score, status=Status.RESOLVED, **fields
    )


def test_satisfaction_is_per_body_least_satisfied_first() -> None:
    found = satisfaction_by_body(
        [
            record("Sở Xây dựng", 5),
            record("Sở Xây dựng", 4),
            record("UBND xã Tiểu Cần", 1),
            record("UBND xã Tiểu Cần", 2),
            record("UBND xã Tiểu Cần", 5),
            record("UBND xã Tiểu Cần", None),  # answered, not rated: not counted
            record(None, 3, body_id="86-so-y-te"),
        ]
    )
    assert [(s.body, s.ratings, s.mean, s.low) for s in found] == [
        ("UBND xã Tiểu Cần", 3, 2.67, 2),
        ("86-so-y-te", 1, 3.0, 0),
        ("Sở Xây dựng", 2, 4.5, 0),
    ]
    assert round(found[0].low_share, 3) == 0.667
    assert found[2].low_share == 0


def test_no_rating_no_row() -> None:
    assert dashboard([record("UBND xã Tiểu Cần", None)], today=AT.date()).satisfaction == ()


async def rated(
    console: Console, text: str, body: BodyRef, score: int, *, hours: int
) -> FeedbackReceived:
    item = received(text, at=AT + timedelta(hours=hours))
    at = item.received_at + timedelta(days=1)
    await console.project(
        item,
        routed(item, body=body, at=item.received_at),
        status_changed(item, Status.RESOLVED, at=at, answer="Đã xử lý.", body=body),
        ItemRated(
            occurred_at=at + timedelta(hours=2),
            correlation_id=item.item_id,
            item_id=item.item_id,
            tracking_code=item.tracking_code,
            score=score,
            body_id=body.id,
            body_name=body.name,
            rated_at=at + timedelta(hours=2),
        ),
    )
    return item


async def test_the_dashboard_shows_satisfaction_per_body_in_its_scope(
    console: Console, client: httpx.AsyncClient
) -> None:
    await rated(console, "Ổ gà đường ấp Chợ.", TIEU_CAN_BODY, 1, hours=0)
    await rated(console, "Đèn đường hư.", TIEU_CAN_BODY, 4, hours=1)
    await rated(console, "Cấp phép xây dựng chậm.", SO_XAY_DUNG_BODY, 5, hours=2)

    done = await console.parts.auth.sign_in("operator", PASSWORD, client="test", kind="api")
    found = (
        await client.get("/api/v1/dashboard", headers={"Authorization": f"Bearer {done.token}"})
    ).json()
    assert found["satisfaction"] == [
        {"body": TIEU_CAN_BODY.name, "ratings": 2, "mean": 2.5, "low": 1, "low_share": 0.5},
        {"body": SO_XAY_DUNG_BODY.name, "ratings": 1, "mean": 5.0, "low": 0, "low_share": 0.0},
    ]

    body = await console.parts.auth.sign_in("so-xaydung", PASSWORD, client="test", kind="api")
    theirs = (
        await client.get("/api/v1/dashboard", headers={"Authorization": f"Bearer {body.token}"})
    ).json()
    assert [s["body"] for s in theirs["satisfaction"]] == [SO_XAY_DUNG_BODY.name]

    page = await console.parts.auth.sign_in("operator", PASSWORD, client="test", kind="browser")
    client.cookies.set("hoiam_session", page.token)
    html = (await client.get("/dashboard")).text
    section = html.split('id="satisfaction"', 1)[1]
    assert "Mức hài lòng của cử tri" in html
    rows = section.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    assert rows.index(TIEU_CAN_BODY.name) < rows.index(SO_XAY_DUNG_BODY.name)
    assert "<td>2.5/5</td><td>50% (1)</td>" in rows
    english = (await client.get("/dashboard?lang=en")).text
    assert "Citizens&#39; satisfaction" in english or "Citizens' satisfaction" in english
