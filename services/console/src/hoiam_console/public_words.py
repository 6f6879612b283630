"""The public pages' words (Vietnamese first), joined to the console's catalogue in `i18n`."""

PUBLIC_WORDS: dict[str, dict[str, str]] = {
    "public.app": {"vi": "Hồi Âm — Ý kiến cử tri", "en": "Hồi Âm — Voters' feedback"},
    "public.home": {"vi": "Gửi ý kiến", "en": "Send feedback"},
    "public.too_many": {
        "vi": "Bạn đã tra cứu quá nhiều lần. Vui lòng thử lại sau {seconds} giây.",
        "en": "Too many lookups. Try again in {seconds} seconds.",
    },
    "public.unknown_code": {
        "vi": "Không có ý kiến nào mang mã {code}. Vui lòng kiểm tra lại mã.",
        "en": "No feedback has the code {code}. Check the code.",
    },
    "public.status.title": {"vi": "Tình trạng ý kiến", "en": "Status of feedback"},
    "public.status.body": {"vi": "Cơ quan xử lý", "en": "Handled by"},
    "public.status.received": {"vi": "Ngày tiếp nhận", "en": "Received on"},
    "public.status.due": {"vi": "Hạn trả lời", "en": "Answer due by"},
    "public.status.summary": {
        "vi": "Ý kiến về lĩnh vực {category} tại {place}.",
        "en": "Feedback on {category} in {place}.",
    },
    "public.status.no_category": {"vi": "chưa phân loại", "en": "an unclassified matter"},
    "public.status.no_place": {"vi": "địa bàn chưa xác định", "en": "a place not yet known"},
    "public.status.answer": {"vi": "Trả lời của cơ quan", "en": "The body's answer"},
    "public.status.timeline": {"vi": "Quá trình xử lý", "en": "Timeline"},
    "public.rate.title": {"vi": "Đánh giá câu trả lời", "en": "Rate the answer"},
    "public.rate.score": {"vi": "Mức độ hài lòng", "en": "How satisfied are you"},
    "public.rate.s5": {"vi": "Rất hài lòng", "en": "Very satisfied"},
    "public.rate.s4": {"vi": "Hài lòng", "en": "Satisfied"},
    "public.rate.s3": {"vi": "Bình thường", "en": "Neutral"},
    "public.rate.s2": {"vi": "Chưa hài lòng", "en": "Unsatisfied"},
    "public.rate.s1": {"vi": "Rất không hài lòng", "en": "Very unsatisfied"},
    "public.rate.reason": {"vi": "Lý do (không bắt buộc)", "en": "Why (optional)"},
    "public.rate.submit": {"vi": "Gửi đánh giá", "en": "Send rating"},
    "public.rate.thanks": {
        "vi": "Cảm ơn bạn đã đánh giá. Đánh giá thấp sẽ được chuyển lại cơ quan xử lý.",
        "en": "Thank you. A low rating sends the matter back to the body.",
    },
    "public.rate.given": {"vi": "Bạn đã đánh giá {score}/5.", "en": "You rated it {score}/5."},
    "public.rate.bad": {"vi": "Vui lòng chọn mức từ 1 đến 5.", "en": "Choose a score from 1 to 5."},
    "public.rate.not_resolved": {
        "vi": "Ý kiến chưa được trả lời nên chưa thể đánh giá.",
        "en": "There is no answer yet to rate.",
    },
    "public.rate.already_rated": {
        "vi": "Ý kiến này đã được đánh giá.",
        "en": "This feedback was rated already.",
    },
    "public.rate.later": {
        "vi": "Chưa ghi nhận được đánh giá. Vui lòng thử lại sau ít phút.",
        "en": "The rating could not be recorded now. Try again in a few minutes.",
    },
    "public.form.title": {"vi": "Gửi ý kiến, kiến nghị", "en": "Send feedback or a petition"},
    "public.form.intro": {
        "vi": "Ý kiến được chuyển đến cơ quan có thẩm quyền; bạn nhận mã để theo dõi.",
        "en": "Your feedback goes to the responsible body; you get a code to follow it.",
    },
    "public.form.text": {"vi": "Nội dung ý kiến", "en": "Your feedback"},
    "public.form.place": {"vi": "Nơi xảy ra", "en": "Where"},
    "public.form.province": {"vi": "Tỉnh, thành phố", "en": "Province or city"},
    "public.form.pick_province": {"vi": "Xem các xã, phường", "en": "Show its communes"},
    "public.form.search": {
        "vi": "Hoặc tìm xã, phường (cả tên cũ trước 7/2025)",
        "en": "Or search a commune (old names before 7/2025 too)",
    },
    "public.form.find": {"vi": "Tìm", "en": "Search"},
    "public.form.commune": {"vi": "Xã, phường, đặc khu", "en": "Commune or ward"},
    "public.form.no_commune": {
        "vi": "Chọn tỉnh hoặc tìm tên trước",
        "en": "Pick a province or search first",
    },
    "public.form.formerly": {"vi": "trước đây:", "en": "formerly"},
    "public.form.places_unavailable": {
        "vi": "Danh sách địa danh tạm thời không có; vui lòng ghi địa chỉ bên dưới.",
        "en": "The list of places is not available now; type the address below.",
    },
    "public.form.address": {
        "vi": "Địa chỉ cụ thể (số nhà, ấp, đường)",
        "en": "Address (house, hamlet, street)",
    },
    "public.form.answer_by": {"vi": "Nhận trả lời", "en": "How to answer you"},
    "public.form.name": {"vi": "Họ và tên (không bắt buộc)", "en": "Name (optional)"},
    "public.form.email": {"vi": "Thư điện tử", "en": "Email"},
    "public.form.phone": {"vi": "Số điện thoại (nhận tin nhắn SMS)", "en": "Phone (SMS)"},
    "public.form.channel": {"vi": "Nhận trả lời qua", "en": "Answer me by"},
    "public.form.channel_any": {
        "vi": "Thư điện tử nếu có, nếu không thì SMS",
        "en": "Email if given, else SMS",
    },
    "public.form.channel_email": {"vi": "Thư điện tử", "en": "Email"},
    "public.form.channel_phone": {"vi": "Điện thoại / SMS", "en": "Phone / SMS"},
    "public.form.channel_zalo": {"vi": "Zalo (theo số điện thoại)", "en": "Zalo (by phone number)"},
    "public.form.zalo": {
        "vi": "Zalo: tin nhắn Zalo đến số điện thoại trên; nếu Zalo không gửi được thì gửi SMS.",
        "en": "Zalo: a Zalo message to the phone number above; an SMS if Zalo cannot deliver it.",
    },
    "public.form.photos": {"vi": "Ảnh (không bắt buộc)", "en": "Photos (optional)"},
    "public.form.photos_note": {
        "vi": "Tối đa 5 ảnh JPEG, PNG, WebP hoặc HEIC, mỗi ảnh tối đa 5 MB. Chỉ cán bộ xử lý "
        "xem được ảnh; ảnh không hiện trên trang công khai. Vị trí GPS trong ảnh được xoá. "
        "Chọn ảnh sau cùng: khi tìm xã, trang tải lại và ảnh phải chọn lại.",
        "en": "Up to 5 JPEG, PNG, WebP or HEIC photos, 5 MB each. Only the staff handling it "
        "see them; they never appear on public pages. GPS positions are removed. Choose photos "
        "last: finding a commune reloads the page and the photos must be chosen again.",
    },
    "public.photo.too_many_photos": {
        "vi": "Chỉ gửi được tối đa 5 ảnh.",
        "en": "At most 5 photos can be sent.",
    },
    "public.photo.photo_too_large": {
        "vi": "Ảnh {name} lớn hơn 5 MB.",
        "en": "The photo {name} is larger than 5 MB.",
    },
    "public.photo.not_a_photo": {
        "vi": "Tệp {name} không phải ảnh JPEG, PNG, WebP hay HEIC.",
        "en": "The file {name} is not a JPEG, PNG, WebP or HEIC photo.",
    },
    "public.photo.empty_photo": {"vi": "Tệp {name} trống.", "en": "The file {name} is empty."},
    "public.photo.unreadable_photo": {
        "vi": "Ảnh {name} bị hỏng, không đọc được.",
        "en": "The photo {name} is damaged and cannot be read.",
    },
    "public.form.consent": {
        "vi": "Tôi đồng ý để cơ quan xử lý xem thông tin liên lạc của tôi.",
        "en": "The body handling it may see my contact details.",
    },
    "public.form.publication": {
        "vi": "Tôi đồng ý công khai nội dung ý kiến (đã che số điện thoại, thư điện tử, họ tên).",
        "en": "My feedback may be published (phone, email and name masked).",
    },
    "public.form.send": {"vi": "Gửi ý kiến", "en": "Send"},
    "public.form.track": {"vi": "Đã có mã? Tra cứu tình trạng", "en": "Have a code? Follow it"},
    "public.form.track_go": {"vi": "Tra cứu", "en": "Look up"},
    "public.form.staff": {"vi": "Cán bộ đăng nhập", "en": "Staff sign-in"},
    "public.form.bad": {"vi": "Vui lòng sửa: {why}", "en": "Please correct: {why}"},
    "public.form.later": {
        "vi": "Chưa gửi được, vui lòng thử lại sau ít phút.",
        "en": "It could not be sent now; try again in a few minutes.",
    },
    "public.filed.title": {"vi": "Đã nhận ý kiến của bạn", "en": "Your feedback was received"},
    "public.filed.code": {"vi": "Mã theo dõi:", "en": "Tracking code:"},
    "public.filed.already": {
        "vi": "Bạn đã gửi nội dung này trước đó; đây là mã của lần gửi ấy.",
        "en": "You sent this before; this is that item's code.",
    },
    "public.filed.follow": {"vi": "Theo dõi tại", "en": "Follow it at"},
    "public.filed.wait": {
        "vi": "Trang theo dõi có thể cần ít phút để hiện.",
        "en": "The status page may take a minute to appear.",
    },
    "entry.rated": {"vi": "Công dân đánh giá", "en": "Citizen's rating"},
}
