"""The web form's consent to publication reaches the item (the public pages show the text only
with it); without it the item says no."""

import pytest

from fakes import intake_world
from hoiam_shared.events import FeedbackReceived, RawFeedbackAccepted


@pytest.mark.parametrize("given", [True, False])
async def test_consent_to_publication_is_carried_to_the_item(given: bool) -> None:
    world = intake_world()
    async with world.http() as client:
        answer = await client.post(
            "/v1/intake/web",
            json={"text": "Cống ấp 3 bị nghẹt", "consent": True, "publication_consent": given},
        )
    assert answer.status_code == 202
    [raw] = world.published.of(RawFeedbackAccepted)
    await world.parts.normalise(raw)
    [item] = world.published.of(FeedbackReceived)
    assert item.citizen.publication_consent is given
    assert item.citizen.consent is True
