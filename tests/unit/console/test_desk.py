"""The desk's pages and API with fakes: calls keyed in and logs uploaded go to intake as the
operator, merges name the codes' cases, the live fragment, the DLQ and its replay, the
delegate's order, the Front's notes (sent as the person, projected into the history), the
dashboard's charts; refusals say why and send nothing."""

from datetime import UTC, datetime, timedelta

import httpx

from hoiam_console.dlq import LetterBrief, QueueBrief
from hoiam_console.domain.accounts import Binding, NewAccount
from hoiam_console.upstream import UpstreamError
from hoiam_shared.events import FrontLevel, NoteAdded, NoteKind, Status
from hoiam_shared.identity import Role
from support.console import (
    PASSWORD,
    TIEU_CAN_BODY,
    Console,
    received,
    routed,
    status_changed,
)

AT = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)


async def signed_in(console: Console, client: httpx.AsyncClient, who: str) -> str:
    """Sign `who` in as a browser; the session's CSRF token."""
    done = await console.parts.auth.sign_in(who, PASSWORD, client="test", kind="browser")
    client.cookies.set("hoiam_session", done.token)
    return done.session.csrf_token


async def bearer(console: Console, who: str) -> dict[str, str]:
    done = await console.parts.auth.sign_in(who, PASSWORD, client="test", kind="api")
    return {"Authorization": f"Bearer {done.token}"}


async def commune_operator(console: Console) -> None:
    await console.parts.actions.add_account(
        NewAccount(
            username="mttq-tieucan",
            display_name="MTTQ xã Tiểu Cần",
            role=Role.OPERATOR,
            password=PASSWORD,
            binding=Binding(province_code="86", commune_code="29341"),
        ),
        created_by="admin:test",
    )


async def test_a_keyed_in_call_goes_to_intake_as_the_operator_and_shows_the_code(
    console: Console, client: httpx.AsyncClient
) -> None:
    csrf = await signed_in(console, client, "operator")
    form = (await client.get("/calls")).text
    assert 'name="call_id" value="console-' in form  # a re-sent form is the same call
    fields = {
        "csrf_token": csrf,
        "call_id": "console-1",
        "caller": "0901 234 567",
        "name": "Lê Văn Ba",
        "text": "Cống ấp Chợ bị nghẹt.",
    }
    answer = await client.post("/calls", data=fields)
    assert answer.status_code == 200
    assert "HA-CALL-0001" in answer.text
    [call] = console.upstream.calls
    assert call.what == "key_call"
    assert call.person.username == "operator"
    sent = call.args["call"]
    assert (sent.call_id, sent.caller, sent.name, sent.text, sent.address) == (
        "console-1",
        "0901 234 567",
        "Lê Văn Ba",
        "Cống ấp Chợ bị nghẹt.",
        None,
    )


async def test_a_call_without_the_callers_words_is_refused_with_the_reason(
    console: Console, client: httpx.AsyncClient
) -> None:
    answer = await client.post(
        "/api/v1/calls",
        json={"caller": "0901234567", "text": "   "},
        headers=await bearer(console, "operator"),
    )
    assert answer.status_code == 422
    assert console.upstream.calls == []


async def test_an_uploaded_call_log_reaches_intake_byte_for_byte(
    console: Console, client: httpx.AsyncClient
) -> None:
    csrf = await signed_in(console, client, "operator")
    log = b"src,dst,start,disposition\n0901234567,1022,2026-12-02 08:00:00,NO ANSWER\n"
    answer = await client.post(
        "/calls/log",
        data={"csrf_token": csrf, "format": "asterisk-cdr"},
        files={"log": ("Master.csv", log, "application/vnd.ms-excel")},
    )
    assert answer.status_code == 200, answer.text
    assert "Đã nhận 1 cuộc gọi mới" in answer.text
    [call] = console.upstream.calls
    assert call.args["content"] == log
    assert call.args["log_format"] == "asterisk-cdr"
    assert call.args["content_type"] == "text/csv; charset=utf-8"


async def test_an_unknown_log_format_or_an_empty_file_sends_nothing(
    console: Console, client: httpx.AsyncClient
) -> None:
    headers = await bearer(console, "operator")
    wrong = await client.post("/api/v1/calls/log?format=xlsx", content=b"a,b\n", headers=headers)
    empty = await client.post("/api/v1/calls/log", content=b"  \n", headers=headers)
    assert (wrong.status_code, empty.status_code) == (422, 422)
    assert "format" in wrong.json()["detail"]
    assert "empty" in empty.json()["detail"]
    assert console.upstream.calls == []


