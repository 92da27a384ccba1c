"""The one translation catalog: complete in Vietnamese and English for every key in use."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from camnet.evidence.models import IncidentKind
from camnet.i18n import LANGUAGES, catalog, cause_text, translate
from camnet.monitor.rtsp_probe import ProbeStatus
from camnet.vocab import CameraStatus, PictureVerdict, RequestStatus

PACKAGE = Path(__file__).resolve().parents[1] / "camnet"
STATIC_KEY = re.compile(r"""\bt\(\s*['"]([a-z0-9_]+)['"]\s*\)""")
PY_KEY = re.compile(r"""\btranslate\(\s*['"]([a-z0-9_]+)['"]""")
ERROR_STATUSES = (400, 401, 403, 404, 405, 409, 413, 422, 429, 500)


def _keys_in_use() -> set[str]:
    keys: set[str] = set()
    for template in PACKAGE.rglob("*.html"):
        keys |= set(STATIC_KEY.findall(template.read_text("utf-8")))
    for source in PACKAGE.rglob("*.py"):
        keys |= set(PY_KEY.findall(source.read_text("utf-8")))
    # keys built from a vocabulary in templates and code
    keys |= {f"status_{s}" for s in CameraStatus}
    keys |= {f"request_status_{s}" for s in RequestStatus}
    keys |= {f"to_{s}" for s in RequestStatus if s is not RequestStatus.DRAFT}
    keys |= {f"kind_{k}" for k in IncidentKind.__args__}
    keys |= {f"cause_{s}" for s in ProbeStatus if s is not ProbeStatus.UP}
    keys |= {f"hint_{s}" for s in ProbeStatus if s is not ProbeStatus.UP}
    keys |= {f"hint_{v}" for v in PictureVerdict if v is not PictureVerdict.OK}
    keys |= {f"health_{v}" for v in PictureVerdict}
    keys |= {f"error_{n}" for n in ERROR_STATUSES}
    return keys


def test_found_keys_in_use() -> None:
    assert len(_keys_in_use()) > 100


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_key_in_use_has_a_text(lang: str) -> None:
    messages = catalog(lang)
    missing = sorted(k for k in _keys_in_use() if not messages.get(k))
    assert not missing, f"no {lang} text for: {missing}"


def test_catalogs_have_the_same_keys() -> None:
    assert set(catalog("vi")) == set(catalog("en"))


def test_vietnamese_is_vietnamese() -> None:
    """Spot checks that the vi catalog is not English copied over."""
    assert translate("status_down", "vi") == "Mất tín hiệu"
    assert translate("status_down", "en") == "Down"
    assert translate("request_status_handed_over", "vi") == "Đã bàn giao"
    same_in_both = {"Camera"}  # words Vietnamese borrowed as they are
    same = [k for k in catalog("vi") if catalog("vi")[k] == catalog("en")[k]
            and catalog("vi")[k] not in same_in_both
            and re.search(r"[a-z]{4,}", catalog("vi")[k]) and "camnet" not in catalog("vi")[k]]
    assert len(same) <= 3, same


def test_unknown_key_and_language_fall_back() -> None:
    assert translate("no_such_key", "vi") == "no_such_key"
    assert translate("status_up", "fr") == translate("status_up", "vi")
    assert cause_text("timeout", "en") == translate("cause_timeout", "en")
    assert cause_text("black", "vi") == translate("health_black", "vi")
    assert cause_text("", "vi") == ""


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_probe_result_reads_as_words(lang: str) -> None:
    """A camera page shows its last probe result through cause_text: never a raw code."""
    for result in ProbeStatus:
        assert cause_text(result.value, lang) != result.value, result


AUDIT_CALL = re.compile(r"""(?:audit\.)?record\(\s*\w+,\s*[\w()"#{}\[\]'.]+,\s*"([a-z_]+)",\s*"([a-z_]+)\"""")
AUTH_EVENT = re.compile(r"""record_auth_event\(\s*\w+,\s*[^,]+,\s*"([a-z_]+)\"""")


def test_every_audit_action_and_object_reads_as_words() -> None:
    """The audit viewer shows "Đăng nhập · Phiên đăng nhập", never ``login · session``."""
    actions, entities = {"read_personal"}, {"session"}
    for source in PACKAGE.rglob("*.py"):
        text = source.read_text(encoding="utf-8")
        for action, entity in AUDIT_CALL.findall(text):
            actions.add(action)
            entities.add(entity)
        actions.update(AUTH_EVENT.findall(text))
    assert {"create", "transition", "login", "logout"} <= actions and "camera" in entities
    vi = catalog("vi")
    missing = sorted([f"audit_action_{a}" for a in actions if f"audit_action_{a}" not in vi]
                     + [f"audit_entity_{e}" for e in entities if f"audit_entity_{e}" not in vi])
    assert not missing, missing
