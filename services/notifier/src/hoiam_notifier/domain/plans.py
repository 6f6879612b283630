"""Who is told what about an event: the plans for a routing decision and a status change."""

from datetime import datetime
from uuid import UUID

from hoiam_notifier.domain.knowledge import ItemRecord, Links, Policy, Reachability, item_record
from hoiam_notifier.domain.notifications import Notification, Way, msg_id
from hoiam_notifier.domain.texts import (
    ASK_COMMUNE_EN,
    ASK_COMMUNE_VI,
    STATUS_LABEL_VI,
    Text,
    as_html,
    body_text,
    citizen_text,
    format_date,
    in_english,
    one_line,
    rating_invite,
    rating_line,
    repeat_news,
    resent_news,
    status_news,
    voters_news,
)
from hoiam_notifier.domain.ways import body_target, citizen_targets
from hoiam_shared.events import (
    BodyContact,
    BodyRef,
    Channel,
    FeedbackMessageAdded,
    FeedbackRouted,
    OriginKind,
    RecipientKind,
    Status,
    StatusChange,
    StatusChanged,
)

# --- citizens -----------------------------------------------------------------------------------


def _citizen_notification(
    *,
    event_id: UUID,
    record: ItemRecord,
    reach: Reachability,
    text: Text,
    status_label: str,
    now: datetime,
    policy: Policy,
) -> Notification:
    targets = citizen_targets(record, reach, at=now, policy=policy)
    origin = record.origin
    in_reply_to: str | None = None
    thread: tuple[str | None, ...] = ()
    if origin is not None and origin.kind is OriginKind.EMAIL and origin.message_id:
        in_reply_to = msg_id(origin.message_id)
        thread = (*origin.references, origin.message_id)
    elif record.channel is Channel.EMAIL and record.source_ref:
        in_reply_to, thread = msg_id(record.source_ref), (record.source_ref,)
    references = tuple(ref for ref in map(msg_id, thread) if ref) if in_reply_to else ()
    return Notification(
        event_id=event_id,
        item_id=record.item_id,
        tracking_code=record.tracking_code,
        recipient_kind=RecipientKind.CITIZEN,
        recipient=f"citizen:{record.item_id}",
        subject=text.subject,
        text=text.body,
        html=as_html(text.body),
        short_text=text.short,
        template_data={
            "customer_name": one_line(record.citizen.name or "Ông/Bà")[:30],
            "tracking_code": record.tracking_code,
            "status": status_label[:30],
        },
        in_reply_to=in_reply_to,
        references=tuple(dict.fromkeys(references)),
        targets=targets,
        unreachable_reason=None if targets else "no contact can reach this citizen",
    )


# --- bodies and councillors ---------------------------------------------------------------------


def _contact_notifications(
    *,
    event_id: UUID,
    item_id: UUID,
    tracking_code: str,
    kind: RecipientKind,
    owner_id: str,
    owner_name: str,
    contacts: tuple[BodyContact, ...],
    text: Text,
    urgent: bool,
    allow_digest: bool,
) -> list[Notification]:
    found: list[Notification] = []
    for contact in contacts:
        target = body_target(contact)
        if target is None:
            continue
        found.append(
            Notification(
                event_id=event_id,
                item_id=item_id,
                tracking_code=tracking_code,
                recipient_kind=kind,
                recipient=f"{kind.value}:{owner_id}:{contact.channel.value}:{contact.address}",
                subject=text.subject,
                text=text.body,
                html=as_html(text.body),
                short_text=text.short,
                targets=(target,),
                urgent=urgent,
                digest=allow_digest and contact.delivery.value == "digest",
                body_name=owner_name,
            )
        )
    return found


