"""The .docx reports: the compiled report (báo cáo tổng hợp ý kiến, kiến nghị cử tri), the
results report (báo cáo kết quả giải quyết) and the per-constituency handout, in the layout the
offices use (Decree 30/2020's header: issuing body and number on the left, the national motto
on the right, place and date below it; then the title, the sections by level and field)."""

import io
from datetime import datetime, time

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.shared import Cm, Pt
from docx.table import _Cell

from hoiam_console.domain.compiling import (
    LEVELS,
    Compilation,
    CompiledPetition,
    ReportHeading,
    SessionSheet,
    Source,
)
from hoiam_console.domain.likeness import fold
from hoiam_console.domain.results import Results
from hoiam_console.reports.stable import stable_zip
from hoiam_console.reports.words import (
    FOLLOW_UP_WORDS,
    KIND_WORDS,
    LEVEL_TITLES,
    MOTTO,
    NATION,
    ROMAN,
    VERDICT_WORDS,
    day,
    long_day,
    sentence,
    source_line,
    status_word,
)
from hoiam_shared.clock import VIETNAM_TIME

FONT = "Times New Roman"


def _new(heading: ReportHeading, title: str) -> DocxDocument:
    document = Document()
    style = document.styles["Normal"]
    style.font.name = FONT
    style.font.size = Pt(13)
    for section in document.sections:
        section.top_margin = section.bottom_margin = Cm(2)
        section.left_margin, section.right_margin = Cm(3), Cm(2)
    props = document.core_properties
    props.title = title
    props.author = props.last_modified_by = heading.author or ""
    props.revision = 1
    props.language = "vi-VN"
    return document


def _line(
    cell: _Cell, text: str, *, bold: bool = False, italic: bool = False, first: bool = False
) -> None:
    paragraph = cell.paragraphs[0] if first else cell.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run(text)
    run.bold, run.italic = bold, italic


def _header(document: DocxDocument, heading: ReportHeading) -> None:
    """Issuer and number left, the nation and motto right, place and date under the motto."""
    table = document.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    left, right = table.rows[0].cells
    _line(left, heading.parent or "", first=True)
    _line(left, heading.issuer or "", bold=True)
    _line(left, f"Số: {heading.number}")
    _line(right, NATION, bold=True, first=True)
    _line(right, MOTTO, bold=True)
    if heading.on is not None:
        _line(right, long_day(heading.place or "", heading.on), italic=True)


def _title(document: DocxDocument, first: str, second: str) -> None:
    for text, bold in ((first, True), (second, True)):
        paragraph = document.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.add_run(text).bold = bold


def _heading(document: DocxDocument, text: str) -> None:
    document.add_paragraph().add_run(text).bold = True


def _sources(petition: CompiledPetition) -> str:
    return "; ".join(
        source_line(s.voters, s.place, s.meeting_place, s.held_on) for s in petition.sources
    )


def _saved(document: DocxDocument, heading: ReportHeading) -> bytes:
    moment = datetime.combine(heading.on, time(8), VIETNAM_TIME) if heading.on else None
    moment = moment or datetime(2000, 1, 1, tzinfo=VIETNAM_TIME)
    document.core_properties.created = document.core_properties.modified = moment
    document.core_properties.last_printed = moment
    buffer = io.BytesIO()
    document.save(buffer)
    return stable_zip(buffer.getvalue(), at=moment)


def _signature(document: DocxDocument, heading: ReportHeading) -> None:
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    paragraph.add_run(f"TM. {heading.issuer or ''}").bold = True


