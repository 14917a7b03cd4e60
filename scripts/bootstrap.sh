#!/usr/bin/env bash
# Creates .venv from the lock file and installs the system packages the tests and the demo use.
# Safe to run again: each step is skipped when already done.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-python3.11}
command -v "$PY" >/dev/null || PY=python3

need_apt=()
command -v redis-server >/dev/null || need_apt+=(redis-server)
if [ "${CACHEWARDEN_BROWSER:-1}" = "1" ] && ! command -v chromium >/dev/null; then need_apt+=(chromium); fi
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "bootstrap: installing ${need_apt[*]} with apt-get" >&2
  SUDO=""; [ "$(id -u)" = "0" ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null 2>&1 \
    || { $SUDO apt-get update -qq >/dev/null && $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null; }
fi

stamp=.venv/.lock-stamp
if [ ! -f "$stamp" ] || ! cmp -s requirements.lock "$stamp"; then
  [ -x .venv/bin/python ] || "$PY" -m venv .venv
  .venv/bin/python -m pip install -q --disable-pip-version-check uv==0.13.9
  .venv/bin/uv pip sync -q --python .venv/bin/python requirements.lock
  .venv/bin/uv pip install -q --python .venv/bin/python --no-deps -e .
  cp requirements.lock "$stamp"
fi