async def test_a_merge_names_the_cases_of_the_tracking_codes(
    console: Console, client: httpx.AsyncClient
) -> None:
    lead = received("Đường ấp Chợ có ổ gà.", at=AT)
    same = received("Ổ gà ở ấp Chợ.", at=AT)
    await console.project(
        lead,
        routed(lead, body=TIEU_CAN_BODY, at=AT),
        same,
        routed(same, body=TIEU_CAN_BODY, at=AT),
    )
    headers = await bearer(console, "operator")
    answer = await client.post(
        f"/api/v1/cases/{lead.tracking_code}/merge",
        json={"tracking_codes": [same.tracking_code.lower()]},
        headers=headers,
    )
    assert answer.status_code == 200, answer.text
    [call] = console.upstream.calls
    assert (call.what, call.args["case_id"], call.args["others"]) == (
        "merge",
        lead.item_id,
        [same.item_id],
    )
    unknown = await client.post(
        f"/api/v1/cases/{lead.tracking_code}/split",
        json={"tracking_codes": ["HA-NONE-0000"]},
        headers=headers,
    )
    assert unknown.status_code == 404
    assert len(console.upstream.calls) == 1


async def test_the_live_fragment_is_the_channels_only_for_htmx_and_a_page_without_it(
    console: Console, client: httpx.AsyncClient
) -> None:
    item = received("Đèn đường hỏng.", at=AT)
    await console.project(item, routed(item, body=TIEU_CAN_BODY, at=AT))
    await signed_in(console, client, "operator")
    fragment = await client.get("/incoming/live", headers={"HX-Request": "true"})
    assert "<html" not in fragment.text
    assert item.tracking_code in fragment.text
    assert 'Cổng thông tin <span class="count">(1)</span>' in fragment.text
    page = await client.get("/incoming/live")
    assert '<html lang="vi">' in page.text
    assert 'hx-trigger="every 15s"' in page.text


async def test_the_dlq_lists_sizes_and_error_types_and_replays_one_services_letters(
    console: Console, client: httpx.AsyncClient
) -> None:
    console.queues.queues_known = [
        QueueBrief(
            topic="feedback.received.v1.dlq",
            source_topic="feedback.received.v1",
            size=3,
            last=[
                LetterBrief(
                    partition=0,
                    offset=2,
                    service="router",
                    error_type="ValidationError",
                    error="1 validation error",
                    at=AT,
                )
            ],
        )
    ]
    csrf = await signed_in(console, client, "operator")
    page = await client.get("/dlq")
    assert "feedback.received.v1.dlq" in page.text
    assert "ValidationError" in page.text
    done = await client.post(
        "/dlq/replay",
        data={"csrf_token": csrf, "service": "router", "topic": "feedback.received.v1"},
    )
    assert done.status_code == 200
    assert "đã phát lại 2 thư" in done.text
    assert console.queues.replays == [("router", "feedback.received.v1")]
    bad = await client.post(
        "/api/v1/dlq/replay",
        json={"service": "router", "topic": "feedback.received.v1.dlq"},
        headers=await bearer(console, "admin"),
    )
    assert bad.status_code == 422
    assert console.queues.replays == [("router", "feedback.received.v1")]


async def test_the_delegate_sees_overdue_first_and_what_the_body_answered(
    console: Console, client: httpx.AsyncClient
) -> None:
    late = received("Cầu tre ấp 3 sắp sập.", at=AT)
    done = received("Rác ở chợ.", at=AT - timedelta(days=1))
    elsewhere = received("Việc ở xã khác.", at=AT)
    await console.project(
        done,
        routed(done, body=TIEU_CAN_BODY, at=AT, commune="29551"),
        status_changed(
            done, Status.RESOLVED, at=AT + timedelta(days=1), answer="Đã dọn rác ngày 21/11."
        ),
        late,
        routed(late, body=TIEU_CAN_BODY, at=AT, commune="29557"),
        elsewhere,
        routed(elsewhere, body=TIEU_CAN_BODY, at=AT),
    )
    found = await client.get("/api/v1/delegate/items", headers=await bearer(console, "daibieu"))
    listed = [(i["tracking_code"], i["answer"]) for i in found.json()]
    assert listed == [(late.tracking_code, None), (done.tracking_code, "Đã dọn rác ngày 21/11.")]
    await signed_in(console, client, "daibieu")
    page = await client.get("/delegate")
    assert "Đã dọn rác ngày 21/11." in page.text
    assert elsewhere.tracking_code not in page.text
    assert page.text.index(late.tracking_code) < page.text.index(done.tracking_code)


