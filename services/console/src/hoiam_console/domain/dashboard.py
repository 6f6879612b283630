"""The dashboard's figures (counts by channel, category, body, status; overdue, the on-time
rate and citizens' satisfaction per body) and its charts as plain SVG text: pure, from item
records and today's date."""

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from html import escape

from hoiam_console.domain.public import LOW_SCORE
from hoiam_console.domain.readmodel import ItemRecord
from hoiam_console.domain.sla import sla_badge
from hoiam_shared.clock import vietnam_date
from hoiam_shared.events import Status

UNKNOWN = "—"
"""The label of an item with no channel, category or body yet (received, or in triage)."""

FINISHED = frozenset({Status.RESOLVED, Status.CLOSED, Status.REJECTED})


@dataclass(frozen=True, slots=True)
class Count:
    label: str
    n: int


@dataclass(frozen=True, slots=True)
class OnTime:
    """A body's answered items that had a due date, and how many were answered by it."""

    body: str
    resolved: int
    on_time: int

    @property
    def rate(self) -> float | None:
        return self.on_time / self.resolved if self.resolved else None


@dataclass(frozen=True, slots=True)
class Satisfied:
    """A body's ratings by citizens (1 to 5): how many, their mean, how many were low (at or
    below LOW_SCORE: those items went back to the body)."""

    body: str
    ratings: int
    mean: float
    low: int

    @property
    def low_share(self) -> float:
        return self.low / self.ratings


@dataclass(frozen=True, slots=True)
class Dashboard:
    total: int
    open: int
    overdue: int
    by_channel: tuple[Count, ...]
    by_category: tuple[Count, ...]
    by_body: tuple[Count, ...]
    by_status: tuple[Count, ...]
    overdue_by_body: tuple[Count, ...]
    on_time: tuple[OnTime, ...]
    satisfaction: tuple[Satisfied, ...] = ()


def _counts(labels: Iterable[str]) -> tuple[Count, ...]:
    """Most first, then by label, so equal counts keep one order run after run."""
    counted = Counter(labels)
    return tuple(
        Count(label, n) for label, n in sorted(counted.items(), key=lambda c: (-c[1], c[0]))
    )


def resolved_on(item: ItemRecord) -> date | None:
    """The Vietnam day the item was first answered (a reopened item keeps its first answer:
    that is when the body said it was done)."""
    answers = [e.at for e in item.history if e.kind == "status" and e.status is Status.RESOLVED]
    return vietnam_date(min(answers)) if answers else None


def is_overdue(item: ItemRecord, *, today: date) -> bool:
    found = sla_badge(item.status, item.due_on, today=today)
    return found is not None and found.kind == "overdue"


def is_open(item: ItemRecord) -> bool:
    return item.status not in FINISHED


def on_time_by_body(items: Iterable[ItemRecord]) -> tuple[OnTime, ...]:
    """Resolved within the due date / resolved, per body: only items that had a due date and
    an answer count (an item in triage had no deadline to keep)."""
    resolved: Counter[str] = Counter()
    kept: Counter[str] = Counter()
    for item in items:
        answered = resolved_on(item)
        if answered is None or item.due_on is None:
            continue
        body = item.body_name or item.body_id or UNKNOWN
        resolved[body] += 1
        if answered <= item.due_on:
            kept[body] += 1
    return tuple(OnTime(body, resolved[body], kept[body]) for body in sorted(resolved))


def satisfaction_by_body(items: Iterable[ItemRecord]) -> tuple[Satisfied, ...]:
    """Per body, from the ratings the read model holds (one per item): the least satisfied
    first, so the body citizens are least happy with is read first; then by name."""
    scores: dict[str, list[int]] = {}
    for item in items:
        if item.rating_score is not None:
            body = item.body_name or item.body_id or UNKNOWN
            scores.setdefault(body, []).append(item.rating_score)
    found = [
        Satisfied(
            body=body,
            ratings=len(given),
            mean=round(sum(given) / len(given), 2),
            low=sum(1 for s in given if s <= LOW_SCORE),
        )
        for body, given in scores.items()
    ]
    return tuple(sorted(found, key=lambda s: (s.mean, s.body)))


