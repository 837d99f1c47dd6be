#!/usr/bin/env bash
# Run a command with a real S3-compatible server (moto, pinned in moto-requirements.txt)
# listening on a free loopback port, then stop the server.
#
#   scripts/with-s3.sh cargo test
#
# The server is installed once into its own virtual environment
# ($DATACOOK_S3_VENV, default ~/.cache/datacook/moto-<hash of the pins>). The command sees
# AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_REGION pointing at it.
# If AWS_ENDPOINT_URL is already set, no server is started: the tests use that one.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
if [ -n "${AWS_ENDPOINT_URL:-}" ]; then
  exec "$@"
fi
pins="$here/moto-requirements.txt"
hash="$(sha256sum "$pins" | cut -c1-12)"
venv="${DATACOOK_S3_VENV:-$HOME/.cache/datacook/moto-$hash}"
python="${PYTHON:-python3}"
if [ ! -f "$venv/.installed" ]; then
  echo "installing the S3 test server (moto, pinned) into $venv" >&2
  rm -rf "$venv"
  "$python" -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$pins"
  touch "$venv/.installed"
fi
port="$("$venv/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
log="$(mktemp -t datacook-moto.XXXXXX.log)"
"$venv/bin/moto_server" -H 127.0.0.1 -p "$port" >"$log" 2>&1 &
server=$!
child=""
stop() {
  [ -n "$child" ] && kill "$child" 2>/dev/null || true
  kill "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
  rm -f "$log"
}
trap stop EXIT
trap 'stop; exit 143' TERM INT
up=""
for _ in $(seq 1 300); do
  if "$venv/bin/python" -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/moto-api/', timeout=1)" 2>/dev/null; then
    up=1
    break
  fi
  if ! kill -0 "$server" 2>/dev/null; then
    break
  fi
  sleep 0.1
done
if [ -z "$up" ]; then
  echo "the S3 test server did not answer on port $port:" >&2
  cat "$log" >&2
  exit 1
fi
export AWS_ENDPOINT_URL="http://127.0.0.1:$port"
export AWS_ACCESS_KEY_ID="datacook-test"
export AWS_SECRET_ACCESS_KEY="datacook-test-secret"
export AWS_REGION="us-east-1"
echo "S3 test server (moto) on $AWS_ENDPOINT_URL" >&2
# In the background, so that a TERM (a cancelled CI job) stops the server too.
"$@" &
child=$!
wait "$child"
