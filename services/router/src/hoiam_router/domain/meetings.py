"""Who speaks for voters at a meeting (tiếp xúc cử tri): the commune's Front and the delegates.

A meeting's petition has no personal contact ("Cử tri ấp Phú Thọ"), so its routing and its
answer go to the people who tell those voters the results at their next meeting (WORKFLOW.md):
the commune's Front committee (Ủy ban MTTQ xã), which organised the meeting with the delegates,
and the HĐND delegates: those of the constituency the commune is in, and those the minutes name
as present, found in the directory by name in the same province.
"""

import re
from dataclasses import dataclass

from hoiam_router.domain.directory import Body, Councillor, Directory
from hoiam_router.domain.text import fold

_TITLES = re.compile(r"^(?:dong chi|d/c|ong|ba|dai bieu|db|chu tich|pho chu tich|bi thu)\s+")
"""What the minutes put before a delegate's name ("Đồng chí", "Ông", "Đại biểu"), folded."""


@dataclass(frozen=True, slots=True)
class Representatives:
    """Who is told on the voters' behalf: a Front committee and the delegates (may be none)."""

    front: Body | None
    councillors: tuple[Councillor, ...]


def _key(name: str) -> str:
    """A name as compared: no diacritics, no case, single spaces."""
    return " ".join(fold(name).split())


def _name_keys(name: str) -> set[str]:
    """A name as the minutes write it, with and without each title before it: "Ông Lê Ngọc
    Bảo" is Lê Ngọc Bảo, while a delegate whose surname is Ông keeps it."""
    keys, current = set(), _key(name)
    while current:
        keys.add(current)
        shorter = _TITLES.sub("", current, count=1)
        if shorter == current:
            break
        current = shorter
    return keys


def representatives(
    directory: Directory,
    *,
    commune: str | None,
    province: str | None,
    present: tuple[str, ...],
) -> Representatives:
    """The Front committee of the voters' commune (else the province's) and the delegates of
    its constituency, then those present at the meeting, each once, in that order."""
    found: dict[str, Councillor] = {c.id: c for c in directory.councillors_for(commune)}
    wanted = {key for name in present for key in _name_keys(name)}
    for councillor in directory.councillors:
        if province is not None and councillor.province != province:
            continue  # a namesake in another province is not the delegate who came
        if _key(councillor.name) in wanted:
            found.setdefault(councillor.id, councillor)
    return Representatives(
        front=directory.front_for(commune=commune, province=province),
        councillors=tuple(found.values()),
    )