def compiled_report(sheet: SessionSheet, compilation: Compilation, heading: ReportHeading) -> bytes:
    """The compiled report: counts, then the petitions by level (I. Trung ương, II. tỉnh,
    III. xã, IV. not yet placed, if any) and field, each numbered with where it came from,
    then the opinions."""
    title = f"Tổng hợp ý kiến, kiến nghị của cử tri gửi đến {sheet.name}"
    document = _new(heading, f"Báo cáo {title[0].lower()}{title[1:]}")
    _header(document, heading)
    _title(document, "BÁO CÁO", title)
    counts = compilation.counts
    document.add_paragraph(
        f"Các tổ đại biểu đã tổ chức {len(sheet.meetings)} hội nghị tiếp xúc cử tri. "
        f"Cử tri đã nêu {counts.raised} ý kiến, kiến nghị "
        f"({counts.petitions_raised} kiến nghị, {counts.opinions_raised} ý kiến); "
        f"sau khi tổng hợp, phân loại còn {counts.compiled} ý kiến, kiến nghị "
        f"({counts.petitions} kiến nghị, {counts.opinions} ý kiến)"
        + (f", {counts.dropped} nội dung không đưa vào báo cáo" if counts.dropped else "")
        + "."
        + (
            f" {counts.answered_on_the_spot} nội dung đã được trả lời, giải trình tại hội nghị."
            if counts.answered_on_the_spot
            else ""
        )
    )
    grouped = dict(compilation.grouped())
    number = 0
    for k, level in enumerate(lv for lv in LEVELS if lv != "unclassified" or lv in grouped):
        _heading(document, f"{ROMAN[k]}. {LEVEL_TITLES[level].upper()}")
        fields = grouped.get(level, [])
        if not fields:
            document.add_paragraph("Không có kiến nghị.")
        for f, (name, petitions) in enumerate(fields, start=1):
            document.add_paragraph().add_run(f"{f}. Lĩnh vực {name}").bold = True
            for petition in petitions:
                number += 1
                _petition(document, number, petition)
    if compilation.opinions:
        _heading(document, f"{ROMAN[k + 1]}. Ý KIẾN CỦA CỬ TRI")
        for n, opinion in enumerate(compilation.opinions, start=1):
            document.add_paragraph(f"{n}. {sentence(opinion.summary)}")
            document.add_paragraph().add_run(f"({_sources(opinion)})").italic = True
    _signature(document, heading)
    return _saved(document, heading)


def _petition(document: DocxDocument, number: int, petition: CompiledPetition) -> None:
    document.add_paragraph(f"{number}. {sentence(petition.summary)}")
    where = document.add_paragraph().add_run(f"Nơi nêu: {_sources(petition)}.")
    where.italic = True
    extra = []
    if len(petition.sources) > 1:
        extra.append(f"gộp {len(petition.sources)} kiến nghị cùng nội dung")
    if petition.body_name:
        extra.append(f"cơ quan giải quyết: {petition.body_name}")
    if petition.answered_on_the_spot:
        extra.append("đã được trả lời tại hội nghị")
    if extra:
        document.add_paragraph().add_run(f"({'; '.join(extra)}.)").italic = True


RESULT_COLUMNS = ("STT", "Nội dung kiến nghị", "Cơ quan giải quyết", "Kết quả trả lời",
                  "Hình thức", "Đánh giá")  # fmt: skip


