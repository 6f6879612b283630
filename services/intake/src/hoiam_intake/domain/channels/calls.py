"""Hotline calls: Asterisk CDR (cdr_csv Master.csv), Asterisk queue_log, a mapped CSV, keyed calls.

A call log is parsed line by line where it is uploaded, so the uploader hears which lines were
refused and why; each good call then travels on `intake.raw` as one `CallRecord` (with its
original line). An answered call becomes a feedback item; a missed or abandoned one becomes a
call-back task for an operator, never an item (there is nothing the citizen said yet).
"""

import csv
import hashlib
import io
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from hoiam_intake.domain.items import (
    InvalidContactError,
    feedback_item,
    normalise_phone,
    normalise_text,
)
from hoiam_intake.domain.keys import derived_uuid
from hoiam_intake.domain.legacy import repair_legacy
from hoiam_intake.domain.outcomes import CallBack, NewItem, Outcome
from hoiam_intake.domain.rules import Rules
from hoiam_shared.events import (
    Channel,
    Citizen,
    Contacts,
    OperatorTaskOpened,
    Origin,
    OriginKind,
    RawFeedbackAccepted,
)

CALL_CONTENT_TYPE = "application/vnd.hoiam.call+json"
type LogFormat = Literal["asterisk-cdr", "queue-log", "csv"]

# cdr_csv's fixed column order; `uniqueid` and `userfield` follow when loguniqueid/loguserfield
# are on, and newer Asterisk may append peeraccount, linkedid and sequence (ignored).
CDR_COLUMNS = (
    "accountcode", "src", "dst", "dcontext", "clid", "channel", "dstchannel", "lastapp",
    "lastdata", "start", "answer", "end", "duration", "billsec", "disposition", "amaflags",
    "uniqueid", "userfield",
)  # fmt: skip
MISSED = {"NO ANSWER", "BUSY", "FAILED", "CONGESTION", "ABANDON", "EXITWITHTIMEOUT",
          "EXITEMPTY", "EXITWITHKEY", "MISSED", "NHỠ", "GỌI NHỠ", "KHÔNG TRẢ LỜI"}  # fmt: skip
ANSWERED = {"ANSWERED", "CONNECT", "COMPLETECALLER", "COMPLETEAGENT", "ĐÃ TRẢ LỜI", "TRẢ LỜI"}
QUEUE_END = {"ABANDON", "EXITWITHTIMEOUT", "EXITEMPTY", "EXITWITHKEY", "COMPLETECALLER",
             "COMPLETEAGENT"}  # fmt: skip


class CallRecord(BaseModel):
    """One call as intake understood it, with the line it came from."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    call_id: str = Field(min_length=1, max_length=200)
    caller: str | None = Field(default=None, description="E.164, or None when withheld.")
    caller_name: str | None = None
    hotline: str | None = None
    started_at: AwareDatetime
    answered: bool
    disposition: str
    duration_seconds: int | None = None
    text: str | None = None
    address: str | None = None
    source: Literal["asterisk-cdr", "queue-log", "csv", "manual"]
    line: str | None = None


class ManualCall(BaseModel):
    """What an operator keys in for one call (`POST /v1/intake/calls/manual`)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)

    call_id: str = Field(min_length=1, max_length=200)
    # Checked here, so a caller that is no phone number is a 422 with the reason.
    caller: Annotated[str, Field(min_length=3, max_length=40), AfterValidator(normalise_phone)]
    name: str | None = Field(default=None, max_length=200)
    address: str | None = Field(default=None, max_length=500)
    text: str = Field(min_length=3, max_length=20_000)
    hotline: str | None = Field(default=None, max_length=40)
    started_at: AwareDatetime | None = None

    def record(self, now: datetime) -> CallRecord:
        return CallRecord(
            call_id=self.call_id,
            caller=normalise_phone(self.caller),
            caller_name=self.name,
            hotline=self.hotline,
            started_at=self.started_at or now,
            answered=True,
            disposition="ANSWERED",
            text=self.text,
            address=self.address,
            source="manual",
        )


class Rejected(BaseModel):
    line: int
    reason: str


def _phone(raw: str) -> str | None:
    try:
        return normalise_phone(raw) if raw.strip() else None
    except InvalidContactError:
        return None


def _local_time(value: str, tz: tzinfo) -> datetime:
    """A PBX's local time in UTC; `ValueError` for what is no time, or no time UTC can hold."""
    try:
        return _parse_local(value.strip(), tz)
    except OverflowError as error:  # 0001-01-01 00:00 in UTC+7 is before year 1
        raise ValueError(f"{value.strip()!r} is out of range") from error


def _parse_local(value: str, tz: tzinfo) -> datetime:
    for pattern in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%d/%m/%Y %H:%M:%S",
                    "%d/%m/%Y %H:%M", "%Y-%m-%d %H:%M"):  # fmt: skip
        try:
            return datetime.strptime(value, pattern).replace(tzinfo=tz).astimezone(UTC)
        except ValueError:
            continue
    parsed = datetime.fromisoformat(value)  # raises ValueError with its own message
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=tz)).astimezone(UTC)


