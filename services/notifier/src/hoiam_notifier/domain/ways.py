"""Choosing the way to a person: which contacts of a citizen to try, in which order."""

from datetime import datetime

from hoiam_notifier.domain.knowledge import ItemRecord, Policy, Reachability
from hoiam_notifier.domain.notifications import HUMAN_AGENT, Target, Way
from hoiam_shared.events import BodyContact, Channel, OriginKind

_ORIGIN_CHANNEL = {
    OriginKind.EMAIL: Channel.EMAIL,
    OriginKind.CALL: Channel.PHONE,
    OriginKind.ZALO_MESSAGE: Channel.ZALO,
    OriginKind.MESSENGER: Channel.FACEBOOK,
    OriginKind.FEED_COMMENT: Channel.FACEBOOK,
    OriginKind.WEB_FORM: Channel.WEB,
    OriginKind.OPEN311: Channel.OPEN311,
    OriginKind.OPERATOR: Channel.PHONE,
    # Voters at a meeting leave no contact: nothing automatic reaches them (an operator task).
    OriginKind.MEETING: Channel.MEETING,
}


def _ways_for(
    channel: Channel,
    record: ItemRecord,
    reach: Reachability,
    *,
    at: datetime,
    policy: Policy,
) -> list[Target]:
    """The targets one channel offers for this citizen at send time `at` (maybe none)."""
    contacts = record.citizen.contacts
    origin = record.origin
    fallback_inbound = record.citizen.last_inbound_at or record.received_at
    found: list[Target] = []
    match channel:
        case Channel.EMAIL | Channel.WEB | Channel.OPEN311:
            if contacts.email:
                found.append(Target(way=Way.EMAIL, address=contacts.email))
        case Channel.ZALO:
            if contacts.zalo_user_id:
                last = reach.inbound(Channel.ZALO, contacts.zalo_user_id, fallback_inbound)
                if last is not None and at - last <= policy.zalo_window:
                    found.append(Target(way=Way.ZALO_CS, address=contacts.zalo_user_id))
            if contacts.phone and policy.zns_enabled:
                found.append(Target(way=Way.ZALO_ZNS, address=contacts.phone))
        case Channel.FACEBOOK:
            if origin and origin.kind is OriginKind.FEED_COMMENT and origin.message_id:
                # Answer where they asked, in public under their comment (no personal data).
                found.append(
                    Target(
                        way=Way.FB_COMMENT, address=origin.message_id, reply_to=origin.message_id
                    )
                )
            if contacts.facebook_psid:
                last = reach.inbound(Channel.FACEBOOK, contacts.facebook_psid, fallback_inbound)
                if last is not None and at - last <= policy.messenger_window:
                    found.append(Target(way=Way.MESSENGER, address=contacts.facebook_psid))
                elif last is not None and at - last <= policy.human_agent_window:
                    found.append(
                        Target(way=Way.MESSENGER, address=contacts.facebook_psid, tag=HUMAN_AGENT)
                    )
        case Channel.PHONE:
            if contacts.phone:
                called = origin is not None and origin.kind in (
                    OriginKind.CALL,
                    OriginKind.OPERATOR,
                )
                if policy.sms_enabled and not called:
                    found.append(Target(way=Way.SMS, address=contacts.phone))
                # Hotline callers are called back: many are elderly, and SMS is not what they used.
                found.append(Target(way=Way.CALL_BACK, address=contacts.phone))
        case Channel.MEETING:
            pass
    return [t for t in found if reach.reachable(t.way.channel, t.address)]


FALLBACK_ORDER = (Channel.EMAIL, Channel.ZALO, Channel.FACEBOOK, Channel.PHONE)


def citizen_targets(
    record: ItemRecord, reach: Reachability, *, at: datetime, policy: Policy
) -> tuple[Target, ...]:
    """The ways to try, in order: the chosen channel, the one they came from, then every other.

    `CALL_BACK` (an operator task) is last among phone ways, so a person calls only when nothing
    automatic can reach the citizen. An empty result means: nobody can be reached, open a task.
    """
    citizen = record.citizen
    origin_channel = _ORIGIN_CHANNEL[record.origin.kind] if record.origin else record.channel
    order: list[Channel] = [citizen.preferred_channel, origin_channel, *FALLBACK_ORDER]
    targets: list[Target] = []
    for channel in dict.fromkeys(order):
        for target in _ways_for(channel, record, reach, at=at, policy=policy):
            if target not in targets:
                targets.append(target)
    # A call-back ends the list: once a person has the task, trying more machines is noise.
    for i, target in enumerate(targets):
        if target.way is Way.CALL_BACK:
            return tuple(targets[: i + 1])
    return tuple(targets)


def body_target(contact: BodyContact) -> Target | None:
    match contact.channel:
        case Channel.EMAIL:
            return Target(way=Way.EMAIL, address=contact.address)
        case Channel.ZALO:
            return Target(way=Way.ZALO_CS, address=contact.address)
        case Channel.PHONE:
            return Target(way=Way.SMS, address=contact.address)
        case _:
            return None
