"""Forgetting a citizen in a service's own database: every collection, every document.

A service honours `CitizenErased` without knowing its own schema by heart: it first learns what
identifies the person from its own documents (any sub-document with that `citizen_id`: its
`name` and `contacts`; contact keys such as `email:…` used as ids), then masks every occurrence
of those values, in any field, in plain text and inside base64 (dead letters keep raw bytes so),
with `ERASED`. A document whose `_id` carries the person (a contact binding), or that holds
nothing but the person (all its text masked), is deleted: an id cannot be masked, and such
documents are the person. Items, routes and answers stay, anonymous.
New collections are covered without a change here; only the vault's keys are not the store's to
touch (intake destroys them, `hoiam_shared.vault`).
"""

import asyncio
import base64
import binascii
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from pymongo.asynchronous.database import AsyncDatabase

from hoiam_shared.events import CitizenErased
from hoiam_shared.mongo import Document
from hoiam_shared.vault import ERASED, Vault

CONTACT_PREFIXES = ("phone:", "email:", "zalo:", "facebook:")
MIN_VALUE_CHARS = 4
"""Shorter values (a one-letter "name") are not masked: they would erase half of every text."""

_BASE64 = re.compile(r"^[A-Za-z0-9+/_-]{16,}={0,2}$")


def fold(text: str) -> str:
    """Lower case, no tone marks, đ → d, one space between words: how names are indexed."""
    decomposed = unicodedata.normalize("NFD", text.lower().replace("đ", "d"))
    plain = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    return " ".join(re.sub(r"[^\w]+", " ", plain).split())


def phone_forms(phone: str) -> set[str]:
    """An E.164 Vietnamese number as people and systems write it: +84…, 84…, 0…."""
    digits = re.sub(r"\D", "", phone)
    forms = {phone, digits}
    if digits.startswith("84"):
        forms |= {"0" + digits[2:], "+" + digits}
    return forms


@dataclass(frozen=True)
class Traits:
    """What identifies one citizen in stored documents: the values to mask."""

    citizen_id: str
    values: frozenset[str] = field(default_factory=frozenset)

    def with_values(self, values: Iterable[str]) -> "Traits":
        kept = {v for v in values if len(v) >= MIN_VALUE_CHARS and v != ERASED}
        return Traits(self.citizen_id, self.values | kept)

    def with_contact_key(self, contact_key: str) -> "Traits":
        kind, _, value = contact_key.partition(":")
        return self.with_contacts({kind: value})

    def with_name(self, name: str) -> "Traits":
        return self.with_values({name, fold(name)})

    def with_contacts(self, contacts: Mapping[str, object]) -> "Traits":
        values: set[str] = set()
        for kind, value in contacts.items():
            if not isinstance(value, str) or not value:
                continue
            values.add(value)
            if kind == "phone":
                values |= phone_forms(value)
            if kind == "email":
                values.add(value.lower())
        return self.with_values(values)


def _walk(value: Any) -> Iterator[Mapping[str, Any]]:
    if isinstance(value, Mapping):
        yield value
        for inner in value.values():
            yield from _walk(inner)
    elif isinstance(value, (list, tuple)):
        for inner in value:
            yield from _walk(inner)


def learn(document: Mapping[str, Any], traits: Traits) -> Traits:
    """`traits` plus what `document` says of that citizen (the name and contacts beside their
    `citizen_id`; a contact key used as the id of a document bound to them)."""
    for part in _walk(document):
        if part.get("citizen_id") != traits.citizen_id:
            continue
        for key in ("name", "citizen_name"):  # the console's read model flattens it
            name = part.get(key)
            if isinstance(name, str):
                traits = traits.with_name(name)
        contacts = part.get("contacts")
        if isinstance(contacts, Mapping):
            traits = traits.with_contacts(contacts)
        ident = part.get("_id")
        if isinstance(ident, str) and ident.startswith(CONTACT_PREFIXES):
            traits = traits.with_contact_key(ident)
    return traits


def _mask_text(text: str, values: list[str]) -> str:
    for value in values:
        text = re.sub(re.escape(value), ERASED, text, flags=re.IGNORECASE)
    return text


def _mask_bytes(data: bytes, values: list[str]) -> bytes | None:
    try:
        text = data.decode()
    except UnicodeDecodeError:
        return None
    masked = _mask_text(text, values)
    return masked.encode() if masked != text else None


