#!/usr/bin/env bash
# The durable job queue's speed (issue 6): how many jobs per second edgeai
# acknowledges (202, on disk with synchronous=FULL) with 1, 16 and 64
# concurrent clients, how many fsyncs each costs (group commit shares them),
# and how fast the queue then drains to an nginx upstream.
#
#   bench/queue.sh             full run (about 2 minutes), writes docs/benchmarks.md
#   bench/queue.sh --quick     shorter runs
#   bench/queue.sh --no-write  print the table only
#
# Enqueue: `edgeai serve` with queue.paused (jobs kept, none delivered, so the
# rate is the acknowledging alone), wrk -t1 -cN POSTing a chat completion with
# `Prefer: respond-async`. fsyncs per job: the store's commits
# (edgeai_job_store_commits) over the jobs acknowledged in that run; each
# commit is one fsync of the WAL. Drain: the same data dir served again
# without the pause (queue.concurrency 16), timed from start until no job is
# queued or running; each delivery is a full proxied request to nginx plus the
# job's claim and answer written to disk.
#
# Dependencies: what scripts/setup.sh --bench installs (nginx-light, wrk).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DOC="$ROOT/docs/benchmarks.md"
# shellcheck source=lib/doc_section.sh
source "$ROOT/bench/lib/doc_section.sh"
BEGIN_MARK='<!-- queue-bench:begin -->'
END_MARK='<!-- queue-bench:end -->'
EDGEAI_BIN=${EDGEAI_BIN:-$ROOT/build/release/apps/edgeai/edgeai}
DURATION=10
WRITE_DOC=1
for arg in "$@"; do
    case "$arg" in
    --quick) DURATION=3 ;;
    --no-write) WRITE_DOC=0 ;;
    *)
        echo "usage: bench/queue.sh [--quick] [--no-write]" >&2
        exit 2
        ;;
    esac
done
log() { printf '[queue.sh] %s\n' "$*" >&2; }
[[ -x $EDGEAI_BIN ]] || {
    echo "queue.sh: no $EDGEAI_BIN (run scripts/setup.sh)" >&2
    exit 1
}
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
command -v wrk >/dev/null || {
    echo "queue.sh: wrk missing (scripts/setup.sh --bench)" >&2
    exit 1
}

