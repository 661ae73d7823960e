#!/usr/bin/env bash
# Installs the Python test peer: fastavro (an Avro reader nobody here wrote), pinned, into a
# virtual environment in test/peers/.cache/python (git-ignored). Debian has no python3-fastavro,
# so it comes from PyPI. Idempotent.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venv="$here/.cache/python"
want="fastavro==1.12.2"
if [ -x "$venv/bin/python" ] && [ "$(cat "$venv/stamp" 2>/dev/null)" = "$want" ]; then
  echo "peers: python ($want) is installed ($venv)"
  exit 0
fi
command -v python3 >/dev/null 2>&1 || { echo "test/peers/python.sh: python3 is not installed (apt-get install -y python3 python3-venv)" >&2; exit 1; }
rm -rf "$venv"
python3 -m venv "$venv" || { echo "test/peers/python.sh: python3 -m venv failed (apt-get install -y python3-venv)" >&2; exit 1; }
"$venv/bin/pip" install --quiet --disable-pip-version-check "$want"
echo "$want" > "$venv/stamp"
echo "peers: python ($want) installed into $venv"
