#!/usr/bin/env bash
# CI: build the Windows installer, then smoke-test it under Wine in a fresh prefix.
# Needs the Debian packages in packaging/apt-packages.txt and a Python with the project
# installed (.venv from .ci/run, $PYTHON, else python3). Runs nice'd: the build is CPU-heavy.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}   # PYTHON=/path/to/python to use another environment
[[ -x $PY ]] || PY=python3
start=$(date +%s)
nice -n 10 "$PY" packaging/build.py
built=$(date +%s)
nice -n 10 "$PY" packaging/wine/smoke.py
echo "installer build $((built - start)) s, wine smoke $(( $(date +%s) - built )) s"
