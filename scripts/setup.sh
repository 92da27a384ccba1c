#!/usr/bin/env bash
# Set up everything camnet needs on Debian 12 (run as root from a clone). Idempotent:
# installs missing apt packages, makes .venv, installs camnet with its dev extras.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  python3-venv
  # camera simulator: GStreamer RTSP server for the system python3 (see camnet/testing/camsim_server.py)
  python3-gi gir1.2-gstreamer-1.0 gir1.2-gst-rtsp-server-1.0 libgstrtspserver-1.0-0
  gstreamer1.0-rtsp gstreamer1.0-tools gstreamer1.0-x fonts-dejavu-core
  gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-ugly
  # browser tests: Playwright for Python drives Debian's chromium (no browser download)
  chromium
  # printed request form (Decree 30/2020): Times New Roman metrics
  fonts-liberation
  sqlite3
)

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
  echo "setup: installing apt packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

PYTHON="${PYTHON:-python3}"
"$PYTHON" - <<'PY'
import sys
if sys.version_info < (3, 11):
    sys.exit(f"setup: camnet needs Python >= 3.11, {sys.executable} is {sys.version.split()[0]}")
PY

if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv"
  "$PYTHON" -m venv .venv
fi
stamp=".venv/.camnet-installed"
want="$(sha256sum pyproject.toml | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "setup: installing camnet and its dependencies into .venv"
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e ".[dev,speed]"
  echo "$want" > "$stamp"
fi
echo "setup: ready (.venv/bin/camnet)"
