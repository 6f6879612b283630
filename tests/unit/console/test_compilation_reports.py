"""The documents of a session, opened again with python-docx and openpyxl: every petition under
its level, where it came from, the header; the same bytes for the same data."""

import io
import re
import zipfile
from dataclasses import replace
from datetime import UTC, datetime

from docx import Document
from openpyxl import load_workbook

from hoiam_console.compilations import Compilations
from hoiam_console.domain.compiling import Compilation, Drop, ReportHeading
from hoiam_console.domain.readmodel import changes_of
from hoiam_console.reports.words import LEVEL_SHORT, LEVEL_TITLES, MOTTO, NATION, sentence
from hoiam_shared.identity import Person, Role
from support.clock import TestClock
from support.compiling import (
    CAU_PHU_HAU,
    DEN_GIAO_THONG,
    KHUON_THAM_ANSWER,
    PLANNED,
    SHEET,
    InMemoryCompilations,
    answered,
    planned,
    session_events,
)
from support.console import InMemoryReadModel

OPERATOR = Person(username="operator", role=Role.OPERATOR, province_code="26")
AT = datetime(2014, 9, 27, 2, 0, tzinfo=UTC)


async def service(*, reverse: bool = False, now: datetime | None = None) -> Compilations:
    read_model = InMemoryReadModel()
    events = [*session_events(), answered(planned("khuon-tham"), KHUON_THAM_ANSWER,
                                          at=datetime(2014, 11, 3, 2, tzinfo=UTC))]  # fmt: skip
    for event in reversed(events) if reverse else events:
        for change in changes_of(event):
            await read_model.apply(change)
    clock = TestClock.frozen(now or datetime(2014, 9, 27, 2, 0, tzinfo=UTC))
    return Compilations(items=read_model, store=InMemoryCompilations(), clock=clock)


def sections(data: bytes) -> dict[str, list[str]]:
    """The report's paragraphs under each roman-numbered section heading."""
    found: dict[str, list[str]] = {}
    current = ""
    for paragraph in Document(io.BytesIO(data)).paragraphs:
        heading = re.match(r"^[IVX]+\. (.+)$", paragraph.text)
        if heading and heading[1].isupper():
            current = heading[1]
            found[current] = []
        elif current:
            found[current].append(paragraph.text)
    return found


async def test_the_compiled_report_has_every_petition_under_its_level() -> None:
    compilations = await service()
    compilation = await compilations.compilation(SHEET)
    data = await compilations.report_docx(SHEET)

    found = sections(data)
    assert list(found)[:3] == [
        LEVEL_TITLES[lv].upper() for lv in ("central", "province", "commune")
    ]
    for petition in compilation.petitions:
        under = found[LEVEL_TITLES[petition.level].upper()]
        written = sentence(petition.summary)
        assert any(line.endswith(written) for line in under), written
        others = [t for lv, t in LEVEL_TITLES.items() if lv != petition.level]
        assert not any(written in " ".join(found.get(t.upper(), [])) for t in others)
    assert "Ý KIẾN CỦA CỬ TRI" in found
    assert any("tin tưởng" in line for line in found["Ý KIẾN CỦA CỬ TRI"])


async def test_the_compiled_report_says_where_each_came_from_and_the_counts() -> None:
    data = await (await service()).report_docx(SHEET)
    document = Document(io.BytesIO(data))
    text = "\n".join(p.text for p in document.paragraphs)
    header = "\n".join(cell.text for cell in document.tables[0].rows[0].cells)

    assert NATION in header
    assert MOTTO in header
    assert "THƯỜNG TRỰC HĐND" in header
    assert "Vĩnh Phúc, ngày 25 tháng 09 năm 2014" in header  # the last meeting's day
    assert "BÁO CÁO" in text
    assert "Tổng hợp ý kiến, kiến nghị của cử tri gửi đến Kỳ họp thứ 12" in text
    assert "Cử tri đã nêu 9 ý kiến, kiến nghị" in text
    assert "sau khi tổng hợp, phân loại còn 7 ý kiến, kiến nghị (6 kiến nghị, 1 ý kiến)" in text
    # The merged bridges: both voter groups and both meetings, with their dates.
    bridges = next(line for line in text.splitlines() if "xã Đại Đình (hội nghị" in line)
    assert (
        "huyện Tam Đảo (hội nghị tiếp xúc cử tri tại thị xã Phúc Yên, ngày 22/09/2014)" in bridges
    )
    assert "tại huyện Lập Thạch, ngày 24/09/2014" in bridges
    assert "gộp 2 kiến nghị cùng nội dung" in text


