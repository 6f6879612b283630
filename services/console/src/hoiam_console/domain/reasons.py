"""The router's reasons (English templates) in Vietnamese, the values they carry kept as given."""

import re
from collections.abc import Callable
from dataclasses import dataclass

# The router's category codes (its directory.yaml) with the names it gives them.
CATEGORIES = {
    "land": "Đất đai",
    "environment": "Môi trường",
    "transport": "Giao thông",
    "construction": "Xây dựng, trật tự đô thị",
    "electricity": "Điện",
    "water": "Cấp nước, thủy lợi",
    "agriculture": "Nông nghiệp",
    "health": "Y tế",
    "education": "Giáo dục",
    "social_policy": "Chính sách xã hội, người có công, bảo trợ",
    "labour": "Lao động, việc làm, bảo hiểm xã hội",
    "security": "An ninh, trật tự",
    "civil_status": "Hộ tịch, thủ tục hành chính, cư trú",
    "finance": "Tài chính, thuế, ngân sách",
    "culture": "Văn hóa, tôn giáo",
    "telecoms": "Viễn thông, chuyển đổi số",
    "other": "Khác",
    "*": "mọi lĩnh vực",
}
# The router's scopes (SCOPE_ORDER, and "province" when no scope word is found).
SCOPES = {
    "national": "trung ương",
    "provincial_policy": "chính sách của tỉnh",
    "national_highway": "quốc lộ, cao tốc",
    "provincial_road": "đường tỉnh",
    "local": "đường thôn, ấp",
    "province": "tỉnh",
    "any": "mọi phạm vi",
}
# The router's body levels (domain/directory.py `Level`).
LEVELS = {
    "commune": "cấp xã",
    "province_department": "sở, ngành của tỉnh",
    "province_committee": "UBND tỉnh",
    "utility": "đơn vị cung cấp dịch vụ",
    "national": "trung ương",
}
# The acts the router cites when the rule has the final say (domain/learned.py `law_of`).
LAWS = {
    "State Budget Law 2015 art. 30 / Law on Fees and Charges 2015 art. 21": (
        "Luật Ngân sách nhà nước 2015 điều 30 / Luật Phí và lệ phí 2015 điều 21"
    ),
    "Decree 35/2022/NĐ-CP (zone and project boards under the province committee)": (
        "Nghị định 35/2022/NĐ-CP (ban quản lý khu, dự án thuộc UBND tỉnh)"
    ),
    "Decree 142/2025/NĐ-CP": "Nghị định 142/2025/NĐ-CP",
    "Decree 151/2025/NĐ-CP": "Nghị định 151/2025/NĐ-CP",
    "Circular 43/2025/TT-BYT": "Thông tư 43/2025/TT-BYT",
}
# How the router guessed the likely commune (domain/geo.py `likely_successor`, `district_seat`).
HOW = {
    "kept its code": "giữ mã của xã cũ",
    "kept its name": "giữ tên của xã cũ",
    "first listed in the official conversion table": "đứng đầu trong bảng chuyển đổi chính thức",
    "took the old district's name": "mang tên huyện cũ",
    "took most of the district's old communes": "nhận nhiều xã cũ của huyện nhất",
}
_CONTINUES = re.compile(r"continues (?P<town>.+), the district's town")


def _category(code: str) -> str:
    return CATEGORIES.get(code, code)


def _categories(codes: str) -> str:
    return " / ".join(_category(c) for c in codes.split(", "))


def _scope(code: str) -> str:
    return SCOPES.get(code, code)


def _how(how: str) -> str:
    continues = _CONTINUES.fullmatch(how)
    if continues:
        return f"kế tục {continues['town']}, thị trấn của huyện"
    return HOW.get(how, how)


_LIKELY = (
    re.compile(r"(?P<name>.+?), the successor that (?P<how>.+) \(candidates: (?P<names>.+)\)"),
    re.compile(
        r"(?P<name>.+?), the commune of (?P<district>.+?) that (?P<how>.+) "
        r"\(communes of the old district: (?P<names>.+)\)"
    ),
)


