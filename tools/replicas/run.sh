#!/usr/bin/env bash
# Scale-out, tested: three replicas of the release binary on one PostgreSQL
# behind a local HAProxy (round-robin), and check.py through the proxy:
# login throttling, refresh-token reuse detection, idempotency replays,
# If-Match races and cursor walks behave as on one replica, and a SIGTERM to
# one replica under load loses no acknowledged request, while a client that
# follows the change feed through the proxy sees every change once in order
# and a webhook receives each one once.
# Usage: run.sh  (PG_URL: an admin URL of the PostgreSQL server, default
# postgres://postgres@127.0.0.1:5432/postgres)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
pg_url="${PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}"

if ! command -v haproxy > /dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends haproxy > /dev/null
fi

(cd "$root" && cargo build --release --locked --bin chanjiao)
bin="$root/target/release/chanjiao"

work="$(mktemp -d)"
database="chanjiao_replicas_$$"
psql "$pg_url" -q -c "CREATE DATABASE $database" > /dev/null
db_url="${pg_url%/*}/$database"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2> /dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2> /dev/null || true; done
  psql "$pg_url" -q -c "DROP DATABASE IF EXISTS $database WITH (FORCE)" > /dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

ports=()
for i in 1 2 3; do
  port="$(free_port)"
  ports+=("$port")
  DATABASE_URL="$db_url" \
  CHANJIAO_BIND="127.0.0.1:$port" \
  CHANJIAO_ADMIN_PASSWORD="replicas-admin-password" \
  CHANJIAO_JWT_SECRET="replicas-secret-replicas-secret-0123456789" \
  CHANJIAO_TRUSTED_PROXIES="127.0.0.1/32" \
  CHANJIAO_WEBHOOK_ALLOW="127.0.0.1/32" \
  CHANJIAO_WEBHOOK_RETRY_SECONDS=1 \
  CHANJIAO_SHUTDOWN_GRACE=3 \
  CHANJIAO_LOG=warn \
    "$bin" serve > "$work/replica$i.log" 2>&1 &
  pids+=("$!")
  # The first migrates and creates the admin; the others start beside it.
  if [ "$i" = 1 ]; then
    for _ in $(seq 1 100); do curl -fsS "http://127.0.0.1:$port/readyz" > /dev/null 2>&1 && break; sleep 0.1; done
  fi
done
for port in "${ports[@]}"; do
  for _ in $(seq 1 100); do curl -fsS "http://127.0.0.1:$port/readyz" > /dev/null 2>&1 && break; sleep 0.1; done
done

proxy_port="$(free_port)"
cat > "$work/haproxy.cfg" <<CFG
global
    maxconn 4096
defaults
    mode http
    timeout connect 2s
    timeout client 30s
    timeout server 30s
    option forwardfor
    option redispatch
    retries 3
    retry-on conn-failure
frontend api
    bind 127.0.0.1:$proxy_port
    default_backend replicas
backend replicas
    balance roundrobin
    option httpchk GET /readyz
    http-check expect status 200
    default-server inter 300ms fall 1 rise 2
    server r1 127.0.0.1:${ports[0]} check
    server r2 127.0.0.1:${ports[1]} check
    server r3 127.0.0.1:${ports[2]} check
CFG
haproxy -f "$work/haproxy.cfg" -db > "$work/haproxy.log" 2>&1 &
pids+=("$!")
for _ in $(seq 1 100); do curl -fsS "http://127.0.0.1:$proxy_port/healthz" > /dev/null 2>&1 && break; sleep 0.1; done

status=0
PROXY="http://127.0.0.1:$proxy_port" \
REPLICAS="$(IFS=,; echo "${ports[*]}")" \
VICTIM_PID="${pids[1]}" \
ADMIN_PASSWORD="replicas-admin-password" \
  python3 "$here/check.py" || status=$?
# The replica that was sent SIGTERM drained and exited by itself, with success.
victim_status=0
wait "${pids[1]}" || victim_status=$?
if [ "$victim_status" != 0 ]; then
  echo "FAILED: the replica sent SIGTERM exited with status $victim_status"
  status=1
else
  echo "ok: the replica sent SIGTERM drained and exited 0"
fi
if [ "$status" != 0 ]; then
  for i in 1 2 3; do echo "== replica $i log"; tail -n 20 "$work/replica$i.log"; done
fi
exit "$status"
