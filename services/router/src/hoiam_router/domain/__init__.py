"""Pure routing rules: locate the place, classify the words, decide the competent body, explain.

`route_text` is the whole decision for a text and an address, without storing anything (the
preview API and the evaluation call it); `route` wraps it for a `FeedbackReceived` and adds the
due date.
"""

import re
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import Literal

from hoiam_router.domain.classify import (
    CONFIDENCE_CAP,
    Classification,
    CorrectionsModel,
    classify,
    mentions_any,
)
from hoiam_router.domain.directory import (
    ANY_CATEGORY,
    Body,
    Category,
    CompetenceRule,
    Councillor,
    Directory,
)
from hoiam_router.domain.geo import Located, locate
from hoiam_router.domain.learned import (
    DEFAULT_THRESHOLD,
    BodyMemory,
    CommuneKnown,
    Predictor,
    Signals,
    law_of,
    rule_label,
    with_memory,
)
from hoiam_router.domain.meetings import representatives
from hoiam_router.domain.sla import add_working_days
from hoiam_router.domain.text import fold, has_marks, lower
from hoiam_shared.clock import vietnam_date
from hoiam_shared.events import FeedbackReceived, ResolvedLocation, Status

__all__ = [
    "COMMUNE_UNKNOWN",
    "CONFIDENCE_THRESHOLD",
    "DEFAULT_THRESHOLD",
    "Routing",
    "RoutingDecision",
    "add_working_days",
    "detect_scope",
    "fold",
    "route",
    "route_text",
]

CONFIDENCE_THRESHOLD = 0.5
MAX_CANDIDATES = 4
NO_SIGNALS = Signals("other", "province", None, None, "none", 0.0)
NATIONAL_SCORE = 2  # strong words count 2, others 1
SCOPE_ORDER = ("national", "provincial_policy", "national_highway", "provincial_road", "local")
# A commune-level matter whose commune is not known for sure goes to the most likely commune,
# less surely: a split commune's continuing successor, or the commune of an old district's seat.
GUESSED_COMMUNE_FACTOR = {"split": 0.9, "district": 0.8}
COMMUNE_BODY = "ubnd-xa"
COMMUNE_UNKNOWN = "commune_unknown"
"""Triage reason: a commune's matter from a commune nobody knows yet; the citizen is asked."""


@dataclass(frozen=True, slots=True)
class Routing:
    """Who should answer a text from a place, how sure the router is, and why."""

    triage: bool
    category: Category
    classification: Classification
    scope: str
    location: ResolvedLocation
    body: Body | None
    confidence: float
    reasons: tuple[str, ...]
    councillors: tuple[Councillor, ...] = ()
    candidates: tuple[Body, ...] = ()
    rule: CompetenceRule | None = None
    triage_reason: str | None = None
    signals: Signals = NO_SIGNALS

    @property
    def level(self) -> str | None:
        return self.body.level if self.body else None


@dataclass(frozen=True, slots=True)
class RoutingDecision:
    """A routing of a received item, with its status and due date."""

    status: Literal[Status.ROUTED, Status.TRIAGE]
    category: Category
    body: Body | None
    confidence: float
    reasons: tuple[str, ...]
    due_on: date | None
    location: ResolvedLocation = field(default_factory=ResolvedLocation)
    scope: str | None = None
    level: str | None = None
    councillors: tuple[Councillor, ...] = ()
    candidates: tuple[Body, ...] = ()
    triage_reason: str | None = None
    front: Body | None = None
    """For a voters' meeting's item: the Front committee told on the voters' behalf."""


_ACT = r"(?:quyết định|nghị quyết|nghị định|thông tư|chỉ thị|công văn|đề án|chương trình)"


@cache
def _citations(national_strong: tuple[str, ...]) -> re.Pattern[str]:
    """A legal act cited by its number, with the issuer if named: a citation of what applies,
    not a request to the central level."""
    issuers = sorted(
        {lower(w) for w in national_strong if w.startswith(("bộ ", "thủ tướng", "chính phủ"))}
        | {"thủ tướng chính phủ", "chính phủ", "quốc hội", "ủy ban thường vụ quốc hội"},
        key=len,
        reverse=True,
    )
    of = "|".join(re.escape(i) for i in issuers)
    return re.compile(
        rf"\b{_ACT}\s+(?:số\s+)?\d[\w/.\-]*(?:\s+ngày\s+[\d/.\-]+(?:\s+năm\s+\d+)?)?"
        rf"(?:\s+của\s+(?:{of}))?"
    )


