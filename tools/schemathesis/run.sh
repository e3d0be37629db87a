#!/usr/bin/env bash
# Schemathesis 4 against the document the service serves: every check, every
# phase, a fixed seed, bounded in time. Usage: run.sh <chanjiao binary> [seconds]
# Exits non-zero on any failure. The narrowing it applies, with reasons, is in
# schemathesis.toml and hooks.py beside this script. One worker: with two,
# CPython 3.11's parser fails inside Hypothesis ("AST constructor recursion
# depth mismatch"), a runtime error rather than a finding.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bin="$(realpath "${1:?usage: run.sh <chanjiao binary> [seconds]}")"
max_time="${2:-180}"

venv="${CHANJIAO_SCHEMATHESIS_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/chanjiao-schemathesis-venv}"
if [ ! -x "$venv/bin/schemathesis" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q "schemathesis==4.32.5"
fi

work="$(mktemp -d)"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
base="http://127.0.0.1:$port"
password="schemathesis-admin-password"
DATABASE_URL="sqlite://$work/schemathesis.db?mode=rwc" \
CHANJIAO_BIND="127.0.0.1:$port" \
CHANJIAO_ADMIN_PASSWORD="$password" \
CHANJIAO_JWT_SECRET="schemathesis-secret-schemathesis-secret-0123456789" \
CHANJIAO_ACCESS_TOKEN_TTL=86400 \
CHANJIAO_SHUTDOWN_GRACE=0 \
CHANJIAO_LOG=warn \
  "$bin" serve > "$work/service.log" 2>&1 &
service=$!
trap 'kill "$service" 2>/dev/null || true; wait "$service" 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 100); do
  curl -fsS "$base/healthz" > /dev/null 2>&1 && break
  sleep 0.1
done
token="$(curl -fsS "$base/api/v1/auth/token" -d grant_type=password -d username=admin -d "password=$password" \
  | python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"])')"

cd "$here"
"$venv/bin/schemathesis" --config-file schemathesis.toml run "$base/api-docs/openapi.json" \
  --checks all --phases examples,coverage,fuzzing,stateful --max-time "$max_time" --workers 1 \
  -H "Authorization: Bearer $token"
