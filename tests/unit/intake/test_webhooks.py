"""Zalo OA and Facebook Page webhooks: signatures and events in the providers' shapes."""

import contextlib
import json
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hoiam_intake.domain.channels import interpret
from hoiam_intake.domain.channels.facebook import facebook_outcomes, verify_facebook
from hoiam_intake.domain.channels.zalo import BadSignatureError, verify_zalo, zalo_outcomes
from hoiam_intake.domain.items import accept_raw
from hoiam_intake.domain.keys import item_id_for, tracking_code_for
from hoiam_intake.domain.outcomes import Dropped, Followup, NewItem, Reachability
from hoiam_intake.domain.rules import Rules
from hoiam_shared.events import Channel, OriginKind, RawFeedbackAccepted
from hoiam_shared.ids import new_id, new_tracking_code
from support.intake_samples import (
    facebook_comment,
    facebook_message,
    facebook_signed,
    zalo_follow,
    zalo_image,
    zalo_signed,
    zalo_text,
)

RULES = Rules(secret="test", account_provinces={"579745863508352884": "86"})
APP = "3482178216594085616"


def webhook_raw(channel: Channel, body: dict[str, Any] | bytes) -> RawFeedbackAccepted:
    payload = body if isinstance(body, bytes) else json.dumps(body).encode()
    return accept_raw(
        item_id=new_id(),
        tracking_code=new_tracking_code(),
        channel=channel,
        payload=payload,
        content_type="application/json",
        received_at=datetime(2026, 11, 27, 3, 0, tzinfo=UTC),
    )


def test_zalo_signature_is_sha256_of_app_id_body_timestamp_and_secret() -> None:
    body, headers = zalo_signed(zalo_text(), secret="oa-secret")
    verify_zalo(body, headers["x-zevent-signature"], app_id=APP, oa_secret="oa-secret")
    with pytest.raises(BadSignatureError, match="does not match"):
        verify_zalo(body, headers["x-zevent-signature"], app_id=APP, oa_secret="other")
    with pytest.raises(BadSignatureError, match="does not match"):
        verify_zalo(body + b" ", headers["x-zevent-signature"], app_id=APP, oa_secret="oa-secret")
    with pytest.raises(BadSignatureError, match="missing"):
        verify_zalo(body, None, app_id=APP, oa_secret="oa-secret")
    with pytest.raises(BadSignatureError, match="app_id"):
        verify_zalo(body, headers["x-zevent-signature"], app_id="1", oa_secret="oa-secret")
    with pytest.raises(ValueError, match="Expecting"):
        verify_zalo(b"{", "mac=00", app_id=APP, oa_secret="oa-secret")


def test_a_zalo_text_becomes_an_item_with_a_derived_id() -> None:
    [outcome] = zalo_outcomes(webhook_raw(Channel.ZALO, zalo_text()), RULES)
    assert isinstance(outcome, NewItem)
    item = outcome.item
    assert item.item_id == item_id_for(Channel.ZALO, "zmsg-1", secret="test")
    assert item.tracking_code == tracking_code_for(item.item_id, secret="test")
    assert item.citizen.contacts.zalo_user_id == "2512523625412515"
    assert item.citizen.preferred_channel is Channel.ZALO
    assert item.citizen.last_inbound_at == datetime.fromtimestamp(1732674600, UTC)
    assert item.origin is not None
    assert (item.origin.kind, item.origin.account_id) == (
        OriginKind.ZALO_MESSAGE,
        "579745863508352884",
    )
    assert item.location.province_hint == "86"


def test_a_zalo_image_keeps_its_caption_and_attachment() -> None:
    [outcome] = zalo_outcomes(webhook_raw(Channel.ZALO, zalo_image()), RULES)
    assert isinstance(outcome, NewItem)
    assert outcome.item.text.normalised == "Ảnh ổ gà trước nhà"
    assert [a.content_type for a in outcome.item.attachments] == ["image/*"]


@pytest.mark.parametrize(("event", "reachable"), [("follow", True), ("unfollow", False)])
def test_follow_and_unfollow_change_reachability(event: str, reachable: bool) -> None:
    [outcome] = zalo_outcomes(webhook_raw(Channel.ZALO, zalo_follow(event)), RULES)
    assert isinstance(outcome, Reachability)
    assert outcome.event.address == "2512523625412515"
    assert outcome.event.reachable is reachable


def test_an_unused_zalo_event_is_dropped_with_a_reason() -> None:
    event = zalo_text() | {"event_name": "user_seen_message"}
    assert zalo_outcomes(webhook_raw(Channel.ZALO, event), RULES) == [
        Dropped("zalo_event_user_seen_message")
    ]


