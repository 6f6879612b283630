"""The console's pure rules: accounts, sessions and CSRF, throttling, access, SLA badges."""

from datetime import UTC, date, datetime, timedelta

import pytest

from hoiam_console.domain.access import (
    ItemScope,
    inbox_scope,
    may_act,
    may_administer,
    may_read,
    may_triage,
    may_work_tasks,
)
from hoiam_console.domain.accounts import AccountError, Binding, NewAccount, open_account
from hoiam_console.domain.sessions import hash_token, open_session
from hoiam_console.domain.sla import Badge, sla_badge, working_days_between
from hoiam_console.domain.throttle import refused_until
from hoiam_shared.events import Status
from hoiam_shared.identity import Person, Role

NOW = datetime(2026, 12, 2, 3, 0, tzinfo=UTC)


def request(role: Role, binding: Binding | None = None, **extra: str) -> NewAccount:
    return NewAccount(
        username=extra.get("username", "someone"),
        role=role,
        password=extra.get("password", "a long enough password"),
        binding=binding or Binding(),
    )


# --- accounts -----------------------------------------------------------------------------


def test_an_account_of_each_role_carries_only_its_own_binding() -> None:
    everything = Binding(
        body_id="29341-ubnd-xa",
        delegate_id="86-hdnd-1-1",
        province_code="86",
        commune_code="29341",
        constituency=("29551",),
    )
    body = open_account(request(Role.BODY, everything), password_hash="h", created_by="t", at=NOW)
    assert body.person() == Person(
        username="someone", display_name="someone", role=Role.BODY, body_id="29341-ubnd-xa"
    )
    operator = open_account(
        request(Role.OPERATOR, everything), password_hash="h", created_by="t", at=NOW
    )
    assert operator.person().province_code == "86"
    assert operator.person().body_id is None
    delegate = open_account(
        request(Role.DELEGATE, everything), password_hash="h", created_by="t", at=NOW
    )
    assert delegate.person().constituency == ("29551",)
    assert delegate.person().province_code is None
    admin = open_account(request(Role.ADMIN, everything), password_hash="h", created_by="t", at=NOW)
    assert admin.binding == Binding()


@pytest.mark.parametrize(
    ("role", "binding", "says"),
    [
        (Role.OPERATOR, Binding(), "province_code"),
        (Role.BODY, Binding(province_code="86"), "body_id"),
        (Role.DELEGATE, Binding(delegate_id="86-hdnd-1-1"), "delegate"),
    ],
)
def test_a_role_without_its_binding_is_refused(role: Role, binding: Binding, says: str) -> None:
    with pytest.raises(AccountError, match=says):
        open_account(request(role, binding), password_hash="h", created_by="t", at=NOW)


@pytest.mark.parametrize(
    ("username", "password", "says"),
    [
        ("Ab", "a long enough password", "username"),
        ("ok-name", "short", "at least 10"),
        ("samesame123", "SameSame123", "may not be the username"),
        ("has space", "a long enough password", "username"),
    ],
)
def test_bad_names_and_weak_passwords_are_refused(username: str, password: str, says: str) -> None:
    with pytest.raises(AccountError, match=says):
        open_account(
            request(Role.ADMIN, username=username, password=password),
            password_hash="h",
            created_by="t",
            at=NOW,
        )


# --- sessions and CSRF --------------------------------------------------------------------


def test_a_session_keeps_only_the_hash_of_its_token_and_expires() -> None:
    token, session = open_session("operator", kind="browser", now=NOW, ttl=timedelta(hours=8))
    assert session.token_hash == hash_token(token) != token
    assert session.live(NOW + timedelta(hours=7, minutes=59))
    assert not session.live(NOW + timedelta(hours=8))


def test_csrf_matches_only_the_sessions_own_token() -> None:
    _, one = open_session("operator", kind="browser", now=NOW, ttl=timedelta(hours=1))
    _, other = open_session("operator", kind="browser", now=NOW, ttl=timedelta(hours=1))
    assert one.csrf_matches(one.csrf_token)
    assert not one.csrf_matches(other.csrf_token)
    assert not one.csrf_matches("")
    assert not one.csrf_matches(None)


# --- throttling ---------------------------------------------------------------------------

WINDOW = timedelta(minutes=15)


def test_five_failures_in_the_window_refuse_until_the_first_leaves_it() -> None:
    failures = [NOW - timedelta(minutes=m) for m in (10, 8, 6, 4)]
    assert refused_until(failures, now=NOW, allowed=5, window=WINDOW) is None
    failures.append(NOW)
    assert refused_until(failures, now=NOW, allowed=5, window=WINDOW) == NOW + timedelta(minutes=5)