_REQUEST = r"(?:đề nghị|kiến nghị|đề xuất|yêu cầu|mong muốn|mong|xin)"
_CHANGE = (
    r"(?:sửa đổi|sửa(?! chữa)|bổ sung|ban hành|điều chỉnh|thay đổi|bãi bỏ|quy định lại"
    r"|nâng(?! cấp)|tăng|giảm|hạ|miễn|có hướng dẫn|hướng dẫn)"
)
_RULES = (
    r"(?:luật|nghị định|thông tư|quy định|chính sách|chế độ|mức lương|lương cơ sở|tiêu chí"
    r"|định mức|tiêu chuẩn|khung giá|giá điện|mức đóng|mức hưởng|mức trợ cấp)"
)
_NATIONWIDE = r"(?:toàn quốc|cả nước|trên phạm vi cả nước)"


@cache
def _national_request(national_strong: tuple[str, ...], accented: bool) -> re.Pattern[str]:
    """What makes a national matter: a request to change a law, decree or national policy; a
    national body asked by name (or the subject of the sentence), so its own work is at issue;
    or a nationwide matter. A ministry or the Government named as background ("theo chủ trương
    của Chính phủ, đề nghị tỉnh…") is none of these."""
    bodies = sorted(
        {lower(w) for w in national_strong} - {"sửa đổi luật", "toàn quốc", "cả nước"},
        key=len,
        reverse=True,
    )
    national = "(?:" + "|".join(re.escape(b) for b in bodies) + ")"
    pattern = (
        rf"{_CHANGE}\s+(?:[\w,]+\s+){{0,4}}?{_RULES}\b"
        rf"|{_REQUEST}\s+(?:(?:với|lên|tới|đến|các|cấp|của)\s+)*{national}\b"
        rf"|(?:^|[.;:\n]\s*){national}\s+(?!của\b)"
        rf"|{_NATIONWIDE}"
    )
    return re.compile(pattern if accented else fold(pattern))


def _asks_the_centre(text: str, directory: Directory) -> bool:
    accented = has_marks(text)
    probe = lower(text) if accented else fold(text)
    return _national_request(tuple(directory.national_strong), accented).search(probe) is not None


def detect_scope(text: str, directory: Directory) -> tuple[str, list[str]]:
    """How far the matter reaches: national policy, a provincial support level or allowance, a
    national highway, a provincial road, a hamlet lane, or (by default) the province; with the
    words that said so."""
    scopes = directory.scopes
    # "theo quy định của pháp luật" cites the law; it does not ask to change it.
    policy_text = lower(text)
    for phrase in scopes.get("procedural", ()):
        policy_text = policy_text.replace(lower(phrase), " ")
    # "theo Quyết định 1719/QĐ-TTg của Thủ tướng Chính phủ" cites a programme by its number.
    policy_text = _citations(tuple(directory.national_strong)).sub(" ", policy_text)
    national = mentions_any(policy_text, scopes.get("national", ()))
    strong = set(directory.national_strong)
    score = sum(2 if w in strong else 1 for w in national)
    if score >= NATIONAL_SCORE and _asks_the_centre(policy_text, directory):
        return "national", national
    for scope in SCOPE_ORDER[1:]:
        if found := mentions_any(text, scopes.get(scope, ())):
            return scope, found
    return "province", []


def _applies(rule: CompetenceRule, category: str, scope: str, text: str) -> list[str] | None:
    """The words that made the rule apply ([] for a rule without words), or None."""
    if (
        rule.category not in (category, ANY_CATEGORY)
        or (rule.scope is not None and rule.scope != scope)
        or rule.unless_scope == scope
    ):
        return None
    if not rule.words:
        return []
    return mentions_any(text, rule.words) or None