async def test_a_given_heading_is_used() -> None:
    heading = ReportHeading(number="125/BC-HĐND", place="Phúc Yên", issuer="BAN DÂN NGUYỆN")
    data = await (await service()).report_docx(SHEET, heading)
    header = "\n".join(c.text for c in Document(io.BytesIO(data)).tables[0].rows[0].cells)
    assert "Số: 125/BC-HĐND" in header
    assert "BAN DÂN NGUYỆN" in header
    assert "Phúc Yên, ngày 25 tháng 09 năm 2014" in header


async def test_the_table_has_one_row_per_petition_and_opinion_with_its_level() -> None:
    compilations = await service()
    compilation = await compilations.compilation(SHEET)
    book = load_workbook(io.BytesIO(await compilations.report_xlsx(SHEET)))
    rows = list(book["Tổng hợp"].iter_rows(min_row=2, values_only=True))

    every = (*compilation.petitions, *compilation.opinions)
    assert len(rows) == len(every) == 7
    for row, petition in zip(rows, every, strict=True):
        assert row[1] == LEVEL_SHORT[petition.level]
        assert row[4] == petition.summary
        assert row[8] == len(petition.sources)
    assert book["Không đưa vào"].max_row == 1


async def test_the_results_report_has_each_petition_its_answer_and_kind() -> None:
    compilations = await service()
    await compilations.evaluate(
        SHEET, str(planned("khuon-tham").item_id), kind="explanation", verdict="unsatisfactory",
        note="Cần lộ trình", person=OPERATOR,
    )  # fmt: skip
    data = await compilations.results_docx(SHEET)
    document = Document(io.BytesIO(data))
    cells = [[c.text for c in row.cells] for t in document.tables[1:] for row in t.rows[1:]]
    compilation = await compilations.compilation(SHEET)

    assert len(cells) == len(compilation.petitions)
    for petition in compilation.petitions:
        assert any(row[1].startswith(sentence(petition.summary)) for row in cells)
    tan_my = next(row for row in cells if row[1].startswith("Nâng cấp tuyến đường vào thôn"))
    assert KHUON_THAM_ANSWER in tan_my[3]
    assert tan_my[4] == "Giải thích, cung cấp thông tin"
    assert tan_my[5].startswith("Chưa đạt yêu cầu")
    titles = [p.text for p in document.paragraphs if re.match(r"^[IVX]+\. ", p.text)]
    assert titles == [
        f"I. {LEVEL_TITLES['central'].upper()}",
        f"II. {LEVEL_TITLES['province'].upper()}",
        f"III. {LEVEL_TITLES['commune'].upper()}",
    ]

    book = load_workbook(io.BytesIO(await compilations.results_xlsx(SHEET)))
    rows = list(book["Kết quả"].iter_rows(min_row=2, values_only=True))
    assert len(rows) == len(compilation.petitions)
    assert next(r for r in rows if r[5] == KHUON_THAM_ANSWER)[8] == "Chưa đạt yêu cầu"


