"""The .xlsx tables: the compiled report and the results report, one row per petition (and
per opinion), for the offices that keep working in a spreadsheet."""

import io
from collections.abc import Sequence
from datetime import datetime, time

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet

from hoiam_console.domain.compiling import Compilation, CompiledPetition, ReportHeading
from hoiam_console.domain.results import Results
from hoiam_console.reports.stable import stable_zip
from hoiam_console.reports.words import (
    FOLLOW_UP_WORDS,
    KIND_WORDS,
    LEVEL_SHORT,
    VERDICT_WORDS,
    day,
    source_line,
    status_word,
)
from hoiam_shared.clock import VIETNAM_TIME

REPORT_COLUMNS = (
    "STT", "Thẩm quyền", "Lĩnh vực", "Loại", "Nội dung", "Cử tri, địa bàn", "Hội nghị",
    "Ngày", "Số kiến nghị gộp", "Cơ quan giải quyết", "Mã theo dõi", "Tình trạng",
)  # fmt: skip
RESULTS_COLUMNS = (
    "STT", "Thẩm quyền", "Nội dung", "Cơ quan giải quyết", "Tình trạng", "Trả lời",
    "Hình thức trả lời", "Đã xác nhận", "Đánh giá", "Xử lý tiếp", "Ghi chú", "Người đánh giá",
    "Ngày đánh giá", "Mã theo dõi",
)  # fmt: skip


def _sheet(sheet: Worksheet, title: str, columns: Sequence[str]) -> None:
    sheet.title = title
    sheet.append(list(columns))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    sheet.column_dimensions["E" if len(columns) > 10 else "C"].width = 60


def _saved(book: Workbook, heading: ReportHeading) -> bytes:
    moment = datetime.combine(heading.on, time(8), VIETNAM_TIME) if heading.on else None
    moment = moment or datetime(2000, 1, 1, tzinfo=VIETNAM_TIME)
    naive = moment.astimezone(VIETNAM_TIME).replace(tzinfo=None)
    book.properties.creator = book.properties.lastModifiedBy = heading.author or ""
    book.properties.created = book.properties.modified = naive
    buffer = io.BytesIO()
    book.save(buffer)
    return stable_zip(buffer.getvalue(), at=moment)


def _book() -> Workbook:
    """A workbook with no sheet yet (its default one removed; ours are named)."""
    book = Workbook()
    book.remove(book.worksheets[0])
    return book


def _row(number: int, petition: CompiledPetition) -> list[str | int]:
    first = petition.sources[0]
    return [
        number,
        LEVEL_SHORT[petition.level],
        petition.field,
        "Kiến nghị" if petition.kind == "petition" else "Ý kiến",
        petition.summary,
        "; ".join(source_line(s.voters, s.place, None, None) for s in petition.sources),
        "; ".join(dict.fromkeys(s.meeting_place or "" for s in petition.sources)),
        day(first.held_on),
        len(petition.sources),
        petition.body_name or "",
        ", ".join(s.tracking_code or "" for s in petition.sources),
        status_word(petition.status),
    ]


def compiled_table(compilation: Compilation, heading: ReportHeading) -> bytes:
    """Sheet "Tổng hợp": every petition then every opinion, numbered as in the report;
    sheet "Không đưa vào": what operators dropped, with their reason."""
    book = _book()
    main = book.create_sheet()
    _sheet(main, "Tổng hợp", REPORT_COLUMNS)
    for number, petition in enumerate((*compilation.petitions, *compilation.opinions), 1):
        main.append(_row(number, petition))
    dropped = book.create_sheet()
    _sheet(dropped, "Không đưa vào", (*REPORT_COLUMNS, "Lý do"))
    for number, petition in enumerate(compilation.dropped, 1):
        dropped.append([*_row(number, petition), petition.dropped or ""])
    return _saved(book, heading)


def results_table(results: Results, heading: ReportHeading) -> bytes:
    """Sheet "Kết quả": one row per petition with its answer, kind and evaluation."""
    book = _book()
    main = book.create_sheet()
    _sheet(main, "Kết quả", RESULTS_COLUMNS)
    for line in results.lines:
        e = line.evaluation
        main.append([
            line.number,
            LEVEL_SHORT[line.level],
            line.petition.summary,
            line.body_name or "",
            status_word(line.status),
            line.answer or "",
            KIND_WORDS[line.kind] if line.kind else "",
            "Có" if line.kind_confirmed else "Gợi ý",
            VERDICT_WORDS.get(e.verdict or "", "") if e else "",
            FOLLOW_UP_WORDS.get(e.follow_up or "", "") if e else "",
            (e.note or "") if e else "",
            e.actor if e else "",
            day(e.at.astimezone(VIETNAM_TIME).date()) if e else "",
            ", ".join(s.tracking_code or "" for s in line.petition.sources),
        ])  # fmt: skip
    return _saved(book, heading)
