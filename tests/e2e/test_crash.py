"""A service killed with SIGKILL under load loses nothing and, once restarted, doubles nothing."""

import asyncio
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from support.clock import TestClock
from support.services import Running, running_services
from support.smtp import SmtpServer
from support.stack import Stack, free_port, remove_test_leftovers

ITEMS = 30


@pytest.fixture
def crash_site(stack: Stack, tmp_path: Path) -> Iterator[tuple[Running, SmtpServer]]:
    """Services and a mailbox of their own, since this test kills and restarts processes."""
    prefix = f"k{uuid.uuid4().hex[:10]}"
    with (
        SmtpServer(free_port()) as smtp,
        running_services(
            stack=stack,
            prefix=prefix,
            smtp_port=smtp.port,
            log_dir=tmp_path,
            # Every petitioner is told at once (no quiet-hours hold) only in the daytime.
            clock=TestClock.daytime(),
        ) as run,
    ):
        yield run, smtp
    asyncio.run(remove_test_leftovers(stack, prefix))


async def test_the_router_killed_mid_stream_loses_and_doubles_nothing(
    crash_site: tuple[Running, SmtpServer],
) -> None:
    services, smtp = crash_site
    codes: list[str] = []
    async with httpx.AsyncClient(base_url=services.urls["intake"], timeout=10) as client:
        for i in range(ITEMS):
            response = await client.post(
                "/v1/intake/web",
                json={
                    "name": f"Cử tri {i}",
                    "email": f"cutri{i}@example.com",
                    "address": "xã Phú Cần, tỉnh Trà Vinh",
                    "text": f"Ấp {i} mất điện kéo dài, đề nghị điện lực khắc phục.",
                },
            )
            assert response.status_code == 202
            codes.append(response.json()["tracking_code"])
            if i == ITEMS // 3:
                # Mid-stream: some items routed, some fetched but not committed, some not read.
                services.kill("router")

    assert services.processes["router"].returncode == -9
    services.restart("router")

    for code in codes:
        await smtp.recorder.wait_for(code, 2, within=90)
    await asyncio.sleep(2)  # room for a late duplicate to show up, had there been one
    per_code = Counter(str(m["X-HoiAm-Tracking-Code"]) for m in smtp.recorder.messages)
    assert set(per_code) == set(codes)
    assert set(per_code.values()) == {2}, "every item: one email to the body, one to the citizen"
