"""The minutes splitter on the layouts offices use, with petitions from the real minutes in
services/intake/data/minutes (numbered, dashed, sections by level, answers, tables, TCVN3)."""

import io
from datetime import UTC, datetime

import docx
import openpyxl
import pytest

from hoiam_intake.domain.minutes import Kind, blocks_of_text, split_minutes
from hoiam_intake.domain.minutes.places import first_address
from hoiam_intake.domain.minutes.sessions import NewSession, open_session
from hoiam_intake.minutes_files import UnreadableMinutesError, read_minutes
from support.intake_samples import to_tcvn3

# Real petitions (baotayninh.vn a161886, hdndtuyenquang.gov.vn xa-phu-thinh, baoninhthuan.com.vn
# 115368, chodon.gov.vn xa-quang-bach), as their minutes would list them.
ROAD = "Đề nghị nâng cấp nhựa tuyến đường sỏi đỏ thuộc tổ DCTQ số 12, ấp Thuận Chánh"
POWER = "Đầu tư nâng cấp đường điện cho gần 200 hộ dân tại thôn Đát Trà và thôn Húc"
SCHOOL = "Sớm hoàn thành Trường mẫu giáo Nha Hố đưa vào hoạt động"
CANAL = "Dự án hệ thống thủy lợi Tân Mỹ hoàn thành, cần xây dựng kênh cấp 2 cho thôn Lương Tri"
LAND = "Cần cấp quyền sử dụng đất cho bà con khu vực Gò Đến"
LAW = "Đề nghị Quốc hội xem xét sửa đổi Luật Đất đai về tách thửa, chuyển mục đích sử dụng đất"


def split(text: str, place: str | None = "xã Lợi Thuận") -> list[tuple[str, str | None]]:
    result = split_minutes(blocks_of_text(text), meeting_place=place)
    return [(p.text, p.place) for p in result.petitions]


def test_numbered_paragraphs_are_one_petition_each_with_their_own_place() -> None:
    text = f"BIÊN BẢN TIẾP XÚC CỬ TRI\n1. {ROAD}.\n2) {POWER}.\n3/ {SCHOOL}."
    assert split(text) == [
        (f"{ROAD}", "ấp Thuận Chánh"),
        (POWER, "thôn Đát Trà"),
        (SCHOOL, "xã Lợi Thuận"),
    ]


def test_a_number_glued_to_the_text_is_a_list_number() -> None:
    assert split(f"1{POWER}\n2{SCHOOL}", place="xã Phú Thịnh") == [
        (POWER, "thôn Đát Trà"),
        (SCHOOL, "xã Phú Thịnh"),
    ]


def test_dashed_and_bulleted_items_under_a_voters_heading_take_its_voters_and_place() -> None:
    text = f"Cử tri xã Nhơn Sơn kiến nghị:\n- {SCHOOL};\n+ {CANAL}.\n• Cử tri xã Mỹ Sơn: {LAND}."
    result = split_minutes(blocks_of_text(text), meeting_place="huyện Ninh Sơn")
    assert [(p.voters, p.place) for p in result.petitions] == [
        ("Cử tri xã Nhơn Sơn", "xã Nhơn Sơn"),
        ("Cử tri xã Nhơn Sơn", "thôn Lương Tri"),
        ("Cử tri xã Mỹ Sơn", "xã Mỹ Sơn"),
    ]
    assert result.skipped[0].reason == "voters heading"


def test_a_list_in_prose_is_split_at_its_semicolons_and_the_lead_in_is_not_a_petition() -> None:
    text = (
        "Tại buổi tiếp xúc, cử tri xã Nhơn Sơn đã kiến nghị một số vấn đề như: "
        f"{SCHOOL}; {CANAL}; xe tải chở vật liệu rơi cát, sỏi trên đường... "
        f"Cử tri xã Mỹ Sơn kiến nghị một số vấn đề như: {LAND}; hỗ trợ sản xuất nông nghiệp."
    )
    places = [place for _, place in split(text, place=None)]
    assert places == ["xã Nhơn Sơn", "thôn Lương Tri", "xã Nhơn Sơn", "xã Mỹ Sơn", "xã Mỹ Sơn"]


def test_sections_by_level_mark_the_petitions_under_them() -> None:
    text = (
        "I. KIẾN NGHỊ THUỘC THẨM QUYỀN TRUNG ƯƠNG\n"
        f"1. Cử tri xã Vân Canh: {LAW}.\n"
        "II. Kiến nghị thuộc thẩm quyền cấp tỉnh\n"
        f"1. {CANAL}.\n"
        "III. Kiến nghị thuộc thẩm quyền cấp xã\n"
        f"- {ROAD}."
    )
    result = split_minutes(blocks_of_text(text), meeting_place="xã Vân Canh")
    assert [p.level for p in result.petitions] == ["central", "province", "commune"]
    assert [s.reason for s in result.skipped] == ["level heading"] * 3


