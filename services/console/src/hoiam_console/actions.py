"""What a person can do in the console, one function per action; the JSON API and the page forms
both call these, so a page never does anything the API would not (and both check the same
rules). Reads come from the read model; changes go to the owning service with the person token."""

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from hoiam_console.domain.access import (
    ForbiddenError,
    inbox_scope,
    may_act,
    may_administer,
    may_read,
    may_triage,
    may_work_tasks,
    require,
)
from hoiam_console.domain.accounts import (
    Account,
    AccountError,
    NewAccount,
    check_password,
    check_username,
    open_account,
)
from hoiam_console.domain.readmodel import BodyChoice, ItemRecord
from hoiam_console.passwords import Passwords
from hoiam_console.ports import AccountStore, ReadModel
from hoiam_console.upstream import Councillor, Task, Upstream
from hoiam_shared.clock import Clock
from hoiam_shared.events import Status
from hoiam_shared.identity import Person, Role

__all__ = ["AccountError", "Actions", "ForbiddenError", "NotFoundError"]

BODY_STATUSES = ("acknowledged", "in_progress", "resolved", "rejected")
"""What body staff set; an operator may also reopen or close."""
OPERATOR_STATUSES = (*BODY_STATUSES, "reopened", "closed")


class NotFoundError(LookupError):
    pass


