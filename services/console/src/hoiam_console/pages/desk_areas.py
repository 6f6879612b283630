"""The desk's areas (operator, delegate, the Front's levels, the dashboard): like `AREAS`, one
APIRouter each, made with `Desk` as well as `Web`."""

from fastapi import APIRouter

from hoiam_console.desk import Desk
from hoiam_console.pages import dashboard, delegate, front, operator
from hoiam_console.web import Web

DESK_AREAS = (operator, delegate, front, dashboard)


def desk_page_routers(web: Web, desk: Desk) -> list[APIRouter]:
    return [area.routes(web, desk) for area in DESK_AREAS]
