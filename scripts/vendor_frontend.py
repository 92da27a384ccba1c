"""Vendor the map's front-end files from pinned npm tarballs (no Node, no CDN, no build step).

For each pinned package: read its metadata from the npm registry, download the tarball,
check it against the registry's sha512 ``integrity``, extract only the files the map needs
into ``camnet/web/static/vendor/<package>/`` and record version, integrity, licence and
each file's sha256 in ``camnet/web/static/vendor/MANIFEST.json``. Commit the result.

Run: ``python scripts/vendor_frontend.py`` (needs the npm registry; nothing else).
``tests/test_vendor.py`` recomputes the hashes against the manifest.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import shutil
import sys
import tarfile
import urllib.request
from pathlib import Path

REGISTRY = "https://registry.npmjs.org"
ROOT = Path(__file__).resolve().parent.parent
VENDOR = ROOT / "camnet" / "web" / "static" / "vendor"

# package -> (version, files inside the tarball's package/ folder -> name under vendor/<pkg>/)
PINS: dict[str, tuple[str, dict[str, str]]] = {
    "leaflet": ("1.9.4", {
        "dist/leaflet.js": "leaflet.js",
        "dist/leaflet.css": "leaflet.css",
        "dist/images/layers.png": "images/layers.png",
        "dist/images/layers-2x.png": "images/layers-2x.png",
        "dist/images/marker-icon.png": "images/marker-icon.png",
        "dist/images/marker-icon-2x.png": "images/marker-icon-2x.png",
        "dist/images/marker-shadow.png": "images/marker-shadow.png",
        "LICENSE": "LICENSE",
    }),
    "leaflet.markercluster": ("1.5.3", {
        "dist/leaflet.markercluster.js": "leaflet.markercluster.js",
        "dist/MarkerCluster.css": "MarkerCluster.css",
        "dist/MarkerCluster.Default.css": "MarkerCluster.Default.css",
        "MIT-LICENCE.txt": "LICENSE",
    }),
    # accessibility checks in the browser tests only (tests/web/test_pages_sweep.py); no page loads it
    "axe-core": ("4.10.2", {
        "axe.min.js": "axe.min.js",
        "LICENSE": "LICENSE",
    }),
    "protomaps-leaflet": ("5.1.0", {
        "dist/protomaps-leaflet.js": "protomaps-leaflet.js",
        "LICENSE": "LICENSE",
    }),
}


def _get(url: str) -> bytes:
    if not url.startswith(REGISTRY + "/"):
        raise SystemExit(f"refusing to download from outside the npm registry: {url}")
    with urllib.request.urlopen(url, timeout=60) as resp:  # noqa: S310 - https registry only
        return bytes(resp.read())


def _check_integrity(data: bytes, integrity: str) -> None:
    algo, _, expected = integrity.partition("-")
    if algo != "sha512":
        raise SystemExit(f"unsupported integrity {integrity!r}")
    actual = base64.b64encode(hashlib.sha512(data).digest()).decode()
    if actual != expected:
        raise SystemExit(f"integrity mismatch: registry says {expected}, tarball is {actual}")


def vendor_one(name: str, version: str, files: dict[str, str]) -> dict[str, object]:
    """Download, verify and extract one package; return its manifest entry."""
    meta = json.loads(_get(f"{REGISTRY}/{name}/{version}"))
    dist = meta["dist"]
    tarball = _get(dist["tarball"])
    _check_integrity(tarball, dist["integrity"])
    target = VENDOR / name
    if target.exists():
        shutil.rmtree(target)
    recorded: dict[str, str] = {}
    with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as tar:
        for inner, outer in files.items():
            member = tar.getmember(f"package/{inner}")
            handle = tar.extractfile(member)
            if handle is None:
                raise SystemExit(f"{name}: {inner} is not a file")
            content = handle.read()
            dest = target / outer
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(content)
            recorded[outer] = hashlib.sha256(content).hexdigest()
    return {"version": version, "integrity": dist["integrity"], "tarball": dist["tarball"],
            "license": meta.get("license", ""), "files": recorded}


def main() -> int:
    """Vendor every pinned package and write the manifest."""
    VENDOR.mkdir(parents=True, exist_ok=True)
    manifest = {name: vendor_one(name, version, files) for name, (version, files) in PINS.items()}
    (VENDOR / "MANIFEST.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    for name, entry in manifest.items():
        print(f"{name} {entry['version']}: {len(entry['files'])} files")  # type: ignore[arg-type]
    return 0


if __name__ == "__main__":
    sys.exit(main())
