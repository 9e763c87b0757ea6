#!/usr/bin/env bash
# Proxy overhead benchmark: edgeai against a direct upstream, nginx proxy_pass
# and the Portkey gateway, all on loopback, in one run.
#
#   bench/proxy.sh            full run (about 7 minutes)
#   bench/proxy.sh --quick    short run (2 s per measurement, about 1 minute)
#   bench/proxy.sh --no-write print the table only, leave docs/benchmarks.md alone
#   bench/proxy.sh --wait-idle wait (up to 10 minutes) until the machine is idle first
#
# It prints a markdown table and writes it, with a short header, to
# docs/benchmarks.md under "## Proxy overhead" (only that section is replaced).
#
# What it starts (all on 127.0.0.1, all stopped on exit):
#   - nginx "upstream": fixed chat completion JSON at POST /v1/chat/completions
#     and a fixed SSE stream (10 chunks + [DONE]) at POST /sse/v1/chat/completions
#   - nginx "proxy": proxy_pass to the upstream with upstream keepalive
#   - edgeai twice: one instance with --upstream .../v1, one with .../sse/v1
#     (edgeai always calls <upstream>/chat/completions); that pair three times:
#     unauthenticated (no keys, audit log off), with one API key whose generous
#     limits never bind plus the audit log (wrk sends the key), and through a
#     fallback route (no keys, audit log off)
#   - the Portkey gateway (npm, pinned in bench/portkey), routed with
#     x-portkey-provider / x-portkey-custom-host
#
# Environment:
#   EDGEAI_BIN           edgeai binary (default build/release/apps/edgeai/edgeai)
#   EDGEAI_EXTRA_ARGS    extra flags for `edgeai serve` (word-split)
#   BENCH_CONNECTIONS    wrk connections (default 32)
#   BENCH_DURATION       seconds per throughput run (default 5, --quick 2)
#   BENCH_RUNS           throughput runs per target, median reported (default 5, --quick 1)
#   BENCH_LAT_DURATION   seconds per fixed-rate latency run (default 5, --quick 2)
#   BENCH_LAT_RUNS       latency runs per target and rate, medians reported (default 3, --quick 1)
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
WAIT_IDLE=0
for arg in "$@"; do
    case "$arg" in
    --quick) QUICK=1 ;;
    --no-write) WRITE_DOC=0 ;;
    --wait-idle) WAIT_IDLE=1 ;;
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
    LAT_RUNS=${BENCH_LAT_RUNS:-1}
    WARMUP=1
    READY_RUNS=5
    PORTKEY_READY_RUNS=1
else
    DURATION=${BENCH_DURATION:-5}
    RUNS=${BENCH_RUNS:-5}
    LAT_DURATION=${BENCH_LAT_DURATION:-5}
    LAT_RUNS=${BENCH_LAT_RUNS:-3}
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

# edgeai three times: as a plain proxy with no API keys and the audit log off
# (the unauthenticated figure), the same with one API key (limits set so high
# they never bind) and the audit log on, and through a [[routes]] entry with two
# targets (both the same upstream; the first always answers; no keys, audit
# off), so the cost of auth + limits + audit and of the routed request path are
# measured in the same run as the rest.
TARGETS=(direct nginx edgeai edgeai_key edgeai_route portkey)
declare -A LABEL=([direct]="direct" [nginx]="nginx proxy_pass" [edgeai]="edgeai"
    [edgeai_key]="edgeai, key + limits + audit" [edgeai_route]="edgeai, fallback route" [portkey]="Portkey")
# Limits of the keyed target's key: far above anything this machine can send.
KEY_LIMITS=(--rpm 1000000000 --tpm 1000000000000 --concurrency 100000)

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

# --- is the machine quiet? ----------------------------------------------------------

# shellcheck source=lib/machine_idle.sh
source "$BENCH_DIR/lib/machine_idle.sh"
measure_idle_before_run
if ((BUSY_BEFORE > 10)); then
    log "warning: the machine was ${BUSY_BEFORE}% busy before the run (a build?): the numbers will be noisy"
fi

# --- process bookkeeping -------------------------------------------------------

WORK=$(mktemp -d "${TMPDIR:-/tmp}/edgeai-bench.XXXXXX")
chmod 755 "$WORK" # nginx workers may run as another user when started by root
# Servers started here. They are never waited for, so a dead one stays a zombie
# and its pid cannot be reused by another process before cleanup.
STARTED_PIDS=()
SAMPLER_PID=

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
        if alive "$pid"; then kill -KILL "$pid" 2>/dev/null || true; fi
    done
    return 0
}

cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    local pid
    if [[ -n ${SAMPLER_PID:-} ]]; then stop_sampler; fi
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

# Background sampler: writes the running max of the summed VmRSS (kB) of "$@"
# to $1 every 100 ms. Bash builtins only (no fork per sample), so it costs next
# to nothing while the servers are loaded; its CPU time counts as the
# benchmark's own in the per-run accounting (our_ticks).
start_sampler() {
    local out=$1
    shift
    (
        max=0
        exec {tick}<> <(:) # read -t on a pipe nobody writes: a sleep without a fork
        while :; do
            cur=0
            for p in "$@"; do
                while read -r k v rest; do
                    if [[ $k == VmRSS: ]]; then
                        cur=$((cur + v))
                        break
                    fi
                done 2>/dev/null <"/proc/$p/status" || true # a pid that is gone counts 0
            done
            if ((cur > max)); then
                max=$cur
                echo "$max" >"$out"
            fi
            read -r -t 0.1 -u "$tick" rest || true
        done
    ) &
    SAMPLER_PID=$!
}
stop_sampler() {
    [[ -n $SAMPLER_PID ]] || return 0
    kill "$SAMPLER_PID" 2>/dev/null || true
    wait "$SAMPLER_PID" 2>/dev/null || true
    SAMPLER_PID=
}