def plan_routed(
    routed: FeedbackRouted,
    *,
    reach: Reachability,
    links: Links,
    now: datetime,
    policy: Policy,
) -> list[Notification]:
    """A routing decision: the body's contacts, the constituency's delegates, and the citizen.

    A routing announced by a status change (a reassignment, a triage decision) tells only the
    delegates: the citizens and the new body heard it from that change. The delegates' messages
    are keyed by the announcing change, so a case given to a body tells each of them once.
    """
    plan: list[Notification] = []
    announced = routed.announced_by is not None
    record = item_record(routed)
    if routed.status is Status.ROUTED and routed.body is not None:
        to_body = one_line(routed.body.name)
        body_recipient = (
            RecipientKind.BODY,
            routed.body.id,
            to_body,
            routed.body.contacts,
            "Hệ thống Hồi Âm chuyển đến Quý cơ quan ý kiến, kiến nghị của cử tri để xem xét, "
            "giải quyết và trả lời.",
        )
        front = routed.front
        front_recipient = (
            (
                RecipientKind.BODY,
                front.id,
                one_line(front.name),
                front.contacts,
                "Kiến nghị của cử tri tại hội nghị tiếp xúc cử tri đã được chuyển đến "
                f"{to_body}. Hồi Âm sẽ thông báo kết quả trả lời để Ủy ban Mặt trận thông tin "
                "lại cho cử tri.",
            )
            if front is not None and record.spoken_for
            else None
        )
        for kind, owner_id, name, contacts, heading in [
            *(() if announced else (body_recipient,)),
            *(() if announced or front_recipient is None else (front_recipient,)),
            *(
                (
                    RecipientKind.COUNCILLOR,
                    c.id,
                    f"Đại biểu {one_line(c.name)}",
                    c.contacts,
                    "Ý kiến, kiến nghị của cử tri trong đơn vị bầu cử của Đại biểu đã được "
                    f"chuyển đến {to_body}.",
                )
                for c in routed.councillors
            ),
        ]:
            topic = one_line(routed.subject or "") or routed.category.name
            text = body_text(
                title=f"Ý kiến, kiến nghị mới: {topic}",
                heading=heading,
                addressee=name,
                tracking_code=routed.tracking_code,
                item_id=routed.item_id,
                category=routed.category.name,
                case_id=routed.case_id,
                due_on=routed.due_on,
                citizen=routed.citizen,
                text=routed.text,
                reasons=routed.reasons,
                links=links,
            )
            plan += _contact_notifications(
                event_id=routed.announced_by or routed.event_id,
                item_id=routed.item_id,
                tracking_code=routed.tracking_code,
                kind=kind,
                owner_id=owner_id,
                owner_name=name,
                contacts=contacts,
                text=text,
                urgent=False,
                allow_digest=True,
            )
    if announced or record.spoken_for:
        return plan  # voters at a meeting hear it from their Front and delegates, told above
    english = in_english(routed.citizen)
    # Only its words are used; its id and time are the routing's, so planning reads no clock.
    acknowledgement = StatusChanged(
        event_id=routed.event_id,
        occurred_at=routed.occurred_at,
        correlation_id=routed.item_id,
        item_id=routed.item_id,
        tracking_code=routed.tracking_code,
        status=routed.status,
        body=routed.body,
    )
    news = status_news(acknowledgement, english=english)
    if routed.status is Status.ROUTED and routed.due_on is not None:
        news += (
            f" Due date: {format_date(routed.due_on, True)}."
            if english
            else f" Hạn trả lời: {format_date(routed.due_on)}."
        )
    if routed.triage_reason == COMMUNE_UNKNOWN:
        return [*plan, *_ask_commune(routed, record, reach, news, links, now, policy)]
    pointer: str | None = None
    if routed.repeat_of is not None:
        repeat, pointer = repeat_news(routed.repeat_of, links=links, english=english)
        news += f"\n\n{repeat}"
    text = citizen_text(
        citizen=routed.citizen,
        tracking_code=routed.tracking_code,
        news=news,
        links=links,
        english=english,
        also_short=pointer,
    )
    plan.append(
        _citizen_notification(
            event_id=routed.event_id,
            record=record,
            reach=reach,
            text=text,
            status_label=STATUS_LABEL_VI[routed.status],
            now=now,
            policy=policy,
        )
    )
    return plan


COMMUNE_UNKNOWN = "commune_unknown"
"""The router's triage reason for a commune's matter from an unknown commune."""

ASKING_WAYS = frozenset({Way.EMAIL, Way.ZALO_CS, Way.MESSENGER})
"""Where a question can be put and answered: the citizen's own conversation (a free message
inside Zalo's 48 h or Messenger's 24 h, email any time); not ZNS or SMS templates, nor a public
comment."""