async def test_the_handout_has_one_page_per_commune_with_what_came_back() -> None:
    compilations = await service()
    document = Document(io.BytesIO(await compilations.handout_docx(SHEET)))
    text = [p.text for p in document.paragraphs]
    titles = [t for t in text if t.startswith("KẾT QUẢ GIẢI QUYẾT KIẾN NGHỊ CỦA CỬ TRI")]
    breaks = sum(1 for p in document.paragraphs for r in p.runs if 'w:br w:type="page"' in r._r.xml)

    assert titles == [
        f"KẾT QUẢ GIẢI QUYẾT KIẾN NGHỊ CỦA CỬ TRI {c.upper()}"
        for c in ("Phường Hùng Vương", "Xã Đại Đình", "Xã Sơn Đông", "Xã Tân Mỹ")
    ]
    assert breaks == len(titles) - 1
    assert f"Kết quả: {KHUON_THAM_ANSWER}" in text

    mine = Document(io.BytesIO(await compilations.handout_docx(SHEET, communes=("08004",))))
    assert [p.text for p in mine.paragraphs if p.text.startswith("KẾT QUẢ")] == [
        "KẾT QUẢ GIẢI QUYẾT KIẾN NGHỊ CỦA CỬ TRI XÃ TÂN MỸ"
    ]


async def documents(compilations: Compilations) -> list[bytes]:
    return [
        await compilations.report_docx(SHEET),
        await compilations.report_xlsx(SHEET),
        await compilations.results_docx(SHEET),
        await compilations.results_xlsx(SHEET),
        await compilations.handout_docx(SHEET),
    ]


async def test_the_same_data_gives_the_same_bytes_whenever_and_in_whatever_order() -> None:
    first = await documents(await service())
    later = await documents(
        await service(reverse=True, now=datetime(2031, 5, 6, 23, 59, tzinfo=UTC))
    )

    assert first == later
    for data in first:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            assert {i.date_time for i in package.infolist()} == {(2014, 9, 25, 1, 0, 0)}
            core = package.read("docProps/core.xml").decode()
            assert "2014-09-25T01:00:00Z" in core
    properties = Document(io.BytesIO(first[0])).core_properties
    assert properties.created == datetime(2014, 9, 25, 1, 0, tzinfo=UTC)
    assert properties.author == "Thường trực HĐND"


async def test_other_data_gives_other_bytes_and_a_lock_dates_the_report() -> None:
    compilations = await service()
    before = await compilations.report_docx(SHEET)
    locked: Compilation = await compilations.lock(SHEET, person=OPERATOR)
    assert locked.locked is not None
    after = await compilations.report_docx(SHEET)

    assert before != after
    header = "\n".join(c.text for c in Document(io.BytesIO(after)).tables[0].rows[0].cells)
    assert "ngày 27 tháng 09 năm 2014" in header  # the lock's day (the clock's, in Việt Nam)
    assert (await compilations.report_docx(SHEET)) == after


async def test_what_no_one_placed_has_its_own_section_and_dropped_ones_their_sheet() -> None:
    read_model = InMemoryReadModel()
    unplaced = replace(planned("phuhau"), body=None)  # the router has not placed it
    events = session_events(tuple(unplaced if p.name == "phuhau" else p for p in PLANNED))
    for event in events:
        for change in changes_of(event):
            await read_model.apply(change)
    compilations = Compilations(
        items=read_model, store=InMemoryCompilations(), clock=TestClock.frozen(AT)
    )
    await compilations.adjust(
        SHEET, Drop(key=str(planned("den").item_id), reason="Đã trả lời kỳ trước"), person=OPERATOR
    )

    found = sections(await compilations.report_docx(SHEET))
    assert list(found) == [
        *(LEVEL_TITLES[lv].upper() for lv in ("central", "province", "commune", "unclassified")),
        "Ý KIẾN CỦA CỬ TRI",
    ]
    assert any(
        sentence(CAU_PHU_HAU) in line for line in found[LEVEL_TITLES["unclassified"].upper()]
    )
    assert not any(DEN_GIAO_THONG in " ".join(lines) for lines in found.values())
    book = load_workbook(io.BytesIO(await compilations.report_xlsx(SHEET)))
    (dropped,) = book["Không đưa vào"].iter_rows(min_row=2, values_only=True)
    assert dropped[4] == DEN_GIAO_THONG
    assert dropped[-1] == "Đã trả lời kỳ trước"
