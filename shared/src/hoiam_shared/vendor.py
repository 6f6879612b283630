"""Front-end assets the project serves itself (Swagger UI, ReDoc, htmx), for intranets offline.

FastAPI's own `/docs` and `/redoc` load their scripts from a CDN, so on a government intranet
they are blank. `make setup` runs this module (``python -m hoiam_shared.vendor``): it fetches the
pinned npm packages with npm itself, checks each tarball against the registry's `integrity`
(sha512) pinned here, and keeps only the files served, in
``~/.cache/hoi-am/vendor/<package>-<version>/`` (``HOIAM_VENDOR_DIR`` elsewhere, e.g. in an image).
A verified copy is never fetched again. `mount_vendor` serves them at ``/static/vendor/...`` and
``/docs``/``/redoc`` pages that name only those local URLs.
"""

import base64
import hashlib
import io
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from fastapi import FastAPI, HTTPException
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse

PREFIX = "/static/vendor"
_VERIFIED = ".verified"


@dataclass(frozen=True, slots=True)
class Asset:
    package: str
    version: str
    integrity: str
    """The npm registry's `dist.integrity` of the tarball: ``sha512-<base64>``."""
    files: Mapping[str, str]
    """URL path under `PREFIX` → the file's path inside the package."""

    @property
    def spec(self) -> str:
        return f"{self.package}@{self.version}"

    @property
    def folder(self) -> str:
        return f"{self.package}-{self.version}"


SWAGGER_UI = Asset(
    "swagger-ui-dist",
    "5.35.0",
    "sha512-U06rpMtW9V3XPGOBeamTUSr0Z09jMX4IJuANpE/EZbAhw0G8CgwrzU4YmXkn/h0wCDNsXdGarTNNHC3sU8yVUQ==",
    {
        "swagger-ui/swagger-ui-bundle.js": "swagger-ui-bundle.js",
        "swagger-ui/swagger-ui.css": "swagger-ui.css",
        "swagger-ui/favicon-32x32.png": "favicon-32x32.png",
    },
)
REDOC = Asset(
    "redoc",
    "2.5.2",
    "sha512-sTJfItvRkcDTojB6wdLN4M+Ua6mlZwElV21Tf8Mn7IbQF/1Os6GvgQpZyLWPGZZHbhy7GC1Or1hTMHfz1vKh5A==",
    {"redoc/redoc.standalone.js": "bundles/redoc.standalone.js"},
)
HTMX = Asset(
    "htmx.org",
    "2.0.8",
    "sha512-fm297iru0iWsNJlBrjvtN7V9zjaxd+69Oqjh4F/Vq9Wwi2kFisLcrLCiv5oBX0KLfOX/zG8AUo9ROMU5XUB44Q==",
    {"htmx.min.js": "dist/htmx.min.js"},
)
ASSETS = (SWAGGER_UI, REDOC, HTMX)

HTMX_URL = f"{PREFIX}/htmx.min.js"
"""Where every service (the console's pages first) serves htmx."""


class VendorError(RuntimeError):
    """An asset could not be fetched or did not match its pinned integrity."""


def vendor_dir() -> Path:
    """Where the verified assets are: ``HOIAM_VENDOR_DIR``, else the user's cache."""
    if configured := os.environ.get("HOIAM_VENDOR_DIR"):
        return Path(configured)
    return Path.home() / ".cache" / "hoi-am" / "vendor"


def is_verified(root: Path, asset: Asset) -> bool:
    folder = root / asset.folder
    marker = folder / _VERIFIED
    return (
        marker.is_file()
        and marker.read_text().strip() == asset.integrity
        and all((folder / inside).is_file() for inside in asset.files.values())
    )


def check_integrity(tarball: bytes, integrity: str) -> None:
    algorithm, _, expected = integrity.partition("-")
    if algorithm != "sha512":
        raise VendorError(f"only sha512 integrity is pinned, not {algorithm}")
    actual = base64.b64encode(hashlib.sha512(tarball).digest()).decode()
    if actual != expected:
        raise VendorError(f"integrity mismatch: expected sha512-{expected}, got sha512-{actual}")


type Pack = Callable[[str, Path], Path]
"""Fetches one npm package spec into a folder and returns the tarball's path."""


