"""The person token: signed, short-lived, judged by the injected clock, scoped."""

from datetime import UTC, datetime, timedelta

import jwt
import pytest
from pydantic import SecretStr

from hoiam_shared.identity import (
    Person,
    PersonTokenError,
    Role,
    issue_token,
    verifier,
    verify_token,
)

SECRET = SecretStr("a-test-secret-that-is-long-enough-000")
NOW = datetime(2026, 3, 4, 2, 0, tzinfo=UTC)
STAFF = Person(username="ubnd-tieucan", role=Role.BODY, body_id="vl-xa-tieu-can")


def test_a_token_round_trips_the_person() -> None:
    token = issue_token(STAFF, SECRET, now=NOW)
    assert verify_token(token, SECRET, now=NOW + timedelta(minutes=4)) == STAFF


def test_an_expired_token_is_refused() -> None:
    token = issue_token(STAFF, SECRET, now=NOW)
    with pytest.raises(PersonTokenError, match="expired"):
        verify_token(token, SECRET, now=NOW + timedelta(minutes=6))


def test_a_token_from_the_future_is_refused() -> None:
    token = issue_token(STAFF, SECRET, now=NOW + timedelta(hours=1))
    with pytest.raises(PersonTokenError, match="future"):
        verify_token(token, SECRET, now=NOW)


def test_another_key_or_a_forged_claim_is_refused() -> None:
    token = issue_token(STAFF, SECRET, now=NOW)
    with pytest.raises(PersonTokenError):
        verify_token(token, SecretStr("another-secret-that-is-long-enough-0"), now=NOW)
    forged = jwt.encode(
        {
            "iss": "hoiam-console",
            "aud": "hoiam",
            "sub": "x",
            "iat": 1,
            "exp": 2**40,
            "person": {"username": "x", "role": "admin"},
        },
        "another-secret-that-is-long-enough-0",
        algorithm="HS256",
    )
    with pytest.raises(PersonTokenError):
        verify_token(forged, SECRET, now=NOW)
    unsigned = jwt.encode({"sub": "x"}, "", algorithm="none")
    with pytest.raises(PersonTokenError):
        verify_token(unsigned, SECRET, now=NOW)


def test_a_short_secret_is_refused_and_no_secret_closes_the_door() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        issue_token(STAFF, SecretStr("short"), now=NOW)
    with pytest.raises(PersonTokenError, match="not accepted"):
        verifier(None, lambda: NOW)(issue_token(STAFF, SECRET, now=NOW))


def test_scopes() -> None:
    delegate = Person(username="daibieu", role=Role.DELEGATE, constituency=("29239",))
    commune_front = Person(
        username="mttq-x", role=Role.OPERATOR, province_code="86", commune_code="29239"
    )
    assert STAFF.may_act_for_body("vl-xa-tieu-can")
    assert not STAFF.may_act_for_body("vl-so-xay-dung")
    assert not STAFF.may_act_for_body(None)
    assert not delegate.may_act_for_body("vl-xa-tieu-can")
    assert delegate.may_read_commune("29239")
    assert not delegate.may_read_commune("29240")
    assert commune_front.may_read_commune("29239")
    assert not commune_front.may_read_commune("1")
    assert STAFF.actor == "body:ubnd-tieucan"
