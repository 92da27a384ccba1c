"""Property-based tests (hypothesis) of the boundary: parsers and models fail only in the
ways they promise, whatever they are fed."""

from __future__ import annotations

import string

from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from camnet.errors import CamnetError, InvalidInput
from camnet.evidence.models import IncidentIn, IncidentPatch, RequestIn
from camnet.registry import formats
from camnet.registry.models import CameraIn, CameraPatch, PointIn, PointPatch
from camnet.secretstore import mask_text, resolve_credentials
from camnet.validation import parse_json
from camnet.web.ui_auth import safe_next

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=40),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children,
                                                                       max_size=4),
    max_leaves=12,
)
MODELS = [IncidentIn, IncidentPatch, RequestIn, PointIn, PointPatch, CameraIn, CameraPatch]


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300) | st.binary(max_size=300).map(lambda b: b.decode("latin-1")))
def test_parse_json_fails_only_as_invalid_input(text: str) -> None:
    try:
        parse_json(text)
    except InvalidInput:
        pass


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=1, max_value=3000))
def test_deep_json_is_refused_not_a_crash(depth: int) -> None:
    text = "[" * depth + "]" * depth
    if depth <= 64:
        assert parse_json(text) is not None
    else:
        try:
            parse_json(text)
            raise AssertionError("accepted")
        except InvalidInput as exc:
            message = exc.message
        assert "nested" in message


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(MODELS), st.dictionaries(st.text(max_size=15), json_values, max_size=8))
def test_models_fail_only_with_validation_errors(model: type, data: dict[str, object]) -> None:
    try:
        model.model_validate(data)
    except ValidationError:
        pass


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=60))
def test_text_fields_never_keep_control_characters(text: str) -> None:
    try:
        parsed = IncidentIn.model_validate({
            "case_no": text or "x", "kind": "theft", "occurred_from": "2026-01-01T00:00:00Z",
            "occurred_to": "2026-01-01T01:00:00Z", "zone_code": "Z", "summary": text})
    except ValidationError:
        return
    import unicodedata

    assert not [c for c in parsed.case_no if unicodedata.category(c) in ("Cc", "Cs", "Zl", "Zp")]
    assert "\x00" not in parsed.summary and "\r" not in parsed.summary


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=string.printable + "\\\t\u3000/", max_size=40))
def test_after_login_only_same_origin_paths(target: str) -> None:
    out = safe_next(target)
    seen = "".join(c for c in out if c not in "\t\r\n").replace("\\", "/")
    assert seen.startswith("/") and not seen.startswith("//")


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=string.ascii_letters + string.digits + "-_.!", min_size=1, max_size=20))
def test_url_passwords_never_survive_storage_or_masking(tail: str) -> None:
    secret = "Zq" + tail  # something that cannot occur in the rest of the URL
    for url in (f"rtsp://admin:{secret}@192.0.2.1/s", f"rtsp://192.0.2.1/s?user=admin&password={secret}"):
        clean, _, password = resolve_credentials(url, None, None)
        assert password is not None and secret not in clean.replace("{password}", "")
        masked = mask_text(f"error on {url}")
        assert f":{secret}@" not in masked and f"password={secret}" not in masked


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=400))
def test_csv_reader_fails_only_as_import_failed(text: str) -> None:
    try:
        list(formats.read_csv_rows(text))
        list(formats.read_geojson_rows(text)) if text.strip().startswith("{") else None
    except CamnetError:
        pass