def test_an_answer_on_the_spot_is_kept_with_the_petitions_it_answers() -> None:
    text = (
        f"Cử tri thôn Lương Tri đề nghị: {CANAL}.\n"
        "Ông Nguyễn Văn A, Chủ tịch UBND xã Nhơn Sơn trả lời tại buổi tiếp xúc: xã đã đưa vào "
        "kế hoạch năm sau.\n"
        f"Cử tri xã Mỹ Sơn đề nghị {LAND}."
    )
    first, second = split_minutes(blocks_of_text(text), meeting_place="xã Nhơn Sơn").petitions
    assert first.answered_on_the_spot
    assert first.answer is not None
    assert "kế hoạch năm sau" in first.answer
    assert not second.answered_on_the_spot
    assert second.answer is None


def test_a_written_answer_heading_answers_the_petition_above_it_later_not_on_the_spot() -> None:
    text = (
        "Cử tri Xã Tân Mỹ, huyện Chiêm Hóa đề nghị:\n\n"
        "Nâng cấp tuyến đường vào thôn Khuôn Thẳm.\n\n"
        "TRẢ LỜI:\n\nĐề nghị của cử tri là chính đáng, Ủy ban nhân dân tỉnh giao huyện bố trí vốn."
    )
    [petition] = split_minutes(blocks_of_text(text)).petitions
    assert petition.place == "thôn Khuôn Thẳm"
    assert petition.voters == "Cử tri Xã Tân Mỹ, huyện Chiêm Hóa"
    assert not petition.answered_on_the_spot
    assert petition.answer is not None
    assert "bố trí vốn" in petition.answer


def test_an_explanation_continues_the_petition_and_a_caption_is_skipped() -> None:
    text = (
        "Cử tri xã Long Hiệp kiến nghị tại buổi tiếp xúc.\n"
        "Cử tri xã Long Hiệp phản ánh hệ thống cống thoát nước trên nhiều tuyến đường hoạt động "
        "kém hiệu quả. Vì thế, cần bố trí kinh phí đầu tư các công trình."
    )
    result = split_minutes(blocks_of_text(text))
    [petition] = result.petitions
    assert petition.text.endswith("cần bố trí kinh phí đầu tư các công trình.")
    assert "caption" in result.skipped[0].reason or "title" in result.skipped[0].reason


def test_praise_is_an_opinion_and_the_ask_after_it_a_petition() -> None:
    text = (
        "Cử tri phường Phùng Chí Kiên phấn khởi, nhất trí với những đánh giá về kết quả thực "
        "hiện nhiệm vụ của thành phố, đồng thời đề nghị đẩy nhanh tiến độ cấp Giấy chứng nhận "
        "quyền sử dụng đất cho những hộ dân đủ điều kiện."
    )
    opinion, petition = split_minutes(blocks_of_text(text)).petitions
    assert opinion.kind is Kind.OPINION
    assert petition.kind is Kind.PETITION
    assert petition.voters == opinion.voters == "Cử tri phường Phùng Chí Kiên"


def test_a_petition_broken_over_two_paragraphs_is_one_petition() -> None:
    text = "1. Đề nghị tỉnh chỉ đạo sớm hoàn thành và tổ chức bàn giao hai công trình\nHồ Bàu tiên"
    text += " và Tiểu công viên Bình Lạng, phường Bắc Hồng, thị xã Hồng Lĩnh để đưa vào sử dụng."
    # The second paragraph starts with a capital: a name; the first does not end a sentence.
    result = split_minutes(blocks_of_text(text.replace("\nHồ", "\nhồ")))
    [petition] = result.petitions
    assert petition.place == "phường Bắc Hồng, thị xã Hồng Lĩnh"


def test_a_pasted_pipe_table_gives_one_petition_per_row_with_its_voters_and_answer() -> None:
    text = (
        "| STT | Cử Tri | Nội Dung Ý Kiến, Kiến Nghị | Nội Dung Trả Lời |\n|---|---|---|---|\n"
        f"| 1 | Cử tri tổ 1, ấp Hóa Nhựt, xã Tân Vĩnh Hiệp | {SCHOOL} | Sở Giao thông vận tải xin "
        "phúc đáp như sau: dự kiến thảm nhựa trong tháng 12. |\n"
        f"| 2 | Cử tri phường Lái Thiêu | {LAND} | |"
    )
    first, second = split_minutes(blocks_of_text(text)).petitions
    assert (first.text, first.place) == (SCHOOL, "tổ 1, ấp Hóa Nhựt, xã Tân Vĩnh Hiệp")
    assert first.answer is not None
    assert first.answer.startswith("Sở Giao thông vận tải")
    assert (second.voters, second.place) == ("Cử tri phường Lái Thiêu", "phường Lái Thiêu")


