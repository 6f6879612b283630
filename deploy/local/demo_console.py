"""The console's demo accounts (password `local-demo-only`), made once in the local stack only:
outside it no account exists until an admin makes one (`python -m hoiam_console.accounts`).

The bodies and the delegate are looked up in the router's directory (its API, with the local
operator token), so each account is bound to what the router routes to.
"""

from typing import Any

import httpx

from hoiam_console.accounts import create_accounts
from hoiam_console.domain.accounts import Binding, NewAccount
from hoiam_console.settings import ConsoleSettings
from hoiam_shared.identity import Role

PASSWORD = "local-demo-only"  # noqa: S105 (the local demo's, printed by `make demo`)
CONSOLE_URL = "http://127.0.0.1:8004"
TIEU_CAN = "29341-ubnd-xa"  # Ủy ban nhân dân xã Tiểu Cần
SO_XAY_DUNG = "86-so-xay-dung"  # Sở Xây dựng tỉnh Vĩnh Long
DELEGATE = "86-hdnd-1-1"  # an HĐND tỉnh Vĩnh Long delegate (ĐVBC số 1)


async def directory(router: str, token: str) -> tuple[dict[str, str], dict[str, Any]]:
    auth = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=router, timeout=15, headers=auth) as client:
        province = {"province": "86"}
        bodies = (await client.get("/v1/directory/bodies", params=province)).json()
        delegates = (await client.get("/v1/directory/councillors", params=province)).json()
    return {b["id"]: b["name"] for b in bodies}, {c["id"]: c for c in delegates}


async def make_demo_accounts(router: str, token: str) -> list[tuple[str, str]]:
    """(username, what it is) of every demo account; existing ones are left as they are."""
    bodies, delegates = await directory(router, token)
    delegate = delegates[DELEGATE]
    wanted = [
        NewAccount(
            username="operator",
            display_name="Tổng đài viên Ủy ban MTTQ Việt Nam tỉnh Vĩnh Long",
            role=Role.OPERATOR,
            password=PASSWORD,
            binding=Binding(province_code="86"),
        ),
        NewAccount(
            username="ubnd-tieucan",
            display_name="Cán bộ UBND xã Tiểu Cần",
            role=Role.BODY,
            password=PASSWORD,
            binding=Binding(body_id=TIEU_CAN, body_name=bodies[TIEU_CAN]),
        ),
        NewAccount(
            username="so-xaydung",
            display_name="Cán bộ Sở Xây dựng tỉnh Vĩnh Long",
            role=Role.BODY,
            password=PASSWORD,
            binding=Binding(body_id=SO_XAY_DUNG, body_name=bodies[SO_XAY_DUNG]),
        ),
        NewAccount(
            username="daibieu",
            display_name=delegate["name"],
            role=Role.DELEGATE,
            password=PASSWORD,
            binding=Binding(delegate_id=DELEGATE, constituency=tuple(delegate["communes"])),
        ),
        NewAccount(
            username="admin", display_name="Quản trị hệ thống", role=Role.ADMIN, password=PASSWORD
        ),
    ]
    # The console's own settings as services.sh starts it (database hoiam_console).
    await create_accounts(ConsoleSettings(), wanted, skip_existing=True)
    notes = {
        "operator": "Front of Vĩnh Long (province 86): triage, tasks, every item of the province",
        "ubnd-tieucan": bodies[TIEU_CAN],
        "so-xaydung": bodies[SO_XAY_DUNG],
        "daibieu": f"{delegate['name']}, {delegate['council']}",
        "admin": "accounts",
    }
    return [(account.username, notes[account.username]) for account in wanted]