def _likely(why: str) -> str | None:
    split = _LIKELY[0].fullmatch(why)
    if split:
        return (
            f"{split['name']}, đơn vị kế thừa {_how(split['how'])} "
            f"(các xã có thể: {split['names']})"
        )
    seat = _LIKELY[1].fullmatch(why)
    if seat:
        return (
            f"{seat['name']}, xã thuộc {seat['district']} {_how(seat['how'])} "
            f"(các xã của huyện cũ: {seat['names']})"
        )
    return None


Match = re.Match[str]


def _opt(m: Match, group: str, text: str) -> str:
    return text if m[group] else ""


@dataclass(frozen=True, slots=True)
class Template:
    """One English reason the router writes, and how to say it in Vietnamese."""

    pattern: re.Pattern[str]
    render: Callable[[Match], str | None]


def _t(pattern: str, render: Callable[[Match], str | None]) -> Template:
    return Template(re.compile(pattern, re.DOTALL), render)


_Q = r"(?:'[^']*'|\"[^\"]*\")"  # a Python repr of a string, as the router quotes words
_N = r"[\d.eE+-]+"  # a number as the router formats it
_ID = r"[\w*-]+"  # a category, scope or body key

TEMPLATES: tuple[Template, ...] = (
    # classify.py
    _t(
        rf"category (?P<cat>{_ID}) from words (?P<words>.*) \(weight (?P<w>{_N})\)"
        rf"(?:; next: (?P<next>{_ID}) with weight (?P<nw>{_N}))?",
        lambda m: (
            f"lĩnh vực {_category(m['cat'])} theo các từ {m['words']} (trọng số {m['w']})"
            + (f"; kế tiếp: {_category(m['next'])} với trọng số {m['nw']}" if m["next"] else "")
        ),
    ),
    _t(r"no category keyword found", lambda m: "không tìm thấy từ khóa nào của một lĩnh vực"),
    # geo.py
    _t(
        rf"province (?P<p>.+) from the (?P<src>address|text) \((?P<written>{_Q})"
        r"(?:, (?P<old>.+) before 2025)?\)",
        lambda m: (
            f"{m['p']} theo {'địa chỉ' if m['src'] == 'address' else 'nội dung'} "
            f"({m['written']}" + (f", trước 2025 là {m['old']})" if m["old"] else ")")
        ),
    ),
    _t(
        r"old district (?P<names>.+) \(abolished 1 July 2025\)",
        lambda m: f"đơn vị cấp huyện cũ {m['names']} (đã giải thể từ 1/7/2025)",
    ),
    _t(r"province (?P<p>.+) from the old district", lambda m: f"{m['p']} theo đơn vị cấp huyện cũ"),
    _t(
        r"province (?P<p>.+) from the receiving channel \(fallback\)",
        lambda m: f"{m['p']} theo kênh tiếp nhận (dự phòng)",
    ),
    _t(r"province (?P<p>.+) from the commune", lambda m: f"{m['p']} theo xã"),
    _t(
        rf"commune (?P<written>{_Q}) before 2025 → (?P<names>.+?)"
        r"(?P<split> \(split: every successor kept\))?"
        r"(?P<channel> \(in the channel's province\))?",
        lambda m: (
            f"đơn vị cũ {m['written']} (trước 2025) → {m['names']}"
            + _opt(m, "split", " (đã chia tách: giữ mọi đơn vị kế thừa)")
            + _opt(m, "channel", " (trong tỉnh của kênh tiếp nhận)")
        ),
    ),
    _t(
        rf"commune (?P<name>.+?) from (?P<written>{_Q})"
        r"(?P<channel> \(in the channel's province\))?",
        lambda m: (
            f"{m['name']} theo {m['written']}"
            + _opt(m, "channel", " (trong tỉnh của kênh tiếp nhận)")
        ),
    ),
    _t(
        rf"no commune in the address: (?P<token>\w+) (?P<written>{_Q}) in the text bears the "
        r"name of a commune → (?P<kind>candidates|commune) (?P<names>.+)",
        lambda m: (
            f"địa chỉ không có xã: {m['token']} {m['written']} trong nội dung mang tên một xã → "
            + ("các xã có thể: " if m["kind"] == "candidates" else "xã ")
            + m["names"]
        ),
    ),
    _t(
        r"no province named in the address or text, and no fallback province",
        lambda m: "địa chỉ và nội dung không nêu tỉnh nào, và không có tỉnh dự phòng",
    ),
    # domain/__init__.py: scope, competence rules, confidence, triage
    _t(
        rf"scope (?P<scope>{_ID}) from words (?P<words>.+)",
        lambda m: f"phạm vi {_scope(m['scope'])} theo các từ {m['words']}",
    ),
    _t(
        r"scope province \(no national, road or hamlet words\)",
        lambda m: "phạm vi tỉnh (không có từ chỉ trung ương, đường hay thôn, ấp)",
    ),
    _t(
        rf"rule (?P<cat>{_ID})/(?P<scope>{_ID}) → (?P<body>{_ID}): a commune's matter and "
        r"the commune is unknown: triage, the citizen is asked for it",
        lambda m: (
            f"quy định {_category(m['cat'])}/{_scope(m['scope'])} → {m['body']}: việc của xã "
            "mà chưa biết xã: chờ phân loại, người dân được hỏi xã"
        ),
    ),
    _t(
        rf"rule (?P<cat>{_ID})/(?P<scope>{_ID}) → (?P<body>{_ID}): no such body here"
        r"(?P<unknown> \(commune unknown\))?",
        lambda m: (
            f"quy định {_category(m['cat'])}/{_scope(m['scope'])} → {m['body']}: "
            "ở đây không có cơ quan này" + _opt(m, "unknown", " (chưa biết xã)")
        ),
    ),
    _t(
        rf"(?P<body>{_ID}) handed the item back as not competent: next rule",
        lambda m: f"{m['body']} đã trả lại vì không thuộc thẩm quyền: xét quy định kế tiếp",
    ),
    _t(
        rf"(?P<cat>{_ID}) at scope (?P<scope>{_ID}) is for (?P<key>{_ID}): (?P<name>.+?)"
        r"(?: \(words (?P<words>.+)\))?",
        lambda m: (
            f"{_category(m['cat'])} ở phạm vi {_scope(m['scope'])} thuộc {m['key']}: {m['name']}"
            + (f" (các từ {m['words']})" if m["words"] else "")
        ),
    ),
    _t(
        rf"categories (?P<cats>.+) lead to the same body: confidence (?P<c>{_N})",
        lambda m: (
            f"các lĩnh vực {_categories(m['cats'])} dẫn đến cùng cơ quan: độ tin cậy {m['c']}"
        ),
    ),
    _t(
        rf"commune not known for sure: most likely (?P<why>.+); confidence × (?P<f>{_N})",
        lambda m: (
            None
            if (likely := _likely(m["why"])) is None
            else f"chưa chắc chắn về xã: nhiều khả năng là {likely}; độ tin cậy × {m['f']}"
        ),
    ),
    _t(
        r"commune_unknown: triage until the citizen names the commune",
        lambda m: "chưa biết xã: chờ phân loại đến khi người dân cho biết xã",
    ),
    _t(
        r"no competent body: triage",
        lambda m: "không có cơ quan có thẩm quyền: chờ phân loại",
    ),
    _t(
        rf"confidence (?P<c>{_N}) below (?P<limit>{_N}): triage",
        lambda m: f"độ tin cậy {m['c']} dưới ngưỡng {m['limit']}: chờ phân loại",
    ),
    # domain/__init__.py `_with_model` and learned.py `with_memory`
    _t(
        rf"model: category (?P<cat>{_ID}) p=(?P<p>{_N}) from ?(?P<terms>.*)",
        lambda m: f"mô hình: lĩnh vực {_category(m['cat'])} p={m['p']} theo {m['terms']}".rstrip(),
    ),
    _t(
        rf"model: body (?P<key>{_ID}) p=(?P<p>{_N}) from ?(?P<terms>.*?)"
        rf"(?:; next (?P<next>{_ID}) p=(?P<np>{_N}))?"
        rf"(?:; level (?P<level>{_ID}) p=(?P<lp>{_N}))?",
        lambda m: (
            f"mô hình: cơ quan {m['key']} p={m['p']} theo {m['terms']}".rstrip()
            + (f"; kế tiếp {m['next']} p={m['np']}" if m["next"] else "")
            + (f"; cấp {LEVELS.get(m['level'], m['level'])} p={m['lp']}" if m["level"] else "")
        ),
    ),
    _t(
        rf"rule has the final say \((?P<law>.+)\): (?P<body>{_ID})",
        lambda m: f"quy định có tiếng nói cuối cùng ({LAWS.get(m['law'], m['law'])}): {m['body']}",
    ),
    _t(
        rf"corrections outweigh the rule's (?P<body>{_ID})",
        lambda m: f"các lần sửa của cán bộ nặng hơn cơ quan theo quy định ({m['body']})",
    ),
    _t(
        r"a commune committee's matter, and no commune is known",
        lambda m: "việc của UBND xã, mà chưa biết xã nào",
    ),
    _t(
        rf"learned from (?P<n>\d+) corrections of (?P<cat>{_ID}) in province (?P<prov>\S+): "
        r"for (?P<pro>.+?)(?:; handed back by (?P<con>.+))?",
        lambda m: (
            f"học từ {m['n']} lần sửa về {_category(m['cat'])} ở tỉnh {m['prov']}: "
            f"nghiêng về {m['pro']}" + (f"; bị trả lại bởi {m['con']}" if m["con"] else "")
        ),
    ),
    # operations.py: the reason a re-routing adds (after an operator's or a body's decision)
    _t(
        rf"operator decision: (?P<cat>{_ID}) → (?P<body>.+)",
        lambda m: f"cán bộ quyết định: {_category(m['cat'])} → {m['body']}",
    ),
    _t(
        r"the citizen named the commune: (?P<name>.+)",
        lambda m: f"người dân đã cho biết xã: {m['name']}",
    ),
    _t(
        r"reassigned to (?P<body>.+?): (?P<why>.*)",
        lambda m: f"chuyển cho {m['body']}: {m['why']}",
    ),
    _t(
        r"handed back as not competent, no other body fits: (?P<why>.*)",
        lambda m: (
            f"bị trả lại vì không thuộc thẩm quyền, không có cơ quan khác phù hợp: {m['why']}"
        ),
    ),
    _t(
        r"handed back as not competent: (?P<why>.*)",
        lambda m: f"bị trả lại vì không thuộc thẩm quyền: {m['why']}",
    ),
    _t(
        r"cases (?P<others>[\d, ]+) merged into case (?P<case>\d+)",
        lambda m: f"các vụ việc {m['others']} được gộp vào vụ việc {m['case']}",
    ),
    _t(
        r"split from case (?P<case>\d+) into case (?P<new>\d+)",
        lambda m: f"tách từ vụ việc {m['case']} thành vụ việc {m['new']}",
    ),
)


