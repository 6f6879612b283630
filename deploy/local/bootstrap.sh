#!/usr/bin/env bash
# Sets up the Python side from nothing: finds Python 3.12, installs uv if missing, syncs the workspace.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$repo"

say() { echo "setup: $*"; }
die() { echo "setup: ERROR: $*" >&2; exit 1; }

find_python() {
  local candidate
  if candidate="$(command -v python3.12 2>/dev/null)" && "$candidate" -V >/dev/null 2>&1; then
    echo "$candidate"; return
  fi
  # pyenv's shim refuses when 3.12 is installed but not selected; use the install directly.
  local root="${PYENV_ROOT:-$HOME/.pyenv}"
  candidate="$(find "$root/versions" -maxdepth 3 -path '*/3.12*/bin/python3.12' 2>/dev/null | sort -V | tail -n 1 || true)"
  if [ -n "$candidate" ] && "$candidate" -V >/dev/null 2>&1; then
    echo "$candidate"; return
  fi
  for candidate in /usr/local/bin/python3.12 /usr/bin/python3.12; do
    if [ -x "$candidate" ]; then echo "$candidate"; return; fi
  done
  return 1
}

python="$(find_python)" || die "Python 3.12 not found: install it (pyenv install 3.12, or apt-get install python3.12)"

# `command -v` is not enough: a pyenv shim for uv exists but fails outside the version that has it.
if uv --version >/dev/null 2>&1; then
  uv=(uv)
elif "$python" -m uv --version >/dev/null 2>&1; then
  uv=("$python" -m uv)
else
  say "installing uv from PyPI into $python"
  PIP_ROOT_USER_ACTION=ignore "$python" -m pip install --quiet --disable-pip-version-check uv >/dev/null \
    || die "could not install uv with pip (is PyPI reachable?)"
  uv=("$python" -m uv)
fi

# uv must use this interpreter: it cannot download one here, and must not try.
export UV_PYTHON_DOWNLOADS=never
"${uv[@]}" sync --frozen --quiet --python "$python" \
  || die "uv sync failed; see the lines above (a changed pyproject needs 'uv lock')"

# kustomize renders deploy/k8s for the manifest tests (tests/unit/test_k8s.py).
bash deploy/local/kustomize.sh >/dev/null