# CPU accounting, to tell whether something else ran during the load phases.
# Ticks of user+nice+system+irq+softirq time of the whole machine (a task's
# system time includes the interrupt work done while it ran, so irq and softirq
# are counted here too, or loopback traffic would make "ours" exceed the total):
machine_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8; exit }' /proc/stat; }
HZ=$(getconf CLK_TCK)
# CPU ticks (user + system, all threads) of the given pids.
proc_ticks() {
    local p s f total=0
    for p in "$@"; do
        s=$(cat "/proc/$p/stat" 2>/dev/null) || continue
        s=${s##*) }
        read -ra f <<<"$s"
        total=$((total + f[11] + f[12]))
    done
    echo "$total"
}
# Ticks used by this script: itself and its waited-for children (wrk, helpers),
# plus the servers it started and their children (nginx workers).
our_ticks() {
    local p s f total=0 self=$$
    for p in "$self" ${SAMPLER_PID:-} "${STARTED_PIDS[@]}" $(for q in "${STARTED_PIDS[@]}"; do children_of "$q"; done); do
        s=$(cat "/proc/$p/stat" 2>/dev/null) || continue
        s=${s##*) }
        read -ra f <<<"$s"
        # f[11] utime, f[12] stime, f[13] cutime, f[14] cstime (fields 14-17 of stat)
        total=$((total + f[11] + f[12]))
        # The RSS sampler is reaped (and its time added to ours) only after the run.
        [[ $p == "$self" || $p == "${SAMPLER_PID:-}" ]] && total=$((total + f[13] + f[14]))
    done
    echo "$total"
}

# --- fixtures -------------------------------------------------------------------

read -r UP_PORT NGX_PORT EA_PORT EA_SSE_PORT PK_PORT READY_PORT PK_READY_PORT ER_PORT ER_SSE_PORT \
    EK_PORT EK_SSE_PORT <<<"$(free_ports 11)"

# The upstream's fixed answers and both nginx configurations (shared with
# bench/callgrind_proxy.sh).
# shellcheck source=lib/upstream_fixture.sh
source "$BENCH_DIR/lib/upstream_fixture.sh"
upstream_nginx_conf "$WORK/nginx-upstream" "$UP_PORT" "$NGINX_WORKERS" >"$WORK/nginx-upstream.conf"
{
    nginx_conf_head "$WORK/nginx-proxy" "$NGINX_WORKERS"
    proxy_nginx_server "$NGX_PORT" "$UP_PORT"
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

# An empty config file, so no edgeai.toml of the caller's is picked up.
: >"$WORK/edgeai.toml"
# Sets EDGEAI_ARGV to the command line of one edgeai server. variant: plain (no
# keys, audit log off), key (audit log on; the caller puts a key in data_dir),
# route (as plain, through a [[routes]] entry) or empty (edgeai's defaults).
edgeai_cmd() { # port upstream_base data_dir log_level [variant]
    local config="$WORK/edgeai.toml" audit=()
    case ${5:-} in
    plain | route) audit=(EDGEAI_AUDIT_ENABLED=false) ;;
    key) audit=(EDGEAI_AUDIT_ENABLED=true) ;;
    esac
    if [[ ${5:-} == route ]]; then
        # The request path with routing: plan, breaker, attempt bookkeeping.
        config="$WORK/edgeai-route-$1.toml"
        cat >"$config" <<TOML
[[backends]]
name = "primary"
kind = "openai"
base_url = "$2"
models = ["gpt-4o-mini"]

[[backends]]
name = "secondary"
kind = "openai"
base_url = "$2"
models = ["gpt-4o-mini"]

[[routes]]
model = "gpt-4o-mini"
targets = ["primary:gpt-4o-mini", "secondary:gpt-4o-mini"]
TOML
    fi
    # shellcheck disable=SC2206 # EDGEAI_EXTRA_ARGS is meant to be word-split
    EDGEAI_ARGV=(env OPENAI_API_KEY=bench EDGEAI_LOG_REQUESTS=false "${audit[@]}" "$EDGEAI_BIN" serve
        --config "$config" --listen "127.0.0.1:$1" --upstream "$2" --data-dir "$3" --log-level "$4" ${EDGEAI_EXTRA_ARGS:-})
}

# Makes one API key (KEY_LIMITS) in a data directory and prints its secret.
make_key() { # data_dir
    "$EDGEAI_BIN" keys create --name bench "${KEY_LIMITS[@]}" --config "$WORK/edgeai.toml" \
        --data-dir "$1" --log-level warn 2>>"$WORK/keys-create.err"
}

# start_edgeai target port sse_port variant (see edgeai_cmd)
start_edgeai() {
    local t=$1 port=$2 sse_port=$3 variant=$4 key_json="" key_sse=""
    if ((!HAVE_EDGEAI)); then
        STATUS[$t]="binary missing"
        return
    fi
    URL_JSON[$t]="http://127.0.0.1:$port/v1/chat/completions"
    URL_SSE[$t]="http://127.0.0.1:$sse_port/v1/chat/completions"
    HDR_JSON[$t]="" HDR_SSE[$t]=""
    if [[ $variant == key ]]; then
        # One key per instance, in the data directory that instance serves from.
        mkdir -p "$WORK/$t-data" "$WORK/$t-sse-data"
        if ! key_json=$(make_key "$WORK/$t-data") || ! key_sse=$(make_key "$WORK/$t-sse-data") \
            || [[ $key_json != eai_* || $key_sse != eai_* ]]; then
            STATUS[$t]="key creation failed"
            log "${LABEL[$t]}: edgeai keys create failed: $(tail -3 "$WORK/keys-create.err" 2>/dev/null)"
            return
        fi
        HDR_JSON[$t]="Authorization: Bearer $key_json"
        HDR_SSE[$t]="Authorization: Bearer $key_sse"
    fi
    log "starting ${LABEL[$t]} on 127.0.0.1:$port and 127.0.0.1:$sse_port"
    edgeai_cmd "$port" "http://127.0.0.1:$UP_PORT/v1" "$WORK/$t-data" warn "$variant"
    start_bg "$WORK/$t.log" "${EDGEAI_ARGV[@]}"
    PID_MAIN[$t]=$START_PID
    edgeai_cmd "$sse_port" "http://127.0.0.1:$UP_PORT/sse/v1" "$WORK/$t-sse-data" warn "$variant"
    start_bg "$WORK/$t-sse.log" "${EDGEAI_ARGV[@]}"
    PID_SSE[$t]=$START_PID
    STATUS[$t]=""
    if ! wait_listening_line "$WORK/$t.log" "$port" 15 "${PID_MAIN[$t]}" \
        || ! wait_listening_line "$WORK/$t-sse.log" "$sse_port" 15 "${PID_SSE[$t]}"; then
        STATUS[$t]="failed to start"
        log "${LABEL[$t]} did not become ready; log tail:"
        tail -n 20 "$WORK/$t.log" "$WORK/$t-sse.log" >&2 || true
    fi
}
start_edgeai edgeai "$EA_PORT" "$EA_SSE_PORT" plain
start_edgeai edgeai_key "$EK_PORT" "$EK_SSE_PORT" key
start_edgeai edgeai_route "$ER_PORT" "$ER_SSE_PORT" route

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
    local args=(-sS -m 10 -o "$WORK/smoke-$t-$mode.body" -D "$WORK/smoke-$t-$mode.headers"
        -w '%{http_code} %{content_type}' -X POST -H 'Content-Type: application/json')
    if [[ $mode == sse ]]; then
        url=${URL_SSE[$t]} hdr=${HDR_SSE[$t]} body=$REQ_SSE expect='data: [DONE]'
    else
        url=${URL_JSON[$t]} hdr=${HDR_JSON[$t]} body=$REQ_JSON expect='"chat.completion"'
    fi
    # The same default bearer token as bench/wrk/chat.lua, unless the target has its own.
    grep -qi '^authorization:' <<<"$hdr" || args+=(-H 'Authorization: Bearer bench')
    while IFS= read -r line; do
        if [[ -n $line ]]; then args+=(-H "$line"); fi
    done <<<"$hdr"
    out=$(curl "${args[@]}" --data-raw "$body" "$url" 2>&1) || true
    code=${out%% *}
    if [[ $code != 200 ]] || ! grep -qF "$expect" "$WORK/smoke-$t-$mode.body" 2>/dev/null; then
        echo "smoke test ($mode) got: $out $(head -c 300 "$WORK/smoke-$t-$mode.body" 2>/dev/null)"
        return 1
    fi
    if [[ $mode == sse ]]; then
        [[ $out == *text/event-stream* ]] || {
            echo "smoke test (sse) got content type '${out#* }' instead of text/event-stream"
            return 1
        }
        # Count the chunks that came through, to catch a proxy that drops or merges events.
        local n
        n=$(grep -c '^data: {' "$WORK/smoke-$t-$mode.body" || true)
        [[ $n == 10 ]] || {
            echo "smoke test (sse) saw $n data chunks instead of 10"
            return 1
        }
    fi
    if [[ $t == edgeai_key ]]; then
        # The keyed target must really check the key and its limits: 401 without
        # the key or with a wrong one, x-ratelimit-* headers with it.
        grep -qi '^x-ratelimit-' "$WORK/smoke-$t-$mode.headers" || {
            echo "smoke test ($mode): no x-ratelimit-* headers in the keyed answer"
            return 1
        }
        for line in "" "Authorization: Bearer bench"; do
            out=$(curl -sS -m 10 -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
                ${line:+-H "$line"} --data-raw "$body" "$url" 2>&1) || true
            [[ $out == 401 ]] || {
                echo "smoke test ($mode) ${line:+with a wrong key}${line:-without a key} got $out instead of 401"
                return 1
            }
        done
    fi
    return 0
}

