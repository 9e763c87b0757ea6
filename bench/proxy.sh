#!/usr/bin/env bash
# Proxy overhead benchmark: edgeai against a direct upstream, nginx proxy_pass
# and the Portkey gateway, all on loopback, in one run.
#
#   bench/proxy.sh            full run (about 4-5 minutes)
#   bench/proxy.sh --quick    short run (2 s per measurement, about 1 minute)
#   bench/proxy.sh --no-write print the table only, leave docs/benchmarks.md alone
#
# It prints a markdown table and writes it, with a short header, to
# docs/benchmarks.md under "## Proxy overhead" (only that section is replaced).
#
# What it starts (all on 127.0.0.1, all stopped on exit):
#   - nginx "upstream": fixed chat completion JSON at POST /v1/chat/completions
#     and a fixed SSE stream (10 chunks + [DONE]) at POST /sse/v1/chat/completions
#   - nginx "proxy": proxy_pass to the upstream with upstream keepalive
#   - edgeai twice: one instance with --upstream .../v1, one with .../sse/v1
#     (edgeai always calls <upstream>/chat/completions)
#   - the Portkey gateway (npm, pinned in bench/portkey), routed with
#     x-portkey-provider / x-portkey-custom-host
#
# Environment:
#   EDGEAI_BIN           edgeai binary (default build/release/apps/edgeai/edgeai)
#   EDGEAI_EXTRA_ARGS    extra flags for `edgeai serve` (word-split)
#   BENCH_CONNECTIONS    wrk connections (default 32)
#   BENCH_DURATION       seconds per throughput run (default 6, --quick 2)
#   BENCH_RUNS           throughput runs per target, median reported (default 3, --quick 1)
#   BENCH_LAT_DURATION   seconds per fixed-rate latency run (default 10, --quick 2)
#   BENCH_RATES          offered rates for the latency runs (default "1000 5000")
#   BENCH_KEEP=1         keep the temporary directory (configs, logs, raw wrk output)
#
# Dependencies: Debian packages nginx-light, wrk, curl, binutils, nodejs, npm
# (installed with apt-get when run as root), and the npm packages locked in
# bench/portkey (installed with `npm ci` when node_modules is missing).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH_DIR="$ROOT/bench"
LUA="$BENCH_DIR/wrk/chat.lua"
PORTKEY_DIR="$BENCH_DIR/portkey"
DOC="$ROOT/docs/benchmarks.md"
EDGEAI_BIN=${EDGEAI_BIN:-$ROOT/build/release/apps/edgeai/edgeai}

QUICK=0
WRITE_DOC=1
for arg in "$@"; do
    case "$arg" in
    --quick) QUICK=1 ;;
    --no-write) WRITE_DOC=0 ;;
    -h | --help)
        sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'
        exit 0
        ;;
    *)
        echo "proxy.sh: unknown argument: $arg (try --help)" >&2
        exit 2
        ;;
    esac
done

if ((QUICK)); then
    DURATION=${BENCH_DURATION:-2}
    RUNS=${BENCH_RUNS:-1}
    LAT_DURATION=${BENCH_LAT_DURATION:-2}
    WARMUP=1
    READY_RUNS=5
    PORTKEY_READY_RUNS=1
else
    DURATION=${BENCH_DURATION:-6}
    RUNS=${BENCH_RUNS:-3}
    LAT_DURATION=${BENCH_LAT_DURATION:-10}
    WARMUP=2
    READY_RUNS=10
    PORTKEY_READY_RUNS=3
fi
CONNS=${BENCH_CONNECTIONS:-32}
RATES=${BENCH_RATES:-1000 5000}
WRK_THREADS=1
# Both nginx instances (upstream and proxy) run one worker: see the header
# written with the results for why.
NGINX_WORKERS=1

TARGETS=(direct nginx edgeai portkey)
declare -A LABEL=([direct]="direct" [nginx]="nginx proxy_pass" [edgeai]="edgeai" [portkey]="Portkey")

log() { printf '[proxy.sh] %s\n' "$*" >&2; }
die() {
    printf 'proxy.sh: %s\n' "$*" >&2
    exit 1
}

# --- dependencies ------------------------------------------------------------

