"""Who acts: the short-lived signed person token the console hands intake and the router.

The console signs in people (operators, body staff, delegates, admins) and calls the other
services on their behalf with a JWT that names the person, the role and the scope. Intake and the
router verify it with the same secret and enforce the scope themselves; the actor written in any
history comes from these verified claims, never from a field of the request body.

Times are checked against the injected clock (not PyJWT's own `datetime.now`), so tests can say
which moment it is and a token minted by one service's clock is judged by the same kind of clock.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

import jwt
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError

from hoiam_shared.clock import Clock

ISSUER = "hoiam-console"
AUDIENCE = "hoiam"
ALGORITHM = "HS256"
DEFAULT_TTL = timedelta(minutes=5)
# Two services' clocks on two machines never agree to the millisecond.
LEEWAY = timedelta(seconds=30)
# HS256 with a short key is guessable offline from one captured token.
MIN_SECRET_BYTES = 32


class Role(StrEnum):
    OPERATOR = "operator"
    BODY = "body"
    DELEGATE = "delegate"
    ADMIN = "admin"


class Person(BaseModel):
    """The verified claims: who, in which role, over what.

    - operator: `province_code` (a province's Front) or also `commune_code` (a commune's Front)
    - body: `body_id` (a directory body id)
    - delegate: `delegate_id` and `constituency` (the commune codes their voters live in)
    - admin: everything
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    username: str = Field(min_length=1, max_length=64)
    display_name: str = Field(default="", max_length=200)
    role: Role
    body_id: str | None = None
    delegate_id: str | None = None
    province_code: str | None = None
    commune_code: str | None = None
    constituency: tuple[str, ...] = ()

    @property
    def actor(self) -> str:
        """How the person appears in a history entry: ``role:username``."""
        return f"{self.role.value}:{self.username}"

    def may_act_for_body(self, body_id: str | None) -> bool:
        """Body staff act only on their own body's items; operators and admins on any."""
        if self.role in (Role.ADMIN, Role.OPERATOR):
            return True
        return self.role is Role.BODY and body_id is not None and body_id == self.body_id

    def may_read_commune(self, commune_code: str | None) -> bool:
        """Delegates read only their constituency's communes; commune operators their commune."""
        if self.role is Role.ADMIN:
            return True
        if self.role is Role.DELEGATE:
            return commune_code is not None and commune_code in self.constituency
        if self.role is Role.OPERATOR and self.commune_code is not None:
            return commune_code == self.commune_code
        return self.role is Role.OPERATOR


MACHINE_ACTOR = "service:operator-token"
"""How the holder of the shared operator token appears in a history entry."""


@dataclass(frozen=True, slots=True)
class Machine:
    """The holder of the shared operator token (a script, the demo): trusted like an admin, and
    named as a machine, never as a person."""

    @property
    def actor(self) -> str:
        return MACHINE_ACTOR

    def named(self, given: str | None) -> str:
        """The machine's actor, with the name a script gave beside it (free text, so never
        alone): ``service:operator-token/<given>``."""
        given = " ".join((given or "").split())
        return f"{MACHINE_ACTOR}/{given}" if given else MACHINE_ACTOR


type Actor = Person | Machine
"""Who acts on a request: a verified person, or the machine holding the operator token."""


class PersonTokenError(ValueError):
    """The token is missing, forged, expired, for someone else, or names no valid person."""


def check_secret(secret: SecretStr) -> bytes:
    key = secret.get_secret_value().encode()
    if len(key) < MIN_SECRET_BYTES:
        raise ValueError(f"the person token secret needs at least {MIN_SECRET_BYTES} bytes")
    return key


def issue_token(
    person: Person, secret: SecretStr, *, now: datetime, ttl: timedelta = DEFAULT_TTL
) -> str:
    """A signed token for `person`, valid from `now` for `ttl`."""
    claims: dict[str, Any] = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": person.username,
        "iat": int(now.timestamp()),
        "exp": int((now + ttl).timestamp()),
        "person": person.model_dump(mode="json"),
    }
    return jwt.encode(claims, check_secret(secret), algorithm=ALGORITHM)


def verify_token(token: str, secret: SecretStr, *, now: datetime) -> Person:
    """The person a token names, or `PersonTokenError` saying why not."""
    try:
        claims = jwt.decode(
            token,
            check_secret(secret),
            algorithms=[ALGORITHM],
            audience=AUDIENCE,
            issuer=ISSUER,
            # Time is judged below against the injected clock.
            options={
                "require": ["exp", "iat", "sub", "iss", "aud"],
                "verify_exp": False,
                "verify_iat": False,
                "verify_nbf": False,
            },
        )
    except jwt.PyJWTError as error:
        raise PersonTokenError(f"invalid person token: {error}") from error
    moment = int(now.timestamp())
    leeway = int(LEEWAY.total_seconds())
    if not isinstance(claims["exp"], int) or not isinstance(claims["iat"], int):
        raise PersonTokenError("invalid person token: exp and iat must be integers")
    if claims["exp"] + leeway <= moment:
        raise PersonTokenError("person token expired")
    if claims["iat"] - leeway > moment:
        raise PersonTokenError("person token issued in the future")
    try:
        person = Person.model_validate(claims.get("person"))
    except ValidationError as error:
        raise PersonTokenError(f"person token names no valid person: {error}") from error
    if person.username != claims["sub"]:
        raise PersonTokenError("person token subject does not match its person")
    return person


def verifier(secret: SecretStr | None, clock: Clock) -> Callable[[str], Person]:
    """`verify_token` bound to a service's secret and clock; closed when no secret is set."""

    def verify(token: str) -> Person:
        if secret is None or not secret.get_secret_value():
            raise PersonTokenError("person tokens are not accepted here (no secret configured)")
        return verify_token(token, secret, now=clock())

    return verify
