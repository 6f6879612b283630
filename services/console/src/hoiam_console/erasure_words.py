"""The words of the erasure page (issue 12), Vietnamese first; `i18n.CATALOGUE` takes them in."""

ERASURE_WORDS: dict[str, dict[str, str]] = {
    "nav.erasure": {"vi": "Xoá dữ liệu cá nhân", "en": "Erase personal data"},
    "erasure.title": {"vi": "Xoá dữ liệu cá nhân của cử tri", "en": "Erase a citizen's data"},
    "erasure.why": {
        "vi": "Theo yêu cầu đã xác minh của chính cử tri (Luật Bảo vệ dữ liệu cá nhân 2025): "
        "họ tên và liên lạc bị xoá ở mọi nơi; ý kiến, nơi xử lý và trả lời vẫn giữ, ẩn danh.",
        "en": "On the citizen's own verified request (Personal Data Protection Law 2025): name "
        "and contacts are erased everywhere; the petition, its route and answer stay, anonymous.",
    },
    "erasure.citizen": {"vi": "Mã hồ sơ cử tri (cit-…)", "en": "Citizen record (cit-…)"},
    "erasure.verified_by": {
        "vi": "Đã xác minh yêu cầu bằng cách nào", "en": "How the request was verified",
    },
    "erasure.request_ref": {"vi": "Số văn bản yêu cầu", "en": "Request reference"},
    "erasure.submit": {"vi": "Xoá vĩnh viễn", "en": "Erase for good"},
    "erasure.done": {
        "vi": "Đã xoá. Mọi dịch vụ đang ẩn danh hồ sơ này.",
        "en": "Erased. Every service is making this record anonymous.",
    },
}  # fmt: skip
