"""Interface text in Vietnamese (first) and English."""

from __future__ import annotations

from aiohttp import web

LANGUAGES = ("vi", "en")
_TEXT: dict[str, dict[str, str]] = {
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
