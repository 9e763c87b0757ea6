#!/usr/bin/env bash
# Instructions per proxied request, edgeai against nginx proxy_pass, counted
# with callgrind (valgrind's instruction counts do not move with the machine's
# load, so they compare across commits where throughput cannot).
#
#   bench/callgrind_proxy.sh             count and write the section of docs/benchmarks.md
#   bench/callgrind_proxy.sh --no-write  print the table only
#   bench/callgrind_proxy.sh --build     build the binary first (bench/size.sh --build-only)
#
# What it runs (all on 127.0.0.1, free ports chosen at run time, all stopped on exit):
#   - an nginx upstream, natively (not counted), serving bench/proxy.sh's fixed
#     chat completion (JSON) and fixed stream (10 chunks + [DONE], SSE)
#   - edgeai under `valgrind --tool=callgrind`: the release build with symbols
#     (build/size: release preset, -DEDGEAI_STRIP=OFF, -g; the same code as
#     build/release), `serve --upstream http://127.0.0.1:UP/v1` (.../sse/v1 for
#     the streamed runs) with bench/proxy.sh's "edgeai" column's settings: no API
#     keys, audit log off, request logging off, usage accounting on (its default)
#   - nginx under the same valgrind with `master_process off; daemon off;`, one
#     worker, access log off, proxy_pass to the same upstream as bench/proxy.sh
#     configures it (upstream keepalive 64, HTTP/1.1, buffering off for SSE)
#
# How it counts: wrk -t1 -cCONNECTIONS with bench/wrk/fixed_count.lua sends an
# exact number of POSTs (every one answered before wrk exits), after one curl
# request that checks the answer. Each server runs twice under callgrind, with
# WARMUP and with WARMUP + COUNT requests, and is stopped with SIGTERM so
# callgrind writes its totals; instructions per request =
# (Ir(WARMUP + COUNT) - Ir(WARMUP)) / COUNT. Start-up, shutdown, the first
# connections and anything lazily set up by the first requests cancel out; all
# threads are counted (--separate-threads=yes, summed; the request thread's share
# is reported too).
#
# Environment:
#   EDGEAI_BIN          edgeai binary (default build/size/apps/edgeai/edgeai)
#   BENCH_COUNT         requests measured per server and mode (default 2000)
#   BENCH_WARMUP        requests of the baseline run (default 200)
#   BENCH_CONNECTIONS   wrk connections (default 8, as the hand counts before this script)
#   BENCH_KEEP=1        keep the temporary directory (callgrind files, logs, configs)
#
# Dependencies: Debian packages valgrind, nginx-light, wrk, curl, python3 (scripts/setup.sh --bench
# installs all but valgrind).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH_DIR="$ROOT/bench"
DOC="$ROOT/docs/benchmarks.md"
LUA="$BENCH_DIR/wrk/fixed_count.lua"
EDGEAI_BIN=${EDGEAI_BIN:-$ROOT/build/size/apps/edgeai/edgeai}
COUNT=${BENCH_COUNT:-2000}
WARMUP=${BENCH_WARMUP:-200}
CONNS=${BENCH_CONNECTIONS:-8}
BEGIN_MARK='<!-- callgrind-proxy:begin -->'
END_MARK='<!-- callgrind-proxy:end -->'

WRITE_DOC=1
BUILD=0
for arg in "$@"; do
    case "$arg" in
    --no-write) WRITE_DOC=0 ;;
    --build) BUILD=1 ;;
    -h | --help)
        sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'
        exit 0
        ;;
    *)
        echo "callgrind_proxy.sh: unknown argument: $arg (try --help)" >&2
        exit 2
        ;;
    esac
done

log() { printf '[callgrind_proxy.sh] %s\n' "$*" >&2; }
die() {
    printf 'callgrind_proxy.sh: %s\n' "$*" >&2
    exit 1
}

missing=()
for pair in valgrind:valgrind nginx:nginx-light wrk:wrk curl:curl python3:python3; do
    cmd=${pair%%:*}
    if ! command -v "$cmd" >/dev/null 2>&1 && [[ ! -x /usr/sbin/$cmd ]]; then missing+=("${pair#*:}"); fi
