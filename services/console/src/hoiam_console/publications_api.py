"""The operators' JSON twin of publishing: `GET|POST|DELETE /api/v1/items/{code}/publication`
(the draft, an approval, a withdrawal); 409 when the item has no answer or nothing to withdraw."""

from collections.abc import Awaitable, Callable

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, ConfigDict, Field

from hoiam_console.domain.masking import Mask
from hoiam_console.domain.publication import PublicAnswer
from hoiam_console.publications import PublicationRefusedError, Publications, Unpublishable
from hoiam_console.web import ACTION_ERRORS, Web, failure_status
from hoiam_shared.identity import Person

REFUSALS = {
    "not_answered": "the item has no answer yet: it can be published once it is resolved",
    "not_published": "the item's answer is not published",
}


class PublicationRequest(BaseModel):
    """The texts the operator approves (as the draft gave them, or edited)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)

    summary: str = Field(min_length=1, max_length=5_000)
    answer: str = Field(min_length=1, max_length=20_000)


class PublicationDraft(BaseModel):
    """What would be published, masked, and what was masked; the entry when it is live."""

    publication_id: str
    tracking_code: str
    consented: bool
    summary: str
    answer: str
    summary_masks: list[Mask]
    answer_masks: list[Mask]
    published: PublicAnswer | None


RESPONSES: dict[int | str, dict[str, str]] = {
    401: {"description": "no valid bearer token"},
    403: {"description": "not an operator of the item's area"},
    404: {"description": "no such item"},
    409: {"description": "not answered yet, or nothing to withdraw"},
    422: {"description": "refused, with the reason"},
    503: {"description": "the broker is unreachable; retry"},
}


def publications_api(web: Web, publications: Publications) -> APIRouter:
    api = APIRouter(prefix="/api/v1", tags=["publications"])

    async def run[T](request: Request, act: Callable[[Person], Awaitable[T]]) -> T:
        viewer = await web.api_viewer(request)
        if viewer is None:
            raise HTTPException(
                401, "sign in: POST /api/v1/auth/token", headers={"WWW-Authenticate": "Bearer"}
            )
        try:
            return await act(viewer.person)
        except PublicationRefusedError as why:
            raise HTTPException(409, {"code": str(why), "detail": REFUSALS[str(why)]}) from None
        except Unpublishable:
            raise HTTPException(
                503, "the publication could not be recorded now: try again",
                headers={"Retry-After": "30"},
            ) from None  # fmt: skip
        except ACTION_ERRORS as error:
            status, reason = failure_status(error)
            raise HTTPException(status, reason) from None

    @api.get(
        "/items/{tracking_code}/publication",
        summary="The masked draft of an answered item, and its published entry",
        responses=RESPONSES,
    )
    async def draft(request: Request, tracking_code: str) -> PublicationDraft:
        _, found, entry = await run(request, lambda p: publications.draft(p, tracking_code))
        return PublicationDraft(
            **found.model_dump(),
            published=PublicAnswer.of(entry) if entry else None,
        )

    @api.post(
        "/items/{tracking_code}/publication",
        status_code=201,
        summary="Approve an answered item's summary and answer for the public archive",
        responses=RESPONSES,
    )
    async def approve(
        request: Request, tracking_code: str, body: PublicationRequest
    ) -> PublicAnswer:
        entry = await run(
            request,
            lambda p: publications.approve(
                p, tracking_code, summary=body.summary, answer=body.answer
            ),
        )
        return PublicAnswer.of(entry)

    @api.delete(
        "/items/{tracking_code}/publication",
        status_code=204,
        summary="Withdraw an item's answer from the public archive",
        responses=RESPONSES,
    )
    async def withdraw(request: Request, tracking_code: str) -> None:
        await run(request, lambda p: publications.withdraw(p, tracking_code))

    return api