def _ask_commune(
    routed: FeedbackRouted,
    record: ItemRecord,
    reach: Reachability,
    news: str,
    links: Links,
    now: datetime,
    policy: Policy,
) -> list[Notification]:
    """The item waits for its commune: the acknowledgement asks for it where the citizen can
    answer; when no such way is open, the acknowledgement goes as usual and a person asks."""
    english = in_english(routed.citizen)
    label = STATUS_LABEL_VI[routed.status]
    asking = citizen_text(
        citizen=routed.citizen,
        tracking_code=routed.tracking_code,
        news=f"{news}\n\n{ASK_COMMUNE_EN if english else ASK_COMMUNE_VI}",
        links=links,
        english=english,
    )
    ask = _citizen_notification(
        event_id=routed.event_id, record=record, reach=reach, text=asking, status_label=label,
        now=now, policy=policy,
    )  # fmt: skip
    own = tuple(t for t in ask.targets if t.way in ASKING_WAYS and t.tag is None)
    if own:
        return [ask.model_copy(update={"targets": own})]
    contacts = record.citizen.contacts
    reach_by = ", ".join(
        filter(
            None, (contacts.phone, contacts.email, contacts.zalo_user_id, contacts.facebook_psid)
        )
    )
    operator = ask.model_copy(
        update={
            "recipient": f"{ask.recipient}:ask_commune",
            "targets": (),
            "task_kind": "other",
            "unreachable_reason": f"ask_commune: ask the citizen ({reach_by or 'no contact'}) for "
            "the commune or ward, no conversation of their own being open; then decide the item "
            "in triage",
        }
    )
    plain = citizen_text(
        citizen=routed.citizen, tracking_code=routed.tracking_code, news=news, links=links,
        english=english,
    )  # fmt: skip
    acknowledgement = _citizen_notification(
        event_id=routed.event_id, record=record, reach=reach, text=plain, status_label=label,
        now=now, policy=policy,
    )  # fmt: skip
    if all(t.way is Way.CALL_BACK for t in acknowledgement.targets):
        return [operator]  # the person who calls them acknowledges and asks in one call
    return [acknowledgement, operator]


def plan_status(
    event: StatusChanged,
    *,
    records: list[ItemRecord],
    reaches: dict[UUID, Reachability],
    links: Links,
    now: datetime,
    policy: Policy,
) -> list[Notification]:
    """A status change: every petitioner of the case, and for overdue or escalation the bodies.

    `records` are the items of the case the notifier knows (from their routed events); an item
    it has never seen has no contact to answer on and is skipped here (the handler counts it).
    """
    plan: list[Notification] = []
    if event.change in (StatusChange.MERGED, StatusChange.SPLIT):
        return plan  # a case's membership; its petitioners hear of the case's next move
    if event.change is StatusChange.QUESTIONED:
        return plan  # the council's agenda: the console shows it; nobody is messaged for it
    if event.reason_code == SENT_BACK and event.body is not None:
        plan += _sent_back_to_body(event, body=event.body, records=records, links=links)
    if event.change in (StatusChange.OVERDUE, StatusChange.ESCALATED, StatusChange.REASSIGNED):
        title = {
            StatusChange.OVERDUE: "Quá hạn trả lời",
            StatusChange.ESCALATED: "Quá hạn, đã báo cáo cấp trên",
            StatusChange.REASSIGNED: "Ý kiến, kiến nghị được chuyển đến",
        }[event.change]
        owners: list[tuple[BodyRef, str]] = []
        if event.body is not None:
            heading = {
                StatusChange.OVERDUE: "Ý kiến, kiến nghị của cử tri đã quá hạn trả lời.",
                StatusChange.ESCALATED: "Ý kiến, kiến nghị quá hạn đã được báo cáo lên cấp trên.",
                StatusChange.REASSIGNED: (
                    "Hệ thống Hồi Âm chuyển đến Quý cơ quan ý kiến, kiến nghị của cử tri để xem "
                    "xét, giải quyết và trả lời."
                ),
            }[event.change]
            owners.append((event.body, heading))
        if event.escalated_to is not None and event.change is not StatusChange.REASSIGNED:
            owners.append(
                (
                    event.escalated_to,
                    "Ý kiến, kiến nghị của cử tri giao "
                    f"{one_line(event.body.name) if event.body else ''} "
                    "đã quá hạn trả lời, đề nghị Quý cơ quan đôn đốc.",
                )
            )
        # A body given the item is sent the petition itself: no other message brings it.
        given = (
            next((r for r in records if r.item_id == event.item_id), None)
            if event.change is StatusChange.REASSIGNED
            else None
        )
        for body, heading in owners:
            text = body_text(
                title=title,
                heading=heading
                + (f" ({len(records)} cử tri cùng kiến nghị.)" if len(records) > 1 else ""),
                addressee=one_line(body.name),
                tracking_code=event.tracking_code,
                item_id=event.item_id,
                category=given.category if given else None,
                case_id=event.case_id,
                due_on=event.due_on,
                citizen=given.citizen if given else None,
                text=given.text if given else None,
                reasons=(event.reason,) if given and event.reason else (),
                links=links,
            )
            plan += _contact_notifications(
                event_id=event.event_id,
                item_id=event.item_id,
                tracking_code=event.tracking_code,
                kind=RecipientKind.BODY,
                owner_id=body.id,
                owner_name=one_line(body.name),
                contacts=body.contacts,
                text=text,
                urgent=event.change is not StatusChange.REASSIGNED,
                allow_digest=event.change is StatusChange.REASSIGNED,
            )
    if event.change is StatusChange.OVERDUE:
        return plan  # lateness is the bodies' business; the citizen hears of the escalation
    for record in records:
        if record.spoken_for:
            plan += _representatives_told(event, record=record, links=links)
            continue
        english = in_english(record.citizen)
        news = status_news(event, english=english, known=record.body)
        # An answer is rated where the citizen reads it: a link, and buttons where chats have them.
        invite = (
            rating_invite(record.tracking_code, links=links, english=english)
            if event.status is Status.RESOLVED
            else None
        )
        if invite is not None:
            news += "\n\n" + rating_line(invite, english=english)
        text = citizen_text(
            citizen=record.citizen,
            tracking_code=record.tracking_code,
            news=news,
            links=links,
            english=english,
        )
        notification = _citizen_notification(
            event_id=event.event_id,
            record=record,
            reach=reaches.get(record.item_id, Reachability()),
            text=text,
            status_label=STATUS_LABEL_VI[event.status],
            now=now,
            policy=policy,
        )
        plan.append(notification.model_copy(update={"rating": invite}) if invite else notification)
    return plan


