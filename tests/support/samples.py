"""Sample feedback in the shapes citizens really send, for tests at every layer."""

from datetime import UTC, datetime

from hoiam_shared.events import (
    Channel,
    Citizen,
    Contacts,
    FeedbackReceived,
    FeedbackText,
    Location,
)
from hoiam_shared.ids import new_id, new_tracking_code


def make_received(
    text: str,
    *,
    address: str | None = None,
    email: str | None = "cutri.nguyenvana@gmail.com",
    channel: Channel = Channel.WEB,
    preferred: Channel = Channel.EMAIL,
) -> FeedbackReceived:
    item_id = new_id()
    return FeedbackReceived(
        correlation_id=item_id,
        item_id=item_id,
        tracking_code=new_tracking_code(),
        channel=channel,
        received_at=datetime(2026, 11, 27, 9, 30, tzinfo=UTC),
        citizen=Citizen(
            name="Nguyễn Văn An",
            contacts=Contacts(email=email),
            preferred_channel=preferred,
            consent=True,
        ),
        text=FeedbackText(original=text, normalised=text),
        location=Location(raw_address=address),
    )
