"""Validation problems in words: the API's models, the page's language."""

from __future__ import annotations

from camnet.errors import Conflict, NotFound
from camnet.registry.models import CameraIn, PointIn
from camnet.web.form_errors import check, domain_problem, message_words


def test_each_field_gets_its_problem_in_the_page_language() -> None:
    model, problems = check(PointIn, {"zone_code": "Z", "name": "", "lat": "91", "lon": "x",
                                      "host_phone": "gọi tôi"}, "vi")
    assert model is None
    assert problems.fields == {"name": "bắt buộc phải nhập",
                               "lat": "ngoài khoảng cho phép (≤ 90)",
                               "lon": "cần một con số",
                               "host_phone": "có ký tự không được phép"}
    assert problems.general == "Vui lòng sửa các ô được đánh dấu bên dưới."
    _, problems = check(CameraIn, {"point_id": 1, "name": "c", "rtsp_url": "http://host/x"},
                        "en")
    assert problems.fields == {"rtsp_url": "must start with rtsp:// or rtsps://"}


def test_a_valid_form_has_no_problems() -> None:
    model, problems = check(CameraIn, {"point_id": "3", "name": "c",
                                       "rtsp_url": "rtsp://192.0.2.1/s"}, "vi")
    assert model is not None and model.point_id == 3 and not problems


def test_domain_refusals_in_words_and_unknown_ones_kept() -> None:
    got = domain_problem(Conflict("point 3 already has a camera named 'c'", "name"), "vi")
    assert got.general == "Không thực hiện được: điểm này đã có camera cùng tên"
    assert got.fields == {"name": "điểm này đã có camera cùng tên"}
    got = domain_problem(NotFound("something new", None), "en")
    assert got.general == "Not found (or outside your zone): something new" and not got.fields
    assert message_words("Input should be less than or equal to 90", "vi") == \
        "ngoài khoảng cho phép"
    assert message_words("a message nobody mapped", "vi") == "a message nobody mapped"


def test_domain_errors_in_words_with_codes_translated() -> None:
    from camnet.errors import Conflict, NotFound, Words
    from camnet.web.form_errors import error_words

    exc = Conflict("a request that is 'draft' cannot become 'approved'", "to",
                   key="err_step_not_allowed", current=Words.of("request_status_", "draft"),
                   to=Words.of("request_status_", "approved"),
                   next=Words.of("request_status_", "submitted", "rejected"))
    assert error_words(exc, "vi") == ("Yêu cầu đang ở trạng thái «Bản nháp» nên không thể chuyển "
                                      "sang «Đã duyệt». Bước tiếp theo có thể: Đã gửi, Từ chối.")
    assert "cannot become «Approved»" in error_words(exc, "en")
    # no key: a known English phrase, else the message after a translated lead
    known = NotFound("camera 7 does not exist or is outside your zone", "id")
    assert "outside" not in error_words(known, "vi")
    other = Conflict("something new went wrong")
    assert error_words(other, "vi").endswith(": something new went wrong")
    assert error_words(other, "vi") != other.message