SENT_BACK = "sent_back"
"""The router's reason code for an answer found unsatisfactory and sent back to its body."""


def _sent_back_to_body(
    event: StatusChanged, *, body: BodyRef, records: list[ItemRecord], links: Links
) -> list[Notification]:
    """The body is sent the petition again with the evaluation and the new due date: no other
    message asks it to answer again."""
    given = next((r for r in records if r.item_id == event.item_id), None)
    name = one_line(body.name)
    text = body_text(
        title="Đề nghị trả lời lại ý kiến, kiến nghị của cử tri",
        heading="Nội dung trả lời của Quý cơ quan được đánh giá chưa đạt yêu cầu. Đề nghị Quý "
        "cơ quan xem xét, giải quyết và trả lời lại."
        + (f" ({len(records)} cử tri cùng kiến nghị.)" if len(records) > 1 else "")
        + (f"\n\nĐánh giá: {event.reason}" if event.reason else ""),
        addressee=name,
        tracking_code=event.tracking_code,
        item_id=event.item_id,
        category=given.category if given else None,
        case_id=event.case_id,
        due_on=event.due_on,
        citizen=given.citizen if given else None,
        text=given.text if given else None,
        reasons=(),
        links=links,
    )
    return _contact_notifications(
        event_id=event.event_id,
        item_id=event.item_id,
        tracking_code=event.tracking_code,
        kind=RecipientKind.BODY,
        owner_id=body.id,
        owner_name=name,
        contacts=body.contacts,
        text=text,
        urgent=False,
        allow_digest=False,
    )


