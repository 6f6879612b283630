"""The public archive of answered petitions, no sign-in: `GET /answers` (the page),
`GET /answers/{publication_id}` (one entry) and their JSON twins under `/api/v1/public/answers`.

Search by words with or without diacritics (both sides folded), by place: a province by code or
name, a commune by code or by name, old names too (the router's place search resolves
"xã Phú Cần, huyện Tiểu Cần" to Xã Tiểu Cần), by field and by session. Only what an operator
approved is here, masked; requests count against the public lookups' rate limit."""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from hoiam_console.domain.folding import fold
from hoiam_console.domain.publication import (
    SAFE_CODE,
    ArchiveQuery,
    Facet,
    PublicAnswer,
    query_words,
)
from hoiam_console.i18n import translate
from hoiam_console.limits import Limiter
from hoiam_console.ports import ArchiveStore
from hoiam_console.public_upstream import PlaceOption, PublicUpstream
from hoiam_console.upstream import UpstreamError
from hoiam_console.web import Web, client_address

SEARCH_FIELDS = ("q", "province", "commune", "field", "session")


class PlaceUnknownError(Exception):
    """The asked place matches no current province or commune."""


class AnswersPage(BaseModel):
    """`GET /api/v1/public/answers`: one page of the search, newest answers first."""

    model_config = ConfigDict(frozen=True)

    total: int
    page: int
    page_size: int
    pages: int
    province_code: str | None = Field(default=None, description="The province searched in.")
    commune_codes: list[str] | None = Field(
        default=None, description="The current communes the asked place resolved to."
    )
    entries: list[PublicAnswer]


@dataclass(frozen=True, slots=True)
class Search:
    """A search as asked and as resolved."""

    asked: Mapping[str, str]
    query: ArchiveQuery
    places: tuple[PlaceOption, ...] = ()


def _province_prefix(name: str) -> str:
    return re.sub(r"^(tinh|thanh pho|tp\.?)\s+", "", fold(name).strip())


class Archive:
    """Reads the archive for the public: resolves the asked place, then searches."""

    def __init__(self, *, store: ArchiveStore, upstream: PublicUpstream) -> None:
        self.store = store
        self.upstream = upstream

    async def province_code(self, asked: str) -> str | None:
        asked = asked.strip()[:100]
        if not asked:
            return None
        if re.fullmatch(r"\d{2}", asked):
            return asked
        wanted = _province_prefix(asked)
        for province in await self.upstream.provinces():
            if _province_prefix(province.name) == wanted:
                return province.code
        raise PlaceUnknownError(asked)

    async def communes(
        self, asked: str, province_code: str | None
    ) -> tuple[tuple[str, ...] | None, tuple[PlaceOption, ...]]:
        asked = asked.strip()[:200]
        if not asked:
            return None, ()
        if re.fullmatch(r"\d{5}", asked):
            return (asked,), ()
        found = await self.upstream.search_places(asked, province_code)
        if not found:
            raise PlaceUnknownError(asked)
        return tuple(dict.fromkeys(p.code for p in found)), tuple(found)

    async def search(self, asked: Mapping[str, str], *, page: int) -> Search:
        """PlaceUnknownError for a place that is none; UpstreamError when places are down."""
        province = await self.province_code(asked.get("province", ""))
        communes, places = await self.communes(asked.get("commune", ""), province)
        field = asked.get("field", "").strip()
        session = asked.get("session", "").strip()
        query = ArchiveQuery(
            words=query_words(asked.get("q")),
            province_code=province,
            commune_codes=communes,
            category_code=field if SAFE_CODE.match(field) else None,
            session_id=session if SAFE_CODE.match(session) else None,
            page=max(1, min(page, 1000)),
        )
        return Search(asked=asked, query=query, places=places)


def _page_number(raw: str | None) -> int:
    return int(raw) if raw and raw.isdigit() and len(raw) < 5 else 1