def npm_pack(spec: str, into: Path) -> Path:
    """The package's tarball, fetched by npm itself (its registry, proxy and cache settings)."""
    npm = shutil.which("npm")
    if npm is None:
        raise VendorError("npm is not installed (apt-get install npm, or Node.js from nodejs.org)")
    done = subprocess.run(  # noqa: S603 - a fixed npm command on a pinned spec
        [npm, "pack", spec, "--pack-destination", str(into), "--silent"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if done.returncode != 0:
        raise VendorError(f"npm pack {spec} failed: {done.stderr.strip()[-500:]}")
    found = sorted(into.glob("*.tgz"))
    if len(found) != 1:
        raise VendorError(f"npm pack {spec} left {len(found)} tarballs in {into}")
    return found[0]


def unpack(tarball: bytes, asset: Asset, folder: Path) -> None:
    """Only the served files, from the tarball's ``package/`` folder, by name (no path taken
    from the archive itself, so nothing lands outside `folder`)."""
    with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as archive:
        for inside in asset.files.values():
            member = archive.extractfile(f"package/{inside}")
            if member is None:
                raise VendorError(f"{asset.spec} has no file {inside}")
            target = folder / inside
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(member.read())


def fetch(root: Path, *, pack: Pack | None = None, assets: tuple[Asset, ...] = ASSETS) -> list[str]:
    """Fetch (with `npm_pack` unless told) and verify what is not yet verified under `root`;
    the specs fetched."""
    pack = pack or npm_pack
    fetched = []
    root.mkdir(parents=True, exist_ok=True)
    for asset in assets:
        if is_verified(root, asset):
            continue
        with tempfile.TemporaryDirectory(dir=root) as scratch:
            work = Path(scratch)
            tarball = pack(asset.spec, work).read_bytes()
            try:
                check_integrity(tarball, asset.integrity)
            except VendorError as error:
                raise VendorError(f"{asset.spec}: {error}") from error
            staged = work / "staged"
            unpack(tarball, asset, staged)
            (staged / _VERIFIED).write_text(asset.integrity + "\n")
            final = root / asset.folder
            shutil.rmtree(final, ignore_errors=True)
            # A rename: a reader sees the whole verified folder or none.
            staged.rename(final)
        fetched.append(asset.spec)
    return fetched


def _served(root: Path) -> dict[str, Path]:
    return {
        url: root / asset.folder / inside for asset in ASSETS for url, inside in asset.files.items()
    }


def mount_vendor(app: FastAPI, root: Path | None = None, *, docs: bool = True) -> None:
    """Serve the assets at ``/static/vendor/...`` and, with `docs`, ``/docs`` and ``/redoc``
    naming only those. Build the app with ``docs_url=None, redoc_url=None``."""
    files = _served(root or vendor_dir())

    @app.get(f"{PREFIX}/{{path:path}}", include_in_schema=False)
    async def vendored(path: str) -> FileResponse:
        # Only the pinned names: nothing else on the disk is reachable from here.
        file = files.get(path)
        if file is None:
            raise HTTPException(404, detail=f"no vendored asset {path}")
        if not file.is_file():
            raise HTTPException(
                404, detail=f"asset {path} is not installed here: run `make setup` ({file})"
            )
        return FileResponse(file, headers={"Cache-Control": "public, max-age=86400"})

    if not docs:
        return
    title = app.title
    openapi_url = app.openapi_url or "/openapi.json"

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=openapi_url,
            title=f"{title} — API",
            swagger_js_url=f"{PREFIX}/swagger-ui/swagger-ui-bundle.js",
            swagger_css_url=f"{PREFIX}/swagger-ui/swagger-ui.css",
            swagger_favicon_url=f"{PREFIX}/swagger-ui/favicon-32x32.png",
            # Swagger UI would otherwise ask validator.swagger.io for a badge.
            swagger_ui_parameters={"validatorUrl": None},
        )

    @app.get("/redoc", include_in_schema=False)
    async def redoc() -> HTMLResponse:
        return get_redoc_html(
            openapi_url=openapi_url,
            title=f"{title} — API",
            redoc_js_url=f"{PREFIX}/redoc/redoc.standalone.js",
            redoc_favicon_url=f"{PREFIX}/swagger-ui/favicon-32x32.png",
            with_google_fonts=False,
        )


def main() -> int:
    root = vendor_dir()
    try:
        fetched = fetch(root)
    except (VendorError, OSError, subprocess.TimeoutExpired) as error:
        missing = [a.spec for a in ASSETS if not is_verified(root, a)]
        print(
            f"vendor: ERROR: {error}\n"
            f"vendor: {', '.join(missing)} not in {root} and could not be fetched from the npm "
            "registry (offline?). Fetch them once where the registry is reachable and copy that "
            "folder here, or set HOIAM_VENDOR_DIR to a copy.",
            file=sys.stderr,
        )
        return 1
    print(f"vendor: {', '.join(fetched) or 'all assets already verified'} in {root}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