NOTES=()
((BUSY_BEFORE > 10)) && NOTES+=("the machine was ${BUSY_BEFORE}% busy with other work just before the run: treat the numbers as noisy")
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
    # shellcheck disable=SC2046 # one pid per word
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

median_ratio() { # ratios... -> their median, two decimals
    printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END { if (NR % 2) m = a[(NR + 1) / 2]; else m = (a[NR / 2] + a[NR / 2 + 1]) / 2; printf "%.2f", m }'
}

mkdir -p "$WORK/wrk"

# Share (%) of the machine's CPU used by processes other than this benchmark's
# between two snapshots "machine_ticks our_ticks ns".
foreign_pct() {
    local -a s0 s1
    read -ra s0 <<<"$1"
    read -ra s1 <<<"$2"
    awk -v m=$((s1[0] - s0[0])) -v o=$((s1[1] - s0[1])) -v ns=$((s1[2] - s0[2])) -v hz="$HZ" -v n="$(nproc)" \
        'BEGIN { f = (m - o) / (ns / 1e9 * hz * n) * 100; if (f < 0) f = 0; printf "%.0f", f }'
}
snapshot() { echo "$(machine_ticks) $(our_ticks) $(date +%s%N)"; }

# A run during which other processes took more than FOREIGN_LIMIT % of the CPU
# is repeated, up to RETRIES_LEFT times in the whole benchmark.
FOREIGN_LIMIT=10
RETRIES_LEFT=$((QUICK ? 0 : 6))
DISTURBED_RUNS=0