def dashboard(items: Sequence[ItemRecord], *, today: date) -> Dashboard:
    overdue = [item for item in items if is_overdue(item, today=today)]
    return Dashboard(
        total=len(items),
        open=sum(is_open(item) for item in items),
        overdue=len(overdue),
        by_channel=_counts(item.channel.value if item.channel else UNKNOWN for item in items),
        by_category=_counts(item.category_name or item.category_code or UNKNOWN for item in items),
        by_body=_counts(item.body_name or item.body_id or UNKNOWN for item in items),
        by_status=_counts(item.status.value if item.status else UNKNOWN for item in items),
        overdue_by_body=_counts(item.body_name or item.body_id or UNKNOWN for item in overdue),
        on_time=on_time_by_body(items),
        satisfaction=satisfaction_by_body(items),
    )


# Sized for a phone (commune staff mostly use one): drawn about 1:1 at 400 px wide.
BAR_HEIGHT = 24
GAP = 6
LABEL_WIDTH = 180
CHART_WIDTH = 420
LABEL_CHARS = 19


def bar_chart(counts: Sequence[Count], *, title: str, colour: str = "#0b4f8a") -> str:
    """A horizontal bar chart as an SVG element (no script, no library): one bar per count,
    its label left, its number right; `role="img"` and a <title> so a screen reader names it."""
    top = max((c.n for c in counts), default=0) or 1
    span = CHART_WIDTH - LABEL_WIDTH - 40
    height = max(1, len(counts)) * (BAR_HEIGHT + GAP) + GAP
    rows = []
    for index, count in enumerate(counts):
        y = GAP + index * (BAR_HEIGHT + GAP)
        width = round(span * count.n / top)
        short = count.label
        if len(short) > LABEL_CHARS:
            short = short[: LABEL_CHARS - 1] + "…"
        label = escape(short)
        rows.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{y + 17}" text-anchor="end">{label}</text>'
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{width}" height="{BAR_HEIGHT}" '
            f'fill="{escape(colour)}"><title>{escape(count.label)}: {count.n}</title></rect>'
            f'<text x="{LABEL_WIDTH + width + 6}" y="{y + 17}">{count.n}</text>'
        )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {CHART_WIDTH} {height}" '
        f'width="100%" font-size="15" font-family="system-ui, sans-serif" fill="#1a1a1a">'
        f"<title>{escape(title)}</title>{''.join(rows)}</svg>"
    )


@dataclass(frozen=True, slots=True)
class CommuneFlow:
    """One commune's items for the province Front: how many, how many open, how many late."""

    commune_code: str
    commune_name: str
    total: int
    open: int
    overdue: int


def commune_flows(items: Iterable[ItemRecord], *, today: date) -> list[CommuneFlow]:
    """Per commune, most overdue first, then most open; items placed in no commune together."""
    grouped: dict[str, list[ItemRecord]] = {}
    names: dict[str, str] = {}
    for item in items:
        code = item.commune_code or ""
        grouped.setdefault(code, []).append(item)
        if item.commune_name:
            names[code] = item.commune_name
    flows = [
        CommuneFlow(
            commune_code=code,
            commune_name=names.get(code, UNKNOWN),
            total=len(found),
            open=sum(is_open(i) for i in found),
            overdue=sum(is_overdue(i, today=today) for i in found),
        )
        for code, found in grouped.items()
    ]
    return sorted(flows, key=lambda f: (-f.overdue, -f.open, f.commune_code))


def overdue_first(items: Iterable[ItemRecord], *, today: date) -> list[ItemRecord]:
    """The delegate's order: overdue first (the earliest due first), then open items by due
    date (none last), then finished ones, newest first within each."""

    def key(item: ItemRecord) -> tuple[int, date, float]:
        received = -item.received_at.timestamp() if item.received_at else 0.0
        if is_overdue(item, today=today):
            return (0, item.due_on or date.max, received)
        if is_open(item):
            return (1, item.due_on or date.max, received)
        return (2, date.max, received)

    return sorted(items, key=key)
