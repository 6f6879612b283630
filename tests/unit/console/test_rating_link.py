"""The rating link of a resolution message lands on the status page's form, the tapped score
already chosen; the rating itself goes through the page's own rules (once, resolved only)."""

import re

import httpx

from hoiam_shared.events import ItemRated
from support.public import make_public_console, resolved_item


async def test_the_score_in_the_link_is_chosen_and_the_form_rates_once() -> None:
    console = await make_public_console()
    item = await resolved_item(console)
    transport = httpx.ASGITransport(app=console.app, client=("203.0.113.9", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://console.test") as client:
        page = await client.get(f"/t/{item.tracking_code}?score=2")
        assert page.status_code == 200
        form = page.text.split('id="rate"', 1)[1].split("</form>", 1)[0]
        assert '<option value="2" selected>' in form
        assert form.count(" selected") == 1
        plain = await client.get(f"/t/{item.tracking_code}")
        assert " selected" not in plain.text.split('id="rate"', 1)[1].split("</form>", 1)[0]
        odd = await client.get(f"/t/{item.tracking_code}?score=<b>")
        assert odd.status_code == 200
        assert "<b>" not in odd.text.split('id="rate"', 1)[1].split("</form>", 1)[0]

        token = re.search(r'name="csrf_token" value="([^"]+)"', form)
        assert token is not None
        rated = await client.post(
            f"/t/{item.tracking_code}/rating",
            data={"csrf_token": token.group(1), "score": "2", "reason": "Vá chưa kỹ"},
        )
        assert rated.status_code == 303
        again = await client.post(
            f"/t/{item.tracking_code}/rating",
            data={"csrf_token": token.group(1), "score": "5"},
        )
        assert again.status_code == 409
    [(_, event)] = console.publisher.published
    assert isinstance(event, ItemRated)
    assert event.score == 2