def _representatives_told(
    event: StatusChanged, *, record: ItemRecord, links: Links
) -> list[Notification]:
    """What the voters of a meeting would be told, to their Front committee and delegates, so
    they pass it on (the delegates report the results at their next meeting). Each message is
    keyed by the item too: the same Front hears of each of its voters' petitions in a case."""
    news = voters_news(event, known=record.body)
    voters = one_line(record.citizen.name or "") or "cử tri"
    answered = event.answer is not None or event.status in (Status.RESOLVED, Status.REJECTED)
    title = "Kết quả giải quyết kiến nghị cử tri" if answered else "Tiến độ kiến nghị cử tri"
    heading = (
        f"Hồi Âm thông tin về kiến nghị của {voters} tại hội nghị tiếp xúc cử tri, để thông tin "
        f"lại cho cử tri:\n\n{news}"
    )
    plan: list[Notification] = []
    for kind, owner, name, contacts in [
        *(
            (
                (
                    RecipientKind.BODY,
                    record.front.id,
                    one_line(record.front.name),
                    record.front.contacts,
                ),
            )
            if record.front is not None
            else ()
        ),
        *(
            (RecipientKind.COUNCILLOR, c.id, f"Đại biểu {one_line(c.name)}", c.contacts)
            for c in record.councillors
        ),
    ]:
        text = body_text(
            title=title,
            heading=heading,
            addressee=name,
            tracking_code=record.tracking_code,
            item_id=record.item_id,
            category=record.category,
            case_id=None,
            due_on=event.due_on,
            citizen=record.citizen,
            text=record.text,
            reasons=(),
            links=links,
            show_due=event.status not in (Status.RESOLVED, Status.REJECTED, Status.CLOSED),
        )
        plan += _contact_notifications(
            event_id=event.event_id,
            item_id=record.item_id,
            tracking_code=record.tracking_code,
            kind=kind,
            owner_id=f"{owner}:{record.item_id}",
            owner_name=name,
            contacts=contacts,
            text=text,
            urgent=False,
            allow_digest=False,
        )
    return plan


def plan_added(
    added: FeedbackMessageAdded, *, record: ItemRecord, links: Links
) -> list[Notification]:
    """A citizen added to their item by reply: one message to each contact of the body that has
    it ("the citizen added …"). Edits and removals, and items in triage, tell no body."""
    body = record.holder
    if added.kind != "reply" or added.text is None or body is None:
        return []
    name = one_line(body.name)
    text = body_text(
        title="Cử tri bổ sung ý kiến",
        heading="Cử tri đã bổ sung ý kiến, kiến nghị đã chuyển đến Quý cơ quan "
        f"(mã theo dõi {record.tracking_code}). Nội dung cử tri bổ sung như sau.",
        addressee=name,
        tracking_code=record.tracking_code,
        item_id=record.item_id,
        category=record.category,
        case_id=record.case_id,
        due_on=None,
        citizen=added.citizen or record.citizen,
        text=added.text.normalised,
        reasons=(),
        links=links,
        show_due=False,
    )
    return _contact_notifications(
        event_id=added.event_id,
        item_id=record.item_id,
        tracking_code=record.tracking_code,
        kind=RecipientKind.BODY,
        owner_id=body.id,
        owner_name=name,
        contacts=body.contacts,
        text=text,
        urgent=False,
        allow_digest=False,
    )


def case_items(event: StatusChanged) -> tuple[UUID, ...]:
    """Every item whose petitioner hears of this change: the case's items, or the one item."""
    return tuple(dict.fromkeys((event.item_id, *event.case_item_ids)))


def resent_record(added: FeedbackMessageAdded, *, first: ItemRecord | None) -> ItemRecord | None:
    """Whom a re-sent matter is answered, and about what: the citizen where they wrote this time,
    the first item (`first`, when it was routed here) for its case, body and status. None for an
    anonymous message: nobody to answer."""
    if added.citizen is None:
        return None
    return ItemRecord(
        item_id=added.item_id,
        tracking_code=added.tracking_code,
        case_id=first.case_id if first else None,
        channel=added.channel,
        citizen=added.citizen,
        origin=added.origin,
        source_ref=added.source_ref,
        body=first.holder if first else None,
        received_at=added.received_at,
        status=first.status if first else None,
    )


def plan_resent(
    added: FeedbackMessageAdded,
    *,
    record: ItemRecord,
    reach: Reachability,
    links: Links,
    now: datetime,
    policy: Policy,
) -> list[Notification]:
    """The same matter sent again: one message to the citizen, on the way they sent it, naming
    the item they already have and where it stands (`record`, from `resent_record`); nothing to
    the body."""
    english = in_english(record.citizen)
    news = resent_news(
        tracking_code=added.tracking_code, status=record.status, body=record.body, english=english
    )
    text = citizen_text(
        citizen=record.citizen,
        tracking_code=added.tracking_code,
        news=news,
        links=links,
        english=english,
    )
    return [
        _citizen_notification(
            event_id=added.event_id,
            record=record,
            reach=reach,
            text=text,
            status_label=STATUS_LABEL_VI[record.status or Status.RECEIVED],
            now=now,
            policy=policy,
        )
    ]