def test_facebook_signature_is_an_hmac_of_the_raw_bytes() -> None:
    body, headers = facebook_signed(facebook_message(), secret="app-secret")
    verify_facebook(body, headers["x-hub-signature-256"], app_secret="app-secret")
    with pytest.raises(BadSignatureError):
        verify_facebook(body, headers["x-hub-signature-256"], app_secret="nope")
    with pytest.raises(BadSignatureError, match="missing"):
        verify_facebook(body, "sha1=abc", app_secret="app-secret")


def test_a_messenger_message_becomes_an_item_and_an_echo_does_not() -> None:
    [outcome] = facebook_outcomes(webhook_raw(Channel.FACEBOOK, facebook_message()), RULES)
    assert isinstance(outcome, NewItem)
    assert outcome.item.citizen.contacts.facebook_psid == "6783461945034225"
    assert outcome.item.origin is not None
    assert outcome.item.origin.kind is OriginKind.MESSENGER
    echo = facebook_message(echo=True)
    assert facebook_outcomes(webhook_raw(Channel.FACEBOOK, echo), RULES) == [
        Dropped("facebook_echo")
    ]


def test_feed_comments_add_edit_remove() -> None:
    [added] = facebook_outcomes(webhook_raw(Channel.FACEBOOK, facebook_comment()), RULES)
    assert isinstance(added, NewItem)
    assert added.item.citizen.name == "Trần Thị Bé"
    assert added.item.origin is not None
    assert added.item.origin.thread_id == "106540352242922_111"
    edited_body = facebook_comment(verb="edited", message="Sửa: giá điện tháng 10 và 11")
    [edited] = facebook_outcomes(webhook_raw(Channel.FACEBOOK, edited_body), RULES)
    assert isinstance(edited, Followup)
    assert edited.message.kind == "edit"
    assert edited.message.item_id == added.item.item_id
    assert edited.message.text is not None
    assert edited.message.text.normalised == "Sửa: giá điện tháng 10 và 11"
    [removed] = facebook_outcomes(
        webhook_raw(Channel.FACEBOOK, facebook_comment(verb="remove")), RULES
    )
    assert isinstance(removed, Followup)
    assert (removed.message.kind, removed.fallback) == ("remove", None)


def test_a_batch_of_messaging_events_gives_one_outcome_each() -> None:
    body = facebook_message()
    body["entry"].append(facebook_message(mid="m_2", text="Thứ hai")["entry"][0])
    outcomes = facebook_outcomes(webhook_raw(Channel.FACEBOOK, body), RULES)
    assert len(outcomes) == 2
    assert len({o.item.item_id for o in outcomes if isinstance(o, NewItem)}) == 2


def test_a_page_webhook_of_another_object_is_refused() -> None:
    with pytest.raises(ValueError, match="object"):
        facebook_outcomes(webhook_raw(Channel.FACEBOOK, {"object": "instagram"}), RULES)


JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.text(max_size=10), inner, max_size=5),
    max_leaves=20,
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from([Channel.ZALO, Channel.FACEBOOK, Channel.OPEN311, Channel.WEB]),
    st.one_of(JSONISH, st.fixed_dictionaries({"object": st.just("page"), "entry": JSONISH}),
              st.fixed_dictionaries({"event_name": st.sampled_from(
                  ["user_send_text", "follow", "user_send_file"]), "sender": JSONISH,
                  "message": JSONISH, "follower": JSONISH})),
)  # fmt: skip
def test_webhook_normalisers_never_crash(channel: Channel, body: Any) -> None:
    with contextlib.suppress(ValueError):  # refused with its cause → DLQ
        interpret(webhook_raw(channel, json.dumps(body).encode()), RULES)


def _without_envelope(outcomes: list[Any]) -> list[Any]:
    """Outcomes with the per-run event ids and times left out."""
    cleaned = []
    for outcome in outcomes:
        event = (
            getattr(outcome, "item", None)
            or getattr(outcome, "message", None)
            or getattr(outcome, "event", None)
        )
        cleaned.append(
            event.model_dump(exclude={"event_id", "occurred_at"}) if event is not None else outcome
        )
    return cleaned


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=200), st.text(min_size=1, max_size=30), st.sampled_from(["add", "edited"]))
def test_webhook_normalising_is_idempotent(text: str, ref: str, verb: str) -> None:
    for channel, body in (
        (Channel.ZALO, zalo_text(text=text, msg_id=ref)),
        (Channel.FACEBOOK, facebook_message(mid=ref, text=text)),
        (Channel.FACEBOOK, facebook_comment(comment_id=ref, message=text, verb=verb)),
    ):
        raw = webhook_raw(channel, body)
        assert _without_envelope(interpret(raw, RULES)) == _without_envelope(interpret(raw, RULES))
