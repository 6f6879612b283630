"""Each channel's reading of a raw record, and `interpret`: the one entry point to them.

A module per channel (web form, email, hotline calls, Zalo OA, Facebook Page, Open311, a
voters' meeting) reads its
provider's payload as the provider documents it and says what it turns into (`outcomes`).
"""

from hoiam_intake.domain.channels.calls import CALL_CONTENT_TYPE, call_outcome
from hoiam_intake.domain.channels.email import email_outcome
from hoiam_intake.domain.channels.facebook import facebook_outcomes
from hoiam_intake.domain.channels.meeting import MEETING_CONTENT_TYPE, meeting_outcome
from hoiam_intake.domain.channels.open311 import open311_outcome
from hoiam_intake.domain.channels.web import (
    WEB_CONTENT_TYPE,
    WEB_PHOTOS_CONTENT_TYPE,
    normalise_web,
)
from hoiam_intake.domain.channels.zalo import zalo_outcomes
from hoiam_intake.domain.outcomes import NewItem, Outcome
from hoiam_intake.domain.rules import Rules
from hoiam_shared.events import Channel, RawFeedbackAccepted


class UnsupportedChannelError(ValueError):
    """No normaliser for this channel or content type yet."""


def _outcomes(raw: RawFeedbackAccepted, rules: Rules) -> list[Outcome]:
    match raw.channel:
        case Channel.EMAIL:
            return [email_outcome(raw, rules)]
        case Channel.PHONE if raw.content_type == CALL_CONTENT_TYPE:
            return [call_outcome(raw, rules)]
        case Channel.ZALO:
            return zalo_outcomes(raw, rules)
        case Channel.FACEBOOK:
            return facebook_outcomes(raw, rules)
        case Channel.OPEN311:
            return [open311_outcome(raw, rules)]
        case Channel.MEETING if raw.content_type == MEETING_CONTENT_TYPE:
            return [meeting_outcome(raw, rules)]
        case Channel.WEB if raw.content_type in (WEB_CONTENT_TYPE, WEB_PHOTOS_CONTENT_TYPE):
            return [NewItem(normalise_web(raw, rules))]
    raise UnsupportedChannelError(f"no normaliser for {raw.channel} / {raw.content_type}")


def interpret(raw: RawFeedbackAccepted, rules: Rules) -> list[Outcome]:
    """Everything `raw` says; raises `ValueError` (with the cause) for what cannot be read.

    A payload shaped unlike its provider's documents (a string where an object belongs) is a
    `ValueError` too, so the handler parks it in the DLQ instead of treating it as an outage.
    """
    try:
        return _outcomes(raw, rules)
    except (KeyError, AttributeError, TypeError, IndexError, UnicodeDecodeError) as error:
        cause = f"{type(error).__name__}: {error}"
        raise ValueError(f"malformed {raw.channel} payload: {cause}") from error
