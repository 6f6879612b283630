"""Operators' corrections as the routing uses them now: models rebuilt from the store."""

from hoiam_router.domain.classify import CorrectionsModel, learn
from hoiam_router.domain.learned import BodyMemory, Predictor, remember
from hoiam_router.repository import AssignmentRepository


class LearnedCorrections:
    """What the routing learned from operators now, rebuilt from the stored corrections (after
    each one, and at every sweep, so every router process picks up the others'): the category
    terms of triage decisions, and the body memory of decisions, reassignments and hand-backs."""

    def __init__(self, *, predictor: Predictor | None = None, threshold: float | None = None):
        self.model = CorrectionsModel()
        self.memory = BodyMemory()
        # The learned routing model (trained at start by an adapter) and the triage threshold.
        self.predictor = predictor
        self.threshold = threshold

    async def refresh(self, store: AssignmentRepository) -> CorrectionsModel:
        self.model = learn(await store.corrections())
        self.memory = remember(await store.body_corrections())
        return self.model
