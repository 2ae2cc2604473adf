#!/usr/bin/env bash
# Issue 2 load benchmark: GET /api/v1/projects?limit=100 and the portfolio overview page
# under wrk, on the large demo (2,000 projects, 10,000 people), on SQLite and PostgreSQL.
# Usage: bench/wrk.sh [seconds] (needs wrk, curl; PostgreSQL at $PG_URL if set)
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}
bin=target/release/atrium
[ -x "$bin" ] || cargo build --release -p atrium
tmp=$(mktemp -d)
pg_base=${PG_URL:-postgres://postgres@127.0.0.1:5432/test}

run_one() {
  local label=$1 url=$2
  "$bin" demo --size large --database-url "$url" >/dev/null
  ATRIUM_LOG=warn "$bin" serve --listen 127.0.0.1:0 --database-url "$url" >"$tmp/serve.out" 2>/dev/null &
  local pid=$!
  for _ in $(seq 100); do grep -q listening "$tmp/serve.out" 2>/dev/null && break; sleep 0.1; done
  local base; base=$(grep -o 'http://[0-9.:]*' "$tmp/serve.out")
  local token; token=$(curl -s "$base/api/v1/auth/token" -H 'content-type: application/json' \
    -d '{"email":"director@demo.atrium.test","password":"demo-director-2026"}' | sed 's/.*"token":"\([^"]*\)".*/\1/')
  # A browser session for the page: pre-login CSRF cookie, then the login form.
  local jar="$tmp/jar"; rm -f "$jar"
  local csrf; csrf=$(curl -s -c "$jar" "$base/login" | grep -o 'name="_csrf" value="[^"]*"' | sed 's/.*value="//;s/"$//')
  curl -s -b "$jar" -c "$jar" "$base/login" --data-urlencode "_csrf=$csrf" --data-urlencode "email=director@demo.atrium.test" \
    --data-urlencode "password=demo-director-2026" --data-urlencode "next=/" -o /dev/null
  local session; session=$(grep atrium_session "$jar" | awk '{print $7}')
  echo "== $label: GET /api/v1/projects?limit=100"
  wrk -t2 -c32 -d"${secs}s" --latency -H "Authorization: Bearer $token" "$base/api/v1/projects?limit=100" | grep -E "Requests/sec|50%|99%|Latency  "
  echo "== $label: GET /overview"
  wrk -t2 -c16 -d"${secs}s" --latency -H "Cookie: atrium_session=$session" "$base/overview" | grep -E "Requests/sec|50%|99%|Latency  "
  kill "$pid"; wait "$pid" 2>/dev/null || true
}

run_one sqlite "sqlite://$tmp/bench.db"
if psql "$pg_base" -c 'select 1' >/dev/null 2>&1; then
  schema="bench_$(date +%s)"
  psql "$pg_base" -q -c "CREATE SCHEMA $schema"
  run_one postgres "$pg_base?options=-c%20search_path%3D$schema"
  psql "$pg_base" -q -c "DROP SCHEMA $schema CASCADE"
fi
rm -rf "$tmp"
