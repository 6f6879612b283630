"""Who may see and do what in the console (the same rules intake and the router enforce on the
person token; the console checks first so a page never offers what would be refused)."""

from dataclasses import dataclass

from hoiam_shared.identity import Person, Role


class ForbiddenError(PermissionError):
    """The person is signed in but this is not theirs to see or do."""


@dataclass(frozen=True, slots=True)
class ItemScope:
    """Where an item belongs: its body now, and the place the router put it."""

    body_id: str | None
    province_code: str | None
    commune_code: str | None


@dataclass(frozen=True, slots=True)
class InboxScope:
    """What a person's inbox lists; None everywhere means everything (admin)."""

    body_id: str | None = None
    province_code: str | None = None
    commune_code: str | None = None
    communes: tuple[str, ...] | None = None


def may_read(person: Person, item: ItemScope) -> bool:
    if person.role is Role.ADMIN:
        return True
    if person.role is Role.BODY:
        return item.body_id is not None and item.body_id == person.body_id
    if person.role is Role.DELEGATE:
        return item.commune_code is not None and item.commune_code in person.constituency
    # Operators: their Front's province (or commune); an item the router could not place
    # anywhere is every operator's, or it would wait in nobody's triage queue.
    if person.commune_code is not None:
        return item.commune_code == person.commune_code
    return item.province_code is None or item.province_code == person.province_code


def may_act(person: Person, item: ItemScope) -> bool:
    """Change the status, answer, hand back, reassign: the item's body, its operators, admins.
    Delegates read and follow; they do not answer for a body."""
    if person.role is Role.DELEGATE:
        return False
    return may_read(person, item)


def may_triage(person: Person) -> bool:
    return person.role in (Role.OPERATOR, Role.ADMIN)


def may_work_tasks(person: Person) -> bool:
    return person.role in (Role.OPERATOR, Role.ADMIN)


def may_publish(person: Person) -> bool:
    """Approve answers for the public archive, or withdraw them: the Front's operators (of the
    item's area) and admins; a body answers, it does not decide what the public reads."""
    return person.role in (Role.OPERATOR, Role.ADMIN)


def may_administer(person: Person) -> bool:
    return person.role is Role.ADMIN


def inbox_scope(person: Person) -> InboxScope:
    if person.role is Role.BODY:
        return InboxScope(body_id=person.body_id or "\x00none")
    if person.role is Role.DELEGATE:
        return InboxScope(communes=person.constituency)
    if person.role is Role.OPERATOR:
        return InboxScope(province_code=person.province_code, commune_code=person.commune_code)
    return InboxScope()


def require(allowed: bool, what: str) -> None:
    if not allowed:
        raise ForbiddenError(what)
