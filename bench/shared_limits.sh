#!/usr/bin/env bash
# What shared limits (limits.backend = "redis") add to a request: p50 and p99
# latency of one edgeai in front of a fixed nginx upstream, with a key limited
# (requests per minute, tokens per minute, concurrency: every limit the admit
# script checks) counted locally and then in a redis-server on loopback, in
# the same run, at a fixed offered rate (wrk with bench/wrk/chat.lua), and
# the closed-loop throughput of each. The goal (issue 24): under 0.2 ms added
# at p99 at 1k req/s.
#
#   bench/shared_limits.sh                 run and print a table
#   BENCH_RATE=1000 BENCH_DURATION=10 BENCH_RUNS=3 bench/shared_limits.sh
#
# Dependencies: what scripts/setup.sh --bench installs (nginx-light, wrk) and
# redis-server; the release build (build/release/apps/edgeai/edgeai).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=lib/upstream_fixture.sh
source "$ROOT/bench/lib/upstream_fixture.sh"
BIN=${EDGEAI_BIN:-$ROOT/build/release/apps/edgeai/edgeai}
RATE=${BENCH_RATE:-1000}
DURATION=${BENCH_DURATION:-10}
RUNS=${BENCH_RUNS:-3}
CONNS=${BENCH_CONNECTIONS:-32}
LUA="$ROOT/bench/wrk/chat.lua"

for tool in nginx wrk redis-server curl; do
    command -v "$tool" >/dev/null || { echo "shared_limits.sh: $tool is missing (scripts/setup.sh --bench)" >&2; exit 2; }
done
[[ -x $BIN ]] || { echo "shared_limits.sh: no $BIN (build the release preset)" >&2; exit 2; }

WORK=$(mktemp -d)
PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    [[ ${BENCH_KEEP:-0} == 1 ]] || rm -rf "$WORK"
}
trap cleanup EXIT

free_port() {
    node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}
wait_port() {
    for _ in $(seq 100); do
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
        sleep 0.05
    done
    echo "shared_limits.sh: nothing listens on port $1" >&2
    return 1
}

UP_PORT=$(free_port)
upstream_nginx_conf "$WORK" "$UP_PORT" >"$WORK/nginx.conf"
nginx -c "$WORK/nginx.conf" -p "$WORK" &
PIDS+=($!)
REDIS_PORT=$(free_port)
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$WORK" \
    >"$WORK/redis.log" 2>&1 &
PIDS+=($!)
wait_port "$UP_PORT"
wait_port "$REDIS_PORT"

# One key, limits far above the offered rate so none binds: the cost measured
# is the counting, not refusals.
DATA="$WORK/data"
mkdir -p "$DATA"
KEY=$("$BIN" keys create --name bench --scopes chat --rpm 10000000 --tpm 1000000000 \
    --concurrency 100000 --data-dir "$DATA")

# start_gateway backend -> port (the gateway runs in the background)
start_gateway() {
    local port
    port=$(free_port)
    EDGEAI_LIMITS_BACKEND=$1 EDGEAI_LIMITS_REDIS_URL="redis://127.0.0.1:$REDIS_PORT" \
        EDGEAI_AUDIT_ENABLED=false \
        "$BIN" serve --listen "127.0.0.1:$port" --upstream "http://127.0.0.1:$UP_PORT/v1" \
        --data-dir "$DATA" --log-level warn >"$WORK/gateway-$1.log" 2>&1 &
    GATEWAY_PID=$!
    PIDS+=("$GATEWAY_PID")
    wait_port "$port"
    echo "$port"
}

field() { sed -n 's/^BENCH.* '"$2"'=\([0-9.]*\).*/\1/p' "$1" | head -n 1; }
median() { printf '%s\n' "$@" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

# run backend -> "p50_us p99_us rps"
run() {
    local backend=$1 port p50s=() p99s=() rpss=() out i
    port=$(start_gateway "$backend")
    for i in $(seq "$RUNS"); do
        out="$WORK/wrk-$backend-$i.txt"
        BENCH_HEADERS="Authorization: Bearer $KEY" BENCH_RATE=$RATE BENCH_THREADS=2 \
            wrk -t2 -c"$CONNS" -d"${DURATION}s" --timeout 5s --latency -s "$LUA" \
            "http://127.0.0.1:$port/v1/chat/completions" >"$out" 2>&1
        p50s+=("$(field "$out" p50)")
        p99s+=("$(field "$out" p99)")
    done
    out="$WORK/wrk-$backend-max.txt"
    BENCH_HEADERS="Authorization: Bearer $KEY" BENCH_THREADS=2 \
        wrk -t2 -c"$CONNS" -d"${DURATION}s" --timeout 5s -s "$LUA" \
        "http://127.0.0.1:$port/v1/chat/completions" >"$out" 2>&1
    rpss+=("$(awk -v r="$(field "$out" requests)" -v d="$(field "$out" duration_us)" 'BEGIN { printf "%.0f", r * 1e6 / d }')")
    kill "$GATEWAY_PID"
    wait "$GATEWAY_PID" 2>/dev/null || true
    echo "$(median "${p50s[@]}") $(median "${p99s[@]}") ${rpss[0]}"
}

read -r LOCAL_P50 LOCAL_P99 LOCAL_RPS <<<"$(run local)"
read -r REDIS_P50 REDIS_P99 REDIS_RPS <<<"$(run redis)"

cat <<TABLE
Shared limits: one edgeai, a key with rpm, tpm and concurrency limits, ${RATE} req/s for ${DURATION} s,
medians of ${RUNS} runs; throughput closed-loop with ${CONNS} connections.

| counting | p50 (µs) | p99 (µs) | throughput (req/s) |
| --- | ---: | ---: | ---: |
| local | $LOCAL_P50 | $LOCAL_P99 | $LOCAL_RPS |
| redis (loopback) | $REDIS_P50 | $REDIS_P99 | $REDIS_RPS |
| added | $((REDIS_P50 - LOCAL_P50)) | $((REDIS_P99 - LOCAL_P99)) | |
TABLE
