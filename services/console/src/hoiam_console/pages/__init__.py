"""The console's pages, one module per area; each module's `routes(web)` is one APIRouter.

To add an area (the dashboard, the delegate page, the Front's levels, call keying, merge/split,
the DLQ): write `pages/<area>.py` with `routes(web)`, its templates under `templates/<area>*`,
its words in `i18n.CATALOGUE`, add it to `AREAS` below and a link in `templates/base.html`'s nav.
"""

from fastapi import APIRouter

from hoiam_console.pages import admin, inbox, item, lookup, signin, tasks, triage
from hoiam_console.web import Web

AREAS = (signin, inbox, item, triage, tasks, lookup, admin)


def page_routers(web: Web) -> list[APIRouter]:
    return [area.routes(web) for area in AREAS]