ensure_commands() {
    # pairs of command:debian-package
    local missing_pkgs=() missing_cmds=() pair cmd pkg
    for pair in nginx:nginx-light wrk:wrk curl:curl strip:binutils node:nodejs npm:npm; do
        cmd=${pair%%:*}
        pkg=${pair#*:}
        if ! command -v "$cmd" >/dev/null 2>&1 && [[ ! -x /usr/sbin/$cmd ]]; then
            missing_cmds+=("$cmd")
            missing_pkgs+=("$pkg")
        fi
    done
    ((${#missing_pkgs[@]} == 0)) && return 0
    if [[ $(id -u) -ne 0 ]]; then
        die "missing commands: ${missing_cmds[*]}. Install the Debian packages as root first:
    apt-get install -y ${missing_pkgs[*]}"
    fi
    log "installing Debian packages: ${missing_pkgs[*]}"
    if ! DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing_pkgs[@]}"; then
        DEBIAN_FRONTEND=noninteractive apt-get update
        DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing_pkgs[@]}"
    fi
}

ensure_commands
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

if [[ ! -d $PORTKEY_DIR/node_modules/@portkey-ai/gateway ]]; then
    log "installing the Portkey gateway (npm ci in bench/portkey)"
    (cd "$PORTKEY_DIR" && npm ci --no-audit --no-fund >&2) || die "npm ci in bench/portkey failed"
fi
PORTKEY_START="$PORTKEY_DIR/node_modules/@portkey-ai/gateway/build/start-server.js"
[[ -f $PORTKEY_START ]] || die "missing $PORTKEY_START after npm ci"

HAVE_EDGEAI=1
if [[ ! -x $EDGEAI_BIN ]]; then
    HAVE_EDGEAI=0
    log "edgeai binary not found at $EDGEAI_BIN: run scripts/setup.sh to build it (its row will say 'binary missing')"
fi

# --- process bookkeeping -------------------------------------------------------

WORK=$(mktemp -d "${TMPDIR:-/tmp}/edgeai-bench.XXXXXX")
chmod 755 "$WORK" # nginx workers may run as another user when started by root
STARTED_PIDS=()

alive() {
    local s
    s=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
    s=${s##*) }
    [[ ${s:0:1} != Z ]]
}

children_of() {
    cat "/proc/$1/task/"*/children 2>/dev/null || true
}

stop_pid() {
    local pid=$1 i kids
    alive "$pid" || return 0
    kids=$(children_of "$pid")
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do
        alive "$pid" || break
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    for pid in $kids; do
        alive "$pid" && kill -KILL "$pid" 2>/dev/null || true
    done
    return 0
}

cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    local pid
    for pid in "${STARTED_PIDS[@]}"; do
        stop_pid "$pid"
    done
    if [[ ${BENCH_KEEP:-0} == 1 ]]; then
        log "kept $WORK"
    else
        rm -rf "$WORK"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Starts "$@" in the background with output to $1 (first arg), records the pid in START_PID.
start_bg() {
    local logfile=$1
    shift
    "$@" >"$logfile" 2>&1 &
    START_PID=$!
    STARTED_PIDS+=("$START_PID")
}

free_ports() {
    node -e '
        const net = require("net");
        const n = Number(process.argv[1]);
        const servers = [];
        let done = 0;
        for (let i = 0; i < n; i++) {
            const s = net.createServer();
            servers.push(s);
            s.listen(0, "127.0.0.1", () => {
                if (++done === n) {
                    console.log(servers.map((x) => x.address().port).join(" "));
                    servers.forEach((x) => x.close());
                }
            });
        }' "$1"
}

wait_port() { # port timeout_s pid
    local port=$1 deadline=$((SECONDS + $2)) pid=${3:-}
    while ((SECONDS < deadline)); do
        if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            return 0
        fi
        [[ -n $pid ]] && ! alive "$pid" && return 1
        sleep 0.05
    done
    return 1
}

wait_listening_line() { # logfile port timeout_s pid
    local logfile=$1 port=$2 deadline=$((SECONDS + $3)) pid=$4
    while ((SECONDS < deadline)); do
        grep -q '"msg" *: *"listening"' "$logfile" 2>/dev/null && return 0
        # A build that logs the line only at info level is still ready once the port accepts.
        (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
        alive "$pid" || return 1
        sleep 0.02
    done
    return 1
}

# Sum of VmRSS (kB) of the given pids.
rss_kb() {
    local p files=()
    for p in "$@"; do
        [[ -r /proc/$p/status ]] && files+=("/proc/$p/status")
    done
    ((${#files[@]})) || {
        echo 0
        return
    }
    awk '/^VmRSS:/ { s += $2 } END { print s + 0 }' "${files[@]}" 2>/dev/null || echo 0
}

# Background sampler: writes the running max of rss_kb "$@" to $1 every 100 ms.
SAMPLER_PID=
start_sampler() {
    local out=$1
    shift
    (
        max=0
        while :; do
            cur=$(rss_kb "$@")
            if ((cur > max)); then
                max=$cur
                echo "$max" >"$out"
            fi
            sleep 0.1
        done
    ) &
    SAMPLER_PID=$!
    STARTED_PIDS+=("$SAMPLER_PID")
}
stop_sampler() {
    [[ -n $SAMPLER_PID ]] && kill "$SAMPLER_PID" 2>/dev/null || true
    wait "$SAMPLER_PID" 2>/dev/null || true
    SAMPLER_PID=
}

# --- fixtures -------------------------------------------------------------------

read -r UP_PORT NGX_PORT EA_PORT EA_SSE_PORT PK_PORT READY_PORT PK_READY_PORT <<<"$(free_ports 7)"

CHUNK_HEAD='{"id":"chatcmpl-bench","object":"chat.completion.chunk","created":1700000000,"model":"gpt-4o-mini","system_fingerprint":"fp_bench","choices":[{"index":0,"delta":'
COMPLETION_JSON='{"id":"chatcmpl-bench","object":"chat.completion","created":1700000000,"model":"gpt-4o-mini","system_fingerprint":"fp_bench","choices":[{"index":0,"message":{"role":"assistant","content":"Hello! How can I help you today?","refusal":null},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":8,"completion_tokens":9,"total_tokens":17}}'
sse_body() {
    local tok
    printf 'data: %s{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}]}\n\n' "$CHUNK_HEAD"
    for tok in 'Hello' '!' ' How' ' can' ' I' ' help' ' you' ' today?'; do
        printf 'data: %s{"content":"%s"},"logprobs":null,"finish_reason":null}]}\n\n' "$CHUNK_HEAD" "$tok"
    done
    printf 'data: %s{},"logprobs":null,"finish_reason":"stop"}]}\n\n' "$CHUNK_HEAD"
    printf 'data: [DONE]\n\n'
}
SSE_BODY=$(sse_body)
SSE_BODY+=$'\n\n' # $(...) strips the final blank line

nginx_prelude() { # name
    local d="$WORK/$1"
    mkdir -p "$d/tmp"
    cat <<EOF
worker_processes $NGINX_WORKERS;
daemon off;
pid $d/nginx.pid;
lock_file $d/nginx.lock;
error_log $d/error.log warn;
worker_rlimit_nofile 16384;
events {
    worker_connections 8192;
}
http {
    access_log off;
    client_body_temp_path $d/tmp/body;
    proxy_temp_path $d/tmp/proxy;
    fastcgi_temp_path $d/tmp/fastcgi;
    uwsgi_temp_path $d/tmp/uwsgi;
    scgi_temp_path $d/tmp/scgi;
    keepalive_requests 1000000;
    keepalive_timeout 75s;
EOF
}

{
    nginx_prelude nginx-upstream
    cat <<EOF
    server {
        listen 127.0.0.1:$UP_PORT;
        location = /v1/chat/completions {
            default_type application/json;
            return 200 '$COMPLETION_JSON';
        }
        location = /sse/v1/chat/completions {
            default_type text/event-stream;
            add_header Cache-Control no-cache;
            return 200 '$SSE_BODY';
        }
        location / {
            return 404;
        }
    }
}
EOF
} >"$WORK/nginx-upstream.conf"

{
    nginx_prelude nginx-proxy
    cat <<EOF
    upstream bench_upstream {
        server 127.0.0.1:$UP_PORT;
        keepalive 64;
        keepalive_requests 1000000;
    }
    server {
        listen 127.0.0.1:$NGX_PORT;
        location / {
            proxy_pass http://bench_upstream;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
        }
        location /sse/ {
            proxy_pass http://bench_upstream;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_buffering off;
        }
    }
}
EOF
} >"$WORK/nginx-proxy.conf"

declare -A PID_MAIN=() # target -> pid whose RSS is reported (plus its children)
declare -A PID_SSE=()  # target -> pid serving the stream runs when it differs
declare -A STATUS=()   # target -> "" (usable) or why not
declare -A URL_JSON=() URL_SSE=() HDR_JSON=() HDR_SSE=()

for name in nginx-upstream nginx-proxy; do
    "$NGINX" -t -q -p "$WORK/$name" -e "$WORK/$name/error.log" -c "$WORK/$name.conf" \
        || die "nginx rejected $WORK/$name.conf (BENCH_KEEP=1 keeps it)"
done

log "starting nginx upstream on 127.0.0.1:$UP_PORT and nginx proxy on 127.0.0.1:$NGX_PORT"
start_bg "$WORK/nginx-upstream.out" "$NGINX" -p "$WORK/nginx-upstream" -e "$WORK/nginx-upstream/error.log" -c "$WORK/nginx-upstream.conf"
PID_MAIN[direct]=$START_PID
start_bg "$WORK/nginx-proxy.out" "$NGINX" -p "$WORK/nginx-proxy" -e "$WORK/nginx-proxy/error.log" -c "$WORK/nginx-proxy.conf"
PID_MAIN[nginx]=$START_PID
wait_port "$UP_PORT" 10 "${PID_MAIN[direct]}" || die "nginx upstream did not start: $(tail -5 "$WORK/nginx-upstream/error.log" 2>/dev/null)"
wait_port "$NGX_PORT" 10 "${PID_MAIN[nginx]}" || die "nginx proxy did not start: $(tail -5 "$WORK/nginx-proxy/error.log" 2>/dev/null)"

URL_JSON[direct]="http://127.0.0.1:$UP_PORT/v1/chat/completions"
URL_SSE[direct]="http://127.0.0.1:$UP_PORT/sse/v1/chat/completions"
URL_JSON[nginx]="http://127.0.0.1:$NGX_PORT/v1/chat/completions"
URL_SSE[nginx]="http://127.0.0.1:$NGX_PORT/sse/v1/chat/completions"
HDR_JSON[direct]="" HDR_SSE[direct]="" HDR_JSON[nginx]="" HDR_SSE[nginx]=""
STATUS[direct]="" STATUS[nginx]=""

# Sets EDGEAI_ARGV to the command line of one edgeai server.
edgeai_cmd() { # port upstream_base data_dir log_level
    # shellcheck disable=SC2206 # EDGEAI_EXTRA_ARGS is meant to be word-split
    EDGEAI_ARGV=(env OPENAI_API_KEY=bench EDGEAI_LOG_REQUESTS=false "$EDGEAI_BIN" serve
        --listen "127.0.0.1:$1" --upstream "$2" --data-dir "$3" --log-level "$4" ${EDGEAI_EXTRA_ARGS:-})
}

if ((HAVE_EDGEAI)); then
    log "starting edgeai on 127.0.0.1:$EA_PORT and 127.0.0.1:$EA_SSE_PORT"
    edgeai_cmd "$EA_PORT" "http://127.0.0.1:$UP_PORT/v1" "$WORK/edgeai-data" warn
    start_bg "$WORK/edgeai.log" "${EDGEAI_ARGV[@]}"
    PID_MAIN[edgeai]=$START_PID
    edgeai_cmd "$EA_SSE_PORT" "http://127.0.0.1:$UP_PORT/sse/v1" "$WORK/edgeai-sse-data" warn
    start_bg "$WORK/edgeai-sse.log" "${EDGEAI_ARGV[@]}"
    PID_SSE[edgeai]=$START_PID
    STATUS[edgeai]=""
    if ! wait_listening_line "$WORK/edgeai.log" "$EA_PORT" 15 "${PID_MAIN[edgeai]}" \
        || ! wait_listening_line "$WORK/edgeai-sse.log" "$EA_SSE_PORT" 15 "${PID_SSE[edgeai]}"; then
        STATUS[edgeai]="failed to start"
        log "edgeai did not become ready; log tail:"
        tail -n 20 "$WORK/edgeai.log" "$WORK/edgeai-sse.log" >&2 || true
    fi
else
    STATUS[edgeai]="binary missing"
fi
URL_JSON[edgeai]="http://127.0.0.1:$EA_PORT/v1/chat/completions"
URL_SSE[edgeai]="http://127.0.0.1:$EA_SSE_PORT/v1/chat/completions"
HDR_JSON[edgeai]="" HDR_SSE[edgeai]=""

log "starting Portkey on 127.0.0.1:$PK_PORT"
PORTKEY_CMD=(env NODE_ENV=production node --require "$PORTKEY_DIR/loopback.cjs" "$PORTKEY_START" --headless)
start_bg "$WORK/portkey.log" "${PORTKEY_CMD[@]}" "--port=$PK_PORT"
PID_MAIN[portkey]=$START_PID
STATUS[portkey]=""
wait_port "$PK_PORT" 30 "${PID_MAIN[portkey]}" || {
    STATUS[portkey]="failed to start"
    tail -n 20 "$WORK/portkey.log" >&2 || true
}
URL_JSON[portkey]="http://127.0.0.1:$PK_PORT/v1/chat/completions"
URL_SSE[portkey]="http://127.0.0.1:$PK_PORT/v1/chat/completions"
HDR_JSON[portkey]=$'x-portkey-provider: openai\nx-portkey-custom-host: '"http://127.0.0.1:$UP_PORT/v1"
HDR_SSE[portkey]=$'x-portkey-provider: openai\nx-portkey-custom-host: '"http://127.0.0.1:$UP_PORT/sse/v1"

# --- smoke test: every target answers the right thing ------------------------------

REQ_JSON='{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}'
REQ_SSE='{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}],"stream":true}'

smoke() { # target mode
    local t=$1 mode=$2 url hdr body expect out code line
    local args=(-sS -m 10 -o "$WORK/smoke-$t-$mode.body" -w '%{http_code} %{content_type}' -X POST
        -H 'Content-Type: application/json' -H 'Authorization: Bearer bench')
    if [[ $mode == sse ]]; then
        url=${URL_SSE[$t]} hdr=${HDR_SSE[$t]} body=$REQ_SSE expect='data: [DONE]'
    else
        url=${URL_JSON[$t]} hdr=${HDR_JSON[$t]} body=$REQ_JSON expect='"chat.completion"'
    fi
    while IFS= read -r line; do
        [[ -n $line ]] && args+=(-H "$line")
    done <<<"$hdr"
    out=$(curl "${args[@]}" --data-raw "$body" "$url" 2>&1) || true
    code=${out%% *}
    if [[ $code != 200 ]] || ! grep -qF "$expect" "$WORK/smoke-$t-$mode.body" 2>/dev/null; then
        echo "smoke test ($mode) got: $out $(head -c 300 "$WORK/smoke-$t-$mode.body" 2>/dev/null)"
        return 1
    fi
    if [[ $mode == sse ]]; then
        # Count the chunks that came through, to catch a proxy that drops or merges events.
        local n
        n=$(grep -c '^data: {' "$WORK/smoke-$t-$mode.body" || true)
        [[ $n == 10 ]] || {
            echo "smoke test (sse) saw $n data chunks instead of 10"
            return 1
        }
    fi
    return 0
}

NOTES=()
for t in "${TARGETS[@]}"; do
    [[ -n ${STATUS[$t]} ]] && continue
    for mode in json sse; do
        if ! why=$(smoke "$t" "$mode"); then
            STATUS[$t]="failed smoke test"
            NOTES+=("${LABEL[$t]}: $why")
            log "${LABEL[$t]}: $why"
            break
        fi
    done
done

usable() { [[ -z ${STATUS[$1]} ]]; }

declare -A R=()

pids_of() { # target [sse]: the pid and its children (nginx workers)
    local pid=${PID_MAIN[$1]}
    [[ ${2:-} == sse && -n ${PID_SSE[$1]:-} ]] && pid=${PID_SSE[$1]}
    echo "$pid" $(children_of "$pid")
}

sleep 1
for t in "${TARGETS[@]}"; do
    usable "$t" || continue
    # shellcheck disable=SC2046
    R[rss_idle_$t]=$(rss_kb $(pids_of "$t"))
    R[threads_$t]=$(awk '/^Threads:/ { print $2 }' "/proc/${PID_MAIN[$t]}/status" 2>/dev/null || echo "?")
done

# --- wrk -------------------------------------------------------------------------

field() { # file key -> value from the BENCH line
    sed -n 's/^BENCH.* '"$2"'=\([0-9.]*\).*/\1/p' "$1" | head -n 1
}

# run_wrk out target mode rate duration
run_wrk() {
    local out=$1 t=$2 mode=$3 rate=$4 dur=$5 url hdr stream=0
    if [[ $mode == sse ]]; then
        url=${URL_SSE[$t]} hdr=${HDR_SSE[$t]} stream=1
    else
        url=${URL_JSON[$t]} hdr=${HDR_JSON[$t]}
    fi
    BENCH_STREAM=$stream BENCH_HEADERS=$hdr BENCH_RATE=$rate BENCH_THREADS=$WRK_THREADS \
        wrk -t"$WRK_THREADS" -c"$CONNS" -d"${dur}s" --timeout 5s --latency -s "$LUA" "$url" \
        >"$out" 2>&1 || true
    grep -q '^BENCH ' "$out" || {
        log "wrk produced no result for $t/$mode (rate $rate): $(tail -3 "$out")"
        return 1
    }
}

# rps and error count of one wrk output
wrk_rps() {
    local req dur
    req=$(field "$1" requests)
    dur=$(field "$1" duration_us)
    awk -v r="${req:-0}" -v d="${dur:-0}" 'BEGIN { if (d > 0) printf "%.0f", r * 1e6 / d; else print 0 }'
}
wrk_errors() {
    local k s=0 v
    for k in err_connect err_read err_write err_timeout err_status; do
        v=$(field "$1" "$k")
        s=$((s + ${v:-0}))
    done
    echo "$s"
}

median() { # numbers...
    printf '%s\n' "$@" | sort -n | awk '{ a[NR] = $1 } END { if (NR == 0) print ""; else if (NR % 2) print a[(NR + 1) / 2]; else printf "%.0f", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

mkdir -p "$WORK/wrk"
START_TS=$SECONDS

for mode in json sse; do
    log "throughput ($mode): warm-up"
    for t in "${TARGETS[@]}"; do
        usable "$t" && run_wrk "$WORK/wrk/warmup-$mode-$t.txt" "$t" "$mode" 0 "$WARMUP" || true
    done
    declare -A RUNS_RPS=()
    for ((run = 1; run <= RUNS; run++)); do
        for t in "${TARGETS[@]}"; do
            usable "$t" || continue
            out="$WORK/wrk/tp-$mode-$t-$run.txt"
            # shellcheck disable=SC2046
            start_sampler "$WORK/rss-$mode-$t-$run" $(pids_of "$t" "$mode")
            run_wrk "$out" "$t" "$mode" 0 "$DURATION" || true
            stop_sampler
            rps=$(wrk_rps "$out")
            errs=$(wrk_errors "$out")
            log "throughput ($mode) run $run/$RUNS ${LABEL[$t]}: $rps req/s, $errs errors"
            RUNS_RPS[$t]+="$rps "
            ((errs > 0)) && NOTES+=("${LABEL[$t]}: $errs wrk errors (connect/read/write/timeout/non-2xx) in throughput run $run ($mode)")
            kb=$(cat "$WORK/rss-$mode-$t-$run" 2>/dev/null || echo 0)
            ((kb > ${R[rss_load_$t]:-0})) && R[rss_load_$t]=$kb
        done
    done
    for t in "${TARGETS[@]}"; do
        usable "$t" || continue
        # shellcheck disable=SC2086
        R[tp_${mode}_$t]=$(median ${RUNS_RPS[$t]})
        R[tp_${mode}_runs_$t]=${RUNS_RPS[$t]% }
    done
    unset RUNS_RPS
done

for rate in $RATES; do
    for t in "${TARGETS[@]}"; do
        usable "$t" || continue
        out="$WORK/wrk/lat-$rate-$t.txt"
        run_wrk "$out" "$t" json "$rate" "$LAT_DURATION" || continue
        R[lat_${rate}_p50_$t]=$(field "$out" p50)
        R[lat_${rate}_p99_$t]=$(field "$out" p99)
        R[lat_${rate}_ach_$t]=$(wrk_rps "$out")
        errs=$(wrk_errors "$out")
        ((errs > 0)) && NOTES+=("${LABEL[$t]}: $errs wrk errors in the $rate req/s latency run")
        log "latency @ $rate req/s ${LABEL[$t]}: achieved ${R[lat_${rate}_ach_$t]} req/s, p50 ${R[lat_${rate}_p50_$t]} us, p99 ${R[lat_${rate}_p99_$t]} us"
    done
done
log "load phases took $((SECONDS - START_TS)) s"

# --- edgeai binary size and start-to-ready ------------------------------------------

if ((HAVE_EDGEAI)); then
    if strip -o "$WORK/edgeai.stripped" "$EDGEAI_BIN" 2>"$WORK/strip.err"; then
        R[bin_stripped]=$(stat -c %s "$WORK/edgeai.stripped")
    else
        NOTES+=("strip failed: $(head -c 200 "$WORK/strip.err")")
    fi
    R[bin_unstripped]=$(stat -c %s "$EDGEAI_BIN")
    log "edgeai start-to-ready ($READY_RUNS starts)"
    # The ready line is looked for at info level so a build that logs it at info still counts;
    # each start gets a fresh, empty data directory.
    edgeai_cmd "$READY_PORT" "http://127.0.0.1:$UP_PORT/v1" "$WORK/ready-data/{run}" info
    out=$(node "$BENCH_DIR/lib/startup.mjs" --runs "$READY_RUNS" --line '"msg" *: *"listening"' -- \
        "${EDGEAI_ARGV[@]}") || true
    R[ready_edgeai]=$(sed -n 's/.*median_ms=\([0-9.]*\).*/\1/p' <<<"$out")
    R[ready_edgeai_samples]=$(sed -n 's/.*samples=\([0-9.,]*\).*/\1/p' <<<"$out")
    [[ -n ${R[ready_edgeai]} ]] || NOTES+=("edgeai start-to-ready failed: $out")
fi
if usable portkey; then
    log "Portkey start-to-accept ($PORTKEY_READY_RUNS starts)"
    out=$(node "$BENCH_DIR/lib/startup.mjs" --runs "$PORTKEY_READY_RUNS" --port "$PK_READY_PORT" -- \
        "${PORTKEY_CMD[@]}" "--port=$PK_READY_PORT") || true
    R[ready_portkey]=$(sed -n 's/.*median_ms=\([0-9.]*\).*/\1/p' <<<"$out")
fi

# --- table ---------------------------------------------------------------------------

calc() { awk "BEGIN { $1 }"; }
mb() { [[ -n ${1:-} ]] && calc "printf \"%.1f\", $1 * 1024 / 1e6" || echo "n/a"; }

cell() { # target key [suffix]
    local t=$1 v=${R[$2]:-}
    if ! usable "$t"; then
        echo "${STATUS[$t]}"
    elif [[ -z $v ]]; then
        echo "n/a"
    else
        echo "$v${3:-}"
    fi
}

met() { # awk condition on numbers -> met / not met
    if calc "exit !($1)"; then echo "met"; else echo "not met"; fi
}

rows=()
row() { rows+=("| $1 | $2 | $3 | $4 | $5 | $6 | $7 |"); }

for mode in json sse; do
    name="Throughput, $([[ $mode == json ]] && echo "plain JSON" || echo "streamed SSE") (req/s, median of $RUNS)"
    result="n/a"
    e=${R[tp_${mode}_edgeai]:-} n=${R[tp_${mode}_nginx]:-} p=${R[tp_${mode}_portkey]:-}
    if usable edgeai && [[ -n $e && -n $n && -n $p && $n != 0 && $p != 0 ]]; then
        rn=$(calc "printf \"%.2f\", $e / $n")
        rp=$(calc "printf \"%.1f\", $e / $p")
        result="$rn× nginx, $rp× Portkey: $(met "$e >= 0.7 * $n && $e >= 20 * $p")"
    elif ! usable edgeai; then
        result="${STATUS[edgeai]}"
    fi
    row "$name" "$(cell direct tp_${mode}_direct)" "$(cell nginx tp_${mode}_nginx)" \
        "$(cell edgeai tp_${mode}_edgeai)" "$(cell portkey tp_${mode}_portkey)" \
        "≥ 0.7× nginx and ≥ 20× Portkey" "$result"
done

for rate in $RATES; do
    for t in "${TARGETS[@]}"; do
        for p in p50 p99; do
            v=${R[lat_${rate}_${p}_$t]:-}
            d=${R[lat_${rate}_${p}_direct]:-}
            if [[ -n $v && -n $d ]]; then
                R[add_${rate}_${p}_$t]=$((v - d))
            fi
        done
        a=${R[lat_${rate}_ach_$t]:-}
        if [[ -n $a ]] && calc "exit !($a < 0.95 * $rate)"; then
            R[sat_${rate}_$t]=1
            NOTES+=("${LABEL[$t]} reached only $a of the $rate req/s offered: its latency at that rate is that of an overloaded server, not of the offered rate")
        fi
    done
    lat_cell() { # target key
        local c
        c=$(cell "$1" "$2")
        [[ -n ${R[sat_${rate}_$1]:-} && $c != "${STATUS[$1]:-x}" ]] && c="$c (overloaded)"
        echo "$c"
    }
    row "Latency p50 / p99 at $rate req/s (µs)" \
        "$(lat_cell direct lat_${rate}_p50_direct) / $(cell direct lat_${rate}_p99_direct)" \
        "$(lat_cell nginx lat_${rate}_p50_nginx) / $(cell nginx lat_${rate}_p99_nginx)" \
        "$(lat_cell edgeai lat_${rate}_p50_edgeai) / $(cell edgeai lat_${rate}_p99_edgeai)" \
        "$(lat_cell portkey lat_${rate}_p50_portkey) / $(cell portkey lat_${rate}_p99_portkey)" \
        "" ""
    goal="" result=""
    if [[ $rate == 5000 ]]; then
        goal="p99 added < 100 µs"
        if usable edgeai && [[ -n ${R[add_5000_p99_edgeai]:-} ]]; then
            result="$(met "${R[add_5000_p99_edgeai]} < 100")"
            [[ -n ${R[sat_5000_edgeai]:-} ]] && result="not met (overloaded)"
        else
            result=${STATUS[edgeai]:-n/a}
            [[ -z $result ]] && result="n/a"
        fi
    fi
    row "Added latency p50 / p99 at $rate req/s (µs, minus direct)" "—" \
        "$(cell nginx add_${rate}_p50_nginx) / $(cell nginx add_${rate}_p99_nginx)" \
        "$(cell edgeai add_${rate}_p50_edgeai) / $(cell edgeai add_${rate}_p99_edgeai)" \
        "$(cell portkey add_${rate}_p50_portkey) / $(cell portkey add_${rate}_p99_portkey)" \
        "$goal" "$result"
    row "Achieved rate at $rate req/s offered (req/s)" \
        "$(cell direct lat_${rate}_ach_direct)" "$(cell nginx lat_${rate}_ach_nginx)" \
        "$(cell edgeai lat_${rate}_ach_edgeai)" "$(cell portkey lat_${rate}_ach_portkey)" "" ""
done

rss_cell() { # target key
    if ! usable "$1"; then echo "${STATUS[$1]}"; else mb "${R[$2]:-}"; fi
}
result="${STATUS[edgeai]:-}"
if usable edgeai && [[ -n ${R[rss_idle_edgeai]:-} ]]; then
    result=$(met "${R[rss_idle_edgeai]} * 1024 < 10e6")
fi
row "RSS idle (MB)" "$(rss_cell direct rss_idle_direct)" "$(rss_cell nginx rss_idle_nginx)" \
    "$(rss_cell edgeai rss_idle_edgeai)" "$(rss_cell portkey rss_idle_portkey)" "edgeai < 10 MB" "$result"
row "RSS under load, max (MB)" "$(rss_cell direct rss_load_direct)" "$(rss_cell nginx rss_load_nginx)" \
    "$(rss_cell edgeai rss_load_edgeai)" "$(rss_cell portkey rss_load_portkey)" "" ""

if ((HAVE_EDGEAI)) && [[ -n ${R[bin_stripped]:-} ]]; then
    v=$(calc "printf \"%.2f\", ${R[bin_stripped]} / 1e6")
    row "edgeai binary, stripped (MB)" "—" "—" "$v" "—" "< 3 MB" "$(met "${R[bin_stripped]} < 3e6")"
else
    row "edgeai binary, stripped (MB)" "—" "—" "${STATUS[edgeai]:-n/a}" "—" "< 3 MB" "${STATUS[edgeai]:-n/a}"
fi
if ((HAVE_EDGEAI)) && [[ -n ${R[ready_edgeai]:-} ]]; then
    pk=${R[ready_portkey]:-n/a}
    [[ $pk != n/a ]] && pk="$pk (port accepts)"
    row "Start to ready (ms, median of $READY_RUNS)" "—" "—" "${R[ready_edgeai]}" "$pk" "< 50 ms" \
        "$(met "${R[ready_edgeai]} < 50")"
else
    row "Start to ready (ms, median of $READY_RUNS)" "—" "—" "${STATUS[edgeai]:-n/a}" \
        "${R[ready_portkey]:-n/a}" "< 50 ms" "${STATUS[edgeai]:-n/a}"
fi

TABLE=$(
    echo "| Metric | direct | nginx proxy_pass | edgeai | Portkey | Goal (edgeai) | Result |"
    echo "| --- | ---: | ---: | ---: | ---: | --- | --- |"
    printf '%s\n' "${rows[@]}"
)

# --- header and document ----------------------------------------------------------------

ver_nginx=$("$NGINX" -v 2>&1 | sed 's/^nginx version: //') || true
ver_wrk=$( (wrk -v 2>&1 || true) | head -n 1 | awk '{ print $2 }')
ver_node=$(node --version)
ver_portkey=$(node -p 'require(process.argv[1]).version' "$PORTKEY_DIR/node_modules/@portkey-ai/gateway/package.json")
ver_hono=$(node -p 'require(process.argv[1]).version' "$PORTKEY_DIR/node_modules/@hono/node-server/package.json")
cpu_model=$(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -n 1)
commit=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo "no commit")
if ((HAVE_EDGEAI)); then
    edgeai_desc="\`$(realpath --relative-to="$ROOT" "$EDGEAI_BIN" 2>/dev/null || echo "$EDGEAI_BIN")\` at commit $commit ($(mb $((R[bin_unstripped] / 1024))) MB unstripped), ${R[threads_edgeai]:-?} threads at idle"
else
    edgeai_desc="binary missing (run scripts/setup.sh)"
fi
mode_desc="full"
((QUICK)) && mode_desc="quick (--quick: numbers are indicative only)"

HEADER=$(
    cat <<EOF
Generated by \`bench/proxy.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC'), $mode_desc run.

- Machine: $(nproc) cores, ${cpu_model:-unknown CPU}, Linux $(uname -r). Load generator, proxy and upstream share it; all traffic is on loopback.
- Versions: nginx $ver_nginx, wrk $ver_wrk, node $ver_node, Portkey gateway $ver_portkey (npm, with \`@hono/node-server\` overridden to $ver_hono for streaming), edgeai $edgeai_desc.
- Upstream: an nginx serving a fixed chat completion (JSON) and a fixed SSE stream of 10 \`chat.completion.chunk\` events plus \`[DONE]\`. "direct" is wrk straight to it; the other columns go through a proxy to it.
- nginx proxy_pass: a second nginx instance with \`keepalive 64\`, \`proxy_http_version 1.1\`, \`proxy_set_header Connection ""\` (buffering off for the SSE location): the speed limit for a proxy here.
- Workers: both nginx instances run \`worker_processes 1\`. On 2 cores wrk takes about one core, so a second worker per nginx would only add context switches; one worker each also matches Portkey, whose JavaScript runs on one thread. edgeai runs with its defaults (the thread count above).
- edgeai: \`edgeai serve --listen 127.0.0.1:PORT --upstream http://127.0.0.1:UPSTREAM/v1 --log-level warn\` with \`EDGEAI_LOG_REQUESTS=false\` and \`OPENAI_API_KEY=bench\`; a second instance with \`--upstream .../sse/v1\` serves the streamed runs. Portkey: \`build/start-server.js --headless --port=PORT\` with \`NODE_ENV=production\`, held to 127.0.0.1, routed with \`x-portkey-provider: openai\` and \`x-portkey-custom-host\`.
- Throughput: closed loop, \`wrk -t$WRK_THREADS -c$CONNS -d${DURATION}s\`, POST of \`$REQ_JSON\` (plus \`"stream":true\` for SSE), median of $RUNS run(s) after a ${WARMUP} s warm-up, targets interleaved. RSS: VmRSS (process plus children) sampled every 100 ms during the throughput runs; idle is after start and one request of each kind.
- Latency: $CONNS connections at a fixed offered rate (wrk \`delay()\` pacing against a schedule, ${LAT_DURATION} s per point), wrk's latency percentiles; added = proxy minus direct at the same rate. wrk's timers tick in whole milliseconds, so at 5000 req/s requests leave in bursts of about 5 per millisecond.
- Start to ready: time from spawn to the \`"msg":"listening"\` log line, fresh data directory each start. For Portkey, time until its port accepts connections (reference only). MB = 10^6 bytes.
EOF
)

NOTES_MD=""
if ((${#NOTES[@]})); then
    NOTES_MD=$'\n\nNotes from this run:\n'
    for n in "${NOTES[@]}"; do
        NOTES_MD+=$'\n'"- $n"
    done
fi
RUNS_MD=""
for mode in json sse; do
    for t in "${TARGETS[@]}"; do
        [[ -n ${R[tp_${mode}_runs_$t]:-} ]] && RUNS_MD+="${LABEL[$t]} $mode: ${R[tp_${mode}_runs_$t]// /, }; "
    done
done
[[ -n $RUNS_MD ]] && RUNS_MD=$'\n\n'"Individual throughput runs (req/s): ${RUNS_MD%; }."
if [[ -n ${R[ready_edgeai_samples]:-} ]]; then
    RUNS_MD+=$'\n\n'"edgeai start-to-ready samples (ms): ${R[ready_edgeai_samples]//,/, }."
fi

SECTION=$(printf '## Proxy overhead\n\n%s\n\n%s%s%s\n' "$HEADER" "$TABLE" "$NOTES_MD" "$RUNS_MD")

printf '\n%s\n' "$SECTION"

if ((WRITE_DOC)); then
    mkdir -p "$(dirname "$DOC")"
    if [[ ! -f $DOC ]]; then
        printf '# Benchmarks\n\n%s\n' "$SECTION" >"$DOC"
    else
        # Replace the "## Proxy overhead" section (up to the next "## " heading) or append it.
        printf '%s\n' "$SECTION" >"$WORK/section.md"
        awk -v secfile="$WORK/section.md" '
            function emit(  line) { while ((getline line < secfile) > 0) print line; close(secfile) }
            /^## / {
                if (skipping) { skipping = 0; print "" }
                if ($0 == "## Proxy overhead") { emit(); done = 1; skipping = 1; next }
            }
            !skipping { print }
            END { if (!done) { print ""; emit() } }
        ' "$DOC" >"$WORK/doc.md"
        cat "$WORK/doc.md" >"$DOC"
    fi
    log "wrote $(realpath --relative-to="$PWD" "$DOC" 2>/dev/null || echo "$DOC")"
fi
