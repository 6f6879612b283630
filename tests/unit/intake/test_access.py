"""Who may do what at intake's door: operator-only imports, idempotency keys that cannot be
borrowed, and signed webhooks that are fresh and processed once."""

from datetime import datetime

from pydantic import SecretStr

from fakes import intake_world
from hoiam_shared.events import RawFeedbackAccepted
from support.clock import TestClock
from support.intake_samples import CDR_LINES

OPERATOR = {"authorization": "Bearer op-token"}
NOON = datetime(2026, 3, 2, 12, 0)  # naive: Việt Nam time


async def test_a_call_log_is_imported_only_with_the_operator_token() -> None:
    world = intake_world(clock=TestClock.frozen(NOON), operator_token=SecretStr("op-token"))
    headers = {"content-type": "text/csv"}
    async with world.http() as client:
        for wrong in ({}, {"authorization": "op-token"}, {"authorization": "Bearer guess"}):
            refused = await client.post("/v1/intake/calls", content=CDR_LINES, headers=headers | wrong)
            assert refused.status_code == 401, wrong
            assert "tracking_code" not in refused.text
        assert world.published.of(RawFeedbackAccepted) == []
        answer = await client.post("/v1/intake/calls", content=CDR_LINES, headers=headers | OPERATOR)
        assert answer.status_code == 200, answer.text
        # The same log again, without the token: a known call id does not give its code away.
        again = await client.post("/v1/intake/calls", content=CDR_LINES, headers=headers)
        assert again.status_code == 401
    assert answer.json()["accepted"] == 2
    assert len(world.published.of(RawFeedbackAccepted)) == 2