def _keep(
    calls: list[CallRecord], rejected: list[Rejected], at: int, id_name: str, **fields: Any
) -> None:
    """Add the call, or reject its line with the reason (a call id too long for the record...)."""
    try:
        calls.append(CallRecord(**fields))
    except ValidationError as error:
        reasons = "; ".join(
            f"{'.'.join(map(str, e['loc'])).replace('call_id', id_name)}: {e['msg']}"
            for e in error.errors(include_url=False, include_context=False, include_input=False)
        )
        rejected.append(Rejected(line=at, reason=reasons))


def _clid_name(clid: str) -> str | None:
    # clid looks like `"Nguyen Van A" <0912345678>`
    name = clid.split("<")[0].strip().strip('"').strip()
    return normalise_text(repair_legacy(name)[0]) or None if name else None


def _fallback_id(*parts: str) -> str:
    return "h" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:24]


def _rows[R](reader: Iterator[R], rejected: list[Rejected]) -> Iterator[tuple[int, R]]:
    """Rows with their line number; a line the csv module cannot read ends the file, reported."""
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            rejected.append(Rejected(line=getattr(reader, "line_num", 0) or 1, reason=str(error)))
            return
        yield getattr(reader, "line_num", 0), row


def parse_cdr(text: str, *, timezone: tzinfo) -> tuple[list[CallRecord], list[Rejected]]:
    """Asterisk cdr_csv lines (no header). Times are the PBX's local time."""
    calls: list[CallRecord] = []
    rejected: list[Rejected] = []
    for number, row in _rows(csv.reader(io.StringIO(text, newline="")), rejected):
        if not row or all(not cell.strip() for cell in row):
            continue
        line = ",".join(row)
        if len(row) < 16:
            rejected.append(Rejected(line=number, reason=f"{len(row)} columns, cdr_csv has 16+"))
            continue
        fields = dict(zip(CDR_COLUMNS, row, strict=False))
        try:
            started = _local_time(fields["start"], timezone)
            duration = int(fields["billsec"] or 0)
        except ValueError as error:
            rejected.append(Rejected(line=number, reason=f"bad time or billsec: {error}"))
            continue
        disposition = fields["disposition"].strip().upper()
        if disposition not in MISSED | ANSWERED:
            rejected.append(Rejected(line=number, reason=f"unknown disposition {disposition!r}"))
            continue
        caller = _phone(fields["src"])
        answered = disposition in ANSWERED
        if not answered and caller is None:
            rejected.append(Rejected(line=number, reason="missed call without a caller number"))
            continue
        call_id = fields.get("uniqueid", "").strip() or _fallback_id(
            fields["src"], fields["start"], fields["channel"]
        )
        userfield = fields.get("userfield", "").strip()
        _keep(
            calls,
            rejected,
            number,
            "uniqueid",
            call_id=call_id,
            caller=caller,
            caller_name=_clid_name(fields["clid"]),
            hotline=fields["dst"].strip() or None,
            started_at=started,
            answered=answered,
            disposition=disposition,
            duration_seconds=duration,
            text=normalise_text(repair_legacy(userfield)[0]) or None if userfield else None,
            source="asterisk-cdr",
            line=line,
        )
    return calls, rejected


@dataclass
class _QueueCall:
    first_line: int
    queue: str
    started: datetime
    lines: list[str] = field(default_factory=list)
    caller: str = ""
    answered: bool = False
    end: str | None = None


def parse_queue_log(text: str) -> tuple[list[CallRecord], list[Rejected]]:
    """Asterisk queue_log (`epoch|callid|queue|agent|event|data...`), one record per finished call.

    ENTERQUEUE gives the caller number (its second data field); the call's events decide:
    CONNECT answered, ABANDON/EXIT* missed. Agent and queue bookkeeping lines are skipped.
    """
    rejected: list[Rejected] = []
    seen: dict[str, _QueueCall] = {}
    for number, raw_line in enumerate(text.splitlines(), start=1):
        if not raw_line.strip():
            continue
        parts = raw_line.strip().split("|")
        if len(parts) < 5:
            rejected.append(Rejected(line=number, reason="fewer than 5 fields"))
            continue
        epoch, call_id, queue, _agent, event, *data = parts
        try:
            at = datetime.fromtimestamp(int(float(epoch)), UTC)
        except (ValueError, OverflowError, OSError):
            rejected.append(Rejected(line=number, reason=f"bad epoch {epoch!r}"))
            continue
        if call_id in ("", "NONE"):
            continue  # agent or queue events, not a call
        call = seen.setdefault(call_id, _QueueCall(first_line=number, queue=queue, started=at))
        call.lines.append(raw_line.strip())
        if event == "ENTERQUEUE":
            call.caller = data[1] if len(data) > 1 else ""
            call.started = at
        elif event == "CONNECT":
            call.answered = True
        elif event in QUEUE_END:
            call.end = event
    calls: list[CallRecord] = []
    for call_id, call in seen.items():
        if call.end is None and not call.answered:
            continue  # still in the queue when the log was cut; the next upload has it
        caller = _phone(call.caller)
        if not call.answered and caller is None:
            rejected.append(
                Rejected(line=call.first_line, reason="missed call without a caller number")
            )
            continue
        _keep(
            calls,
            rejected,
            call.first_line,
            "callid",
            call_id=call_id,
            caller=caller,
            hotline=call.queue or None,
            started_at=call.started,
            answered=call.answered,
            disposition="CONNECT" if call.answered else str(call.end),
            source="queue-log",
            line="\n".join(call.lines),
        )
    return calls, rejected


