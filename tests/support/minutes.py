"""Minutes files for tests, made with python-docx and openpyxl from the real minutes of
services/intake/data/minutes (the petitions' own words), and the form fields that send them."""

import io
from pathlib import Path

import docx
import openpyxl

from hoiam_intake.domain.minutes import blocks_of_text, split_minutes

DATA = Path(__file__).resolve().parents[2] / "services" / "intake" / "data" / "minutes"


def real_petitions(slug: str) -> list[tuple[str, str | None]]:
    """(words, voters) of each petition of one stored document, as the splitter reads it."""
    text = (DATA / f"{slug}.txt").read_text(encoding="utf-8")
    return [(p.text, p.voters) for p in split_minutes(blocks_of_text(text)).petitions]


def minutes_docx(slug: str, *, title: str, answer: str | None = None) -> bytes:
    """A biên bản as an office types it: a title, the petitions numbered, the last two in a table
    (STT / Nội dung / Cử tri - địa bàn), and the commune leader's answer."""
    petitions = real_petitions(slug)
    document = docx.Document()
    document.add_paragraph(title)
    for number, (words, _) in enumerate(petitions[:-2], start=1):
        document.add_paragraph(f"{number}. {words}.")
    table = document.add_table(rows=1, cols=3)
    for cell, header in zip(
        table.rows[0].cells, ("STT", "Nội dung", "Cử tri - địa bàn"), strict=True
    ):
        cell.text = header
    for number, (words, voters) in enumerate(petitions[-2:], start=len(petitions) - 1):
        cells = table.add_row().cells
        cells[0].text, cells[1].text, cells[2].text = str(number), words, voters or ""
    if answer:
        document.add_paragraph(answer)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def minutes_xlsx(slug: str, *, title: str, level_heading: str | None = None) -> bytes:
    """A tổng hợp sheet: a title row, the header row, an optional level row, one row a petition."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append([title])
    sheet.append(["STT", "Nội dung ý kiến, kiến nghị", "Cử tri, địa bàn"])
    if level_heading:
        sheet.append(["I", level_heading])
    for number, (words, voters) in enumerate(real_petitions(slug), start=1):
        sheet.append([number, words, voters or ""])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