def _competent(
    directory: Directory,
    *,
    category: str,
    scope: str,
    text: str,
    province: str,
    commune: str | None,
    exclude: frozenset[str] = frozenset(),
    stop_at_unknown_commune: bool = False,
) -> tuple[Body | None, CompetenceRule | None, list[str]]:
    """The competent body, its rule and why. With `stop_at_unknown_commune`, a matter whose
    first rule is the commune's stops there when the commune is unknown (no body, that rule),
    instead of falling through to the next rule's provincial department."""
    reasons: list[str] = []
    for rule in directory.competence:
        words = _applies(rule, category, scope, text)
        if words is None:
            continue
        if stop_at_unknown_commune and rule.body == COMMUNE_BODY and commune is None:
            reasons.append(
                f"rule {category}/{rule.scope or 'any'} → {rule.body}: a commune's matter and "
                "the commune is unknown: triage, the citizen is asked for it"
            )
            return None, rule, reasons
        body = directory.live_body(province=province, key=rule.body, commune=commune)
        if body is None:
            reasons.append(
                f"rule {category}/{rule.scope or 'any'} → {rule.body}: no such body here"
                + (" (commune unknown)" if rule.body == "ubnd-xa" else "")
            )
            continue
        if body.id in exclude:
            reasons.append(f"{body.id} handed the item back as not competent: next rule")
            continue
        why = f"{category} at scope {scope} is for {rule.body}: {body.name}"
        if words:
            why += f" (words {', '.join(repr(w) for w in words)})"
        reasons.append(why)
        return body, rule, reasons
    return None, None, reasons


def route_text(
    directory: Directory,
    *,
    text: str,
    address: str | None = None,
    province_hint: str | None = None,
    corrections: CorrectionsModel | None = None,
    exclude: frozenset[str] = frozenset(),
    ask_commune: bool = True,
    model: Predictor | None = None,
    memory: BodyMemory | None = None,
    threshold: float | None = None,
) -> Routing:
    """The whole routing decision for a text; pure, stores nothing.

    With `ask_commune` (the default), a commune's matter from an unknown commune waits in
    triage (reason `COMMUNE_UNKNOWN`) rather than going to a provincial department; the body it
    would have gone to is the first candidate.

    Without a `model`, the competence rules decide (confidence from the lexicon's margin);
    with one, the rules' decision is one of the model's inputs, the model's body probability
    (after what operators taught, `memory`) is the confidence, and the rules keep the final say
    where the law is explicit (`learned.law_of`)."""
    located: Located = locate(address=address, text=text, province_hint=province_hint)
    classification = classify(text, directory.lexicon, corrections=corrections)
    category = directory.category(classification.category)
    scope, scope_words = detect_scope(text, directory)
    reasons = [*located.reasons, classification.reason]
    reasons.append(
        f"scope {scope} from words {', '.join(repr(w) for w in scope_words)}"
        if scope_words
        else "scope province (no national, road or hamlet words)"
    )
    province, commune = located.province_code, located.commune_code
    if commune is None and located.likely_commune is not None:
        # Rules may pick the likely commune; the location itself stays undecided.
        commune = located.likely_commune.code
    body: Body | None = None
    rule: CompetenceRule | None = None
    confidence = classification.confidence
    commune_unknown = False
    fallback: Body | None = None
    if province is not None:
        body, rule, why = _competent(
            directory,
            category=category.code,
            scope=scope,
            text=text,
            province=province,
            commune=commune,
            exclude=exclude,
            stop_at_unknown_commune=ask_commune,
        )
        reasons.extend(why)
        commune_unknown = body is None and rule is not None and rule.body == COMMUNE_BODY
        if commune_unknown:
            fallback, _, _ = _competent(
                directory, category=category.code, scope=scope, text=text,
                province=province, commune=None, exclude=exclude,
            )  # fmt: skip
        if body is not None:
            confidence, agreeing = _body_confidence(
                directory, classification, body, scope, text, province, commune
            )
            if agreeing:
                reasons.append(
                    f"categories {', '.join(agreeing)} lead to the same body: "
                    f"confidence {confidence:.3g}"
                )
        if rule is not None:
            confidence *= rule.factor
        if body is not None and body.level == "commune" and located.commune_code is None:
            basis = located.likely_basis or "split"
            confidence *= GUESSED_COMMUNE_FACTOR[basis]
            reasons.append(
                f"commune not known for sure: most likely {located.likely_why}; "
                f"confidence × {GUESSED_COMMUNE_FACTOR[basis]}"
            )
    known: CommuneKnown = (
        "known" if located.commune_code else "likely" if commune is not None else "none"
    )
    signals = Signals(
        lexicon_category=classification.category,
        scope=scope,
        rule_body=rule.body if rule is not None and body is not None else None,
        rule=rule_label(rule) if body is not None else None,
        commune=known,
        lexicon_confidence=classification.confidence,
    )
    confidence = round(confidence, 3)
    if model is not None:
        learned = _with_model(
            directory,
            model,
            memory,
            text=text,
            signals=signals,
            rule=rule if body is not None else None,
            scope=scope,
            province=province,
            commune=commune,
            exclude=exclude,
        )
        category = directory.category(learned.category)
        body, confidence, candidates = learned.body, learned.confidence, learned.candidates
        reasons.extend(learned.reasons)
        if commune_unknown:
            # A commune's matter whose commune nobody knows waits for the citizen's answer,
            # whatever the model would pick; its pick stays a candidate.
            candidates = tuple(c for c in (body, *candidates) if c is not None)
            body = None
        limit = DEFAULT_THRESHOLD if threshold is None else threshold
    else:
        candidates = tuple(
            c
            for c in _candidates(directory, classification, scope, text, province, commune, body)
            if c.id not in exclude
        )
        limit = CONFIDENCE_THRESHOLD if threshold is None else threshold
    triage = body is None or confidence < limit
    if triage:
        reasons.append(
            f"{COMMUNE_UNKNOWN}: triage until the citizen names the commune"
            if commune_unknown
            else "no competent body: triage"
            if body is None
            else f"confidence {confidence} below {limit}: triage"
        )
        # The body the router would have picked is the operator's first candidate.
        candidates = tuple(
            dict.fromkeys(c for c in (body, fallback, *candidates) if c is not None)
        )[:3]
    return Routing(
        triage=triage,
        category=category,
        classification=classification,
        scope=scope,
        location=located.location,
        body=None if triage else body,
        confidence=confidence,
        reasons=tuple(reasons),
        councillors=directory.councillors_for(located.commune_code),
        candidates=candidates,
        rule=rule,
        triage_reason=COMMUNE_UNKNOWN if commune_unknown else None,
        signals=signals,
    )


