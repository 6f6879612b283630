"""Who acts on an HTTP request: the machine operator token, or a person's signed token.

Intake and the router accept two credentials on their operator routes, both as
``Authorization: Bearer <credential>``:

- the shared operator token (a machine credential for scripts and the demo), compared in constant
  time; the actor it yields is the `Machine`, written ``service:operator-token`` in histories;
- a person token minted by the console (`hoiam_shared.identity.issue_token`), verified with the
  service's `person_token_secret` and its injected clock; the actor is the verified `Person`.

Anything else is 401 with the reason (missing, expired, forged, not accepted here). What a role
may do on a route is the route's business: `operators_only` covers the common case.
"""

import hmac
from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Header, HTTPException
from pydantic import SecretStr

from hoiam_shared.identity import MACHINE_ACTOR, Actor, Machine, Person, PersonTokenError, Role

type Verify = Callable[[str], Person]
"""A person-token check bound to a secret and a clock (`hoiam_shared.identity.verifier`)."""

_CHALLENGE = {"WWW-Authenticate": "Bearer"}
_HOW = "Authorization: Bearer <operator token or person token>"


def unauthorised(reason: str) -> HTTPException:
    return HTTPException(status_code=401, detail=f"{reason} ({_HOW})", headers=_CHALLENGE)


def forbidden(reason: str) -> HTTPException:
    return HTTPException(status_code=403, detail=reason)


def actor_guard(
    operator_token: SecretStr | None, verify: Verify
) -> Callable[..., Awaitable[Actor]]:
    """A FastAPI dependency returning who acts, or 401 saying why nobody does.

    The operator token is closed when unset or empty; person tokens are closed when `verify` has
    no secret. Use the same returned callable both in `dependencies=` and as a parameter
    (``who: Annotated[Actor, Depends(guard)]``): FastAPI then checks once per request.
    """
    expected = operator_token.get_secret_value().encode() if operator_token else b""

    async def guard(authorization: Annotated[str | None, Header()] = None) -> Actor:
        scheme, _, given = (authorization or "").strip().partition(" ")
        given = given.strip()
        if scheme.lower() != "bearer" or not given:
            raise unauthorised("operator or person token required (Authorization: Bearer <token>)")
        # Compared first and in constant time, whatever the credential looks like.
        if expected and hmac.compare_digest(given.encode(), expected):
            return Machine()
        if given.count(".") != 2:
            # Not a JWT at all: a wrong operator token, said as such.
            raise unauthorised("wrong operator token")
        try:
            return verify(given)
        except PersonTokenError as error:
            raise unauthorised(str(error)) from error

    return guard


STAFF_ROLES = (Role.OPERATOR, Role.ADMIN)

__all__ = ["MACHINE_ACTOR", "Actor", "Machine", "Verify", "actor_guard", "operators_only"]


def operators_only(
    guard: Callable[..., Awaitable[Actor]],
) -> Callable[..., Awaitable[Actor]]:
    """`guard`, then 403 for body staff and delegates: the route is the Front's own work."""

    async def check(who: Annotated[Actor, Depends(guard)]) -> Actor:
        if isinstance(who, Person) and who.role not in STAFF_ROLES:
            raise forbidden(f"only operators and admins may do this, not a {who.role.value}")
        return who

    return check
