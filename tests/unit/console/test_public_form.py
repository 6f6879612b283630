"""The submission form on `/`: works without JavaScript (places by POST round trips), CSRF on
the anonymous form, bad input back on the form with the reason (4xx, never a 5xx), and what
is posted to intake."""

from collections.abc import AsyncIterator

import httpx
import pytest

from hoiam_console.public_upstream import PhotoRefusedError
from hoiam_console.upstream import UpstreamError
from support.photos import jpeg, png
from support.public import PublicConsole, make_public_console


@pytest.fixture
async def console() -> PublicConsole:
    return await make_public_console()


@pytest.fixture
async def client(console: PublicConsole) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=console.app, client=("203.0.113.20", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://console.test") as client:
        yield client


def hidden(html: str, name: str) -> str:
    return html.split(f'name="{name}" value="')[1].split('"')[0]


async def opened(client: httpx.AsyncClient) -> dict[str, str]:
    page = await client.get("/")
    assert page.status_code == 200
    assert "Gửi ý kiến, kiến nghị" in page.text
    assert 'action="/"' in page.text
    return {
        "csrf_token": hidden(page.text, "csrf_token"),
        "submission_id": hidden(page.text, "submission_id"),
    }


async def test_a_citizen_files_with_a_place_found_by_its_old_name(
    console: PublicConsole, client: httpx.AsyncClient
) -> None:
    form = await opened(client)
    text = "Đường liên ấp có ổ gà sâu, xe máy té ngã nhiều lần."
    searched = await client.post(
        "/", data=form | {"text": text, "place_q": "xã Phú Cần, huyện Tiểu Cần", "action": "search"}
    )
    assert searched.status_code == 200
    assert '<option value="29341"' in searched.text
    assert "trước đây: Xã Phú Cần, Huyện Tiểu Cần" in searched.text
    assert text in searched.text  # what was typed is kept across the round trip
    filed = await client.post(
        "/",
        data=form
        | {
            "text": text,
            "place_q": "xã Phú Cần, huyện Tiểu Cần",
            "commune": "29341",
            "address": "ấp Phú Thọ",
            "email": "bichngoc@gmail.com",
            "answer_by": "email",
            "publication_consent": "on",
            "action": "send",
        },
    )
    assert filed.status_code == 201
    assert "HA-0001-TEST" in filed.text
    assert 'href="/t/HA-0001-TEST"' in filed.text
    [(submission, key)] = console.upstream.filed
    assert submission == {
        "text": text,
        "email": "bichngoc@gmail.com",
        "address": "ấp Phú Thọ, Xã Tiểu Cần, Tỉnh Vĩnh Long",
        "consent": False,
        "publication_consent": True,
        "preferred_channel": "email",
    }
    assert key == f"web-form:{form['submission_id']}"
    # The same form sent twice (a double click) is one item.
    again = await client.post("/", data=form | {"text": text, "action": "send"})
    assert again.status_code == 201
    assert len(console.upstream.filed) == 1


async def test_the_province_then_commune_round_trip(client: httpx.AsyncClient) -> None:
    form = await opened(client)
    page = await client.post("/", data=form | {"province": "86", "action": "province"})
    assert page.status_code == 200
    assert '<option value="86" selected>' in page.text
    assert '<option value="29341"' in page.text


async def test_a_form_without_its_csrf_token_is_refused(
    console: PublicConsole, client: httpx.AsyncClient
) -> None:
    await opened(client)
    refused = await client.post("/", data={"text": "Đèn đường hỏng", "csrf_token": "x" * 43})
    assert refused.status_code == 403
    assert console.upstream.filed == []


@pytest.mark.parametrize(
    ("fields", "why"),
    [
        ({"text": "ab"}, "text"),
        ({"text": "Đèn đường hỏng", "answer_by": "email"}, "email"),
        ({"text": "Đèn đường hỏng", "email": "not-an-email"}, "email"),
        ({"text": "Đèn đường hỏng", "phone": "call me"}, "phone"),
        ({"text": "Đèn đường hỏng", "answer_by": "pigeon"}, "answer_by"),
        ({"text": "x" * 20_001}, "text"),
    ],
)
async def test_bad_input_comes_back_on_the_form_with_the_reason(
    console: PublicConsole, client: httpx.AsyncClient, fields: dict[str, str], why: str
) -> None:
    form = await opened(client)
    answer = await client.post("/", data=form | fields | {"action": "send"})
    assert answer.status_code == 422
    assert "Vui lòng sửa" in answer.text
    assert why in answer.text
    assert console.upstream.filed == []


async def test_intakes_refusals_are_shown_as_they_are_and_never_as_a_500(
    console: PublicConsole, client: httpx.AsyncClient
) -> None:
    form = await opened(client)
    for refusal, status in (
        (UpstreamError(422, "phone: not a Vietnamese number"), 422),
        (UpstreamError(429, "too many submissions"), 429),
        (UpstreamError(503, "intake unreachable"), 503),
    ):
        console.upstream.refuse = refusal
        answer = await client.post("/", data=form | {"text": "Đèn đường hỏng"})
        assert answer.status_code == status
        assert 'name="text"' in answer.text
        assert "Đèn đường hỏng" in answer.text


async def test_the_form_works_when_the_place_list_is_down(
    console: PublicConsole, client: httpx.AsyncClient
) -> None:
    console.upstream.places_down = True
    form = await opened(client)
    filed = await client.post(
        "/", data=form | {"text": "Đèn đường hỏng", "address": "ấp 3, xã Phú Cần"}
    )
    assert filed.status_code == 201
    assert console.upstream.filed[0][0]["address"] == "ấp 3, xã Phú Cần"


async def test_filings_are_rate_limited_per_address() -> None:
    console = await make_public_console(lookups_allowed=2)
    transport = httpx.ASGITransport(app=console.app, client=("203.0.113.21", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://console.test") as client:
        form = await opened(client)
        codes = [
            (
                await client.post(
                    "/", data=form | {"text": f"Đèn đường hỏng {n}", "submission_id": str(n)}
                )
            ).status_code
            for n in range(3)
        ]
    assert codes == [201, 201, 429]


async def test_track_leads_to_the_status_page(client: httpx.AsyncClient) -> None:
    found = await client.get("/track", params={"code": " ha-abcd-efgh "})
    assert found.status_code == 303
    assert found.headers["location"] == "/t/HA-ABCD-EFGH"


async def test_a_citizen_files_with_photos_and_picks_zalo(
    console: PublicConsole, client: httpx.AsyncClient
) -> None:
    page = await client.get("/")
    assert 'enctype="multipart/form-data"' in page.text
    assert 'type="file" multiple' in page.text
    assert '<option value="zalo"' in page.text
    form = await opened(client)
    filed = await client.post(
        "/",
        data=form
        | {
            "text": "Cống ấp 3 bị nghẹt, nước tràn vào nhà",
            "phone": "0912 345 678",
            "answer_by": "zalo",
            "action": "send",
        },
        files=[
            ("photo", ("IMG_1.jpg", jpeg(), "image/jpeg")),
            ("photo", ("so-do.png", png(), "image/png")),
        ],
    )
    assert filed.status_code == 201, filed.text
    [(submission, key)] = console.upstream.filed
    assert submission["preferred_channel"] == "zalo"
    assert submission["phone"] == "0912 345 678"
    assert [(p.filename, p.data) for p in console.upstream.photos[key]] == [
        ("IMG_1.jpg", jpeg()),
        ("so-do.png", png()),
    ]


async def test_zalo_without_a_phone_comes_back_with_the_reason(
    console: PublicConsole, client: httpx.AsyncClient
) -> None:
    form = await opened(client)
    refused = await client.post(
        "/",
        data=form | {"text": "Đèn đường hỏng", "answer_by": "zalo", "action": "send"},
    )
    assert refused.status_code == 422
    assert "Zalo" in refused.text
    assert console.upstream.filed == []


async def test_six_photos_are_refused_on_the_form_in_vietnamese_and_english(
    console: PublicConsole, client: httpx.AsyncClient
) -> None:
    form = await opened(client)
    six = [("photo", (f"{i}.png", png(), "image/png")) for i in range(6)]
    text = {"text": "Đèn đường hỏng", "action": "send"}
    refused = await client.post("/", data=form | text, files=six)
    assert refused.status_code == 422
    assert "Chỉ gửi được tối đa 5 ảnh." in refused.text
    assert "Đèn đường hỏng" in refused.text  # what was typed is kept
    english = await client.post("/?lang=en", data=form | text, files=six)
    assert "At most 5 photos can be sent." in english.text
    assert console.upstream.filed == []


async def test_intakes_refusal_of_a_photo_is_said_in_the_citizens_language(
    console: PublicConsole, client: httpx.AsyncClient
) -> None:
    console.upstream.refuse = PhotoRefusedError(
        "not_a_photo", "giay.pdf is not a JPEG, PNG, WebP or HEIC photo", "giay.pdf"
    )
    form = await opened(client)
    refused = await client.post(
        "/",
        data=form | {"text": "Đèn đường hỏng", "action": "send"},
        files=[("photo", ("giay.pdf", b"%PDF-1.7", "image/jpeg"))],
    )
    assert refused.status_code == 422
    assert "Tệp «giay.pdf» không phải ảnh JPEG, PNG, WebP hay HEIC." in refused.text


async def test_an_empty_file_field_files_without_photos(
    console: PublicConsole, client: httpx.AsyncClient
) -> None:
    form = await opened(client)
    filed = await client.post(
        "/",
        data=form | {"text": "Đèn đường hỏng", "action": "send"},
        files=[("photo", ("", b"", "application/octet-stream"))],
    )
    assert filed.status_code == 201
    [(_, key)] = console.upstream.filed
    assert console.upstream.photos[key] == []
