"""A minutes file read into blocks: .docx, .xlsx or plain text (the formats the offices use).

- .docx (python-docx): paragraphs and tables in document order; a table whose first row names
  its columns (STT, Nội dung, Cử tri, Địa bàn…) gives rows under those headers, any other table
  gives its rows as paragraphs; a merged cell repeated across its span is read once.
- .xlsx (openpyxl, read-only, values not formulas): every sheet; the first row naming its columns
  is the header, rows above it are titles, a row with one filled cell is a heading line.
- text: UTF-8, else the 8-bit code page old files use (TCVN3/VNI letters are repaired later).
Anything else, or a file these libraries cannot open, is `UnreadableMinutesError` with a reason.
"""

import io
import re
import zipfile
from collections.abc import Iterable
from typing import Any

from hoiam_intake.domain.minutes.blocks import Block, blocks_of_text, row

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_HEADER_WORDS = re.compile(
    r"^\s*(?:stt|tt|số tt|nội dung|ý kiến|kiến nghị|cử tri|địa bàn|địa phương|đơn vị|nơi|"
    r"trả lời|kết quả|cơ quan|lĩnh vực|ghi chú)",
    re.IGNORECASE,
)


class UnreadableMinutesError(ValueError):
    """Not minutes this service can read: the message says why."""


def kind_of(filename: str | None, content_type: str | None, data: bytes) -> str:
    """docx, xlsx or text, from the name, the declared type and the bytes themselves."""
    name = (filename or "").lower()
    if data[:4] == b"PK\x03\x04":
        try:
            names = zipfile.ZipFile(io.BytesIO(data)).namelist()
        except zipfile.BadZipFile as error:
            raise UnreadableMinutesError("a damaged .docx/.xlsx (zip) file") from error
        if "word/document.xml" in names:
            return "docx"
        if "xl/workbook.xml" in names:
            return "xlsx"
        raise UnreadableMinutesError("a zip file that is neither .docx nor .xlsx")
    if name.endswith((".doc", ".xls", ".pdf")) or data[:4] in (b"\xd0\xcf\x11\xe0", b"%PDF"):
        raise UnreadableMinutesError("old .doc/.xls and PDF are not read: save as .docx or .xlsx")
    if name.endswith((".txt", ".text", ".csv")) or (content_type or "").startswith("text/"):
        return "text"
    if b"\x00" in data[:4096]:
        raise UnreadableMinutesError("not a text, .docx or .xlsx file")
    return "text"


def decode_text(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Old minutes typed in TCVN3/VNI fonts come as 8-bit bytes; the splitter repairs them.
        return data.decode("cp1252", errors="replace")


def read_minutes(data: bytes, *, filename: str | None, content_type: str | None) -> list[Block]:
    kind = kind_of(filename, content_type, data)
    try:
        if kind == "docx":
            return list(_docx_blocks(data))
        if kind == "xlsx":
            return list(_xlsx_blocks(data))
    except UnreadableMinutesError:
        raise
    except Exception as error:  # the libraries raise many kinds for a damaged file
        raise UnreadableMinutesError(f"cannot open this .{kind}: {type(error).__name__}") from error
    return blocks_of_text(decode_text(data))


def _once(values: Iterable[str]) -> list[str]:
    """Cell texts with a merged cell (repeated across its span by python-docx) kept once."""
    kept: list[str] = []
    for value in values:
        if not kept or value != kept[-1]:
            kept.append(value)
    return kept


def _table_rows(rows: list[list[str]]) -> Iterable[Block]:
    headers: list[str] | None = None
    for values in rows:
        filled = [v for v in values if v.strip()]
        if not filled:
            continue
        if headers is None and sum(1 for v in filled if _HEADER_WORDS.match(v)) >= 2:
            headers = values
            continue
        if headers is None or len(filled) == 1:
            yield Block(text=" ".join(filled))
            continue
        yield row(headers, values)


def _docx_blocks(data: bytes) -> Iterable[Block]:
    import docx
    from docx.table import Table

    document = docx.Document(io.BytesIO(data))
    for part in document.iter_inner_content():
        if isinstance(part, Table):
            rows = [_once(cell.text.strip() for cell in r.cells) for r in part.rows]
            yield from _table_rows(rows)
        elif part.text.strip():
            for line in part.text.splitlines():
                if line.strip():
                    yield Block(text=line.strip())


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _xlsx_blocks(data: bytes) -> Iterable[Block]:
    import openpyxl

    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        for sheet in workbook.worksheets:
            rows = [[_cell(v) for v in values] for values in sheet.iter_rows(values_only=True)]
            yield from _table_rows(rows)
    finally:
        workbook.close()