class Actions:
    def __init__(
        self,
        *,
        read_model: ReadModel,
        accounts: AccountStore,
        upstream: Upstream,
        passwords: Passwords,
        clock: Clock,
    ) -> None:
        self._items = read_model
        self._accounts = accounts
        self._upstream = upstream
        self._passwords = passwords
        self._clock = clock

    # --- reading ---------------------------------------------------------------------------

    async def inbox(
        self, person: Person, *, statuses: Sequence[Status] | None = None
    ) -> list[ItemRecord]:
        scope = inbox_scope(person)
        communes = scope.communes
        if scope.commune_code is not None:
            communes = (scope.commune_code,)
        found = await self._items.find(
            body_id=scope.body_id,
            province_code=scope.province_code if communes is None else None,
            commune_codes=communes,
            statuses=statuses,
        )
        # The store's query is a first cut; the rule itself decides (one truth for access).
        return [item for item in found if may_read(person, item.scope)]

    async def item(self, person: Person, tracking_code: str) -> ItemRecord:
        item = await self._items.by_tracking_code(tracking_code.strip().upper())
        if item is None:
            raise NotFoundError(f"no item {tracking_code}")
        require(may_read(person, item.scope), "this item belongs to another body or area")
        return item

    async def photo(
        self, person: Person, tracking_code: str, attachment_id: str
    ) -> tuple[bytes, str]:
        """A photo of an item the person may read, fetched from intake with their token."""
        item = await self.item(person, tracking_code)
        # Only this item's photos: the item's scope decides who sees them, not the id.
        if attachment_id not in {p.id for p in item.photos}:
            raise NotFoundError(f"no photo {attachment_id} on {tracking_code}")
        return await self._upstream.photo(person, attachment_id)

    async def item_by_id(self, person: Person, item_id: UUID) -> ItemRecord:
        item = await self._items.get(item_id)
        if item is None:
            raise NotFoundError(f"no item {item_id}")
        require(may_read(person, item.scope), "this item belongs to another body or area")
        return item

    async def triage(self, person: Person) -> list[ItemRecord]:
        require(may_triage(person), "the triage queue is the operators'")
        found = await self._items.find(
            province_code=person.province_code if person.role is Role.OPERATOR else None,
            statuses=[Status.TRIAGE],
        )
        return [item for item in found if may_read(person, item.scope)]

    async def tasks(self, person: Person, *, state: str | None = None) -> list[Task]:
        require(may_work_tasks(person), "tasks are the operators'")
        return await self._upstream.tasks(person, state=state)

    # --- acting on items -------------------------------------------------------------------

    async def _actable(self, person: Person, tracking_code: str) -> ItemRecord:
        item = await self.item(person, tracking_code)
        require(may_act(person, item.scope), "you may follow this item, not act on it")
        return item

    async def change_status(
        self,
        person: Person,
        tracking_code: str,
        *,
        status: str,
        answer: str | None = None,
        reason: str | None = None,
        reason_code: str | None = None,
    ) -> ItemRecord:
        item = await self._actable(person, tracking_code)
        allowed = BODY_STATUSES if person.role is Role.BODY else OPERATOR_STATUSES
        if status not in allowed:
            raise ForbiddenError(f"you may set the status to one of {', '.join(allowed)}")
        if status == "resolved" and not (answer or "").strip():
            raise ValueError("resolving needs the answer the citizen will receive")
        await self._upstream.change_status(
            person,
            item.item_id,
            status=status,
            answer=(answer or "").strip() or None,
            reason=(reason or "").strip() or None,
            reason_code=reason_code,
        )
        return item

    async def hand_back(self, person: Person, tracking_code: str, *, reason: str) -> ItemRecord:
        item = await self._actable(person, tracking_code)
        if not reason.strip():
            raise ValueError("say why the item is not yours")
        await self._upstream.hand_back(person, item.item_id, reason=reason.strip())
        return item

    async def reassign(
        self, person: Person, tracking_code: str, *, body_id: str, reason: str
    ) -> ItemRecord:
        item = await self._actable(person, tracking_code)
        if not reason.strip() or not body_id.strip():
            raise ValueError("a reassignment names the body and the reason")
        await self._upstream.reassign(
            person, item.item_id, body_id=body_id.strip(), reason=reason.strip()
        )
        return item

    async def decide(
        self, person: Person, tracking_code: str, *, body_id: str, category: str | None = None
    ) -> ItemRecord:
        require(may_triage(person), "triage decisions are the operators'")
        item = await self.item(person, tracking_code)
        if item.status is not Status.TRIAGE:
            raise ValueError(f"{item.tracking_code} is not waiting in triage")
        chosen = category or item.category_code
        if not chosen:
            raise ValueError("choose a category")
        await self._upstream.decide(person, item.item_id, category=chosen, body_id=body_id)
        return item

    async def assign_task(self, person: Person, task_id: str) -> None:
        require(may_work_tasks(person), "tasks are the operators'")
        await self._upstream.assign_task(person, task_id)

    async def finish_task(self, person: Person, task_id: str, *, note: str | None) -> None:
        require(may_work_tasks(person), "tasks are the operators'")
        await self._upstream.finish_task(person, task_id, note=note)

    # --- the directory and accounts (admins) -----------------------------------------------

    async def bodies(self, person: Person, *, province: str | None) -> list[BodyChoice]:
        return await self._upstream.bodies(person, province=province)

    async def councillors(self, person: Person, *, province: str | None) -> list[Councillor]:
        require(may_administer(person), "accounts are the admin's")
        return await self._upstream.councillors(person, province=province)

    async def accounts(self, person: Person) -> list[Account]:
        require(may_administer(person), "accounts are the admin's")
        return await self._accounts.all()

    async def create_account(self, person: Person, request: NewAccount) -> Account:
        require(may_administer(person), "accounts are the admin's")
        binding = request.binding
        # Bind only to what the directory has: a typo would make an account that sees nothing.
        if request.role is Role.BODY:
            bodies = await self._upstream.bodies(person, province=None)
            body = next((b for b in bodies if b.id == binding.body_id), None)
            if body is None:
                raise AccountError(f"no body {binding.body_id!r} in the directory")
            binding = binding.model_copy(update={"body_name": body.name})
        if request.role is Role.DELEGATE:
            found = await self._upstream.councillors(person, province=None)
            councillor = next((c for c in found if c.id == binding.delegate_id), None)
            if councillor is None:
                raise AccountError(f"no delegate {binding.delegate_id!r} in the directory")
            binding = binding.model_copy(update={"constituency": councillor.communes})
        return await self.add_account(
            request.model_copy(update={"binding": binding}), created_by=person.actor
        )

    async def add_account(self, request: NewAccount, *, created_by: str) -> Account:
        """Store a checked account (the CLI's path too: it has no directory to ask)."""
        now: datetime = self._clock()
        check_password(request.password, username=check_username(request.username))
        account = open_account(
            request,
            password_hash=self._passwords.hash(request.password),
            created_by=created_by,
            at=now,
        )
        if not await self._accounts.add(account):
            raise AccountError(f"the username {account.username!r} is taken")
        return account
