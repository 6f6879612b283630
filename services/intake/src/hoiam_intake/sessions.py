"""Sessions and meetings: the port and its MongoDB adapter (fake: tests/fakes.py).

A session is one document under its id; a meeting one document under its id, which is derived
from (session, file bytes), inserted first so the same minutes committed twice, even at once, are
one meeting and the second caller reads the first.
"""

from typing import Protocol

from pymongo.asynchronous.database import AsyncDatabase

from hoiam_intake.domain.minutes.sessions import Meeting, Session
from hoiam_shared.mongo import Document, insert_once


class SessionStore(Protocol):
    async def prepare(self) -> None:
        """Create what the store needs (indexes) before the first write."""
        ...

    async def add_session(self, session: Session) -> None: ...

    async def session(self, session_id: str) -> Session | None: ...

    async def sessions(self, limit: int = 100) -> list[Session]:
        """The sessions, the one opening last first."""
        ...

    async def meeting(self, meeting_id: str) -> Meeting | None: ...

    async def add_meeting(self, meeting: Meeting) -> tuple[Meeting, bool]:
        """Store `meeting` unless its id is known: (the stored one, whether this call added it)."""
        ...

    async def meetings_of(self, session_id: str) -> list[Meeting]:
        """A session's meetings in the order they were held."""
        ...


class MongoSessionStore:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._sessions = db["sessions"]
        self._meetings = db["meetings"]

    async def prepare(self) -> None:
        await self._sessions.create_index([("opens_on", -1)])
        await self._meetings.create_index([("session_id", 1), ("held_on", 1)])

    async def add_session(self, session: Session) -> None:
        await insert_once(
            self._sessions,
            session.id,
            {"opens_on": session.opens_on.isoformat(), "session": session.model_dump(mode="json")},
        )

    async def session(self, session_id: str) -> Session | None:
        found = await self._sessions.find_one({"_id": session_id})
        return Session.model_validate(found["session"]) if found else None

    async def sessions(self, limit: int = 100) -> list[Session]:
        found = self._sessions.find({}).sort([("opens_on", -1), ("_id", 1)]).limit(limit)
        return [Session.model_validate(d["session"]) async for d in found]

    async def meeting(self, meeting_id: str) -> Meeting | None:
        found = await self._meetings.find_one({"_id": meeting_id})
        return Meeting.model_validate(found["meeting"]) if found else None

    async def add_meeting(self, meeting: Meeting) -> tuple[Meeting, bool]:
        stored, added = await insert_once(
            self._meetings,
            meeting.id,
            {
                "session_id": meeting.session_id,
                "held_on": meeting.held_on.isoformat(),
                "meeting": meeting.model_dump(mode="json"),
            },
        )
        return Meeting.model_validate((stored or {})["meeting"]), added

    async def meetings_of(self, session_id: str) -> list[Meeting]:
        found = self._meetings.find({"session_id": session_id}).sort([("held_on", 1), ("_id", 1)])
        return [Meeting.model_validate(d["meeting"]) async for d in found]
