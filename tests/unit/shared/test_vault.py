"""The vault: sealed bytes open while their key lives, never after erasure destroys it."""

import base64

import pytest

from fakes import VAULT_SECRET, InMemoryKeyStore, vault_for
from hoiam_shared.vault import Vault, sealed_box
from support.clock import TestClock


async def test_sealed_bytes_open_with_their_key_and_carry_none_of_the_plaintext() -> None:
    vault = vault_for(TestClock.daytime())
    plain = "Nguyễn Văn Minh, 0912345678".encode()
    sealed = await vault.seal("raw:1", plain)
    assert plain not in sealed.box
    assert base64.b64encode(plain) not in sealed.model_dump_json().encode()
    assert await vault.open(sealed) == plain


async def test_a_destroyed_key_opens_nothing_and_says_so_with_none() -> None:
    keys = InMemoryKeyStore()
    vault = vault_for(TestClock.daytime(), keys)
    sealed = await vault.seal("cit:c1", b"secret", citizen_id="c1")
    other = await vault.seal("cit:c2", b"kept", citizen_id="c2")
    assert await vault.destroy(citizen_id="c1") == 1
    assert await vault.open(sealed) is None
    assert await vault.open(other) == b"kept"


async def test_keys_bound_by_contact_are_destroyed_by_that_contact() -> None:
    keys = InMemoryKeyStore()
    vault = vault_for(TestClock.daytime(), keys)
    raw = await vault.seal("raw:9", b"mail bytes")
    await vault.bind("raw:9", contacts=["email:minh@example.vn"])
    # The store keeps digests, never the address itself.
    assert all("minh" not in digest for digest in keys.keys["raw:9"].contacts)
    assert await vault.destroy(citizen_id="cit-x", contacts=["email:someone@else.vn"]) == 0
    assert await vault.open(raw) == b"mail bytes"
    assert await vault.destroy(citizen_id="cit-x", contacts=["email:minh@example.vn"]) == 1
    assert await vault.open(raw) is None


async def test_two_writers_of_one_key_agree_on_the_first_one_stored() -> None:
    keys = InMemoryKeyStore()
    one, two = vault_for(TestClock.daytime(), keys), vault_for(TestClock.daytime(), keys)
    sealed = await one.seal("cit:c1", b"by one")
    again = await two.seal("cit:c1", b"by two")
    assert await two.open(sealed) == b"by one"
    assert await one.open(again) == b"by two"


async def test_a_box_that_does_not_open_under_a_live_key_is_an_error_not_an_erasure() -> None:
    vault = vault_for(TestClock.daytime())
    sealed = await vault.seal("raw:1", b"payload")
    tampered = sealed_box("raw:1", sealed.box[:-1] + bytes([sealed.box[-1] ^ 1]))
    with pytest.raises(ValueError, match="do not open"):
        await vault.open(tampered)


async def test_a_cached_key_lives_its_ttl_and_an_erasure_evicts_it_at_once() -> None:
    keys = InMemoryKeyStore()
    now = [0.0]
    vault = Vault(
        keys, secret=VAULT_SECRET.encode(), clock=TestClock.daytime(), ttl_seconds=60,
        monotonic=lambda: now[0],
    )  # fmt: skip
    sealed = await vault.seal("cit:c1", b"x", citizen_id="c1")
    del keys.keys["cit:c1"]  # destroyed by another process
    assert await vault.open(sealed) == b"x"  # cached: within the TTL
    now[0] = 61
    assert await vault.open(sealed) is None
    second = await vault.seal("cit:c2", b"y", citizen_id="c2")
    del keys.keys["cit:c2"]
    assert await vault.open(second) == b"y"  # cached
    vault.evict()  # what the erasure subscriber does
    assert await vault.open(second) is None


def test_a_short_secret_is_refused() -> None:
    with pytest.raises(ValueError, match="16 bytes"):
        Vault(InMemoryKeyStore(), secret=b"short", clock=TestClock.daytime())