def in_vietnamese(reason: str, *, whole: bool = False) -> str | None:
    """The reason in Vietnamese, or None when no template of the router's matches it. With
    `whole`, a match whose values hold "; " does not count (it would be two reasons joined)."""
    for template in TEMPLATES:
        found = template.pattern.fullmatch(reason)
        if found and not (whole and any("; " in v for v in found.groups() if v)):
            said = template.render(found)
            if said is not None:
                return said
    return None


def recognised(reason: str) -> bool:
    return in_vietnamese(reason) is not None


def render_reason(reason: str, language: str) -> str:
    """What the page shows: in Vietnamese for `vi` when recognised, else the reason as given."""
    if language != "vi":
        return reason
    return in_vietnamese(reason) or reason


def render_joined(text: str, language: str) -> str:
    """A history line's reasons joined with "; " (a reason may itself hold "; "): the pieces
    split back into reasons so that the most text is recognised, each shown as `render_reason`
    would; a piece no template knows stays as given."""
    if language != "vi":
        return text
    parts = text.split("; ")
    # best[i]: (characters recognised, -pieces, the rendered pieces) for parts[i:].
    best: list[tuple[int, int, list[str]]] = [(0, 0, [])] * (len(parts) + 1)
    for i in range(len(parts) - 1, -1, -1):
        options: list[tuple[int, int, list[str]]] = []
        for j in range(i + 1, len(parts) + 1):
            piece = "; ".join(parts[i:j])
            said = in_vietnamese(piece, whole=True)
            known, pieces, rest = best[j]
            if said is None:
                options.append((known, pieces - 1, [piece, *rest]))
            else:
                options.append((known + len(piece), pieces - 1, [said, *rest]))
        best[i] = max(options, key=lambda o: (o[0], o[1]))
    return "; ".join(best[0][2])
