"""The compilation store in memory, held to the Mongo adapter's answers by one contract suite
(tests/integration/test_console_compilations_store.py)."""

from hoiam_console.domain.compiling import Adjusted, LockEvent
from hoiam_console.domain.results import Evaluation


class InMemoryCompilations:
    def __init__(self) -> None:
        self.adjusted: dict[str, dict[int, Adjusted]] = {}
        self.locks: dict[str, dict[int, LockEvent]] = {}
        self.evaluated: dict[str, dict[int, Evaluation]] = {}

    async def prepare(self) -> None:
        return None

    async def adjustments(self, session_id: str) -> list[Adjusted]:
        found = self.adjusted.get(session_id, {})
        return [found[seq] for seq in sorted(found)]

    async def add_adjustment(self, session_id: str, adjusted: Adjusted) -> bool:
        log = self.adjusted.setdefault(session_id, {})
        if adjusted.seq in log:
            return False
        log[adjusted.seq] = adjusted
        return True

    async def lock_events(self, session_id: str) -> list[LockEvent]:
        found = self.locks.get(session_id, {})
        return [found[seq] for seq in sorted(found)]

    async def add_lock_event(self, session_id: str, event: LockEvent) -> bool:
        log = self.locks.setdefault(session_id, {})
        if event.seq in log:
            return False
        log[event.seq] = event
        return True

    async def evaluations(self, session_id: str) -> list[Evaluation]:
        found = self.evaluated.get(session_id, {})
        return [found[seq] for seq in sorted(found)]

    async def add_evaluation(self, session_id: str, evaluation: Evaluation) -> bool:
        log = self.evaluated.setdefault(session_id, {})
        if evaluation.seq in log:
            return False
        log[evaluation.seq] = evaluation
        return True