def results_report(sheet: SessionSheet, results: Results, heading: ReportHeading) -> bytes:
    """The results report: counts, then a table per level: each petition, its body, status
    and answer, the kind of answer and the evaluation."""
    title = f"Kết quả giải quyết ý kiến, kiến nghị của cử tri gửi đến {sheet.name}"
    document = _new(heading, f"Báo cáo {title[0].lower()}{title[1:]}")
    _header(document, heading)
    _title(document, "BÁO CÁO", title)
    c = results.counts
    kinds = ", ".join(f"{KIND_WORDS[k]}: {n}" for k, n in c.by_kind.items() if n)  # type: ignore[index]
    document.add_paragraph(
        f"Tổng số {c.petitions} kiến nghị; đã có trả lời {c.answered}"
        + (f" ({kinds})" if kinds else "")
        + f". Đánh giá: {c.satisfactory} đạt yêu cầu, {c.unsatisfactory} chưa đạt yêu cầu; "
        f"{c.sent_back} chuyển lại cơ quan giải quyết, {c.questioned} đưa vào chất vấn."
    )
    present = [lv for lv in LEVELS if any(line.level == lv for line in results.lines)]
    for k, level in enumerate(present):
        _heading(document, f"{ROMAN[k]}. {LEVEL_TITLES[level].upper()}")
        lines = [line for line in results.lines if line.level == level]
        table = document.add_table(rows=1, cols=len(RESULT_COLUMNS))
        table.style = "Table Grid"
        for cell, name in zip(table.rows[0].cells, RESULT_COLUMNS, strict=True):
            cell.paragraphs[0].add_run(name).bold = True
        for line in lines:
            evaluation = line.evaluation
            verdict = VERDICT_WORDS.get(evaluation.verdict or "", "") if evaluation else ""
            if evaluation and evaluation.follow_up:
                verdict += f" — {FOLLOW_UP_WORDS[evaluation.follow_up]}"
            if evaluation and evaluation.note:
                verdict += f" ({evaluation.note})"
            kind = KIND_WORDS[line.kind] if line.kind else ""
            if line.kind == "roadmap":
                due = (evaluation.roadmap_due if evaluation else None) or (
                    line.suggested.due_on if line.suggested else None
                )
                kind += f" (đến {day(due)})" if due else ""
            values = (
                str(line.number),
                f"{sentence(line.petition.summary)}\n({_sources(line.petition)})",
                line.body_name or "",
                f"{status_word(line.status)}. {line.answer or 'Chưa có trả lời.'}",
                kind,
                verdict.strip(" —"),
            )
            for cell, value in zip(table.add_row().cells, values, strict=True):
                cell.text = value
    _signature(document, heading)
    return _saved(document, heading)


def _commune_of(source: Source) -> str:
    return source.commune_name or source.place or source.meeting_place or "Chưa rõ địa bàn"


def handout(
    sheet: SessionSheet,
    results: Results,
    heading: ReportHeading,
    *,
    communes: tuple[str, ...] | None = None,
) -> bytes:
    """One page per commune: what its voters asked (their own words) and what came back.
    `communes` keeps only those commune codes (a delegate's constituency)."""
    pages: dict[str, list[tuple[Source, int]]] = {}
    for k, line in enumerate(results.lines):
        for source in line.petition.sources:
            if communes is not None and source.commune_code not in communes:
                continue
            pages.setdefault(_commune_of(source), []).append((source, k))
    document = _new(heading, f"Thông tin kết quả giải quyết kiến nghị cử tri — {sheet.name}")
    if not pages:
        document.add_paragraph("Không có kiến nghị của cử tri thuộc địa bàn.")
    # Vietnamese order: "Xã Đại Đình" before "Xã Sơn Đông" (folded, Đ sorts with D).
    ordered = sorted(pages.items(), key=lambda kv: (fold(kv[0]), kv[0]))
    for page, (commune, asked) in enumerate(ordered):
        if page:
            document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        _title(document, f"KẾT QUẢ GIẢI QUYẾT KIẾN NGHỊ CỦA CỬ TRI {commune.upper()}", sheet.name)
        for n, (source, k) in enumerate(asked, start=1):
            line = results.lines[k]
            document.add_paragraph(f"{n}. {sentence(source.text)}")
            where = source_line(source.voters, source.place, source.meeting_place, source.held_on)
            document.add_paragraph().add_run(f"({where})").italic = True
            answer = source.answer or line.answer
            document.add_paragraph(
                f"Cơ quan giải quyết: {line.body_name or 'chưa xác định'}. "
                f"Tình trạng: {status_word(source.status or line.status)}."
            )
            document.add_paragraph(f"Kết quả: {answer or 'Chưa có trả lời.'}")
    return _saved(document, heading)
