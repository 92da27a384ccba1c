"""Vendored front-end files match their manifest; no template loads anything from another host."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

WEB = Path(__file__).resolve().parents[2] / "camnet" / "web"
VENDOR = WEB / "static" / "vendor"
PINNED = {"leaflet": "1.9.4", "leaflet.markercluster": "1.5.3", "protomaps-leaflet": "5.1.0",
          "axe-core": "4.10.2"}


def test_every_vendored_file_matches_the_manifest() -> None:
    manifest = json.loads((VENDOR / "MANIFEST.json").read_text())
    assert {k: v["version"] for k, v in manifest.items()} == PINNED
    listed = set()
    for name, entry in manifest.items():
        assert entry["integrity"].startswith("sha512-") and entry["license"]
        assert entry["tarball"].startswith("https://registry.npmjs.org/")
        assert "LICENSE" in entry["files"]
        for rel, digest in entry["files"].items():
            path = VENDOR / name / rel
            assert hashlib.sha256(path.read_bytes()).hexdigest() == digest, f"{name}/{rel} changed"
            listed.add(path)
    on_disk = {p for p in VENDOR.rglob("*") if p.is_file() and p.name != "MANIFEST.json"}
    assert on_disk == listed, f"files not in the manifest: {sorted(map(str, on_disk - listed))}"


REMOTE = re.compile(
    r"""<(?:script|img|link|iframe|source|video|audio)\b[^>]*\b(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""",
    re.IGNORECASE)
CSS_REMOTE = re.compile(r"""(?:url\(\s*["']?\s*(?:https?:)?//|@import\s+["']?(?:https?:)?//)""",
                        re.IGNORECASE)


def test_no_template_or_stylesheet_loads_from_another_host() -> None:
    templates = list((WEB / "templates").rglob("*.html"))
    assert any(t.name == "map.html" for t in templates)
    for template in templates:
        text = template.read_text("utf-8")
        assert not REMOTE.search(text), f"{template.name} loads something from another host"
    for css in (WEB / "static").rglob("*.css"):
        assert not CSS_REMOTE.search(css.read_text("utf-8")), f"{css} loads from another host"
    script = (WEB / "static" / "map.js").read_text("utf-8")
    assert not re.search(r"""fetch\(\s*["'](?:https?:)?//""", script)


def test_the_detector_catches_remote_loads() -> None:
    assert REMOTE.search('<script src="https://unpkg.com/leaflet.js"></script>')
    assert REMOTE.search("<link rel=stylesheet href='//cdn.example/x.css'>")
    assert not REMOTE.search('<script src="/static/vendor/leaflet/leaflet.js"></script>')
    assert not REMOTE.search('<a href="https://www.openstreetmap.org/copyright">OSM</a>')
