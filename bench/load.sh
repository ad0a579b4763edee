#!/usr/bin/env bash
# Load test of the production stack: gunicorn (deploy/gunicorn.conf.py) on PostgreSQL with
# Redis, driven by wrk on the same machine. Targets, one after the other: the cached story
# page, company pages, searches with facets (every one new, so uncached), a story feed, the
# API (if it answers) and a static file served by the same stack (the floor).
# Ends with: story_rps=<x> static_rps=<y> search_p99_ms=<z> errors=<n>
set -euo pipefail
cd "$(dirname "$0")/.."

DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/prod_bench}
VAR_DIR=${VAR_DIR:-$PWD/var/prod}
REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/7}
DURATION=${DURATION:-15}
CONNECTIONS=${CONNECTIONS:-50}
WORKERS=${WORKERS:-3}
THREADS=${THREADS:-4}
PORT=${PORT:-8765}
API_PATH=${API_PATH:-/api/v1/stories}
TARGETS=${TARGETS:-story company search feed api static}

usage() {
  cat <<USAGE
usage: bench/load.sh [--duration S] [--connections N] [--workers N] [--threads N] [--api-path P] [--targets "story search …"]

Needs: wrk, a corpus in DATABASE_URL (generate_corpus --components 1000000), its search index
and collected static files under VAR_DIR (see docs/benchmarks.md), Redis at REDIS_URL (the
database number given is flushed). Every run is bounded: DURATION seconds per target.
Environment: DATABASE_URL=$DATABASE_URL VAR_DIR=$VAR_DIR REDIS_URL=$REDIS_URL
USAGE
}

while [ $# -gt 0 ]; do
  case "$1" in
    --duration) DURATION=$2; shift 2 ;;
    --connections) CONNECTIONS=$2; shift 2 ;;
    --workers) WORKERS=$2; shift 2 ;;
    --threads) THREADS=$2; shift 2 ;;
    --api-path) API_PATH=$2; shift 2 ;;
    --targets) TARGETS=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) usage; exit 2 ;;
  esac
done

command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk"; exit 1; }
OUT=$VAR_DIR/load-$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$OUT"
export DATABASE_URL VAR_DIR REDIS_URL
export DJANGO_SETTINGS_MODULE=resourcecentre.settings

.venv/bin/python bench/load_urls.py --out "$OUT" --api-path "$API_PATH"
.venv/bin/python -c "import redis, sys; redis.Redis.from_url(sys.argv[1]).flushdb()" "$REDIS_URL"

# The production profile, less TLS (wrk speaks plain HTTP to gunicorn, as nginx would) and
# with the per-client rate limits lifted: every request here comes from one address.
export DEBUG=false SECRET_KEY=load-test-only-$(head -c 24 /dev/urandom | base64 | tr -dc a-zA-Z0-9)
export ALLOWED_HOSTS=127.0.0.1 STATIC_MANIFEST=true LOG_FORMAT=json EDITOR_2FA_REQUIRED=true
export RATE_LIMIT_SEARCH=100000000/m RATE_LIMIT_FEEDS=100000000/m RATE_LIMIT_API=100000000/m
export PROMETHEUS_MULTIPROC_DIR=$OUT/metrics
export GUNICORN_BIND=127.0.0.1:$PORT GUNICORN_WORKERS=$WORKERS GUNICORN_THREADS=$THREADS

.venv/bin/gunicorn -c deploy/gunicorn.conf.py resourcecentre.wsgi 2>"$OUT/gunicorn.log" &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null || true' EXIT
for _ in $(seq 60); do
  curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break
  sleep 0.5
done
curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null || { echo "gunicorn did not start:"; tail "$OUT/gunicorn.log"; exit 1; }

to_ms() {  # wrk prints 812.00us, 3.21ms or 1.02s
  awk -v v="$1" 'BEGIN { if (v ~ /us$/) print v/1000; else if (v ~ /ms$/) print v+0; else if (v ~ /s$/) print v*1000; else print v }'
}

echo "load before: $(uptime)" | tee "$OUT/summary.txt"
printf "%-8s %10s %10s %10s %8s\n" target req/s p50_ms p99_ms errors | tee -a "$OUT/summary.txt"
total_errors=0
declare -A RPS P99
for target in $TARGETS; do
  paths=$OUT/$target.paths
  [ -f "$paths" ] || continue
  first=$(head -1 "$paths")
  status=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT$first")
  if [ "$target" = api ] && [ "$status" != 200 ]; then
    printf "%-8s not measured: %s answered %s\n" "$target" "$first" "$status" | tee -a "$OUT/summary.txt"
    continue
  fi
  # Warm the page cache and the processes with each listed page once (searches stay new).
  if [ "$target" != search ]; then
    while read -r path; do curl -s -o /dev/null "http://127.0.0.1:$PORT$path"; done <"$paths"
  fi
  PATHS=$paths wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --timeout 10s --latency -s bench/paths.lua \
    "http://127.0.0.1:$PORT" >"$OUT/$target.txt" 2>&1
  rps=$(awk '/^Requests\/sec/ {print $2}' "$OUT/$target.txt")
  p50=$(to_ms "$(awk '$1 == "50%" {print $2}' "$OUT/$target.txt")")
  p99=$(to_ms "$(awk '$1 == "99%" {print $2}' "$OUT/$target.txt")")
  non2xx=$(awk '/Non-2xx or 3xx responses/ {print $NF}' "$OUT/$target.txt")
  sockets=$(awk '/Socket errors/ {gsub(/,/, ""); print $4 + $6 + $8 + $10}' "$OUT/$target.txt")
  errors=$(( ${non2xx:-0} + ${sockets:-0} ))
  total_errors=$(( total_errors + errors ))
  RPS[$target]=$rps
  P99[$target]=$p99
  printf "%-8s %10s %10s %10s %8s\n" "$target" "$rps" "$p50" "$p99" "$errors" | tee -a "$OUT/summary.txt"
done
echo "load after: $(uptime)" | tee -a "$OUT/summary.txt"
# What the stack itself counted (all gunicorn processes, multiprocess mode).
curl -s "http://127.0.0.1:$PORT/metrics" >"$OUT/metrics.txt"
grep '^resourcecentre_page_cache_requests_total' "$OUT/metrics.txt" | tee -a "$OUT/summary.txt" || true
echo "gunicorn: $WORKERS processes x $THREADS threads; wrk: 2 threads, $CONNECTIONS connections, ${DURATION}s per target; results in $OUT" | tee -a "$OUT/summary.txt"
echo "story_rps=${RPS[story]:-0} static_rps=${RPS[static]:-0} search_p99_ms=${P99[search]:-0} errors=$total_errors" | tee -a "$OUT/summary.txt"
