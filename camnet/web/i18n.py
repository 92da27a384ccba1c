"""Interface text in Vietnamese (first) and English."""

from __future__ import annotations

from aiohttp import web

LANGUAGES = ("vi", "en")
_TEXT: dict[str, dict[str, str]] = {
    "pages": {"vi": "Các trang", "en": "Pages"},
    "page": {"vi": "Trang", "en": "Page"},
    "previous": {"vi": "Trang trước", "en": "Previous"},
    "next": {"vi": "Trang sau", "en": "Next"},
    "rows": {"vi": "mục", "en": "rows"},
    "app_name": {"vi": "camnet — Mạng camera cộng đồng", "en": "camnet — community camera network"},
    "login": {"vi": "Đăng nhập", "en": "Log in"},
    "logout": {"vi": "Đăng xuất", "en": "Log out"},
    "username": {"vi": "Tên đăng nhập", "en": "User name"},
    "password": {"vi": "Mật khẩu", "en": "Password"},
    "login_failed": {"vi": "Sai tên đăng nhập hoặc mật khẩu.", "en": "Wrong user name or password."},
    "board": {"vi": "Bảng trạng thái", "en": "Status board"},
    "cameras": {"vi": "Camera", "en": "Cameras"},
    "points": {"vi": "Điểm camera", "en": "Camera points"},
    "zone": {"vi": "Địa bàn", "en": "Zone"},
    "status": {"vi": "Trạng thái", "en": "Status"},
    "cause": {"vi": "Nguyên nhân", "en": "Cause"},
    "since": {"vi": "Từ lúc", "en": "Since"},
    "snapshot": {"vi": "Ảnh mới nhất", "en": "Latest snapshot"},
    "total": {"vi": "Tổng số", "en": "Total"},
    "status_up": {"vi": "Hoạt động", "en": "Up"},
    "status_down": {"vi": "Mất tín hiệu", "en": "Down"},
    "status_degraded": {"vi": "Hình ảnh kém", "en": "Degraded"},
    "status_unknown": {"vi": "Chưa rõ", "en": "Unknown"},
    "status_maintenance": {"vi": "Bảo trì", "en": "Maintenance"},
    "last_cycle": {"vi": "Chu kỳ kiểm tra gần nhất", "en": "Last probe cycle"},
    "auto_refresh": {"vi": "Tự làm mới mỗi", "en": "Refreshes every"},
    "seconds": {"vi": "giây", "en": "seconds"},
    "times_in": {"vi": "Giờ Việt Nam (Asia/Ho_Chi_Minh)", "en": "Times in Asia/Ho_Chi_Minh"},
    "sample_banner": {
        "vi": "DỮ LIỆU MẪU — hư cấu, chỉ để thử nghiệm",
        "en": "SAMPLE DATA — fictional, for trying camnet only",
    },
    "no_cameras": {"vi": "Chưa có camera nào.", "en": "No cameras yet."},
    "uptime": {"vi": "Tỷ lệ hoạt động", "en": "Uptime"},
    "address": {"vi": "Địa chỉ", "en": "Address"},
    "name": {"vi": "Tên", "en": "Name"},
    "language": {"vi": "English", "en": "Tiếng Việt"},
    "incidents": {"vi": "Vụ việc", "en": "Incidents"},
    "requests": {"vi": "Yêu cầu trích xuất", "en": "Extraction requests"},
    "cause_timeout": {"vi": "Không phản hồi (quá thời gian)", "en": "No answer (timeout)"},
    "cause_refused": {"vi": "Từ chối kết nối", "en": "Connection refused"},
    "cause_unreachable": {"vi": "Không tới được mạng", "en": "Unreachable"},
    "cause_auth_failed": {"vi": "Sai tài khoản/mật khẩu camera", "en": "Wrong camera credentials"},
    "cause_not_found": {"vi": "Sai đường dẫn luồng", "en": "Stream path not found"},
    "cause_protocol_error": {"vi": "Lỗi giao thức RTSP", "en": "RTSP protocol error"},
    "health_no_frame": {"vi": "Không lấy được hình", "en": "No frame"},
    "health_ok": {"vi": "Tốt", "en": "OK"},
    "health_black": {"vi": "Màn hình đen", "en": "Black"},
    "health_frozen": {"vi": "Hình bị đứng", "en": "Frozen"},
    "health_blurred": {"vi": "Hình bị mờ", "en": "Blurred"},
    "health_covered": {"vi": "Ống kính bị che", "en": "Covered"},
    "case_no": {"vi": "Số vụ việc", "en": "Case no."},
    "kind": {"vi": "Loại", "en": "Kind"},
    "occurred": {"vi": "Thời gian xảy ra", "en": "When"},
    "summary": {"vi": "Tóm tắt", "en": "Summary"},
    "created_by": {"vi": "Người tạo", "en": "Created by"},
    "none_yet": {"vi": "Chưa có.", "en": "None yet."},
    "new_incident": {"vi": "Ghi nhận vụ việc mới", "en": "Log a new incident"},
    "from": {"vi": "Từ", "en": "From"},
    "to": {"vi": "Đến", "en": "To"},
    "latitude": {"vi": "Vĩ độ", "en": "Latitude"},
    "longitude": {"vi": "Kinh độ", "en": "Longitude"},
    "save": {"vi": "Lưu", "en": "Save"},
    "times_local_note": {"vi": "Giờ nhập theo giờ Việt Nam.", "en": "Times are Asia/Ho_Chi_Minh local time."},
    "incident": {"vi": "Vụ việc", "en": "Incident"},
    "location": {"vi": "Vị trí", "en": "Location"},
    "reason": {"vi": "Lý do", "en": "Reason"},
    "requested_by": {"vi": "Người đề nghị", "en": "Requested by"},
    "new_request": {"vi": "Lập yêu cầu trích xuất hình ảnh", "en": "Draft an extraction request"},
    "window_default_note": {
        "vi": "Để trống giờ để dùng thời gian của vụ việc.",
        "en": "Leave the times empty to use the incident's window.",
    },
    "point": {"vi": "Điểm", "en": "Point"},
    "camera": {"vi": "Camera", "en": "Camera"},
    "retention": {"vi": "Lưu trữ", "en": "Retention"},
    "days": {"vi": "ngày", "en": "days"},
    "draft_request": {"vi": "Lập yêu cầu", "en": "Draft request"},
    "edit": {"vi": "Sửa", "en": "Edit"},
    "at_risk": {"vi": "Sắp bị ghi đè", "en": "At risk of overwrite"},
    "at_risk_note": {
        "vi": "Yêu cầu còn mở có hình ảnh sẽ bị đầu ghi ghi đè trong vòng",
        "en": "Open requests whose footage a recorder overwrites within",
    },
    "all": {"vi": "Tất cả", "en": "All"},
    "filter": {"vi": "Lọc", "en": "Filter"},
    "deadline": {"vi": "Hạn ghi đè", "en": "Overwrite deadline"},
    "request": {"vi": "Yêu cầu", "en": "Request"},
    "approved_by": {"vi": "Người duyệt", "en": "Approved by"},
    "handed_over_to": {"vi": "Bàn giao cho", "en": "Handed over to"},
    "print_form": {"vi": "In phiếu yêu cầu", "en": "Print the request form"},
    "package": {"vi": "Tải hồ sơ (zip)", "en": "Download case package (zip)"},
    "host": {"vi": "Chủ hộ / liên hệ", "en": "Host / contact"},
    "window": {"vi": "Khoảng thời gian", "en": "Window"},
    "was_up": {"vi": "Hoạt động trong khoảng", "en": "Up in window"},
    "outages": {"vi": "lần mất tín hiệu", "en": "outages"},
    "overwritten": {"vi": "Đã bị ghi đè", "en": "Overwritten"},
    "left": {"vi": "còn lại", "en": "left"},
    "next_step": {"vi": "Bước tiếp theo", "en": "Next step"},
    "note": {"vi": "Ghi chú", "en": "Note"},
    "to_submitted": {"vi": "Gửi yêu cầu", "en": "Submit"},
    "to_approved": {"vi": "Phê duyệt", "en": "Approve"},
    "to_rejected": {"vi": "Từ chối", "en": "Reject"},
    "to_extracted": {"vi": "Đã trích xuất", "en": "Mark extracted"},
    "to_handed_over": {"vi": "Đã bàn giao", "en": "Mark handed over"},
    "to_unavailable": {"vi": "Không còn dữ liệu", "en": "Mark unavailable"},
    "history": {"vi": "Lịch sử xử lý", "en": "History"},
    "when": {"vi": "Lúc", "en": "When"},
    "who": {"vi": "Người", "en": "Who"},
    "evidence": {"vi": "Vật chứng (tệp hình ảnh)", "en": "Evidence items"},
    "file": {"vi": "Tệp", "en": "File"},
    "size": {"vi": "Dung lượng (byte)", "en": "Size (bytes)"},
    "holder": {"vi": "Người giữ", "en": "Holder"},
    "custody": {"vi": "Chuỗi lưu giữ", "en": "Chain of custody"},
    "held_elsewhere": {"vi": "Lưu giữ bên ngoài (chỉ có mã băm)", "en": "Held elsewhere (hash only)"},
    "custody_acquired": {"vi": "Thu nhận", "en": "Acquired"},
    "custody_transferred": {"vi": "Chuyển giao", "en": "Transferred"},
    "custody_copied": {"vi": "Sao chép", "en": "Copied"},
    "custody_viewed": {"vi": "Xem", "en": "Viewed"},
    "custody_returned": {"vi": "Trả lại", "en": "Returned"},
    "custody_sealed": {"vi": "Niêm phong", "en": "Sealed"},
    "to_holder": {"vi": "Người nhận", "en": "To holder"},
    "record": {"vi": "Ghi nhận", "en": "Record"},
    "upload": {"vi": "Tải tệp lên", "en": "Upload a file"},
    "method": {"vi": "Cách trích xuất", "en": "Method"},
    "register_external": {"vi": "Ghi nhận tệp lưu bên ngoài", "en": "Register an item held elsewhere"},
    "error_400": {"vi": "Yêu cầu không hợp lệ", "en": "Bad request"},
    "error_403": {"vi": "Không có quyền", "en": "Not allowed"},
    "error_404": {"vi": "Không tìm thấy", "en": "Not found"},
    "error_409": {"vi": "Không thực hiện được", "en": "Conflict"},
    "error_413": {"vi": "Tệp quá lớn", "en": "Too large"},
    "error_422": {"vi": "Dữ liệu không hợp lệ", "en": "Invalid input"},
    "error_429": {"vi": "Thử lại sau", "en": "Too many attempts"},
}


def language_of(request: web.Request, default: str = "vi") -> str:
    """Pick the language: ``?lang=``, then the ``lang`` cookie, then the configured default."""
    lang = request.query.get("lang") or request.cookies.get("lang") or default
    return lang if lang in LANGUAGES else default


def translate(key: str, lang: str) -> str:
    """Return the text for ``key`` in ``lang`` (the key itself when unknown)."""
    entry = _TEXT.get(key)
    if entry is None:
        return key
    return entry.get(lang) or entry["vi"]


def cause_text(cause: str | None, lang: str) -> str:
    """Describe a down/degraded cause (a probe result or a picture verdict) for people."""
    if not cause:
        return ""
    for prefix in ("cause_", "health_"):
        if prefix + cause in _TEXT:
            return translate(prefix + cause, lang)
    return cause
