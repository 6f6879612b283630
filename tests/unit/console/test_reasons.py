"""The router's reasons in Vietnamese: each template the router writes, its values kept as given,
English kept for `en`, and a reason no template knows shown as it is."""

import pytest

from hoiam_console.domain.reasons import (
    TEMPLATES,
    in_vietnamese,
    recognised,
    render_joined,
    render_reason,
)

CASES: list[tuple[str, str]] = [
    # classify.py
    (
        "category transport from words 'đường', 'cầu' (weight 6); next: culture with weight 2",
        "lĩnh vực Giao thông theo các từ 'đường', 'cầu' (trọng số 6); "
        "kế tiếp: Văn hóa, tôn giáo với trọng số 2",
    ),
    (
        "category land from words 'sổ đỏ' (weight 1.5)",
        "lĩnh vực Đất đai theo các từ 'sổ đỏ' (trọng số 1.5)",
    ),
    ("no category keyword found", "không tìm thấy từ khóa nào của một lĩnh vực"),
    # geo.py
    (
        "province Tỉnh Vĩnh Long from the address ('trà vinh', Tỉnh Trà Vinh before 2025)",
        "Tỉnh Vĩnh Long theo địa chỉ ('trà vinh', trước 2025 là Tỉnh Trà Vinh)",
    ),
    (
        "province Thành phố Cần Thơ from the text ('cần thơ')",
        "Thành phố Cần Thơ theo nội dung ('cần thơ')",
    ),
    (
        "old district Huyện Tiểu Cần (abolished 1 July 2025)",
        "đơn vị cấp huyện cũ Huyện Tiểu Cần (đã giải thể từ 1/7/2025)",
    ),
    ("province Tỉnh Vĩnh Long from the old district", "Tỉnh Vĩnh Long theo đơn vị cấp huyện cũ"),
    (
        "province Tỉnh Thái Nguyên from the receiving channel (fallback)",
        "Tỉnh Thái Nguyên theo kênh tiếp nhận (dự phòng)",
    ),
    ("province Tỉnh An Giang from the commune", "Tỉnh An Giang theo xã"),
    (
        "commune 'xã phú cần' before 2025 → Xã Tiểu Cần",
        "đơn vị cũ 'xã phú cần' (trước 2025) → Xã Tiểu Cần",
    ),
    (
        "commune 'xã an phú' before 2025 → Xã A, Xã B (split: every successor kept)"
        " (in the channel's province)",
        "đơn vị cũ 'xã an phú' (trước 2025) → Xã A, Xã B (đã chia tách: giữ mọi đơn vị kế thừa)"
        " (trong tỉnh của kênh tiếp nhận)",
    ),
    (
        "commune Phường Lái Thiêu from 'phường lái thiêu'",
        "Phường Lái Thiêu theo 'phường lái thiêu'",
    ),
    (
        "no commune in the address: cầu 'Tân Phước Khánh' in the text bears the name of a "
        "commune → commune Phường Tân Phước Khánh",
        "địa chỉ không có xã: cầu 'Tân Phước Khánh' trong nội dung mang tên một xã → "
        "xã Phường Tân Phước Khánh",
    ),
    (
        "no commune in the address: ấp 'Phú Cần' in the text bears the name of a "
        "commune → candidates Xã A, Xã B",
        "địa chỉ không có xã: ấp 'Phú Cần' trong nội dung mang tên một xã → "
        "các xã có thể: Xã A, Xã B",
    ),
    (
        "no province named in the address or text, and no fallback province",
        "địa chỉ và nội dung không nêu tỉnh nào, và không có tỉnh dự phòng",
    ),
    # domain/__init__.py
    (
        "scope national from words 'chính phủ', 'thủ tướng'",
        "phạm vi trung ương theo các từ 'chính phủ', 'thủ tướng'",
    ),
    (
        "scope province (no national, road or hamlet words)",
        "phạm vi tỉnh (không có từ chỉ trung ương, đường hay thôn, ấp)",
    ),
    (
        "rule transport/local → ubnd-xa: a commune's matter and the commune is unknown: "
        "triage, the citizen is asked for it",
        "quy định Giao thông/đường thôn, ấp → ubnd-xa: việc của xã mà chưa biết xã: "
        "chờ phân loại, người dân được hỏi xã",
    ),
    (
        "rule */any → ubnd-xa: no such body here (commune unknown)",
        "quy định mọi lĩnh vực/mọi phạm vi → ubnd-xa: ở đây không có cơ quan này (chưa biết xã)",
    ),
    (
        "rule health/any → so-y-te: no such body here",
        "quy định Y tế/mọi phạm vi → so-y-te: ở đây không có cơ quan này",
    ),
    (
        "86-so-xay-dung handed the item back as not competent: next rule",
        "86-so-xay-dung đã trả lại vì không thuộc thẩm quyền: xét quy định kế tiếp",
    ),
    (
        "culture at scope province is for so-dan-toc-ton-giao: Sở Dân tộc và Tôn giáo tỉnh "
        "Sơn La (words 'dân tộc thiểu số')",
        "Văn hóa, tôn giáo ở phạm vi tỉnh thuộc so-dan-toc-ton-giao: Sở Dân tộc và Tôn giáo tỉnh "
        "Sơn La (các từ 'dân tộc thiểu số')",
    ),
    (
        "land at scope province is for ubnd-xa: Ủy ban nhân dân phường Bình Thủy",
        "Đất đai ở phạm vi tỉnh thuộc ubnd-xa: Ủy ban nhân dân phường Bình Thủy",
    ),
    (
        "categories construction, water lead to the same body: confidence 0.941",
        "các lĩnh vực Xây dựng, trật tự đô thị / Cấp nước, thủy lợi dẫn đến cùng cơ quan: "
        "độ tin cậy 0.941",
    ),
    (
        "commune not known for sure: most likely Xã A, the successor that kept its code "
        "(candidates: Xã A, Xã B); confidence × 0.8",
        "chưa chắc chắn về xã: nhiều khả năng là Xã A, đơn vị kế thừa giữ mã của xã cũ "
        "(các xã có thể: Xã A, Xã B); độ tin cậy × 0.8",
    ),
    (
        "commune not known for sure: most likely Xã Hàm Yên, the commune of Huyện Hàm Yên that "
        "continues Thị trấn Tân Yên, the district's town (communes of the old district: "
        "Xã Hàm Yên, Xã Bình Xa); confidence × 0.5",
        "chưa chắc chắn về xã: nhiều khả năng là Xã Hàm Yên, xã thuộc Huyện Hàm Yên kế tục "
        "Thị trấn Tân Yên, thị trấn của huyện (các xã của huyện cũ: Xã Hàm Yên, Xã Bình Xa); "
        "độ tin cậy × 0.5",
    ),
    (
        "commune_unknown: triage until the citizen names the commune",
        "chưa biết xã: chờ phân loại đến khi người dân cho biết xã",
    ),
    ("no competent body: triage", "không có cơ quan có thẩm quyền: chờ phân loại"),
    ("confidence 0.42 below 0.6: triage", "độ tin cậy 0.42 dưới ngưỡng 0.6: chờ phân loại"),
    # the model and the corrections
    (
        "model: category electricity p=0.98 from 'lex=electricity', 'rb=dien-luc'",
        "mô hình: lĩnh vực Điện p=0.98 theo 'lex=electricity', 'rb=dien-luc'",
    ),
    (
        "model: body dien-luc p=0.97 from 'rb=dien-luc'; next ubnd-xa p=0.01; level utility p=0.97",
        "mô hình: cơ quan dien-luc p=0.97 theo 'rb=dien-luc'; kế tiếp ubnd-xa p=0.01; "
        "cấp đơn vị cung cấp dịch vụ p=0.97",
    ),
    ("model: body ubnd-xa p=1.00 from ", "mô hình: cơ quan ubnd-xa p=1.00 theo"),
    (
        "rule has the final say (Decree 151/2025/NĐ-CP): ubnd-xa",
        "quy định có tiếng nói cuối cùng (Nghị định 151/2025/NĐ-CP): ubnd-xa",
    ),
    (
        "corrections outweigh the rule's ubnd-xa",
        "các lần sửa của cán bộ nặng hơn cơ quan theo quy định (ubnd-xa)",
    ),
    (
        "a commune committee's matter, and no commune is known",
        "việc của UBND xã, mà chưa biết xã nào",
    ),
    (
        "learned from 3 corrections of transport in province 86: for so-xay-dung 2; "
        "handed back by ubnd-xa 1",
        "học từ 3 lần sửa về Giao thông ở tỉnh 86: nghiêng về so-xay-dung 2; "
        "bị trả lại bởi ubnd-xa 1",
    ),
    # operations.py
    (
        "operator decision: transport → Sở Xây dựng tỉnh Vĩnh Long",
        "cán bộ quyết định: Giao thông → Sở Xây dựng tỉnh Vĩnh Long",
    ),
    (
        "the citizen named the commune: Xã Tiểu Cần",
        "người dân đã cho biết xã: Xã Tiểu Cần",
    ),
    (
        "reassigned to Sở Y tế tỉnh An Giang: not ours",
        "chuyển cho Sở Y tế tỉnh An Giang: not ours",
    ),
    (
        "handed back as not competent, no other body fits: wrong place",
        "bị trả lại vì không thuộc thẩm quyền, không có cơ quan khác phù hợp: wrong place",
    ),
    (
        "handed back as not competent: wrong place",
        "bị trả lại vì không thuộc thẩm quyền: wrong place",
    ),
    ("cases 4, 5 merged into case 3", "các vụ việc 4, 5 được gộp vào vụ việc 3"),
    ("split from case 3 into case 7", "tách từ vụ việc 3 thành vụ việc 7"),
]