@dataclass(frozen=True, slots=True)
class _Learned:
    category: str
    body: Body | None
    confidence: float
    candidates: tuple[Body, ...]
    reasons: tuple[str, ...]


def _with_model(
    directory: Directory,
    model: Predictor,
    memory: BodyMemory | None,
    *,
    text: str,
    signals: Signals,
    rule: CompetenceRule | None,
    scope: str,
    province: str | None,
    commune: str | None,
    exclude: frozenset[str],
) -> _Learned:
    """The model's category, the body (the rules', or what corrections taught, or the model's
    when the rules have none) with the model's probability of it as the confidence, and the
    reasons: the n-grams that weighed most, the corrections, the law."""
    prediction = model.predict(text, signals)
    category, p_category = prediction.categories[0]
    reasons = [
        f"model: category {category} p={p_category:.2f} from "
        + ", ".join(repr(t) for t in prediction.category_terms)
    ]
    bodies, taught = with_memory(
        prediction.bodies, memory, province=province, category=category, text=text
    )
    if taught:
        reasons.append(taught)
    probability = dict(bodies)
    live: list[tuple[Body, float]] = []
    seen: set[str] = set()
    for key, p in bodies:
        if province is None or len(live) == MAX_CANDIDATES:
            break
        found = directory.live_body(province=province, key=key, commune=commune)
        if found is not None and found.id not in exclude and found.id not in seen:
            seen.add(found.id)
            live.append((found, p))
    # The rules propose the body and the model says how sure that is (on the cross-validated
    # curve this beat taking the model's own best body); what operators taught about this kind
    # of matter here overrides the rules, except where the law is explicit.
    chosen: tuple[Body, float] | None = None
    if rule is not None and province is not None:
        found = directory.live_body(province=province, key=rule.body, commune=commune)
        if found is not None and found.id not in exclude:
            chosen = (found, probability.get(rule.body, 0.0))
            law = law_of(rule, scope) if rule.category in ("*", category) else None
            if law is not None:
                reasons.append(f"rule has the final say ({law}): {rule.body}")
            elif taught and live and live[0][0].id != found.id and live[0][1] > chosen[1]:
                chosen = live[0]
                reasons.append(f"corrections outweigh the rule's {rule.body}")
    if chosen is None and live:
        chosen = live[0]
    top_key, top_p = bodies[0]
    why = f"model: body {top_key} p={top_p:.2f} from " + ", ".join(
        repr(t) for t in prediction.body_terms
    )
    if len(bodies) > 1:
        why += f"; next {bodies[1][0]} p={bodies[1][1]:.2f}"
    if prediction.levels:
        why += f"; level {prediction.levels[0][0]} p={prediction.levels[0][1]:.2f}"
    reasons.append(why)
    if chosen is None:
        if bodies and top_key == "ubnd-xa":
            reasons.append("a commune committee's matter, and no commune is known")
        return _Learned(category, None, 0.0, tuple(b for b, _ in live[:3]), tuple(reasons))
    body, confidence = chosen
    others = tuple(b for b, _ in live if b.id != body.id)[:2]
    return _Learned(category, body, round(confidence, 3), others, tuple(reasons))