# measured_run out target mode rate duration [pids for CPU accounting...]
# Runs wrk (repeating a disturbed run while retries last); sets RUN_FOREIGN
# (other processes' CPU %) and RUN_CPU (cores used by the given pids).
measured_run() {
    local out=$1 t=$2 mode=$3 rate=$4 dur=$5
    shift 5
    local s0 s1 c0 c1
    while :; do
        s0=$(snapshot)
        c0=$(proc_ticks "$@")
        run_wrk "$out" "$t" "$mode" "$rate" "$dur" || return 1
        c1=$(proc_ticks "$@")
        s1=$(snapshot)
        RUN_FOREIGN=$(foreign_pct "$s0" "$s1")
        RUN_CPU=$(awk -v c=$((c1 - c0)) -v ns=$((${s1##* } - ${s0##* })) -v hz="$HZ" \
            'BEGIN { printf "%.2f", c / hz / (ns / 1e9) }')
        if ((RUN_FOREIGN > FOREIGN_LIMIT && RETRIES_LEFT > 0)); then
            RETRIES_LEFT=$((RETRIES_LEFT - 1))
            log "  other processes used ${RUN_FOREIGN}% of the CPU during that run: repeating it"
            continue
        fi
        if ((RUN_FOREIGN > FOREIGN_LIMIT)); then
            DISTURBED_RUNS=$((DISTURBED_RUNS + 1))
        fi
        return 0
    done
}
# "*" after a run's number marks a run disturbed by other processes.
mark() { ((RUN_FOREIGN > FOREIGN_LIMIT)) && echo "*" || true; }

START_TS=$SECONDS
SNAP_START=$(snapshot)

for mode in json sse; do
    log "throughput ($mode): warm-up"
    for t in "${TARGETS[@]}"; do
        if usable "$t"; then run_wrk "$WORK/wrk/warmup-$mode-$t.txt" "$t" "$mode" 0 "$WARMUP" || true; fi
    done
    declare -A RUNS_RPS=() RUNS_CPU=() RUNS_SHOWN=()
    for ((run = 1; run <= RUNS; run++)); do
        for t in "${TARGETS[@]}"; do
            usable "$t" || continue
            out="$WORK/wrk/tp-$mode-$t-$run.txt"
            read -ra tpids <<<"$(pids_of "$t" "$mode")"
            start_sampler "$WORK/rss-$mode-$t-$run" "${tpids[@]}"
            measured_run "$out" "$t" "$mode" 0 "$DURATION" "${tpids[@]}" || true
            stop_sampler
            grep -q '^BENCH ' "$out" || continue
            rps=$(wrk_rps "$out")
            errs=$(wrk_errors "$out")
            log "throughput ($mode) run $run/$RUNS ${LABEL[$t]}: $rps req/s, $errs errors, server $RUN_CPU cores, others ${RUN_FOREIGN}% CPU"
            RUNS_RPS[$t]+="$rps "
            RUNS_SHOWN[$t]+="$rps$(mark) "
            RUNS_CPU[$t]+="$RUN_CPU "
            ((errs > 0)) && NOTES+=("${LABEL[$t]}: $errs wrk errors (connect/read/write/timeout/non-2xx) in throughput run $run ($mode)")
            kb=$(cat "$WORK/rss-$mode-$t-$run" 2>/dev/null || echo 0)
            ((kb > ${R[rss_load_$t]:-0})) && R[rss_load_$t]=$kb
        done
    done
    for t in "${TARGETS[@]}"; do
        [[ -n ${RUNS_RPS[$t]:-} ]] || continue
        # shellcheck disable=SC2086 # lists of numbers
        {
            R[tp_${mode}_$t]=$(median ${RUNS_RPS[$t]})
            R[cpu_${mode}_$t]=$(printf '%s\n' ${RUNS_CPU[$t]} | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
        }
        R[tp_${mode}_runs_$t]=${RUNS_SHOWN[$t]% }
    done
    # Paired ratios: in every run each variant is measured right after plain
    # edgeai, so a run's ratio compares two figures taken on the same machine
    # seconds apart. Their median is steadier on a shared, noisy host than a
    # ratio of medians whose runs lie a minute apart.
    for v in edgeai_key edgeai_route; do
        read -ra base <<<"${RUNS_RPS[edgeai]:-}"
        read -ra var <<<"${RUNS_RPS[$v]:-}"
        ((${#base[@]} > 0 && ${#base[@]} == ${#var[@]})) || continue
        ratios=()
        for i in "${!base[@]}"; do
            ((base[i] > 0)) && ratios+=("$(awk -v v="${var[i]}" -v b="${base[i]}" 'BEGIN { printf "%.3f", v / b }')")
        done
        ((${#ratios[@]} > 0)) || continue
        R[ratio_${mode}_$v]=$(median_ratio "${ratios[@]}")
        R[ratio_${mode}_runs_$v]="${ratios[*]}"
    done
    unset RUNS_RPS RUNS_CPU RUNS_SHOWN
done

for rate in $RATES; do
    declare -A L50=() L99=() LACH=() LSHOWN50=() LSHOWN99=()
    for ((run = 1; run <= LAT_RUNS; run++)); do
        for t in "${TARGETS[@]}"; do
            usable "$t" || continue
            # A server whose closed-loop maximum is below the offered rate cannot be
            # measured at that rate: its latency would only be its queue growing.
            max=${R[tp_json_$t]:-0}
            if ((max < rate)); then
                R[lat_${rate}_skip_$t]="not run: max $max req/s"
                continue
            fi
            out="$WORK/wrk/lat-$rate-$t-$run.txt"
            measured_run "$out" "$t" json "$rate" "$LAT_DURATION" || continue
            p50=$(field "$out" p50) p99=$(field "$out" p99) ach=$(wrk_rps "$out")
            L50[$t]+="$p50 " L99[$t]+="$p99 " LACH[$t]+="$ach "
            LSHOWN50[$t]+="$p50$(mark) " LSHOWN99[$t]+="$p99$(mark) "
            errs=$(wrk_errors "$out")
            ((errs > 0)) && NOTES+=("${LABEL[$t]}: $errs wrk errors in the $rate req/s latency run $run")
            log "latency @ $rate req/s run $run/$LAT_RUNS ${LABEL[$t]}: achieved $ach req/s, p50 $p50 us, p99 $p99 us, others ${RUN_FOREIGN}% CPU"
        done
    done
    for t in "${TARGETS[@]}"; do
        [[ -n ${L50[$t]:-} ]] || continue
        # shellcheck disable=SC2086 # lists of numbers
        {
            R[lat_${rate}_p50_$t]=$(median ${L50[$t]})
            R[lat_${rate}_p99_$t]=$(median ${L99[$t]})
            R[lat_${rate}_ach_$t]=$(median ${LACH[$t]})
        }
        R[lat_${rate}_runs_$t]="p50 ${LSHOWN50[$t]% }; p99 ${LSHOWN99[$t]% }"
    done
    unset L50 L99 LACH LSHOWN50 LSHOWN99
done
log "load phases took $((SECONDS - START_TS)) s"
FOREIGN_PCT=$(foreign_pct "$SNAP_START" "$(snapshot)")
log "other processes used about ${FOREIGN_PCT}% of the CPU during the load phases"
((FOREIGN_PCT > 5)) && NOTES+=("other processes used about ${FOREIGN_PCT}% of the machine's CPU during the load phases: the numbers are disturbed")
((DISTURBED_RUNS > 0)) && NOTES+=("$DISTURBED_RUNS run(s), marked * below, had other processes using more than ${FOREIGN_LIMIT}% of the CPU after the retries ran out")

# The audit log really was on for the keyed target only: its lines (both
# instances) against the requests wrk counted for it (the last try of each run).
audit_lines() { # data_dir...
    find "$@" -maxdepth 1 -type f -name 'audit*' ! -name '*.key' -exec cat {} + 2>/dev/null | wc -l
}
if usable edgeai_key; then
    sent=0
    for f in "$WORK"/wrk/*-edgeai_key.txt "$WORK"/wrk/*-edgeai_key-[0-9]*.txt; do
        [[ -f $f ]] && sent=$((sent + $(field "$f" requests)))
    done
    R[audit_lines]=$(audit_lines "$WORK/edgeai_key-data" "$WORK/edgeai_key-sse-data")
    R[audit_sent]=$sent
    log "audit log of ${LABEL[edgeai_key]}: ${R[audit_lines]} lines for $sent requests counted by wrk"
    ((R[audit_lines] * 100 < sent * 99)) \
        && NOTES+=("${LABEL[edgeai_key]}: its audit log has ${R[audit_lines]} lines for the $sent requests wrk counted")
fi
for t in edgeai edgeai_route; do
    usable "$t" || continue
    n=$(audit_lines "$WORK/$t-data" "$WORK/$t-sse-data")
    ((n == 0)) || NOTES+=("${LABEL[$t]}: wrote $n audit lines although its audit log was meant to be off")
done

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

# "p50 / p99" cell of one target for one rate; kind is lat (measured) or add (minus direct).
pair() { # target kind rate
    local t=$1 k=$2 r=$3
    if ! usable "$t"; then
        echo "${STATUS[$t]}"
    elif [[ -n ${R[lat_${r}_skip_$t]:-} ]]; then
        echo "${R[lat_${r}_skip_$t]}"
    elif [[ -z ${R[${k}_${r}_p50_$t]:-} ]]; then
        echo "n/a"
    else
        local c="${R[${k}_${r}_p50_$t]} / ${R[${k}_${r}_p99_$t]}"
        [[ -n ${R[sat_${r}_$t]:-} ]] && c+=" (overloaded)"
        echo "$c"
    fi
}
ach_cell() { # target rate
    if ! usable "$1"; then
        echo "${STATUS[$1]}"
    elif [[ -n ${R[lat_${2}_skip_$1]:-} ]]; then
        echo "—"
    else
        echo "${R[lat_${2}_ach_$1]:-n/a}"
    fi
}

rows=()
# name, then one cell per target (direct, nginx, edgeai, edgeai_key, edgeai_route, Portkey), goal, result.
row() { rows+=("| $1 | $2 | $3 | $4 | $5 | $6 | $7 | $8 | $9 |"); }

for mode in json sse; do
    name="Throughput, $([[ $mode == json ]] && echo "plain JSON" || echo "streamed SSE") (req/s, median of $RUNS)"
    result="n/a"
    e=${R[tp_${mode}_edgeai]:-} n=${R[tp_${mode}_nginx]:-} p=${R[tp_${mode}_portkey]:-}
    if usable edgeai && [[ -n $e && -n $n && -n $p && $n != 0 && $p != 0 ]]; then
        rn=$(calc "printf \"%.2f\", $e / $n")
        rp=$(calc "printf \"%.1f\", $e / $p")
        result="$rn× nginx: $(met "$e >= 0.7 * $n"); $rp× Portkey: $(met "$e >= 20 * $p")"
    elif ! usable edgeai; then
        result="${STATUS[edgeai]}"
    fi
    row "$name" "$(cell direct tp_${mode}_direct)" "$(cell nginx tp_${mode}_nginx)" \
        "$(cell edgeai tp_${mode}_edgeai)" "$(cell edgeai_key tp_${mode}_edgeai_key)" \
        "$(cell edgeai_route tp_${mode}_edgeai_route)" \
        "$(cell portkey tp_${mode}_portkey)" "≥ 0.7× nginx and ≥ 20× Portkey" "$result"
done
for mode in json sse; do
    ratio=${R[ratio_${mode}_edgeai_key]:-}
    result="n/a"
    if usable edgeai && usable edgeai_key && [[ -n $ratio ]]; then
        result="$ratio× unauthenticated: $(met "$ratio >= 0.90")"
    elif ! usable edgeai_key; then
        result="${STATUS[edgeai_key]}"
    fi
    row "Key + limits + audit ÷ unauthenticated, $([[ $mode == json ]] && echo "plain JSON" || echo "streamed SSE") (median of the runs' paired ratios)" \
        "—" "—" "—" "$([[ $result == *×* ]] && echo "${result%%×*}×" || echo "$result")" "—" "—" \
        "key ≥ 0.90× unauthenticated" "$result"
done
for mode in json sse; do
    ratio=${R[ratio_${mode}_edgeai_route]:-}
    result="n/a"
    if usable edgeai && usable edgeai_route && [[ -n $ratio ]]; then
        result="$ratio× edgeai: $(met "$ratio >= 0.95")"
    fi
    row "Fallback route against plain proxy, $([[ $mode == json ]] && echo "plain JSON" || echo "streamed SSE") (median of the runs' paired ratios)" \
        "—" "—" "—" "—" "$([[ $result == n/a ]] && echo n/a || echo "${result%%×*}×")" "—" \
        "route ≥ 0.95× edgeai" "$result"
done
cpu_cell() { # target mode
    if ! usable "$1"; then echo "${STATUS[$1]}"; else echo "${R[cpu_${2}_$1]:-n/a}"; fi
}
for mode in json sse; do
    row "CPU used by the server during the $([[ $mode == json ]] && echo JSON || echo SSE) throughput runs (cores)" \
        "$(cpu_cell direct "$mode")" "$(cpu_cell nginx "$mode")" "$(cpu_cell edgeai "$mode")" \
        "$(cpu_cell edgeai_key "$mode")" "$(cpu_cell edgeai_route "$mode")" "$(cpu_cell portkey "$mode")" "" ""
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
    row "Latency p50 / p99 at $rate req/s (µs)" "$(pair direct lat "$rate")" "$(pair nginx lat "$rate")" \
        "$(pair edgeai lat "$rate")" "$(pair edgeai_key lat "$rate")" "$(pair edgeai_route lat "$rate")" \
        "$(pair portkey lat "$rate")" "" ""
    goal="" result=""
    if [[ $rate == 5000 ]]; then
        goal="p99 added < 100 µs"
        if ! usable edgeai; then
            result=${STATUS[edgeai]}
        elif [[ -n ${R[add_5000_p99_edgeai]:-} ]]; then
            result="$(met "${R[add_5000_p99_edgeai]} < 100")"
            [[ -n ${R[sat_5000_edgeai]:-} ]] && result="not met (overloaded)"
        else
            result="not met (${R[lat_5000_skip_edgeai]:-no result})"
        fi
    fi
    row "Added latency p50 / p99 at $rate req/s (µs, minus direct)" "—" "$(pair nginx add "$rate")" \
        "$(pair edgeai add "$rate")" "$(pair edgeai_key add "$rate")" "$(pair edgeai_route add "$rate")" \
        "$(pair portkey add "$rate")" \
        "$goal" "$result"
    row "Achieved rate at $rate req/s offered (req/s, median)" \
        "$(ach_cell direct "$rate")" "$(ach_cell nginx "$rate")" \
        "$(ach_cell edgeai "$rate")" "$(ach_cell edgeai_key "$rate")" "$(ach_cell edgeai_route "$rate")" \
        "$(ach_cell portkey "$rate")" "" ""
done

rss_cell() { # target key
    if ! usable "$1"; then echo "${STATUS[$1]}"; else mb "${R[$2]:-}"; fi
}
result="${STATUS[edgeai]:-}"
if usable edgeai && [[ -n ${R[rss_idle_edgeai]:-} ]]; then
    result=$(met "${R[rss_idle_edgeai]} * 1024 < 10e6")
fi
row "RSS idle (MB)" "$(rss_cell direct rss_idle_direct)" "$(rss_cell nginx rss_idle_nginx)" \
    "$(rss_cell edgeai rss_idle_edgeai)" "$(rss_cell edgeai_key rss_idle_edgeai_key)" \
    "$(rss_cell edgeai_route rss_idle_edgeai_route)" \
    "$(rss_cell portkey rss_idle_portkey)" "edgeai < 10 MB" "$result"
row "RSS under load, max (MB)" "$(rss_cell direct rss_load_direct)" "$(rss_cell nginx rss_load_nginx)" \
    "$(rss_cell edgeai rss_load_edgeai)" "$(rss_cell edgeai_key rss_load_edgeai_key)" \
    "$(rss_cell edgeai_route rss_load_edgeai_route)" \
    "$(rss_cell portkey rss_load_portkey)" "" ""

if ((HAVE_EDGEAI)) && [[ -n ${R[bin_stripped]:-} ]]; then
    v=$(calc "printf \"%.2f\", ${R[bin_stripped]} / 1e6")
    row "edgeai binary, stripped (MB)" "—" "—" "$v" "—" "—" "—" "< 3 MB" "$(met "${R[bin_stripped]} < 3e6")"
else
    row "edgeai binary, stripped (MB)" "—" "—" "${STATUS[edgeai]:-n/a}" "—" "—" "—" "< 3 MB" "${STATUS[edgeai]:-n/a}"
fi
if ((HAVE_EDGEAI)) && [[ -n ${R[ready_edgeai]:-} ]]; then
    pk=${R[ready_portkey]:-n/a}
    [[ $pk != n/a ]] && pk="$pk (port accepts)"
    row "Start to ready (ms, median of $READY_RUNS)" "—" "—" "${R[ready_edgeai]}" "—" "—" "$pk" "< 50 ms" \
        "$(met "${R[ready_edgeai]} < 50")"
else
    row "Start to ready (ms, median of $READY_RUNS)" "—" "—" "${STATUS[edgeai]:-n/a}" "—" "—" \
        "${R[ready_portkey]:-n/a}" "< 50 ms" "${STATUS[edgeai]:-n/a}"
fi

TABLE=$(
    echo "| Metric | direct | nginx proxy_pass | edgeai | edgeai, key + limits + audit | edgeai, fallback route | Portkey | Goal (edgeai) | Result |"
    echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |"
    printf '%s\n' "${rows[@]}"
)

# --- header and document ----------------------------------------------------------------

ver_nginx=$("$NGINX" -v 2>&1 | sed 's/^nginx version: nginx\///') || true
ver_wrk=$( (wrk -v 2>&1 || true) | head -n 1 | awk '{ print $2 }')
ver_node=$(node --version)
ver_portkey=$(node -p 'require(process.argv[1]).version' "$PORTKEY_DIR/node_modules/@portkey-ai/gateway/package.json")
ver_hono=$(node -p 'require(process.argv[1]).version' "$PORTKEY_DIR/node_modules/@hono/node-server/package.json")
cpu_model=$(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -n 1)
commit=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo "no commit")
if ((HAVE_EDGEAI)); then
    ver_edgeai=$("$EDGEAI_BIN" --version 2>/dev/null | head -n 1 | sed 's/^edgeai //') || true
    built=$(date -u -r "$EDGEAI_BIN" '+%Y-%m-%d %H:%M UTC')
    edgeai_desc="${ver_edgeai:-(no --version)} (\`$(realpath --relative-to="$ROOT" "$EDGEAI_BIN" 2>/dev/null || echo "$EDGEAI_BIN")\`, built $built, repo HEAD $commit; $(mb $((R[bin_unstripped] / 1024))) MB unstripped; threads at idle: ${R[threads_edgeai]:-?}, with key + limits + audit ${R[threads_edgeai_key]:-?})"
else
    edgeai_desc="binary missing (run scripts/setup.sh)"
fi
AUDIT_DESC=""
[[ -n ${R[audit_lines]:-} ]] && AUDIT_DESC="; its audit logs had ${R[audit_lines]} lines at the end of the load phases, for ${R[audit_sent]} requests counted by wrk"
mode_desc="full"
((QUICK)) && mode_desc="quick (--quick: numbers are indicative only)"

HEADER=$(
    cat <<EOF
Generated by \`bench/proxy.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC'), $mode_desc run.

- Machine: $(nproc) cores, ${cpu_model:-unknown CPU}, Linux $(uname -r), ${BUSY_BEFORE}% busy with other work just before the run and about ${FOREIGN_PCT}% during the load phases (machine CPU time not used by the benchmark's own processes). Load generator, proxy and upstream share it; all traffic is on loopback.
- Versions: nginx $ver_nginx, wrk $ver_wrk, node $ver_node, Portkey gateway $ver_portkey (npm, with \`@hono/node-server\` overridden to $ver_hono for streaming), edgeai $edgeai_desc.
- Upstream: an nginx serving a fixed chat completion (JSON) and a fixed SSE stream of 10 \`chat.completion.chunk\` events plus \`[DONE]\`. "direct" is wrk straight to it; the other columns go through a proxy to it.
- nginx proxy_pass: a second nginx instance with \`keepalive 64\`, \`proxy_http_version 1.1\`, \`proxy_set_header Connection ""\` (buffering off for the SSE location): the speed limit for a proxy here.
- Workers: both nginx instances run \`worker_processes 1\`. On 2 cores wrk takes about one core, so a second worker per nginx would only add context switches; one worker each also matches Portkey, whose JavaScript runs on one thread. edgeai runs with its defaults (the thread count above).
- edgeai: \`edgeai serve --config EMPTY_FILE --listen 127.0.0.1:PORT --upstream http://127.0.0.1:UPSTREAM/v1 --log-level warn\` with \`EDGEAI_LOG_REQUESTS=false\`, \`OPENAI_API_KEY=bench\` and \`EDGEAI_AUDIT_ENABLED=false\`, and no API keys in its data directory: the unauthenticated figure; a second instance with \`--upstream .../sse/v1\` serves the streamed runs. Its defaults include usage accounting (a row per request in \`usage.db\`, written in batches by a second thread) and the response cache (these requests are sampled, so they are not cached). "edgeai, key + limits + audit": the same with \`EDGEAI_AUDIT_ENABLED=true\` (a hash-chained, HMAC-signed line per request in \`audit.log\`), and one key per instance made beforehand with \`edgeai keys create --name bench ${KEY_LIMITS[*]}\` in its data directory, so auth is enforced and every request is looked up, checked against its scopes and token buckets (limits far above what this machine can send, so they never bind) and answered with \`x-ratelimit-*\` headers; wrk sends that key as \`Authorization: Bearer\` (checked before the runs: 401 without it or with a wrong one)${AUDIT_DESC}. "edgeai, fallback route": the same as plain edgeai (no keys, audit off), with a config of two \`[[backends]]\` (both this upstream) and a \`[[routes]]\` entry naming both, so every request goes through route matching, the plan, breaker and in-flight bookkeeping and keeps its body for a retry. Portkey: \`build/start-server.js --headless --port=PORT\` with \`NODE_ENV=production\`, held to 127.0.0.1, routed with \`x-portkey-provider: openai\` and \`x-portkey-custom-host\`.
- Throughput: closed loop, \`wrk -t$WRK_THREADS -c$CONNS -d${DURATION}s\`, POST of \`$REQ_JSON\` (plus \`"stream":true\` for SSE), median of $RUNS run(s) after a ${WARMUP} s warm-up, targets interleaved. RSS: VmRSS (process plus children, so nginx is master plus worker; for direct, the upstream nginx) sampled every 100 ms during the throughput runs; idle is after start and one request of each kind. CPU: the server's user+system time over the run's wall time, median of the runs. Ratios of a variant to plain edgeai: each run measures the variant right after plain edgeai; the table gives the median of those per-run ratios (listed below the table).
- Latency: plain JSON, $CONNS connections at a fixed offered rate (wrk \`delay()\` pacing against a schedule), wrk's latency percentiles from request write to last response byte, median over $LAT_RUNS run(s) of ${LAT_DURATION} s; added = proxy minus direct at the same rate. A target whose closed-loop maximum is below a rate is not run at it. wrk's timers tick in whole milliseconds, so at 5000 req/s requests leave in bursts of about 5 per millisecond.
- Start to ready: time from spawn to the \`"msg":"listening"\` log line (logged at info, so these starts use \`--log-level info\`), edgeai's defaults otherwise (audit log on, no keys), fresh data directory each start, median of $READY_RUNS. For Portkey, time until its port accepts connections (reference only). MB = 10^6 bytes.
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
RATIO_MD=""
for mode in json sse; do
    for v in edgeai_key edgeai_route; do
        [[ -n ${R[ratio_${mode}_runs_$v]:-} ]] && RATIO_MD+="${LABEL[$v]} $mode: ${R[ratio_${mode}_runs_$v]// /, }; "
    done
done
[[ -n $RATIO_MD ]] && RUNS_MD+=$'\n\n'"Per-run ratios to plain edgeai: ${RATIO_MD%; }."
LAT_MD=""
for rate in $RATES; do
    for t in "${TARGETS[@]}"; do
        [[ -n ${R[lat_${rate}_runs_$t]:-} ]] && LAT_MD+="${LABEL[$t]} at $rate: ${R[lat_${rate}_runs_$t]}; "
    done
done
((LAT_RUNS > 1)) && [[ -n $LAT_MD ]] && RUNS_MD+=$'\n\n'"Individual latency runs (µs): ${LAT_MD%; }."
if [[ -n ${R[ready_edgeai_samples]:-} ]]; then
    RUNS_MD+=$'\n\n'"edgeai start-to-ready samples (ms): ${R[ready_edgeai_samples]//,/, }."
fi

TITLE="## Proxy overhead"
SECTION=$(printf '%s\n\n%s\n\n%s%s%s\n' "$TITLE" "$HEADER" "$TABLE" "$NOTES_MD" "$RUNS_MD")

printf '\n%s\n' "$SECTION"

if ((WRITE_DOC)); then
    mkdir -p "$(dirname "$DOC")"
    if [[ ! -f $DOC ]]; then
        printf '# Benchmarks\n\n%s\n' "$SECTION" >"$DOC"
    else
        # Replace the "## Proxy overhead" section (up to the next "#" or "##" heading) or append it.
        printf '%s\n' "$SECTION" >"$WORK/section.md"
        awk -v secfile="$WORK/section.md" -v title="$TITLE" '
            function emit(  line) { while ((getline line < secfile) > 0) print line; close(secfile) }
            /^## |^# / {
                if (skipping) { skipping = 0; print "" }
                if ($0 == title) { emit(); done = 1; skipping = 1; next }
            }
            !skipping { print }
            END { if (!done) { print ""; emit() } }
        ' "$DOC" >"$WORK/doc.md"
        cat "$WORK/doc.md" >"$DOC"
    fi
    log "wrote $(realpath --relative-to="$PWD" "$DOC" 2>/dev/null || echo "$DOC")"
fi
