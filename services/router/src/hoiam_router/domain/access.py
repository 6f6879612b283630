"""Who may read or change an item: the scope of the verified person, judged on the item itself.

- admin, and the machine holding the operator token: everything;
- operator of a commune's Front (`commune_code`): that commune's items; of a province's Front
  (`province_code`): that province's items, and those not yet placed in any province (someone
  has to decide them); of no level named: everything;
- body staff: the items their body holds now: status, answer, hand back, reassign away;
- delegate: read only, the items of the communes of their constituency.

Triage decisions, merges and splits are the Front's: operators (in scope) and admins only; so
are notes between levels of the Front (`note_levels`).
Each check returns nothing or raises `AccessDeniedError` with a reason a person can read.
"""

from hoiam_router.domain.assignment import Assignment
from hoiam_shared.events import FrontLevel, NoteKind
from hoiam_shared.identity import Actor, Machine, Person, Role


class AccessDeniedError(PermissionError):
    """The actor may not do this to this item; the message says why."""


def item_province(a: Assignment) -> str | None:
    location = a.routed.location
    return location.province.code if location and location.province else None


def item_commune(a: Assignment) -> str | None:
    location = a.routed.location
    return location.commune.code if location and location.commune else None


def _front_covers(person: Person, a: Assignment) -> bool:
    if person.commune_code is not None:
        return item_commune(a) == person.commune_code
    if person.province_code is not None:
        return item_province(a) in (None, person.province_code)
    return True


def _front_scope(person: Person) -> str:
    if person.commune_code is not None:
        return f"commune {person.commune_code}"
    return f"province {person.province_code}"


def is_front(who: Actor) -> bool:
    """The Front's own staff: the machine, admins, operators."""
    return isinstance(who, Machine) or who.role in (Role.ADMIN, Role.OPERATOR)


def covers(who: Actor, a: Assignment) -> bool:
    """Whether `who` may see the item at all."""
    if isinstance(who, Machine) or who.role is Role.ADMIN:
        return True
    if who.role is Role.OPERATOR:
        return _front_covers(who, a)
    if who.role is Role.BODY:
        return who.may_act_for_body(a.body.id if a.body else None)
    return who.may_read_commune(item_commune(a))


def check_read(who: Actor, a: Assignment) -> None:
    if isinstance(who, Machine) or covers(who, a):
        return
    if who.role is Role.OPERATOR:
        raise AccessDeniedError(f"this item is outside your Front's {_front_scope(who)}")
    if who.role is Role.BODY:
        raise AccessDeniedError(f"this item is not with your body ({who.body_id})")
    raise AccessDeniedError("this item is outside your constituency")


def check_work(who: Actor, a: Assignment) -> None:
    """Status changes, answers, hand backs, reassignments away: the body holding the item, or the
    Front in scope. Delegates read only."""
    if isinstance(who, Person) and who.role is Role.DELEGATE:
        raise AccessDeniedError("delegates read items; they do not change them")
    check_read(who, a)


def check_front(who: Actor, a: Assignment | None = None, *, what: str) -> None:
    """`what` (a triage decision, a merge...) is the Front's: operators in scope and admins."""
    if isinstance(who, Person) and not is_front(who):
        raise AccessDeniedError(f"{what}: operators and admins only, not a {who.role.value}")
    if a is not None:
        check_read(who, a)


def level_of(who: Actor) -> FrontLevel:
    """The level of the Front a person speaks for: a commune's operators the commune's; the
    province's operators, admins and the machine the province's."""
    if isinstance(who, Person) and who.role is Role.OPERATOR and who.commune_code is not None:
        return FrontLevel.COMMUNE
    return FrontLevel.PROVINCE


def note_levels(who: Actor, kind: NoteKind, a: Assignment) -> tuple[FrontLevel, FrontLevel | None]:
    """From which level to which a note of `kind` goes, if `who` may write it on the item.

    A forward goes up, from a commune's Front only; an instruction or a question goes down, from
    the province's Front (or an admin) to the item's commune; a plain note stays where it is.
    """
    check_front(who, a, what="a note between levels of the Front")
    level = level_of(who)
    if kind is NoteKind.FORWARD:
        if level is not FrontLevel.COMMUNE:
            raise AccessDeniedError("only a commune's Front forwards an item to the province's")
        return level, FrontLevel.PROVINCE
    if kind in (NoteKind.INSTRUCTION, NoteKind.QUESTION):
        if level is not FrontLevel.PROVINCE:
            raise AccessDeniedError(
                f"an {kind.value} goes down from the province's Front; a commune's Front "
                "forwards or writes a note"
            )
        if item_commune(a) is None:
            raise NoCommuneError(
                f"this item is in no commune yet: there is no commune's Front to send an "
                f"{kind.value} to"
            )
        return level, FrontLevel.COMMUNE
    return level, None


class NoCommuneError(ValueError):
    """An instruction or question has no commune's Front to go to."""
