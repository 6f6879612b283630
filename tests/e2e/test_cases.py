"""Cases move as one, on the real services, broker and store: each petitioner of a case gets
exactly one message per case event and the body one email, counted at the SMTP server."""

import asyncio
import uuid
from collections import Counter

import httpx

from support.services import OPERATOR_TOKEN, Running
from support.smtp import SmtpServer

OPERATOR = {"Authorization": f"Bearer {OPERATOR_TOKEN}"}
PLACE = "ấp 3, xã Phú Cần, huyện Tiểu Cần, tỉnh Trà Vinh"
POTHOLE = "Đường ấp 3 bị sạt lở, nhiều ổ gà nguy hiểm cho học sinh"
CONSTRUCTION = "soxaydung@vinhlong.example"
QUIET = 3.0
"""How long nothing more may arrive after the expected mails, for a count to be exact."""


async def settled(smtp: SmtpServer, codes: set[str], want: int) -> Counter[str]:
    """Mails about these items, per recipient, once `want` arrived and nothing more came."""
    for _ in range(300):
        if sum(len(smtp.recorder.about(c)) for c in codes) >= want:
            break
        await asyncio.sleep(0.2)
    await asyncio.sleep(QUIET)
    return Counter(str(m["To"]) for c in codes for m in smtp.recorder.about(c))


async def test_each_petitioner_and_the_body_hear_once_per_case_event(
    services: Running, smtp: SmtpServer
) -> None:
    run = uuid.uuid4().hex[:8]
    citizens = [f"cutri{n}.{run}@example.vn" for n in range(3)]
    accepted: list[dict[str, str]] = []
    async with httpx.AsyncClient(base_url=services.urls["intake"], timeout=10) as intake:
        for n, email in enumerate(citizens):
            answer = await intake.post(
                "/v1/intake/web",
                json={
                    "name": f"Cử tri {n}",
                    "email": email,
                    "address": PLACE,
                    "text": f"{POTHOLE}, đề nghị sửa sớm ({n}).",
                    "consent": True,
                },
            )
            assert answer.status_code == 202, answer.text
            accepted.append(answer.json())
            # In order: each joins the case the first one opened.
            await smtp.recorder.wait_for(accepted[-1]["tracking_code"], 2)
    codes = {a["tracking_code"] for a in accepted}
    routed = await settled(smtp, codes, 6)
    body = next(to for to in routed if to not in citizens)
    assert routed == Counter([*citizens, body, body, body])  # three petitions, one case

    async with httpx.AsyncClient(
        base_url=services.urls["router"], headers=OPERATOR, timeout=10
    ) as router:
        view = (await router.get(f"/v1/items/{accepted[1]['id']}")).json()
        assert len(view["case"]["item_ids"]) == 3
        reassigned = await router.post(
            f"/v1/items/{accepted[1]['id']}/reassign",
            json={"body_id": "86-so-xay-dung", "reason": "đường do tỉnh quản lý"},
        )
        assert reassigned.status_code == 202, reassigned.text
        after_reassign = await settled(smtp, codes, 6 + 4)
        assert after_reassign - routed == Counter([*citizens, CONSTRUCTION])

        resolved = await router.post(
            f"/v1/items/{accepted[2]['id']}/status",
            json={"status": "resolved", "answer": "Đã vá toàn bộ ổ gà đường ấp 3."},
        )
        assert resolved.status_code == 202, resolved.text
        assert len(resolved.json()["case_item_ids"]) == 3
        after_resolve = await settled(smtp, codes, 10 + 3)
        assert after_resolve - after_reassign == Counter(citizens)

        for item in accepted:
            held = (await router.get(f"/v1/items/{item['id']}")).json()
            assert held["status"] == "resolved"
            assert held["body"]["id"] == "86-so-xay-dung"