async def test_a_commune_front_forwards_up_and_the_note_lands_in_the_history(
    console: Console, client: httpx.AsyncClient
) -> None:
    await commune_operator(console)
    mine = received("Sạt lở bờ kênh ấp Chợ.", at=AT)
    theirs = received("Việc ở xã khác.", at=AT)
    await console.project(
        mine,
        routed(mine, body=TIEU_CAN_BODY, at=AT),
        theirs,
        routed(theirs, body=TIEU_CAN_BODY, at=AT, commune="29551"),
    )
    csrf = await signed_in(console, client, "mttq-tieucan")
    page = await client.get("/front")
    assert mine.tracking_code in page.text
    assert theirs.tracking_code not in page.text
    assert 'value="forward"' in page.text
    assert 'value="instruction"' not in page.text
    refused = await client.post(
        f"/items/{mine.tracking_code}/notes",
        data={"csrf_token": csrf, "kind": "instruction", "text": "Làm ngay."},
    )
    assert refused.status_code == 403
    assert console.upstream.calls == []
    sent = await client.post(
        f"/items/{mine.tracking_code}/notes",
        data={"csrf_token": csrf, "kind": "forward", "text": "Cần tỉnh hỗ trợ kè."},
    )
    assert (sent.status_code, sent.headers["location"]) == (303, "/front?done=1")
    [call] = console.upstream.calls
    assert (call.what, call.args["item_id"], call.args["kind"], call.person.commune_code) == (
        "note",
        mine.item_id,
        NoteKind.FORWARD,
        "29341",
    )
    # The router publishes NoteAdded; the read model puts it in the item's history.
    note = NoteAdded(
        occurred_at=AT + timedelta(hours=1),
        correlation_id=mine.item_id,
        item_id=mine.item_id,
        tracking_code=mine.tracking_code,
        kind=NoteKind.FORWARD,
        text="Cần tỉnh hỗ trợ kè.",
        actor="operator:mttq-tieucan",
        from_level=FrontLevel.COMMUNE,
        to_level=FrontLevel.PROVINCE,
        commune_code="29341",
    )
    await console.project(note, note)  # a redelivery changes nothing
    item = await client.get(f"/items/{mine.tracking_code}")
    assert item.text.count("Cần tỉnh hỗ trợ kè.") == 1
    assert "Trao đổi MTTQ" in item.text
    assert "(MTTQ cấp xã → MTTQ cấp tỉnh)" in item.text
    # The province's Front sees it among the exchanged items and may instruct down.
    headers = await bearer(console, "operator")
    front = (await client.get("/api/v1/front", headers=headers)).json()
    assert front["level"] == "province"
    assert [i["tracking_code"] for i in front["exchanged"]] == [mine.tracking_code]
    assert {f["commune_code"]: f["open"] for f in front["flows"]} == {"29341": 1, "29551": 1}
    down = await client.post(
        f"/api/v1/items/{mine.tracking_code}/notes",
        json={"kind": "instruction", "text": "Xã lập hồ sơ đề nghị."},
        headers=headers,
    )
    assert down.status_code == 202


async def test_the_routers_refusal_of_a_note_is_shown_with_its_reason(
    console: Console, client: httpx.AsyncClient
) -> None:
    item = received("Không rõ xã.", at=AT)
    await console.project(item, routed(item, body=TIEU_CAN_BODY, at=AT))
    console.upstream.refuse = UpstreamError(409, "an instruction needs an item in a commune")
    answer = await client.post(
        f"/api/v1/items/{item.tracking_code}/notes",
        json={"kind": "question", "text": "Ở đâu?"},
        headers=await bearer(console, "operator"),
    )
    assert answer.status_code == 409
    assert answer.json()["detail"] == "an instruction needs an item in a commune"


async def test_the_dashboard_counts_my_scope_and_draws_its_charts(
    console: Console, client: httpx.AsyncClient
) -> None:
    late = received("Ổ gà.", at=AT)
    await console.project(late, routed(late, body=TIEU_CAN_BODY, at=AT))
    # routed() sets the due date to 11/12; this clock's today is 02/12: not overdue yet.
    console.clock.advance(timedelta(days=12))
    headers = await bearer(console, "ubnd-tieucan")
    found = (await client.get("/api/v1/dashboard", headers=headers)).json()
    assert (found["total"], found["open"], found["overdue"]) == (1, 1, 1)
    assert found["overdue_by_body"] == [{"label": TIEU_CAN_BODY.name, "n": 1}]
    theirs = await client.get("/api/v1/dashboard", headers=await bearer(console, "so-xaydung"))
    assert theirs.json()["total"] == 0
    await signed_in(console, client, "ubnd-tieucan")
    page = await client.get("/dashboard")
    assert page.text.count("<svg") == 3
    assert "Quá hạn theo cơ quan" in page.text


async def test_the_dashboard_page_names_channels_and_statuses_in_words(
    console: Console, client: httpx.AsyncClient
) -> None:
    item = received("Ổ gà.", at=AT)
    await console.project(item, routed(item, body=TIEU_CAN_BODY, at=AT))
    await signed_in(console, client, "operator")
    page = (await client.get("/dashboard")).text
    tables = page.split("<table>")[1:]
    assert "<td>Cổng thông tin</td><td>1</td>" in tables[0]
    assert "<td>Đã chuyển cơ quan</td><td>1</td>" in "".join(tables)
