"""The events the notifier's tests feed it: a power cut routed to the utility, and its resolution.

One builder per event, so the unit, flow and crash tests say only what differs (the citizen, the
origin, the time taken from the test's clock).
"""

from datetime import datetime
from typing import Any

from hoiam_shared.events import (
    BodyRef,
    CategoryRef,
    Channel,
    Citizen,
    FeedbackRouted,
    Origin,
    Status,
    StatusChanged,
)
from hoiam_shared.ids import new_id, new_tracking_code

UTILITY = BodyRef(id="dl", name="Công ty Điện lực Vĩnh Long", level="utility")


def routed(
    citizen: Citizen, *, origin: Origin | None, received_at: datetime | None, **fields: Any
) -> FeedbackRouted:
    """A power cut of `citizen`'s, routed to the utility; `fields` override the rest (body, …)."""
    item_id = new_id()
    defaults: dict[str, Any] = {
        "correlation_id": item_id,
        "item_id": item_id,
        "tracking_code": new_tracking_code(),
        "status": Status.ROUTED,
        "category": CategoryRef(code="electricity", name="Điện"),
        "body": UTILITY,
        "confidence": 0.9,
        "reasons": ("từ khóa: mất điện",),
        "channel": Channel.ZALO,
        "citizen": citizen,
        "text": "Mất điện ba ngày.",
        "origin": origin,
        "received_at": received_at,
    }
    return FeedbackRouted.model_validate(defaults | fields)


def resolved(*items: FeedbackRouted, answer: str, **fields: Any) -> StatusChanged:
    """The case of `items` resolved with `answer`, by the body the first one went to."""
    first = items[0]
    defaults: dict[str, Any] = {
        "correlation_id": first.item_id,
        "item_id": first.item_id,
        "tracking_code": first.tracking_code,
        "status": Status.RESOLVED,
        "answer": answer,
        "case_item_ids": tuple(i.item_id for i in items),
        "body": first.body,
    }
    return StatusChanged.model_validate(defaults | fields)
