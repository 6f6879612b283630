"""Offline `/docs` and `/redoc`: every asset is the project's own, fetched once and verified."""

import asyncio
import base64
import hashlib
import io
import re
import tarfile
from pathlib import Path
from typing import cast

import httpx
import pytest
from faststream.kafka import KafkaBroker
from prometheus_client import CollectorRegistry
from pymongo import AsyncMongoClient

from hoiam_shared.http import service_app
from hoiam_shared.mongo import Document
from hoiam_shared.settings import ServiceSettings
from hoiam_shared.vendor import (
    ASSETS,
    HTMX_URL,
    PREFIX,
    Asset,
    VendorError,
    fetch,
    is_verified,
)


def tarball(files: dict[str, bytes]) -> bytes:
    """An npm-like tarball: every file under ``package/``."""
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz") as archive:
        for name, content in files.items():
            info = tarfile.TarInfo(f"package/{name}")
            info.size = len(content)
            archive.addfile(info, io.BytesIO(content))
    return out.getvalue()


def integrity_of(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


def installed(root: Path) -> Path:
    """The pinned assets as `make setup` leaves them, with stand-in contents."""
    for asset in ASSETS:
        folder = root / asset.folder
        for inside in asset.files.values():
            (folder / inside).parent.mkdir(parents=True, exist_ok=True)
            (folder / inside).write_text(f"/* {asset.spec} {inside} */")
        (folder / ".verified").write_text(asset.integrity)
    return root


def client_of(vendor: Path) -> httpx.AsyncClient:
    app = service_app(
        name="probe",
        settings=ServiceSettings(),
        broker=cast(KafkaBroker, object()),
        mongo=cast(AsyncMongoClient[Document], object()),
        registry=CollectorRegistry(),
        prepare_store=lambda: asyncio.sleep(0),
        vendor=vendor,
    )
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t")


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
async def test_the_docs_name_no_external_url_and_their_assets_answer(
    tmp_path: Path, page: str
) -> None:
    async with client_of(installed(tmp_path)) as client:
        html = (await client.get(page)).text
        assert "openapi.json" in html
        assert re.findall(r"(?:https?:)?//[\w.-]+", html) == []
        urls = re.findall(r"""(?:src|href|spec-url)=["']([^"']+)["']""", html)
        urls += re.findall(r"""url:\s*['"]([^'"]+)['"]""", html)
        assert any(u.startswith(PREFIX) for u in urls), urls
        for url in urls:
            answer = await client.get(url)
            assert answer.status_code == 200, url


async def test_htmx_is_served_for_the_console(tmp_path: Path) -> None:
    async with client_of(installed(tmp_path)) as client:
        answer = await client.get(HTMX_URL)
    assert answer.status_code == 200
    assert "htmx.org@" in answer.text


async def test_a_missing_asset_says_to_run_setup_and_nothing_else_is_reachable(
    tmp_path: Path,
) -> None:
    (tmp_path / "secret.txt").write_text("no")
    async with client_of(tmp_path) as client:
        missing = await client.get(HTMX_URL)
        outside = await client.get(f"{PREFIX}/../secret.txt")
        unknown = await client.get(f"{PREFIX}/secret.txt")
    assert missing.status_code == 404
    assert "make setup" in missing.json()["detail"]
    assert outside.status_code == 404
    assert unknown.status_code == 404


def fake_asset(content: bytes, *, integrity: str | None = None) -> tuple[Asset, bytes]:
    packed = tarball({"dist/lib.min.js": content, "README.md": b"not served"})
    asset = Asset("lib", "1.2.3", integrity or integrity_of(packed), {"lib.js": "dist/lib.min.js"})
    return asset, packed


def test_fetch_verifies_keeps_only_the_served_files_and_is_idempotent(tmp_path: Path) -> None:
    asset, packed = fake_asset(b"lib();")
    calls: list[str] = []

    def pack(spec: str, into: Path) -> Path:
        calls.append(spec)
        (into / "lib-1.2.3.tgz").write_bytes(packed)
        return into / "lib-1.2.3.tgz"

    assert fetch(tmp_path, pack=pack, assets=(asset,)) == ["lib@1.2.3"]
    assert fetch(tmp_path, pack=pack, assets=(asset,)) == []
    assert calls == ["lib@1.2.3"]
    assert (tmp_path / "lib-1.2.3" / "dist/lib.min.js").read_bytes() == b"lib();"
    assert not (tmp_path / "lib-1.2.3" / "README.md").exists()
    assert is_verified(tmp_path, asset)


def test_a_tarball_that_does_not_match_its_integrity_is_refused(tmp_path: Path) -> None:
    _, packed = fake_asset(b"evil();")
    asset, _ = fake_asset(b"lib();")

    def pack(spec: str, into: Path) -> Path:
        (into / "lib.tgz").write_bytes(packed)
        return into / "lib.tgz"

    with pytest.raises(VendorError, match="integrity mismatch"):
        fetch(tmp_path, pack=pack, assets=(asset,))
    assert not is_verified(tmp_path, asset)
    assert not (tmp_path / "lib-1.2.3").exists()


def test_offline_and_not_cached_fails_with_a_clear_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from hoiam_shared import vendor

    def offline(spec: str, into: Path) -> Path:
        raise VendorError(f"npm pack {spec} failed: ENOTFOUND registry")

    monkeypatch.setenv("HOIAM_VENDOR_DIR", str(tmp_path))
    monkeypatch.setattr(vendor, "npm_pack", offline)
    assert vendor.main() == 1
    said = capsys.readouterr().err
    assert "could not be fetched" in said
    assert "swagger-ui-dist@5.35.0" in said
    # Once cached, no registry is needed.
    installed(tmp_path)
    assert vendor.main() == 0
