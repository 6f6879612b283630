"""The operators' erasure page: a form sent to intake as the person, refused to everyone else."""

import httpx

from support.console import PASSWORD, Console


async def signed_in(console: Console, client: httpx.AsyncClient, who: str) -> str:
    done = await console.parts.auth.sign_in(who, PASSWORD, client="test", kind="browser")
    client.cookies.set("hoiam_session", done.token)
    return done.session.csrf_token


async def test_an_operator_erases_a_citizen_from_the_form(
    console: Console, client: httpx.AsyncClient
) -> None:
    csrf = await signed_in(console, client, "operator")
    form = await client.get("/citizens/erase")
    assert form.status_code == 200
    assert "Xoá dữ liệu cá nhân của cử tri" in form.text  # Vietnamese first
    done = await client.post(
        "/citizens/erase",
        data={"csrf_token": csrf, "citizen_id": "cit-0190", "verified_by": "CCCD đã đối chiếu",
              "request_ref": "DN-14"},
    )  # fmt: skip
    assert done.status_code == 303
    shown = await client.get(done.headers["location"])
    assert "Đã xoá" in shown.text
    assert "cit-0190" in shown.text
    [call] = console.upstream.calls
    assert (call.what, call.person.username) == ("erase", "operator")
    assert call.args == {"citizen_id": "cit-0190", "verified_by": "CCCD đã đối chiếu",
                         "request_ref": "DN-14"}  # fmt: skip
    english = await client.get("/citizens/erase?lang=en")
    assert "Erase for good" in english.text


async def test_body_staff_cannot_erase_and_a_form_without_how_it_was_verified_sends_nothing(
    console: Console, client: httpx.AsyncClient
) -> None:
    csrf = await signed_in(console, client, "operator")
    empty = await client.post(
        "/citizens/erase", data={"csrf_token": csrf, "citizen_id": "cit-1", "verified_by": ""}
    )
    assert empty.status_code == 422
    csrf = await signed_in(console, client, "ubnd-tieucan")
    refused = await client.post(
        "/citizens/erase",
        data={"csrf_token": csrf, "citizen_id": "cit-1", "verified_by": "CCCD đã đối chiếu"},
    )
    assert refused.status_code == 403
    assert console.upstream.calls == []
