"""Accounts (tài khoản) of the console: who signs in, in which role, bound to what."""

import re
from datetime import datetime

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from hoiam_shared.identity import Person, Role

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 256
"""argon2 hashes any length; the cap keeps a megabyte 'password' from costing a hash each try."""


class AccountError(ValueError):
    """An account that cannot exist: a bad name, a weak password, a role without its binding."""


class Binding(BaseModel):
    """What an account acts for; which fields count depends on the role (see `check_binding`)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    body_id: str | None = None
    body_name: str | None = None
    delegate_id: str | None = None
    province_code: str | None = None
    commune_code: str | None = None
    constituency: tuple[str, ...] = ()


class Account(BaseModel):
    """A stored account; the password is only ever its argon2 hash."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    username: str
    display_name: str = ""
    role: Role
    password_hash: str
    binding: Binding = Binding()
    active: bool = True
    created_at: AwareDatetime
    created_by: str

    def person(self) -> Person:
        """The identity the console signs for this account (the person token's claims)."""
        b = self.binding
        return Person(
            username=self.username,
            display_name=self.display_name,
            role=self.role,
            body_id=b.body_id if self.role is Role.BODY else None,
            delegate_id=b.delegate_id if self.role is Role.DELEGATE else None,
            province_code=b.province_code if self.role is Role.OPERATOR else None,
            commune_code=b.commune_code if self.role is Role.OPERATOR else None,
            constituency=b.constituency if self.role is Role.DELEGATE else (),
        )


class NewAccount(BaseModel):
    """What an admin (or the first-admin CLI) asks for."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    username: str = Field(min_length=2, max_length=64)
    display_name: str = Field(default="", max_length=200)
    role: Role
    password: str = Field(min_length=1, max_length=MAX_PASSWORD_LENGTH)
    binding: Binding = Binding()


def check_username(username: str) -> str:
    if not USERNAME.fullmatch(username):
        raise AccountError(
            "a username is 2-64 characters: lower-case letters, digits, '.', '_' or '-'"
        )
    return username


def check_password(password: str, *, username: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise AccountError(f"a password has at most {MAX_PASSWORD_LENGTH} characters")
    if password.lower() == username.lower():
        raise AccountError("the password may not be the username")
    return password


def check_binding(role: Role, binding: Binding) -> Binding:
    """Each role's binding is complete, and carries nothing of another role's."""
    if role is Role.OPERATOR:
        if not binding.province_code:
            raise AccountError("an operator belongs to a province's Front (province_code)")
        return Binding(province_code=binding.province_code, commune_code=binding.commune_code)
    if role is Role.BODY:
        if not binding.body_id:
            raise AccountError("body staff belong to one body of the directory (body_id)")
        return Binding(body_id=binding.body_id, body_name=binding.body_name)
    if role is Role.DELEGATE:
        if not binding.delegate_id or not binding.constituency:
            raise AccountError(
                "a delegate is one HĐND delegate of the directory (delegate_id) with the "
                "communes of their constituency"
            )
        return Binding(delegate_id=binding.delegate_id, constituency=binding.constituency)
    return Binding()


def open_account(
    request: NewAccount, *, password_hash: str, created_by: str, at: datetime
) -> Account:
    """The account `request` describes, checked; `password_hash` is of `request.password`."""
    username = check_username(request.username)
    check_password(request.password, username=username)
    return Account(
        username=username,
        display_name=request.display_name or username,
        role=request.role,
        password_hash=password_hash,
        binding=check_binding(request.role, request.binding),
        created_at=at,
        created_by=created_by,
    )
