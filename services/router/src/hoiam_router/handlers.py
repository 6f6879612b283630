"""The router's subscriber: a received item → load → decide → case → save → emit."""

import logging
from uuid import UUID

from hoiam_router import domain
from hoiam_router.corrections import LearnedCorrections
from hoiam_router.domain.cases import CASE_WINDOW, CaseMember, best_case, case_area, fingerprint
from hoiam_router.domain.directory import Directory
from hoiam_router.domain.events import routed_event
from hoiam_router.metrics import RouterMetrics
from hoiam_router.outbox import Outbox
from hoiam_router.repeats import RepeatFinder
from hoiam_router.repository import AssignmentRepository
from hoiam_shared.clock import Clock
from hoiam_shared.events import FeedbackReceived, FeedbackRouted, Status

log = logging.getLogger(__name__)


class RouteFeedback:
    """Load → domain → case → save → emit for one item; a replay republishes the stored decision."""

    def __init__(
        self,
        *,
        directory: Directory,
        assignments: AssignmentRepository,
        outbox: Outbox,
        metrics: RouterMetrics,
        corrections: LearnedCorrections,
        fallback_province: str | None,
        clock: Clock,
        ask_commune: bool = True,
        repeats: RepeatFinder | None = None,
    ) -> None:
        self._ask_commune = ask_commune
        self._repeats = RepeatFinder() if repeats is None else repeats
        self._directory = directory
        self._assignments = assignments
        self._outbox = outbox
        self._metrics = metrics
        self._corrections = corrections
        self._fallback_province = fallback_province
        self._clock = clock

    async def received(self, item: FeedbackReceived) -> FeedbackRouted | None:
        """The subscriber of `feedback.received`: every item routed but one marked not to route
        (an opinion from a voters' meeting: intake records and counts it, no body is asked)."""
        if not item.to_route:
            log.info("not to route; left alone", extra={"channel": item.channel.value})
            self._metrics.not_routed.labels(item.channel.value).inc()
            return None
        return await self(item)

    async def __call__(self, item: FeedbackReceived) -> FeedbackRouted:
        # Deciding is pure and cheap, so it comes before any lookup: the store keeps the first
        # decision for an item, and a redelivered item gets that same decision (and event) back.
        decision = domain.route(
            item,
            self._directory,
            fallback_province=self._fallback_province,
            corrections=self._corrections.model,
            model=self._corrections.predictor,
            memory=self._corrections.memory,
            threshold=self._corrections.threshold,
            ask_commune=self._ask_commune,
        )
        case_id = await self._join_case(item, decision)
        # Routed as usual either way: the citizen is pointed to the answer and the operator
        # decides whether to link the item to that case.
        repeat_of = self._repeats.find(item.text.normalised, decision)
        fresh = routed_event(item, decision, case_id, at=self._clock(), repeat_of=repeat_of)
        stored = await self._assignments.add_once(
            fresh,
            address=item.location.raw_address,
            province_hint=item.location.province_hint or self._fallback_province,
        )
        if stored.event_id == fresh.event_id:
            self._metrics.items_routed.labels(stored.status.value, stored.category.code).inc()
            self._metrics.items_by_level.labels(stored.status.value, stored.level or "none").inc()
            self._metrics.decision_confidence.observe(stored.confidence)
            if stored.repeat_of is not None:
                self._metrics.repeats_found.inc()
        else:
            self._metrics.redeliveries.inc()
        await self._outbox.publish_handled(stored)
        return stored

    async def _join_case(self, item: FeedbackReceived, decision: domain.RoutingDecision) -> UUID:
        """The case of the same matter in the same place, or a new one named after the item."""
        location = decision.location
        area = case_area(
            commune=location.commune.code if location.commune else None,
            province=location.province.code if location.province else None,
        )
        own = CaseMember(
            item_id=str(item.item_id),
            case_id=str(item.item_id),
            area=area or f"item:{item.item_id}",
            category=decision.category.code,
            terms=fingerprint(item.text.normalised),
            at=item.received_at,
        )
        if item.duplicate_of is not None:
            # The same citizen sent the same text again: it belongs with the first item.
            first = await self._assignments.get(item.duplicate_of)
            if first is not None and first.case_id is not None:
                own = CaseMember(
                    own.item_id, str(first.case_id), own.area, own.category, own.terms, own.at
                )
        elif area is not None and decision.status is Status.ROUTED:
            members = await self._assignments.case_openers(
                area, decision.category.code, item.received_at - CASE_WINDOW
            )
            others = [m for m in members if m.item_id != own.item_id]
            if found := best_case(
                others,
                area=area,
                category=decision.category.code,
                text_terms=own.terms,
                now=item.received_at,
            ):
                own = CaseMember(own.item_id, found[0], own.area, own.category, own.terms, own.at)
        stored = await self._assignments.join_case_once(own)
        return UUID(stored.case_id)
