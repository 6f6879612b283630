"""One council session with one voters' meeting, for `make demo`: the session declared in intake
and the real minutes of a meeting in xã Nhơn Sơn (Ninh Thuận, now Khánh Hòa) committed, each
petition an item on the `meeting` channel; the console's session page shows it.

The minutes are the stored text of a public page (its source URL is in
services/intake/data/minutes/ninhthuan-nhon-son.json). Run twice, it finds the same session and
the same meeting (intake's meeting id derives from the file's bytes): nothing is sent twice.
"""

from pathlib import Path
from typing import Any

import httpx

MINUTES = (
    Path(__file__).resolve().parents[2]
    / "services"
    / "intake"
    / "data"
    / "minutes"
    / "ninhthuan-nhon-son.txt"
)
SESSION = {
    "name": "Kỳ họp thường lệ cuối năm, HĐND tỉnh Khánh Hòa (minh họa)",
    "province_code": "56",
    "opens_on": "2026-12-08",
    "closes_on": "2026-12-10",
}
MEETING = {"held_on": "2026-11-25", "place": "xã Nhơn Sơn, tỉnh Ninh Thuận"}


async def show_meeting(intake: str, token: str, *, console: str) -> tuple[str, dict[str, Any]]:
    """The session page's address and the committed meeting (its items and tracking codes)."""
    auth = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=intake, timeout=120, headers=auth) as client:
        sessions = (await client.get("/v1/sessions")).raise_for_status().json()
        found = next((s for s in sessions if s["name"] == SESSION["name"]), None)
        if found is None:
            created = await client.post("/v1/sessions", json=SESSION)
            session_id = created.raise_for_status().json()["id"]
        else:
            session_id = found["id"]
        committed = await client.post(
            f"/v1/sessions/{session_id}/meetings",
            data=MEETING,
            files={"file": (MINUTES.name, MINUTES.read_bytes(), "text/plain")},
        )
        meeting: dict[str, Any] = committed.raise_for_status().json()
    return f"{console}/sessions/{session_id}", meeting
