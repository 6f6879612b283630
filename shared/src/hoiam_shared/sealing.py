"""The transparent codec of personal fields: sealed on the way to Kafka, opened on the way in.

Which fields are personal is said once, here: a `Citizen`'s name and contacts (in
`FeedbackReceived`, `FeedbackRouted`, `FeedbackMessageAdded`), `ContactReachabilityChanged.address`
and `OperatorTaskOpened.name/phone`. A `SealingPublisher` wraps a service's publisher and seals
them; `subscribe` opens them before a handler sees the event (see `hoiam_shared.kafka`), so
handlers and stores keep working on plain models. After an erasure the key is gone and opening
yields the person as erased (`ERASED`, no contacts): the item goes on, anonymous.

Keys: `cit:<citizen_id>` once intake bound a citizen record, otherwise `item:<item id>`; both are
bound to the digests of the person's contact keys, so erasure finds them either way.
"""

import json
from typing import Any
from uuid import UUID

from hoiam_shared.events import (
    Citizen,
    ContactReachabilityChanged,
    Contacts,
    Event,
    OperatorTaskOpened,
)
from hoiam_shared.kafka import EventPublisher
from hoiam_shared.vault import ERASED, Vault

SEALED_ADDRESS = "[sealed]"
"""What `ContactReachabilityChanged.address` reads on Kafka while the real one is sealed."""


def contact_keys(contacts: Contacts) -> list[str]:
    """Contacts that certainly identify one person, most telling first (`phone:+84…`,
    `email:…`, `zalo:…`, `facebook:…`): intake binds citizens by them, the vault keys too."""
    keys = []
    if contacts.phone:
        keys.append(f"phone:{contacts.phone}")
    if contacts.email:
        keys.append(f"email:{contacts.email.lower()}")
    if contacts.zalo_user_id:
        keys.append(f"zalo:{contacts.zalo_user_id}")
    if contacts.facebook_psid:
        keys.append(f"facebook:{contacts.facebook_psid}")
    return keys


def citizen_key_id(citizen_id: str | None, item_id: UUID) -> str:
    """The data key of a person's fields: their citizen record's, else the item's own."""
    return f"cit:{citizen_id}" if citizen_id else f"item:{item_id}"


def erased_citizen(citizen: Citizen) -> Citizen:
    """The citizen with name and contacts gone; channel, consents and ids stay."""
    return citizen.model_copy(update={"name": ERASED, "contacts": Contacts(), "sealed": None})


def _personal(citizen: Citizen) -> bool:
    return citizen.name not in (None, ERASED) or bool(contact_keys(citizen.contacts))


async def seal_citizen(citizen: Citizen, *, item_id: UUID, vault: Vault) -> Citizen:
    if citizen.sealed is not None or not _personal(citizen):
        return citizen
    plain = json.dumps(
        {"name": citizen.name, "contacts": citizen.contacts.model_dump(mode="json")},
        ensure_ascii=False,
    ).encode()
    sealed = await vault.seal(
        citizen_key_id(citizen.citizen_id, item_id),
        plain,
        citizen_id=citizen.citizen_id,
        contacts=contact_keys(citizen.contacts),
    )
    return citizen.model_copy(update={"name": None, "contacts": Contacts(), "sealed": sealed})


async def open_citizen(citizen: Citizen, *, vault: Vault) -> Citizen:
    if citizen.sealed is None:
        return citizen
    plain = await vault.open(citizen.sealed)
    if plain is None:
        return erased_citizen(citizen)
    fields = json.loads(plain)
    return citizen.model_copy(
        update={
            "name": fields.get("name"),
            "contacts": Contacts.model_validate(fields.get("contacts") or {}),
            "sealed": None,
        }
    )


async def seal_event[E: Event](event: E, vault: Vault) -> E:
    """`event` with its personal fields sealed (the same event, same id, otherwise)."""
    update: dict[str, Any] = {}
    citizen = getattr(event, "citizen", None)
    if isinstance(citizen, Citizen):
        update["citizen"] = await seal_citizen(citizen, item_id=event.correlation_id, vault=vault)
    if isinstance(event, ContactReachabilityChanged) and event.sealed is None:
        key_id = citizen_key_id(event.citizen_id, event.correlation_id)
        contact = f"{_contact_kind(event)}:{event.address}"
        update["sealed"] = await vault.seal(
            key_id, event.address.encode(), citizen_id=event.citizen_id, contacts=[contact]
        )
        update["address"] = SEALED_ADDRESS
    if (
        isinstance(event, OperatorTaskOpened)
        and event.sealed is None
        and (event.name or event.phone or event.details)
    ):
        # `details` too: the notifier puts there the message it could not deliver, which
        # names the person. The item's key: intake destroys it with the citizen's items.
        plain = json.dumps(
            {"name": event.name, "phone": event.phone, "details": event.details},
            ensure_ascii=False,
        )
        key_id = citizen_key_id(None, event.item_id or event.correlation_id)
        update["sealed"] = await vault.seal(
            key_id, plain.encode(), contacts=[f"phone:{event.phone}"] if event.phone else []
        )
        update["name"] = update["phone"] = update["details"] = None
    return event.model_copy(update=update) if update else event


async def open_event[E: Event](event: E, vault: Vault) -> E:
    """`event` with its sealed fields opened, or the person shown as erased once their key is
    gone; an event without sealed fields is returned as it is."""
    update: dict[str, Any] = {}
    citizen = getattr(event, "citizen", None)
    if isinstance(citizen, Citizen) and citizen.sealed is not None:
        update["citizen"] = await open_citizen(citizen, vault=vault)
    if isinstance(event, ContactReachabilityChanged) and event.sealed is not None:
        plain = await vault.open(event.sealed)
        update["address"] = plain.decode() if plain is not None else ERASED
        update["sealed"] = None
    if isinstance(event, OperatorTaskOpened) and event.sealed is not None:
        plain = await vault.open(event.sealed)
        fields = json.loads(plain) if plain is not None else {"name": ERASED}
        update |= {
            "name": fields.get("name"),
            "phone": fields.get("phone"),
            "details": fields.get("details"),
            "sealed": None,
        }
    return event.model_copy(update=update) if update else event


def _contact_kind(event: ContactReachabilityChanged) -> str:
    # The contact key's prefix per channel, as `contact_keys` writes it.
    return {"email": "email", "phone": "phone", "zalo": "zalo", "facebook": "facebook"}.get(
        event.channel.value, event.channel.value
    )


class SealingPublisher:
    """A publisher that seals every event's personal fields before handing it on."""

    def __init__(self, inner: EventPublisher, vault: Vault) -> None:
        self._inner = inner
        self._vault = vault

    async def publish(self, topic: str, event: Event, *, key: UUID | str) -> None:
        await self._inner.publish(topic, await seal_event(event, self._vault), key=key)