def docx_of(*parts: str | list[list[str]]) -> bytes:
    document = docx.Document()
    for part in parts:
        if isinstance(part, str):
            document.add_paragraph(part)
            continue
        table = document.add_table(rows=len(part), cols=len(part[0]))
        for r, values in enumerate(part):
            for c, value in enumerate(values):
                table.rows[r].cells[c].text = value
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_a_docx_table_and_paragraphs_are_read_in_document_order() -> None:
    data = docx_of(
        "BIÊN BẢN TIẾP XÚC CỬ TRI XÃ NHƠN SƠN",
        f"1. Cử tri thôn Lương Tri: {CANAL}.",
        [["STT", "Nội dung kiến nghị", "Cử tri - địa bàn"], ["2", SCHOOL, "Cử tri xã Nhơn Sơn"]],
        f"3. Cử tri xã Mỹ Sơn đề nghị {LAND}.",
    )
    blocks = read_minutes(data, filename="bien-ban.docx", content_type=None)
    petitions = split_minutes(blocks, meeting_place="xã Nhơn Sơn").petitions
    assert [p.text for p in petitions] == [f"Cử tri thôn Lương Tri: {CANAL}", SCHOOL,
                                           f"Cử tri xã Mỹ Sơn đề nghị {LAND}"]  # fmt: skip
    assert [p.place for p in petitions] == ["thôn Lương Tri", "xã Nhơn Sơn", "xã Mỹ Sơn"]


def test_an_xlsx_finds_its_header_row_and_reads_level_rows_as_headings() -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["TỔNG HỢP Ý KIẾN, KIẾN NGHỊ CỬ TRI"])
    sheet.append(["STT", "Nội dung", "Địa phương"])
    sheet.append(["I", "Kiến nghị thuộc thẩm quyền Trung ương"])
    sheet.append([1, LAW, "xã Vân Canh"])
    sheet.append(["II", "Kiến nghị thuộc thẩm quyền cấp tỉnh"])
    sheet.append([2, POWER, "xã Phú Thịnh"])
    out = io.BytesIO()
    workbook.save(out)
    blocks = read_minutes(out.getvalue(), filename="tong-hop.xlsx", content_type=None)
    petitions = split_minutes(blocks).petitions
    assert [(p.text, p.place, p.level) for p in petitions] == [
        (LAW, "xã Vân Canh", "central"),
        (POWER, "thôn Đát Trà", "province"),  # its own words name a finer place
    ]


def test_minutes_typed_in_tcvn3_are_repaired_before_splitting() -> None:
    text = f"Cử tri xã Nhơn Sơn kiến nghị:\n1. {SCHOOL}.\n2. {LAND}."
    data = to_tcvn3(text)
    assert b"x\xb7" in data  # "xã" as a .VnTime document stores it
    blocks = read_minutes(data, filename="bienban.txt", content_type="text/plain")
    petitions = split_minutes(blocks).petitions
    assert [p.text for p in petitions] == [SCHOOL, LAND]
    assert [p.place for p in petitions] == ["xã Nhơn Sơn", "xã Nhơn Sơn"]


def test_a_text_with_no_petition_gives_none_and_says_why_each_line_was_skipped() -> None:
    text = "Tác giả bài viết: Vân Thanh\nXem tiếp..."
    result = split_minutes(blocks_of_text(text))
    assert result.petitions == ()
    assert {s.reason for s in result.skipped} <= {"document title", "no petition words"}


@pytest.mark.parametrize(
    ("data", "filename"),
    [(b"%PDF-1.4 ...", "bienban.pdf"), (b"\xd0\xcf\x11\xe0old", "bienban.doc"),
     (b"PK\x03\x04broken", "bienban.docx")],
)  # fmt: skip
def test_files_that_are_not_minutes_are_refused_with_a_reason(data: bytes, filename: str) -> None:
    with pytest.raises(UnreadableMinutesError):
        read_minutes(data, filename=filename, content_type=None)


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("qua thôn Phú Thứ xã Tiền Châu ra Quốc lộ 2", "thôn Phú Thứ, xã Tiền Châu"),
        ("ô nhiễm tại trại chăn nuôi heo ấp 10, xã tân Hiệp", "ấp 10, xã tân Hiệp"),
        ("diện tích rừng giáp xã Nguyên Phúc", None),
        ("Hợp tác xã Trung Đồng", None),
        ("Tổ đại biểu HĐND tỉnh", None),
        ("tình trạng lầy lội ở Tổ dân phố số 11", "Tổ dân phố số 11"),
    ],
)
def test_places_are_read_with_the_places_written_after_them(text: str, address: str | None) -> None:
    assert first_address(text) == address


def test_a_session_s_compile_windows_are_15_days_before_and_after_it() -> None:
    command = NewSession.model_validate(
        {"name": "Kỳ họp thứ 10", "province_code": "86", "opens_on": "2026-12-08",
         "closes_on": "2026-12-10"}
    )  # fmt: skip
    session = open_session(command, session_id="s1", at=datetime(2026, 11, 1, tzinfo=UTC))
    assert session.compile_before_due.isoformat() == "2026-11-23"
    assert session.compile_after_due.isoformat() == "2026-12-25"