done
((${#missing[@]} == 0)) || die "missing tools; install the Debian packages: apt-get install ${missing[*]}"
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
((COUNT > 0 && WARMUP >= 0)) || die "BENCH_COUNT must be > 0 and BENCH_WARMUP >= 0"

if ((BUILD)) || [[ ! -x $EDGEAI_BIN ]]; then
    if [[ $EDGEAI_BIN == "$ROOT/build/size/apps/edgeai/edgeai" ]]; then
        log "building $EDGEAI_BIN (bench/size.sh --build-only)"
        "$BENCH_DIR/size.sh" --build-only >&2 || die "build failed"
    fi
    [[ -x $EDGEAI_BIN ]] || die "no edgeai binary at $EDGEAI_BIN (bench/size.sh --build-only builds it)"
fi

# shellcheck source=lib/upstream_fixture.sh
source "$BENCH_DIR/lib/upstream_fixture.sh"
# shellcheck source=lib/doc_section.sh
source "$BENCH_DIR/lib/doc_section.sh"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/edgeai-callgrind.XXXXXX")
chmod 755 "$WORK" # nginx workers may run as another user when started by root
STARTED_PIDS=()

alive() {
    local s
    s=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
    s=${s##*) }
    [[ ${s:0:1} != Z ]]
}

# Stops one server we started: SIGTERM, then SIGKILL after $2 seconds.
stop_pid() { # pid [grace_s]
    local pid=$1 grace=${2:-10} i
    alive "$pid" || return 0
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < grace * 10; i++)); do
        alive "$pid" || return 0
        sleep 0.1
    done
    log "pid $pid did not stop on SIGTERM in ${grace} s; killing it"
    kill -KILL "$pid" 2>/dev/null || true
}

cleanup() {
    local rc=$? pid
    trap - EXIT INT TERM
    for pid in "${STARTED_PIDS[@]}"; do stop_pid "$pid" 5; done
    if [[ ${BENCH_KEEP:-0} == 1 ]]; then log "kept $WORK"; else rm -rf "$WORK"; fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

start_bg() { # logfile cmd...
    local logfile=$1
    shift
    "$@" >"$logfile" 2>&1 &
    START_PID=$!
    STARTED_PIDS+=("$START_PID")
}

free_ports() { # n
    python3 -c '
import socket, sys
socks = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in socks: s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in socks))
for s in socks: s.close()' "$1"
}

wait_port() { # port timeout_s pid
    local port=$1 deadline=$((SECONDS + $2)) pid=$3
    while ((SECONDS < deadline)); do
        (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
        alive "$pid" || return 1
        sleep 0.1
    done
    return 1
}

# --- the upstream ---------------------------------------------------------------

read -r UP_PORT PROXY_PORT <<<"$(free_ports 2)"
upstream_nginx_conf "$WORK/upstream" "$UP_PORT" >"$WORK/upstream.conf"
"$NGINX" -t -q -p "$WORK/upstream" -e "$WORK/upstream/error.log" -c "$WORK/upstream.conf" \
    || die "nginx rejected $WORK/upstream.conf"
start_bg "$WORK/upstream.out" "$NGINX" -p "$WORK/upstream" -e "$WORK/upstream/error.log" -c "$WORK/upstream.conf"
UP_PID=$START_PID
wait_port "$UP_PORT" 10 "$UP_PID" || die "nginx upstream did not start: $(tail -5 "$WORK/upstream/error.log" 2>/dev/null)"
log "upstream nginx on 127.0.0.1:$UP_PORT"

{
    nginx_conf_head "$WORK/proxy" 1 "master_process off;"
    proxy_nginx_server "$PROXY_PORT" "$UP_PORT"
} >"$WORK/proxy.conf"
"$NGINX" -t -q -p "$WORK/proxy" -e "$WORK/proxy/error.log" -c "$WORK/proxy.conf" \
    || die "nginx rejected $WORK/proxy.conf"
: >"$WORK/edgeai.toml" # no edgeai.toml of the caller's is picked up

REQ_JSON='{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}'
REQ_SSE='{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}],"stream":true}'

# Checks one answer of a server under test (and is its first request).
smoke() { # url mode out_prefix
    local url=$1 mode=$2 out=$3 body expect code n
    if [[ $mode == sse ]]; then body=$REQ_SSE expect='data: [DONE]'; else body=$REQ_JSON expect='"chat.completion"'; fi
    code=$(curl -sS -m 60 -o "$out.body" -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
        -H 'Authorization: Bearer bench' --data-raw "$body" "$url" 2>&1) || true
    if [[ $code != 200 ]] || ! grep -qF "$expect" "$out.body"; then
        echo "got $code: $(head -c 300 "$out.body" 2>/dev/null)"
        return 1
    fi
    if [[ $mode == sse ]]; then
        n=$(grep -c '^data: {' "$out.body" || true)
        [[ $n == 10 ]] || {
            echo "saw $n data chunks instead of 10"
            return 1
        }
    fi
}

# Sums callgrind's per-thread totals. Prints "total biggest_thread threads".
callgrind_totals() { # out_file_prefix
    local f totals=()
    for f in "$1"-[0-9]*; do
        [[ -s $f ]] || continue # callgrind leaves the unsuffixed name empty
        totals+=("$(awk '/^(summary|totals):/ { print $2; exit }' "$f")")
    done
    ((${#totals[@]})) || return 1
    printf '%s\n' "${totals[@]}" | awk '{ s += $1; if ($1 > m) m = $1 } END { printf "%d %d %d\n", s, m, NR }'
}

VALGRIND=(valgrind --tool=callgrind --separate-threads=yes --dump-instr=no --trace-children=no)

# One counted run: server under callgrind, n requests, stop, totals.
# Sets RUN_TOTAL, RUN_MAIN (the busiest thread), RUN_THREADS.
count_run() { # target mode n
    local target=$1 mode=$2 n=$3 tag="$1-$2-$3" port url pid wrk_out line
    local cg="$WORK/callgrind.$tag.out"
    port=$(free_ports 1)
    if [[ $target == edgeai ]]; then
        local upstream="http://127.0.0.1:$UP_PORT/v1"
        [[ $mode == sse ]] && upstream="http://127.0.0.1:$UP_PORT/sse/v1"
        mkdir -p "$WORK/data-$tag"
        start_bg "$WORK/$tag.log" env OPENAI_API_KEY=bench EDGEAI_LOG_REQUESTS=false EDGEAI_AUDIT_ENABLED=false \
            "${VALGRIND[@]}" --callgrind-out-file="$cg" "$EDGEAI_BIN" serve --config "$WORK/edgeai.toml" \
            --listen "127.0.0.1:$port" --upstream "$upstream" --data-dir "$WORK/data-$tag" --log-level warn
        url="http://127.0.0.1:$port/v1/chat/completions"
    else
        sed "s/listen 127.0.0.1:$PROXY_PORT;/listen 127.0.0.1:$port;/" "$WORK/proxy.conf" >"$WORK/proxy-$tag.conf"
        start_bg "$WORK/$tag.log" "${VALGRIND[@]}" --callgrind-out-file="$cg" \
            "$NGINX" -p "$WORK/proxy" -e "$WORK/proxy/error.log" -c "$WORK/proxy-$tag.conf"
        url="http://127.0.0.1:$port/v1/chat/completions"
        [[ $mode == sse ]] && url="http://127.0.0.1:$port/sse/v1/chat/completions"
    fi
    pid=$START_PID
    wait_port "$port" 120 "$pid" || die "$target did not start under valgrind: $(tail -5 "$WORK/$tag.log")"
    line=$(smoke "$url" "$mode" "$WORK/smoke-$tag") || die "$target ($mode) answered wrongly: $line"
    if ((n > 0)); then
        wrk_out=$(BENCH_COUNT=$n BENCH_STREAM=$([[ $mode == sse ]] && echo 1 || echo 0) \
            wrk -t1 -c"$CONNS" -d3600s --timeout 120s -s "$LUA" "$url" 2>&1) || die "wrk failed: $wrk_out"
        line=$(grep '^COUNT ' <<<"$wrk_out") || die "wrk printed no count: $wrk_out"
        [[ $line == "COUNT sent=$n answered=$n non2xx=0" ]] \
            || die "$target ($mode): expected $n answered requests, got: $line"
    fi
    stop_pid "$pid" 120
    wait "$pid" 2>/dev/null || true
    read -r RUN_TOTAL RUN_MAIN RUN_THREADS <<<"$(callgrind_totals "$cg")" \
        || die "no callgrind output for $tag (see $WORK/$tag.log)"
    log "$target $mode, $((n + 1)) requests: $RUN_TOTAL instructions in $RUN_THREADS thread(s), busiest thread $RUN_MAIN"
}

declare -A R=()
for target in edgeai nginx; do
    for mode in json sse; do
        count_run "$target" "$mode" "$WARMUP"
        base_total=$RUN_TOTAL base_main=$RUN_MAIN
        count_run "$target" "$mode" $((WARMUP + COUNT))
        R[${target}_${mode}]=$(((RUN_TOTAL - base_total) / COUNT))
        R[${target}_${mode}_main]=$(((RUN_MAIN - base_main) / COUNT))
        R[${target}_${mode}_threads]=$RUN_THREADS
        # What the baseline run cost beyond its requests: start-up, shutdown, first connections.
        R[${target}_${mode}_fixed]=$((base_total - (WARMUP + 1) * R[${target}_${mode}]))
        log "$target $mode: ${R[${target}_${mode}]} instructions per request"
    done
done

k() { awk -v n="$1" 'BEGIN { printf "%.1fk", n / 1000 }'; }
M() { awk -v n="$1" 'BEGIN { printf "%.1fM", n / 1e6 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f×", a / b }'; }

GOAL=70000
if ((R[edgeai_json] <= GOAL)); then verdict="met"; else verdict="not met"; fi
TABLE="| instructions per proxied request | plain JSON | streamed SSE (10 events + [DONE]) |
| --- | ---: | ---: |
| edgeai, all threads | $(k "${R[edgeai_json]}") | $(k "${R[edgeai_sse]}") |
| edgeai, request (I/O) thread | $(k "${R[edgeai_json_main]}") | $(k "${R[edgeai_sse_main]}") |
| nginx proxy_pass | $(k "${R[nginx_json]}") | $(k "${R[nginx_sse]}") |
| edgeai ÷ nginx | $(ratio "${R[edgeai_json]}" "${R[nginx_json]}") | $(ratio "${R[edgeai_sse]}" "${R[nginx_sse]}") |
| goal: edgeai ≤ 70k per plain JSON request | $verdict | |"

head_rev=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
dirty=""
[[ -n $(git -C "$ROOT" status --porcelain --untracked-files=no -- src apps CMakeLists.txt cmake 2>/dev/null) ]] \
    && dirty=", with uncommitted changes"
ver_valgrind=$(valgrind --version 2>&1 | sed 's/^valgrind-//')
ver_nginx=$("$NGINX" -v 2>&1 | sed -n 's|.*nginx/||p')
built=$(date -u -r "$EDGEAI_BIN" '+%Y-%m-%d %H:%M UTC')
rel_bin=$(realpath --relative-to="$ROOT" "$EDGEAI_BIN" 2>/dev/null || echo "$EDGEAI_BIN")

SECTION="$BEGIN_MARK
### Counted by \`bench/callgrind_proxy.sh\`

Generated by \`bench/callgrind_proxy.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC') (valgrind $ver_valgrind, nginx $ver_nginx; edgeai \`$rel_bin\`, built $built, repo HEAD $head_rev$dirty).

$TABLE

- Method: each server runs under \`valgrind --tool=callgrind --separate-threads=yes\` twice per mode, once answering $((WARMUP + 1)) requests and once $((WARMUP + COUNT + 1)) (one \`curl\` request that checks the answer, then \`wrk -t1 -c$CONNS\` with \`bench/wrk/fixed_count.lua\`, which sends an exact count and waits for every answer), and is stopped with SIGTERM; per request = the difference of the two runs' instruction totals (all threads summed) over the $COUNT requests between them, so start-up, shutdown and the first connections cancel out (they came to $(M "${R[edgeai_json_fixed]}") instructions for edgeai and $(M "${R[nginx_json_fixed]}") for nginx in the JSON baseline runs). \"Request (I/O) thread\" is the busiest thread's share; the rest of edgeai's is its usage writer inserting each request's row into \`usage.db\` (edgeai ran $((R[edgeai_json_threads])) threads).
- edgeai: \`edgeai serve --config EMPTY_FILE --upstream http://127.0.0.1:UP/v1\` (\`.../sse/v1\` for the streamed runs) with \`OPENAI_API_KEY=bench EDGEAI_LOG_REQUESTS=false EDGEAI_AUDIT_ENABLED=false\`, no API keys: \`bench/proxy.sh\`'s \"edgeai\" column, usage accounting on (its default). The binary is the release build with symbols (\`bench/size.sh\` builds it: the release preset with \`-DEDGEAI_STRIP=OFF\` and \`-g\`, which changes no code).
- nginx: \`master_process off; daemon off; worker_processes 1;\`, access log off, \`proxy_pass\` with upstream \`keepalive 64\`, \`proxy_http_version 1.1\`, \`proxy_set_header Connection \"\"\`, \`proxy_buffering off\` for SSE, as in \`bench/proxy.sh\`.
- Upstream: \`bench/proxy.sh\`'s nginx (fixed JSON completion; fixed stream of 10 chunks and \`[DONE]\`), run natively, not counted. Request: POST \`$REQ_JSON\` (plus \`\"stream\":true\`), keep-alive.
$END_MARK"

printf '\n%s\n' "$SECTION"
if ((WRITE_DOC)); then
    write_doc_section "$DOC" "$BEGIN_MARK" "$END_MARK" "$SECTION"
    log "wrote $(realpath --relative-to="$PWD" "$DOC" 2>/dev/null || echo "$DOC")"
fi