def mask(value: Any, values: list[str]) -> Any:
    """`value` with every occurrence of `values` (longest first) replaced by `ERASED`, in
    strings, bytes, and strings that are base64 of text."""
    if isinstance(value, str):
        masked = _mask_text(value, values)
        if masked == value and _BASE64.match(value):
            try:
                decoded = base64.b64decode(value, validate=True)
            except (binascii.Error, ValueError):
                return value
            inner = _mask_bytes(decoded, values)
            if inner is not None:
                return base64.b64encode(inner).decode()
        return masked
    if isinstance(value, bytes):
        inner = _mask_bytes(value, values)
        return inner if inner is not None else value
    if isinstance(value, Mapping):
        return {k: mask(v, values) for k, v in value.items()}
    if isinstance(value, list):
        return [mask(v, values) for v in value]
    return value


def forget(document: Mapping[str, Any], traits: Traits) -> dict[str, Any] | None:
    """The document masked of the citizen, or None when nothing in it is theirs.

    A result whose `_id` differs from the document's means: delete it (see the module).
    """
    values = sorted(traits.values, key=len, reverse=True)
    if not values:
        return None
    masked: dict[str, Any] = mask(document, values)
    return masked if masked != document else None


_NOT_CONTENT = frozenset({"_id", "citizen_id"})
"""Fields that say whose a document is, not what it holds."""


def _texts(value: Any) -> Iterator[str | bytes]:
    if isinstance(value, (str, bytes)):
        yield value
    elif isinstance(value, Mapping):
        for key, inner in value.items():
            if key not in _NOT_CONTENT:
                yield from _texts(inner)
    elif isinstance(value, (list, tuple)):
        for inner in value:
            yield from _texts(inner)


def to_delete(document: Mapping[str, Any], masked: Mapping[str, Any]) -> bool:
    """Whether a document `forget` masked is deleted rather than kept masked: its `_id` carried
    the person (an id cannot be masked), or nothing is left in it but the mask (every text it
    holds, apart from whose it is, reads `ERASED`: a record of the person alone, e.g. a contact
    card, is the person). Dates, numbers and flags are not content of their own."""
    if masked.get("_id") != document.get("_id"):
        return True
    texts = list(_texts(masked))
    return bool(texts) and all(text == ERASED for text in texts)


class StoreEraser(Protocol):
    """Forgets one citizen in one service's store; returns how many documents changed.

    `traits` says what is known of them already (a second pass passes what the first learnt:
    the documents it masked no longer tell)."""

    async def learn(self, traits: Traits) -> Traits: ...

    async def forget(self, traits: Traits) -> int: ...


class MongoEraser:
    """`forget` over every collection of a database (full scans: erasures are rare)."""

    def __init__(self, db: AsyncDatabase[Document], *, skip: Iterable[str] = ()) -> None:
        self._db = db
        self._skip = {"citizen_keys", *skip}

    async def _collections(self) -> list[str]:
        names = await self._db.list_collection_names()
        return sorted(n for n in names if n not in self._skip and not n.startswith("system."))

    async def learn(self, traits: Traits) -> Traits:
        for name in await self._collections():
            async for document in self._db[name].find({}):
                traits = learn(document, traits)
        return traits

    async def forget(self, traits: Traits) -> int:
        traits = await self.learn(traits)
        changed = 0
        for name in await self._collections():
            collection = self._db[name]
            async for document in collection.find({}):
                masked = forget(document, traits)
                if masked is None:
                    continue
                if to_delete(document, masked):
                    await collection.delete_one({"_id": document["_id"]})
                else:
                    await collection.replace_one({"_id": document["_id"]}, masked)
                changed += 1
        return changed


class ForgetCitizen:
    """The subscriber of `citizen.erasures` every service runs: evict cached keys, forget the
    person in the service's own store, and forget again `settle_seconds` later.

    The second pass catches what was written meanwhile from events opened just before the keys
    were destroyed (another process's cache, an event in flight), with the values the first pass
    learnt. Waiting holds only this subscription's own consumer group. Idempotent.
    """

    def __init__(
        self, eraser: StoreEraser, *, vault: Vault | None, settle_seconds: float = 0.0
    ) -> None:
        self._eraser = eraser
        self._vault = vault
        self._settle = settle_seconds

    async def __call__(self, event: CitizenErased) -> None:
        if self._vault is not None:
            self._vault.evict()
        traits = await self._eraser.learn(Traits(event.citizen_id))
        await self._eraser.forget(traits)
        if self._settle > 0:
            await asyncio.sleep(self._settle)
        await self._eraser.forget(traits)
