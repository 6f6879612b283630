"""The same bytes for the same data: python-docx and openpyxl stamp the zip entries and the
core properties with the moment of saving; here both are set to a moment taken from the data.
"""

import io
import re
import zipfile
from datetime import UTC, datetime

_CORE = "docProps/core.xml"
_STAMPS = re.compile(rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)")


def stable_zip(data: bytes, *, at: datetime) -> bytes:
    """`data` (an OOXML package) rewritten with every entry dated `at`, in the order it was
    written, and the core properties' created/modified set to `at` (UTC, whole seconds)."""
    stamp = at.astimezone(UTC).replace(microsecond=0)
    iso = stamp.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    # A zip entry's date has no time zone and cannot be before 1980.
    when = max(stamp.replace(tzinfo=None), datetime(1980, 1, 1)).timetuple()[:6]
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            blob = source.read(info.filename)
            if info.filename == _CORE:
                blob = _STAMPS.sub(lambda m: m[1] + iso + m[3], blob)
            entry = zipfile.ZipInfo(info.filename, date_time=when)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            target.writestr(entry, blob)
    return out.getvalue()