def archive_routes(web: Web, archive: Archive, lookups: Limiter) -> APIRouter:
    pages = APIRouter()

    def words(request: Request, key: str, **values: object) -> str:
        return translate(key, web.language(request), **values)

    async def limited(request: Request) -> int | None:
        return await lookups.hit(f"archive:{client_address(request)}")

    def asked_of(request: Request) -> dict[str, str]:
        return {name: request.query_params.get(name, "")[:200] for name in SEARCH_FIELDS}

    def error_page(request: Request, status: int, reason: str) -> HTMLResponse:
        return web.render(
            request, "public_error.html", viewer=None, status_code=status, status=status,
            reason=reason,
        )  # fmt: skip

    @pages.get("/answers", include_in_schema=False, response_class=HTMLResponse)
    async def answers(request: Request) -> Response:
        wait = await limited(request)
        if wait is not None:
            response = error_page(request, 429, words(request, "public.too_many", seconds=wait))
            response.headers["Retry-After"] = str(wait)
            return response
        asked = asked_of(request)
        provinces: list[PlaceOption] = []
        categories: list[Facet] = []
        sessions: list[str] = []
        error: str | None = None
        status = 200
        found = None
        search = None
        try:
            provinces = await archive.upstream.provinces()
        except UpstreamError:
            provinces = []  # the province may still be typed by its code
        categories, sessions = await archive.store.facets()
        try:
            number = _page_number(request.query_params.get("page"))
            search = await archive.search(asked, page=number)
            found = await archive.store.search(search.query)
        except PlaceUnknownError as unknown:
            status, error = 404, words(request, "answers.no_place", place=str(unknown))
        except UpstreamError:
            status, error = 503, words(request, "answers.places_down")

        def page_link(number: int) -> str:
            kept = {k: v for k, v in asked.items() if v}
            return "/answers?" + urlencode(kept | {"page": str(number)})

        return web.render(
            request,
            "answers.html",
            viewer=None,
            status_code=status,
            asked=asked,
            provinces=provinces,
            categories=categories,
            sessions=sessions,
            found=found,
            entries=[PublicAnswer.of(e) for e in found.entries] if found else [],
            places=search.places if search else (),
            error=error,
            page_link=page_link,
        )

    @pages.get("/answers/{publication_id}", include_in_schema=False, response_class=HTMLResponse)
    async def answer(request: Request, publication_id: str) -> Response:
        wait = await limited(request)
        if wait is not None:
            response = error_page(request, 429, words(request, "public.too_many", seconds=wait))
            response.headers["Retry-After"] = str(wait)
            return response
        entry = await archive.store.get(publication_id) if SAFE_CODE.match(publication_id) else None
        if entry is None:
            return error_page(request, 404, words(request, "answers.unknown"))
        return web.render(request, "answer.html", viewer=None, entry=PublicAnswer.of(entry))

    @pages.get(
        "/api/v1/public/answers",
        tags=["public"],
        summary="Search the published answers (words with or without accents, place, field, "
        "session); no personal data",
        responses={404: {"description": "the place is none"}, 429: {}, 503: {}},
    )
    async def answers_json(
        request: Request,
        q: str = "",
        province: str = "",
        commune: str = "",
        field: str = "",
        session: str = "",
        page: int = 1,
    ) -> Response:
        wait = await limited(request)
        if wait is not None:
            return JSONResponse(
                {"detail": f"too many requests: retry in {wait} s"}, 429,
                headers={"Retry-After": str(wait)},
            )  # fmt: skip
        asked = {"q": q, "province": province, "commune": commune, "field": field,
                 "session": session}  # fmt: skip
        try:
            search = await archive.search({k: v[:200] for k, v in asked.items()}, page=max(1, page))
        except PlaceUnknownError as unknown:
            return JSONResponse({"detail": f"no current province or commune is {unknown}"}, 404)
        except UpstreamError:
            return JSONResponse({"detail": "the place search is unavailable: retry"}, 503)
        found = await archive.store.search(search.query)
        body = AnswersPage(
            total=found.total,
            page=found.page,
            page_size=found.page_size,
            pages=found.pages,
            province_code=search.query.province_code,
            commune_codes=list(search.query.commune_codes)
            if search.query.commune_codes is not None
            else None,
            entries=[PublicAnswer.of(e) for e in found.entries],
        )
        return JSONResponse(body.model_dump(mode="json"))

    @pages.get(
        "/api/v1/public/answers/{publication_id}",
        tags=["public"],
        summary="One published answer",
        responses={404: {}, 429: {}},
    )
    async def answer_json(request: Request, publication_id: str) -> Response:
        wait = await limited(request)
        if wait is not None:
            return JSONResponse(
                {"detail": f"too many requests: retry in {wait} s"}, 429,
                headers={"Retry-After": str(wait)},
            )  # fmt: skip
        entry = await archive.store.get(publication_id) if SAFE_CODE.match(publication_id) else None
        if entry is None:
            return JSONResponse({"detail": "no published answer has this id"}, 404)
        return JSONResponse(PublicAnswer.of(entry).model_dump(mode="json"))

    return pages