@pytest.mark.parametrize(("english", "vietnamese"), CASES)
def test_each_template_reads_in_vietnamese_with_its_values(english: str, vietnamese: str) -> None:
    assert render_reason(english, "vi") == vietnamese
    assert render_reason(english, "en") == english


def test_every_template_has_a_case_here() -> None:
    used = {
        next(i for i, t in enumerate(TEMPLATES) if t.pattern.fullmatch(english))
        for english, _ in CASES
    }
    assert used == set(range(len(TEMPLATES)))


def test_an_unknown_reason_is_shown_as_it_is() -> None:
    odd = "the router learned a new trick"
    assert not recognised(odd)
    assert in_vietnamese(odd) is None
    assert render_reason(odd, "vi") == odd


def test_an_unknown_category_code_and_law_stay_as_given() -> None:
    assert render_reason("category roads from words 'x' (weight 1)", "vi") == (
        "lĩnh vực roads theo các từ 'x' (trọng số 1)"
    )
    assert render_reason("rule has the final say (Law 1/2030): ubnd-tinh", "vi") == (
        "quy định có tiếng nói cuối cùng (Law 1/2030): ubnd-tinh"
    )


def test_a_history_line_of_joined_reasons_is_split_back_into_its_reasons() -> None:
    line = "; ".join(
        (
            "province Tỉnh An Giang from the commune",
            "commune 'xã phú cần' before 2025 → Xã Tiểu Cần",  # its names would take the rest
            "category transport from words 'đường' (weight 1); next: land with weight 1",
            "something new",
        )
    )
    assert render_joined(line, "vi") == (
        "Tỉnh An Giang theo xã; đơn vị cũ 'xã phú cần' (trước 2025) → Xã Tiểu Cần; "
        "lĩnh vực Giao thông theo các từ 'đường' (trọng số 1); "
        "kế tiếp: Đất đai với trọng số 1; something new"
    )
    assert render_joined(line, "en") == line
