"""Signing in and out: the token endpoint, the form, throttling, expiry, the cookie's flags."""

from datetime import timedelta

import httpx

from support.console import PASSWORD, Console


async def test_the_token_endpoint_gives_a_bearer_that_logout_revokes(
    console: Console, client: httpx.AsyncClient
) -> None:
    answer = await client.post(
        "/api/v1/auth/token", json={"username": "operator", "password": PASSWORD}
    )
    assert answer.status_code == 200
    body = answer.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 8 * 3600
    auth = {"Authorization": f"Bearer {body['access_token']}"}
    me = (await client.get("/api/v1/me", headers=auth)).json()
    assert me["person"]["role"] == "operator"
    assert me["person"]["province_code"] == "86"
    assert (await client.post("/api/v1/auth/logout", headers=auth)).status_code == 204
    assert (await client.get("/api/v1/me", headers=auth)).status_code == 401


async def test_a_wrong_password_or_an_unknown_user_is_401_alike(client: httpx.AsyncClient) -> None:
    wrong = await client.post(
        "/api/v1/auth/token", json={"username": "operator", "password": "not the password"}
    )
    nobody = await client.post(
        "/api/v1/auth/token", json={"username": "nobody", "password": PASSWORD}
    )
    assert wrong.status_code == nobody.status_code == 401
    assert wrong.json() == nobody.json()


async def test_five_failures_refuse_even_the_right_password_with_429(
    console: Console, client: httpx.AsyncClient
) -> None:
    for _ in range(5):
        answer = await client.post(
            "/api/v1/auth/token", json={"username": "admin", "password": "guess guess"}
        )
        assert answer.status_code == 401
    refused = await client.post(
        "/api/v1/auth/token", json={"username": "admin", "password": PASSWORD}
    )
    assert refused.status_code == 429
    assert "too many failed sign-ins" in refused.json()["detail"]
    console.clock.advance(timedelta(minutes=16))
    later = await client.post(
        "/api/v1/auth/token", json={"username": "admin", "password": PASSWORD}
    )
    assert later.status_code == 200


async def test_one_address_guessing_many_accounts_is_throttled_too(
    client: httpx.AsyncClient,
) -> None:
    for name in ("a1", "a2", "a3", "a4", "a5"):
        await client.post("/api/v1/auth/token", json={"username": name, "password": "x"})
    refused = await client.post(
        "/api/v1/auth/token", json={"username": "operator", "password": PASSWORD}
    )
    assert refused.status_code == 429


async def test_a_session_expires_after_its_ttl(console: Console, client: httpx.AsyncClient) -> None:
    answer = await client.post(
        "/api/v1/auth/token", json={"username": "operator", "password": PASSWORD}
    )
    auth = {"Authorization": f"Bearer {answer.json()['access_token']}"}
    console.clock.advance(timedelta(hours=8, seconds=1))
    assert (await client.get("/api/v1/me", headers=auth)).status_code == 401
    assert console.sessions.sessions == {}  # the dead session is gone from the store


async def test_the_sign_in_form_sets_a_strict_cookie_and_goes_where_it_was_asked(
    client: httpx.AsyncClient,
) -> None:
    page = await client.get("/triage")
    assert page.status_code == 303
    assert page.headers["location"] == "/login?next=/triage"
    answer = await client.post(
        "/login", data={"username": "operator", "password": PASSWORD, "next": "/triage"}
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == "/triage"
    cookie = answer.headers["set-cookie"].lower()
    assert "httponly" in cookie
    assert "samesite=lax" in cookie
    assert (await client.get("/triage")).status_code == 200


async def test_the_form_never_sends_a_fresh_login_to_another_site(
    client: httpx.AsyncClient,
) -> None:
    answer = await client.post(
        "/login", data={"username": "operator", "password": PASSWORD, "next": "//evil.example/"}
    )
    assert answer.headers["location"] == "/inbox"


async def test_staff_land_on_their_inbox_not_on_the_citizens_form(
    client: httpx.AsyncClient,
) -> None:
    # `/` is the public submission form once the public pages are mounted.
    answer = await client.post("/login", data={"username": "operator", "password": PASSWORD})
    assert answer.status_code == 303
    assert answer.headers["location"] == "/inbox"


async def test_a_failed_form_sign_in_says_so_in_vietnamese(client: httpx.AsyncClient) -> None:
    answer = await client.post("/login", data={"username": "operator", "password": "sai"})
    assert answer.status_code == 401
    assert "Sai tên đăng nhập hoặc mật khẩu." in answer.text


async def test_a_browser_cookie_does_not_open_the_api_nor_a_bearer_the_pages(
    console: Console, client: httpx.AsyncClient
) -> None:
    await client.post("/login", data={"username": "operator", "password": PASSWORD})
    assert (await client.get("/api/v1/inbox")).status_code == 401
    client.cookies.clear()
    token = (
        await client.post("/api/v1/auth/token", json={"username": "operator", "password": PASSWORD})
    ).json()["access_token"]
    client.cookies.set("hoiam_session", token)
    assert (await client.get("/inbox")).status_code == 303


async def test_logout_ends_the_browser_session(client: httpx.AsyncClient) -> None:
    await client.post("/login", data={"username": "operator", "password": PASSWORD})
    page = await client.get("/inbox")
    csrf = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    cookie = client.cookies.get("hoiam_session")
    assert (await client.post("/logout", data={"csrf_token": csrf})).status_code == 303
    client.cookies.set("hoiam_session", cookie or "")
    assert (await client.get("/inbox")).status_code == 303