def parse_mapped_csv(
    text: str, *, timezone: tzinfo, columns: Mapping[str, str]
) -> tuple[list[CallRecord], list[Rejected]]:
    """A CSV with a header row; `columns` maps our fields (call_id, caller, name, started_at,
    status, text, address, hotline) to the file's headers."""
    wanted = {"call_id": "call_id", "caller": "caller", "started_at": "started_at",
              "status": "status"} | dict(columns)  # fmt: skip
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        fieldnames = reader.fieldnames or []
    except csv.Error as error:
        return [], [Rejected(line=1, reason=f"not CSV: {error}")]
    missing = [wanted[f] for f in ("caller", "started_at", "status")
               if wanted[f] not in fieldnames]  # fmt: skip
    if missing:
        return [], [Rejected(line=1, reason=f"header lacks columns {missing}")]
    calls: list[CallRecord] = []
    rejected: list[Rejected] = []
    for number, row in _rows(reader, rejected):

        def cell(name: str, row: dict[str, str] = row) -> str:
            return normalise_text(repair_legacy(row.get(wanted.get(name, name)) or "")[0])

        status = cell("status").upper()
        if status not in MISSED | ANSWERED:
            rejected.append(Rejected(line=number, reason=f"unknown status {status!r}"))
            continue
        try:
            started = _local_time(cell("started_at"), timezone)
        except ValueError as error:
            rejected.append(Rejected(line=number, reason=f"bad time: {error}"))
            continue
        caller = _phone(cell("caller"))
        answered = status in ANSWERED
        if not answered and caller is None:
            rejected.append(Rejected(line=number, reason="missed call without a caller number"))
            continue
        _keep(
            calls,
            rejected,
            number,
            wanted.get("call_id", "call_id"),
            call_id=cell("call_id") or _fallback_id(cell("caller"), cell("started_at")),
            caller=caller,
            caller_name=cell("name") or None,
            hotline=cell("hotline") or None,
            started_at=started,
            answered=answered,
            disposition=status,
            text=cell("text") or None,
            address=cell("address") or None,
            source="csv",
            line=",".join(row.get(h) or "" for h in fieldnames),
        )
    return calls, rejected


def parse_call_log(
    text: str, log_format: LogFormat, rules: Rules
) -> tuple[list[CallRecord], list[Rejected]]:
    if log_format == "asterisk-cdr":
        return parse_cdr(text, timezone=rules.timezone)
    if log_format == "queue-log":
        return parse_queue_log(text)
    return parse_mapped_csv(text, timezone=rules.timezone, columns=rules.csv_columns)


def _summary(call: CallRecord, tz: tzinfo) -> str:
    local = call.started_at.astimezone(tz).strftime("%H:%M ngày %d/%m/%Y")
    seconds = f", {call.duration_seconds} giây" if call.duration_seconds else ""
    return (
        f"Cuộc gọi đến đường dây nóng {call.hotline or ''} lúc {local}{seconds}. "
        "Nội dung cuộc gọi chưa được ghi; điều hành viên bổ sung sau."
    ).replace("  ", " ")


def call_outcome(raw: RawFeedbackAccepted, rules: Rules) -> Outcome:
    call = CallRecord.model_validate_json(raw.payload)
    if not call.answered:
        task_id = f"call_back:{call.call_id}"
        return CallBack(
            OperatorTaskOpened(
                occurred_at=raw.received_at,
                event_id=derived_uuid("task", task_id),
                correlation_id=derived_uuid("task-correlation", task_id),
                causation_id=raw.event_id,
                task_id=task_id,
                kind="call_back",
                name=call.caller_name,
                phone=call.caller,
                reason=call.disposition.lower().replace(" ", "_"),
                details=f"Cuộc gọi nhỡ lúc {call.started_at.isoformat()} tới {call.hotline or '?'}",
                opened_at=call.started_at,
            )
        )
    original = call.text or _summary(call, rules.timezone)
    return NewItem(
        feedback_item(
            raw,
            rules,
            source_ref=call.call_id,
            citizen=Citizen(
                name=normalise_text(call.caller_name) if call.caller_name else None,
                contacts=Contacts(phone=call.caller),
                preferred_channel=Channel.PHONE,
                last_inbound_at=call.started_at,
            ),
            text=original,
            raw_address=call.address,
            origin=Origin(
                kind=OriginKind.OPERATOR if call.source == "manual" else OriginKind.CALL,
                account_id=call.hotline,
                message_id=call.call_id,
            ),
        )
    )