def _body_confidence(
    directory: Directory,
    classification: Classification,
    body: Body,
    scope: str,
    text: str,
    province: str,
    commune: str | None,
) -> tuple[float, list[str]]:
    """How sure the router is of the body, not only of the category: when the runner-up
    categories lead to the same body ("a school's road" is education or transport, both the
    commune's), their weight supports the body instead of counting against it. Returns the
    confidence and the other categories that agreed."""
    scores = classification.scores
    if len(scores) < 2:
        return classification.confidence, []
    support, against, agreeing = scores[0][1], 0.0, []
    for code, weight in scores[1:]:
        other, _, _ = _competent(
            directory, category=code, scope=scope, text=text, province=province, commune=commune
        )
        if other == body:
            support += weight
            agreeing.append(code)
        else:
            against = max(against, weight)
    if not agreeing:
        return classification.confidence, []
    return round(min(CONFIDENCE_CAP, support / (support + against + 0.5)), 3), agreeing


def _candidates(
    directory: Directory,
    classification: Classification,
    scope: str,
    text: str,
    province: str | None,
    commune: str | None,
    chosen: Body | None,
) -> tuple[Body, ...]:
    """The bodies of the next-best categories: what an operator in triage picks from."""
    if province is None:
        return ()
    found: list[Body] = []
    for code, _ in classification.scores[1:3]:
        body, _, _ = _competent(
            directory, category=code, scope=scope, text=text, province=province, commune=commune
        )
        if body is not None and body != chosen and body not in found:
            found.append(body)
    return tuple(found)


def route(
    item: FeedbackReceived,
    directory: Directory,
    *,
    fallback_province: str | None,
    corrections: CorrectionsModel | None = None,
    ask_commune: bool = True,
    model: Predictor | None = None,
    memory: BodyMemory | None = None,
    threshold: float | None = None,
) -> RoutingDecision:
    """Decide who answers an item; anything uncertain goes to triage, never nowhere."""
    text = "\n".join(filter(None, (item.text.subject, item.text.normalised)))
    routing = route_text(
        directory,
        text=text,
        address=item.location.raw_address,
        province_hint=item.location.province_hint or fallback_province,
        corrections=corrections,
        ask_commune=ask_commune,
        model=model,
        memory=memory,
        threshold=threshold,
    )
    due_on = None
    if routing.body is not None and not routing.triage:
        # Due dates count from the day of receipt in Việt Nam, not in UTC.
        due_on = add_working_days(vietnam_date(item.received_at), routing.body.sla_working_days)
    councillors, front = routing.councillors, None
    if item.meeting is not None:
        # Voters at a meeting left no contact: their Front and delegates are told instead.
        location = routing.location
        speaking = representatives(
            directory,
            commune=location.commune.code if location.commune else None,
            province=location.province.code if location.province else None,
            present=item.meeting.delegates,
        )
        councillors, front = speaking.councillors, speaking.front
    return RoutingDecision(
        status=Status.TRIAGE if routing.triage else Status.ROUTED,
        category=routing.category,
        body=None if routing.triage else routing.body,
        confidence=routing.confidence,
        reasons=routing.reasons,
        due_on=due_on,
        location=routing.location,
        scope=routing.scope,
        level=None if routing.triage else routing.level,
        councillors=councillors,
        candidates=routing.candidates,
        triage_reason=routing.triage_reason if routing.triage else None,
        front=front,
    )
