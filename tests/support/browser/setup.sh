#!/usr/bin/env bash
# Install what the browser tests (tests/build/preview/test_preview_browser.py) and the image tests
# (their font fallbacks, tests/render/test_images.py) need on a Debian machine: the Debian chromium
# (Playwright's own browser download does not work offline), the colour emoji font (else emoji
# are boxes) and the CJK font, and Playwright's Python package. Idempotent, and quick when
# everything is there. Usage: bash tests/support/browser/setup.sh [PYTHON]
set -euo pipefail
cd "$(dirname "$0")/../../.."
python="${1:-.venv/bin/python}"
[ -x "$python" ] || python="$(command -v python3)"

missing=()
if ! command -v chromium >/dev/null 2>&1 && [ ! -x /usr/lib/chromium/chromium ]; then
    missing+=(chromium)
fi
for font in fonts-noto-color-emoji fonts-noto-cjk; do
    if ! dpkg-query -W -f='${Status}' "$font" 2>/dev/null | grep -q "ok installed"; then
        missing+=("$font")
    fi
done
if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "browser setup: need root to install ${missing[*]} (apt-get install -y ${missing[*]})" >&2
        exit 1
    fi
    echo "browser setup: installing ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! "$python" -c "import playwright.sync_api" >/dev/null 2>&1; then
    echo "browser setup: installing playwright into $python" >&2
    "$python" -m pip install -q "playwright>=1.45"
fi

chromium_bin=/usr/lib/chromium/chromium
[ -x "$chromium_bin" ] || chromium_bin="$(command -v chromium)"
echo "browser setup: $("$chromium_bin" --version 2>/dev/null | head -1), playwright $("$python" -c 'import importlib.metadata as m; print(m.version("playwright"))')" >&2