WORK=$(mktemp -d)
PIDS=()
cleanup() {
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

read -r UP_PORT EA_PORT <<<"$(node -e '
const net = require("net");
const get = () => new Promise((r) => { const s = net.createServer().listen(0, "127.0.0.1", () => { const p = s.address().port; s.close(() => r(p)); }); });
(async () => { const a = await get(); const b = await get(); console.log(a, b); })();')"

mkdir -p "$WORK/nginx"
ANSWER='{"id":"chatcmpl-bench","object":"chat.completion","created":1700000000,"model":"gpt-4o-mini","choices":[{"index":0,"message":{"role":"assistant","content":"Hello! How can I help you today?"},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":9,"completion_tokens":9,"total_tokens":18}}'
printf '%s\n' \
    "worker_processes 1;" "daemon off;" "pid $WORK/nginx/nginx.pid;" "error_log $WORK/nginx/error.log;" \
    "events { worker_connections 4096; }" \
    "http { access_log off; server { listen 127.0.0.1:$UP_PORT;" \
    "  location /v1/chat/completions { default_type application/json; return 200 '$ANSWER'; } } }" \
    >"$WORK/nginx.conf"
"$NGINX" -p "$WORK/nginx" -c "$WORK/nginx.conf" &
PIDS+=($!)

DATA="$WORK/data"
start_edgeai() { # config text
    printf '%s\n' "$1" >"$WORK/edgeai.toml"
    env OPENAI_API_KEY=bench EDGEAI_LOG_REQUESTS=false "$EDGEAI_BIN" serve --config "$WORK/edgeai.toml" \
        --listen "127.0.0.1:$EA_PORT" --upstream "http://127.0.0.1:$UP_PORT/v1" --data-dir "$DATA" \
        --log-level warn &
    EA_PID=$!
    PIDS+=("$EA_PID")
    for _ in $(seq 100); do
        curl -sf "http://127.0.0.1:$EA_PORT/healthz" >/dev/null && return 0
        sleep 0.05
    done
    echo "queue.sh: edgeai did not start" >&2
    exit 1
}
metric() { # the sample's name with labels -> its value
    curl -s "http://127.0.0.1:$EA_PORT/metrics" | awk -v m="$1" '$1 == m { print $2 }'
}
stop_edgeai() {
    kill -TERM "$EA_PID"
    wait "$EA_PID" 2>/dev/null || true
}

LIMITS=$'max_jobs = 10000000\nmax_bytes = 17179869184'
start_edgeai $'[queue]\npaused = true\n'"$LIMITS"
ROWS=""
TOTAL=0
for conns in 1 16 64; do
    c0=$(metric edgeai_job_store_commits)
    BENCH_HEADERS="Prefer: respond-async" wrk -t1 -c"$conns" -d"${DURATION}s" --timeout 10s --latency \
        -s "$ROOT/bench/wrk/chat.lua" "http://127.0.0.1:$EA_PORT/v1/chat/completions" >"$WORK/wrk-$conns.txt"
    c1=$(metric edgeai_job_store_commits)
    reqs=$(awk '/requests in/ { print $1 }' "$WORK/wrk-$conns.txt")
    bad=$(awk '/Non-2xx or 3xx responses:/ { print $5 }' "$WORK/wrk-$conns.txt")
    jobs=$((reqs - ${bad:-0}))
    TOTAL=$((TOTAL + jobs))
    p50=$(awk '$1 == "50%" { print $2 }' "$WORK/wrk-$conns.txt")
    p99=$(awk '$1 == "99%" { print $2 }' "$WORK/wrk-$conns.txt")
    rate=$(awk -v j="$jobs" -v d="$DURATION" 'BEGIN { printf "%.0f", j / d }')
    per=$(awk -v a="$c0" -v b="$c1" -v j="$jobs" 'BEGIN { printf "%.3f", (j > 0 ? (b - a) / j : 0) }')
    log "$conns clients: $jobs jobs acknowledged ($rate/s), $per fsyncs per job, p50 $p50, p99 $p99, refused ${bad:-0}"
    goal="" result=""
    if ((conns == 64)); then
        goal="≥ 2000 jobs/s"
        result=$(awk -v r="$rate" 'BEGIN { print (r >= 2000 ? "met" : "not met") }')
    fi
    ROWS+="| $conns | $rate | $per | $p50 / $p99 | ${bad:-0} | $goal | $result |"$'\n'
done
stop_edgeai

log "draining $TOTAL jobs to nginx"
start=$(date +%s.%N)
start_edgeai $'[queue]\nconcurrency = 16\npoll_ms = 100\n'"$LIMITS"
left() { # status -> 1 when a job in it exists
    curl -s "http://127.0.0.1:$EA_PORT/v1/jobs?status=$1&limit=1" | grep -c '"id":"job_' || true
}
while (($(left queued) + $(left running) > 0)); do sleep 0.1; done
end=$(date +%s.%N)
succeeded=$(metric 'edgeai_job_deliveries_total{outcome="succeeded"}')
stop_edgeai
secs=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }')
drain=$(awk -v n="$TOTAL" -v s="$secs" 'BEGIN { printf "%.0f", n / s }')
log "drained in $secs s ($drain jobs/s), $succeeded succeeded"

cpu=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo)
commit=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo "?")
SECTION="$BEGIN_MARK
## Durable job queue

Generated by \`bench/queue.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC') ($(nproc) cores, ${cpu:-unknown CPU}; edgeai at $commit), $DURATION s per run. Enqueue: \`wrk -t1 -cN\` POSTing a chat completion with \`Prefer: respond-async\` to \`edgeai serve\` with \`queue.paused\` (kept, not delivered); a job is acknowledged (202) only after its commit (SQLite WAL, \`synchronous=FULL\`), so each commit is one fsync, shared by the jobs that arrived meanwhile. Latency is wrk's, request to 202. Drain: the same data dir served without the pause, \`queue.concurrency = 16\`, to an nginx upstream on loopback, from start until nothing is queued or running (each job: a claim, a proxied request, its answer written).

| clients | jobs acknowledged per s | fsyncs per job | latency p50 / p99 | refused | goal | result |
| ---: | ---: | ---: | ---: | ---: | --- | --- |
${ROWS}
Drain: $TOTAL jobs delivered in $secs s, **$drain jobs/s** ($succeeded deliveries succeeded).
$END_MARK"

printf '%s\n' "$SECTION"
if ((WRITE_DOC)); then
    write_doc_section "$DOC" "$BEGIN_MARK" "$END_MARK" "$SECTION"
    echo "wrote docs/benchmarks.md" >&2
fi
