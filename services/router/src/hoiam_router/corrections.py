"""Operators' triage decisions as the routing uses them now: a model rebuilt from the store."""

from hoiam_router.domain.classify import CorrectionsModel, learn
from hoiam_router.repository import AssignmentRepository


class LearnedCorrections:
    """The corrections model the routing uses now, rebuilt from the stored corrections (after
    each decision, and at every sweep, so every router process picks up the others')."""

    def __init__(self) -> None:
        self.model = CorrectionsModel()

    async def refresh(self, store: AssignmentRepository) -> CorrectionsModel:
        self.model = learn(await store.corrections())
        return self.model