def test_failures_older_than_the_window_do_not_count() -> None:
    old = [NOW - timedelta(minutes=16 + m) for m in range(10)]
    assert refused_until(old, now=NOW, allowed=5, window=WINDOW) is None


# --- access -------------------------------------------------------------------------------

ITEM = ItemScope(body_id="29341-ubnd-xa", province_code="86", commune_code="29341")
OPERATOR = Person(username="op", role=Role.OPERATOR, province_code="86")
OTHER_PROVINCE = Person(username="op2", role=Role.OPERATOR, province_code="46")
COMMUNE_OPERATOR = Person(username="op3", role=Role.OPERATOR, province_code="86", commune_code="1")
BODY = Person(username="ub", role=Role.BODY, body_id="29341-ubnd-xa")
OTHER_BODY = Person(username="sx", role=Role.BODY, body_id="86-so-xay-dung")
DELEGATE = Person(username="db", role=Role.DELEGATE, delegate_id="d", constituency=("29341",))
FAR_DELEGATE = Person(username="db2", role=Role.DELEGATE, delegate_id="e", constituency=("1",))
ADMIN = Person(username="ad", role=Role.ADMIN)


@pytest.mark.parametrize(
    ("person", "reads", "acts"),
    [
        (OPERATOR, True, True),
        (OTHER_PROVINCE, False, False),
        (COMMUNE_OPERATOR, False, False),
        (BODY, True, True),
        (OTHER_BODY, False, False),
        (DELEGATE, True, False),
        (FAR_DELEGATE, False, False),
        (ADMIN, True, True),
    ],
)
def test_who_reads_and_who_acts_on_an_item(person: Person, reads: bool, acts: bool) -> None:
    assert may_read(person, ITEM) is reads
    assert may_act(person, ITEM) is acts


def test_an_item_placed_nowhere_is_every_province_operators() -> None:
    nowhere = ItemScope(body_id=None, province_code=None, commune_code=None)
    assert may_read(OPERATOR, nowhere)
    assert may_read(OTHER_PROVINCE, nowhere)
    assert not may_read(BODY, nowhere)
    assert not may_read(DELEGATE, nowhere)


def test_triage_tasks_and_accounts_are_not_for_bodies_or_delegates() -> None:
    for person in (BODY, DELEGATE):
        assert not (may_triage(person))
        assert not (may_work_tasks(person))
        assert not (may_administer(person))
    assert may_triage(OPERATOR)
    assert may_work_tasks(OPERATOR)
    assert not may_administer(OPERATOR)
    assert may_administer(ADMIN)


def test_a_body_account_without_a_body_lists_nothing_rather_than_everything() -> None:
    lost = Person(username="x", role=Role.BODY, body_id=None)
    assert inbox_scope(lost).body_id is not None
    assert not may_read(lost, ItemScope(body_id=None, province_code="86", commune_code=None))


# --- SLA badge ----------------------------------------------------------------------------


def weekdays(day: date) -> bool:
    return day.weekday() < 5


TUESDAY = date(2026, 12, 1)


def test_due_in_working_days_skipping_the_weekend() -> None:
    next_tuesday = date(2026, 12, 8)
    assert working_days_between(TUESDAY, next_tuesday, weekdays) == 5
    badge = sla_badge(Status.ROUTED, next_tuesday, today=TUESDAY, is_working_day=weekdays)
    assert badge == Badge("due", 5)


def test_due_today_and_overdue() -> None:
    assert sla_badge(Status.ACKNOWLEDGED, TUESDAY, today=TUESDAY) == Badge("today", 0)
    friday_before = date(2026, 11, 27)
    overdue = sla_badge(Status.IN_PROGRESS, friday_before, today=TUESDAY, is_working_day=weekdays)
    assert overdue == Badge("overdue", 2)


@pytest.mark.parametrize("status", [Status.RESOLVED, Status.CLOSED, Status.TRIAGE, None])
def test_no_badge_when_no_deadline_runs(status: Status | None) -> None:
    assert sla_badge(status, TUESDAY, today=TUESDAY) is None


def test_the_vietnamese_holidays_are_no_working_days() -> None:
    # 2/9 (Quốc khánh) 2026 is a Wednesday; the default calendar skips it.
    assert sla_badge(Status.ROUTED, date(2026, 9, 3), today=date(2026, 9, 1)) == Badge("due", 1)
