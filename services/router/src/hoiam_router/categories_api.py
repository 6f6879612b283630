"""`GET /v1/categories`: the directory's categories, read-only and without a token (the list
of matters the province answers is public; Open311's `services` is built from it)."""

from fastapi import APIRouter
from pydantic import BaseModel

from hoiam_router.domain.directory import Directory


class CategoryAnswer(BaseModel):
    code: str
    name: str
    keywords: tuple[str, ...] = ()


def categories_api(directory: Directory) -> APIRouter:
    api = APIRouter(prefix="/v1/categories", tags=["directory"])
    answer = [
        # The first keywords only: the weights (`*3`) are the classifier's, not the public's.
        CategoryAnswer(
            code=c.code, name=c.name, keywords=tuple(k.split("*")[0] for k in c.keywords[:8])
        )
        for c in directory.categories
    ]

    @api.get("", summary="The categories of matters, as the directory names them")
    async def categories() -> list[CategoryAnswer]:
        return answer

    return api
