#!/usr/bin/env bash
# Engine benchmark: edgeai's local inference against llama.cpp on the same GGUF
# files, on this machine, in one run.
#
#   bench/engine.sh             full run (about 15-25 minutes on 2 cores)
#   bench/engine.sh --quick     smollm-135m in q4_0 only, 1 repetition (a smoke test)
#   bench/engine.sh --no-write  print the tables only, leave docs/benchmarks.md alone
#   bench/engine.sh --wait-idle wait (up to 10 minutes) until the machine is idle first
#   bench/engine.sh --no-serve  skip the 4-concurrent-requests table
#
# Models: random weights in the published shapes of smollm-135m and
# qwen2.5-0.5b (`edgeai model synth`), in q8_0, q4_0 and q4_K, and, as users
# download them, llama.cpp's Q4_K_M mix of qwen2.5-0.5b, qwen3-0.6b, gemma3-1b
# and llama3.2-1b (synthesized in f16, then `edgeai model quantize IN OUT
# Q4_K_M`, which writes llama.cpp's types and bytes: llamacpp_quantize_test),
# written once to $BENCH_MODELS_DIR (default ${TMPDIR:-/tmp}/edgeai-bench-models)
# and reused. Nothing is downloaded but the npm packages below.
#
# Per model and thread count (1 and 2):
#   - generation: 8 prompt tokens, then 64 greedy tokens, each one a
#     single-token decode; tok/s of the 64 (edgeai: `edgeai bench -p 8 -n 64`)
#   - prompt processing: 128 random token ids in one batch (`edgeai bench -p 128`)
#   - both engines take token ids, not text; medians of $BENCH_REPS runs after
#     a dropped warm-up, each engine in its own process, edgeai then llama.cpp
#   - peak RSS of each process (edgeai: /usr/bin/time; llama.cpp: VmHWM less
#     the RSS node had before llama.cpp was loaded)
#   - weight bandwidth: edgeai's weight bytes per token x tok/s, against the
#     read bandwidth bench/membw.c measures with the same thread count
#   - prompt compute: the layers' multiply-adds per token x pp tok/s, against
#     the int8 multiply-adds per second bench/peak.c measures with the same
#     thread count
# Then, when `edgeai serve` has -m: aggregate tok/s of 4 concurrent 64-token
# completions through `edgeai serve -m FILE --parallel 4`, against llama.cpp
# with 4 sequences of one context generating at once. And the peak RSS of
# `edgeai serve --ctx-size 2048` once a 1900-token prompt and its completion
# fill the KV cache, against the weights plus the KV cache plus 10%.
#
# llama.cpp is node-llama-cpp's prebuilt linux-x64 CPU binary (npm, pinned in
# bench/llamacpp, installed when missing with `npm install --omit=optional
# --ignore-scripts`: no GPU packages, no build, the lockfile's versions; `npm
# ci` rejects that lockfile, reporting node-llama-cpp's other-platform optional
# packages as missing from it), loaded with getLlama({build: "never", gpu:
# false}); see bench/llamacpp/bench.mjs.
#
# It prints markdown tables and writes them, with the machine's facts, into
# docs/benchmarks.md between the engine-bench markers (only that part).
#
# Environment:
#   EDGEAI_BIN        edgeai binary (default build/release/apps/edgeai/edgeai)
#   BENCH_MODELS_DIR  where synthesized models are kept
#   BENCH_SHAPES      default "smollm-135m qwen2.5-0.5b" ("" for none: the mixes only)
#   BENCH_TYPES       default "q8_0 q4_0 q4_K" (an upper-case name such as Q4_K_M
#                     is a quantization mix: synthesized in f16, then quantized)
#   BENCH_MIXES       more rows as shape:type, default "qwen2.5-0.5b:Q4_K_M
#                     qwen3-0.6b:Q4_K_M gemma3-1b:Q4_K_M llama3.2-1b:Q4_K_M"
#                     ("" for none; --quick has none)
#   BENCH_THREADS     default "1 2"
#   BENCH_REPS        runs per measurement, median reported (default 5)
#   BENCH_SERVE_TYPES types for the concurrent table (default "q4_0")
#   BENCH_KEEP=1      keep the temporary directory (raw JSON of every run)
#
# Dependencies: Debian packages nodejs, npm, gcc and time (installed with
# apt-get when run as root); the npm packages locked in bench/llamacpp.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH_DIR="$ROOT/bench"
LLAMA_DIR="$BENCH_DIR/llamacpp"
DOC="$ROOT/docs/benchmarks.md"
BEGIN_MARK='<!-- engine-bench:begin -->'
END_MARK='<!-- engine-bench:end -->'
EDGEAI_BIN=${EDGEAI_BIN:-$ROOT/build/release/apps/edgeai/edgeai}
MODELS_DIR=${BENCH_MODELS_DIR:-${TMPDIR:-/tmp}/edgeai-bench-models}

QUICK=0
WRITE_DOC=1
WAIT_IDLE=0
SERVE=1
for arg in "$@"; do
    case "$arg" in
    --quick) QUICK=1 ;;
    --no-write) WRITE_DOC=0 ;;
    --wait-idle) WAIT_IDLE=1 ;;
    --no-serve) SERVE=0 ;;
    -h | --help)
        sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'
        exit 0
        ;;
    *)
        echo "engine.sh: unknown argument: $arg (try --help)" >&2
        exit 2
        ;;
    esac
done

if ((QUICK)); then
    SHAPES=${BENCH_SHAPES:-smollm-135m}
    TYPES=${BENCH_TYPES:-q4_0}
    MIXES=${BENCH_MIXES-}
    REPS=${BENCH_REPS:-1}
else
    SHAPES=${BENCH_SHAPES-smollm-135m qwen2.5-0.5b}
    TYPES=${BENCH_TYPES:-q8_0 q4_0 q4_K}
    MIXES=${BENCH_MIXES-qwen2.5-0.5b:Q4_K_M qwen3-0.6b:Q4_K_M gemma3-1b:Q4_K_M llama3.2-1b:Q4_K_M}
    REPS=${BENCH_REPS:-5}
fi
# The single-stream rows: every shape in every type, then the mixes.
PAIRS=()
for shape in $SHAPES; do
    for type in $TYPES; do PAIRS+=("$shape $type"); done
done
for pair in $MIXES; do PAIRS+=("${pair%%:*} ${pair#*:}"); done
THREADS=${BENCH_THREADS:-1 2}
SERVE_TYPES=${BENCH_SERVE_TYPES:-q4_0}
PP=128
TG=64
TG_PROMPT=8
SERVE_REQUESTS=4

# Vocabulary size and end-of-text id of each shape (the concurrent client bans
# the latter so every completion is 64 tokens long).
declare -A VOCAB=([smollm-135m]=49152 [qwen2.5-0.5b]=151936 [tinyllama-1.1b]=32000
    [qwen3-0.6b]=151936 [gemma3-1b]=262144 [phi4-mini]=200064 [smollm3-3b]=128256
    [granite-3.3-2b]=49159 [llama3.2-1b]=128256)
declare -A EOT=([smollm-135m]=0 [qwen2.5-0.5b]=151643 [tinyllama-1.1b]=2
    [qwen3-0.6b]=151643 [gemma3-1b]=2 [phi4-mini]=199997 [smollm3-3b]=128000
    [granite-3.3-2b]=0 [llama3.2-1b]=128000)

log() { printf '[engine.sh] %s\n' "$*" >&2; }
die() {
    printf 'engine.sh: %s\n' "$*" >&2
    exit 1
}

# --- dependencies ------------------------------------------------------------

ensure_commands() {
    local missing=() pair cmd
    for pair in node:nodejs npm:npm gcc:gcc /usr/bin/time:time; do
        cmd=${pair%%:*}
        command -v "$cmd" >/dev/null 2>&1 || missing+=("${pair#*:}")
    done
    ((${#missing[@]} == 0)) && return 0
    [[ $(id -u) -eq 0 ]] || die "missing Debian packages: ${missing[*]} (apt-get install -y ${missing[*]})"
    log "installing Debian packages: ${missing[*]}"
    if ! DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"; then
        DEBIAN_FRONTEND=noninteractive apt-get update
        DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
    fi
}

ensure_commands
if [[ ! -d $LLAMA_DIR/node_modules/node-llama-cpp || ! -d $LLAMA_DIR/node_modules/@node-llama-cpp/linux-x64 ]]; then
    log "installing node-llama-cpp's CPU prebuilt (npm install in bench/llamacpp)"
    (cd "$LLAMA_DIR" && npm install --omit=optional --ignore-scripts --no-audit --no-fund >&2) ||
        die "npm install in bench/llamacpp failed"
fi
[[ -x $EDGEAI_BIN ]] || die "edgeai binary not found at $EDGEAI_BIN (build it: cmake --preset release && cmake --build --preset release, or set EDGEAI_BIN)"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/edgeai-engine-bench.XXXXXX")
SERVE_PID=
cleanup() {
    if [[ -n $SERVE_PID ]]; then kill "$SERVE_PID" 2>/dev/null || true; fi
    if [[ ${BENCH_KEEP:-0} == 1 ]]; then log "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

# --- helpers ---------------------------------------------------------------------

# jget FILE KEY: a top-level value of the one-line JSON in FILE ("" when absent or null).
jget() {
    node -e 'const j = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
             const v = j[process.argv[2]]; process.stdout.write(v === undefined || v === null ? "" : String(v));' "$1" "$2"
}
calc() { awk "BEGIN { $1 }"; }
fmt1() { [[ -n $1 ]] && calc "printf \"%.1f\", $1" || printf 'n/a'; }
ratio() { [[ -n $1 && -n $2 ]] && calc "if ($2 > 0) printf \"%.2f×\", $1 / $2; else printf \"n/a\"" || printf 'n/a'; }
mb() { calc "printf \"%.0f\", $1 / 1000000"; }

# shellcheck source=lib/machine_idle.sh
source "$BENCH_DIR/lib/machine_idle.sh"
# shellcheck source=lib/doc_section.sh
source "$BENCH_DIR/lib/doc_section.sh"
measure_idle_before_run
((BUSY_BEFORE > 10)) && log "warning: the machine was ${BUSY_BEFORE}% busy before the run: numbers will be noisy"
START_S=$(date +%s)
# CPU ticks of the whole machine and of this script with its waited-for
# children, to tell how much of the run other processes took.
machine_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8; exit }' /proc/stat; }
own_ticks() { awk '{ print $14 + $15 + $16 + $17 }' "/proc/$$/stat"; }
MACHINE_T0=$(machine_ticks)
OWN_T0=$(own_ticks)

# --- models ----------------------------------------------------------------------

mkdir -p "$MODELS_DIR"
# "-fb": files made since synth falls back as llama.cpp does (q4_K to q5_0), so
# a directory kept from before is not reused.
model_path() { printf '%s/%s-%s-fb.gguf' "$MODELS_DIR" "$1" "$2"; }
# make_model SHAPE TYPE: a tensor type is synthesized directly; a mix (upper
# case) is synthesized in f16 and quantized by `edgeai model quantize`.
make_model() {
    local shape=$1 type=$2 f src
    f=$(model_path "$shape" "$type")
    [[ -s $f ]] && return 0
    if [[ $type =~ ^[A-Z] ]]; then
        src=$(model_path "$shape" f16)
        make_model "$shape" f16
        log "quantizing $shape to $type -> $f"
        "$EDGEAI_BIN" model quantize "$src" "$f.tmp" "$type" 2>"$WORK/quantize.err" >&2 ||
            die "edgeai model quantize failed for $shape $type: $(tail -n 3 "$WORK/quantize.err")"
        mv "$f.tmp" "$f"
        return 0
    fi
    log "synthesizing $shape in $type -> $f"
    "$EDGEAI_BIN" model synth --shape "$shape" --type "$type" -o "$f" >&2 ||
        die "edgeai model synth failed for $shape $type"
}
for pair in "${PAIRS[@]}"; do make_model $pair; done
if ((SERVE)); then
    for shape in $SHAPES; do
        for type in $SERVE_TYPES; do make_model "$shape" "$type"; done
    done
fi

# Multiply-adds of the layer matrices per token, from `edgeai model info`'s
# model line (q, k, v, o and the three FFN matrices; the output matrix runs
# for the last prompt token only, and attention's own products are left out:
# about 0.1% of these at 128 positions).
layer_macs() {
    "$EDGEAI_BIN" model info "$1" 2>/dev/null | awk '
        /^model:/ {
            for (i = 1; i <= NF; ++i) {
                if ($i ~ /^layers,?$/) layers = $(i - 1)
                if ($i == "embd") d = $(i + 1) + 0
                if ($i == "heads") { split($(i + 1), h, "/"); nh = h[1]; nkv = h[2] + 0 }
                if ($i == "(head") hd = $(i + 1) + 0
                if ($i == "ffn") f = $(i + 1) + 0
            }
            printf "%.0f", layers * (2 * d * nh * hd + 2 * d * nkv * hd + 3 * d * f)
        }'
}

# Tensor types of a file as "q4_0 ×169, q4_K ×24" from `edgeai model info`.
type_mix() {
    "$EDGEAI_BIN" model info "$1" 2>/dev/null | awk '
        /^tensors by type:/ { on = 1; next }
        on && NF == 0 { exit }
        on && $1 != "f32" { printf "%s%s %s MiB", sep, $1, $(NF - 1); sep = ", " }'
}

# --- memory bandwidth and compute peak ------------------------------------------

log "measuring memory bandwidth (bench/membw.c)"
gcc -O3 -march=native -pthread -o "$WORK/membw" "$BENCH_DIR/membw.c" || die "cannot build bench/membw.c"
declare -A READ_BW
max_threads=1
for t in $THREADS; do ((t > max_threads)) && max_threads=$t; done
"$WORK/membw" 1 >"$WORK/membw-1.json"
COPY_BW=$(jget "$WORK/membw-1.json" copy_gb_s)
READ_BW[1]=$(jget "$WORK/membw-1.json" read_gb_s_1t)
for t in $THREADS; do
    [[ -n ${READ_BW[$t]:-} ]] && continue
    "$WORK/membw" "$t" >"$WORK/membw-$t.json"
    READ_BW[$t]=$(jget "$WORK/membw-$t.json" read_gb_s_nt)
done
log "memcpy ${COPY_BW} GB/s; read $(for t in $THREADS; do printf '%s thread(s) %s GB/s; ' "$t" "${READ_BW[$t]}"; done)"
log "measuring the int8 compute peak (bench/peak.c)"
gcc -O2 -march=native -pthread -o "$WORK/peak" "$BENCH_DIR/peak.c" || die "cannot build bench/peak.c"
declare -A PEAK
"$WORK/peak" 1 >"$WORK/peak-1.json"
PEAK[1]=$(jget "$WORK/peak-1.json" int8_macs_per_s_1t)
PEAK_ISA=$(jget "$WORK/peak-1.json" isa)
for t in $THREADS; do
    [[ -n ${PEAK[$t]:-} ]] && continue
    "$WORK/peak" "$t" >"$WORK/peak-$t.json"
    PEAK[$t]=$(jget "$WORK/peak-$t.json" int8_macs_per_s_nt)
done
log "int8 peak ($PEAK_ISA): $(for t in $THREADS; do printf '%s thread(s) %s/s; ' "$t" "${PEAK[$t]}"; done)"

# --- single-stream runs ------------------------------------------------------------

declare -A R
ROWS=()
LLAMA_INFO=
for pair in "${PAIRS[@]}"; do
    read -r shape type <<<"$pair"
    {
        f=$(model_path "$shape" "$type")
        R[mix_${shape}_$type]=$(type_mix "$f")
        R[size_${shape}_$type]=$(stat -c %s "$f")
        R[macs_${shape}_$type]=$(layer_macs "$f")
        for t in $THREADS; do
            key="${shape}_${type}_$t"
            log "$shape $type, $t thread(s): edgeai"
            /usr/bin/time -f %M -o "$WORK/$key.tg.rss" "$EDGEAI_BIN" bench -m "$f" -p "$TG_PROMPT" -n "$TG" -t "$t" \
                -r "$REPS" --json >"$WORK/$key.edgeai-tg.json" 2>"$WORK/$key.edgeai-tg.err" ||
                die "edgeai bench failed: $(cat "$WORK/$key.edgeai-tg.err")"
            /usr/bin/time -f %M -o "$WORK/$key.pp.rss" "$EDGEAI_BIN" bench -m "$f" -p "$PP" -n 1 -t "$t" \
                -r "$REPS" --json >"$WORK/$key.edgeai-pp.json" 2>"$WORK/$key.edgeai-pp.err" ||
                die "edgeai bench failed: $(cat "$WORK/$key.edgeai-pp.err")"
            log "$shape $type, $t thread(s): llama.cpp"
            if (cd "$LLAMA_DIR" && node bench.mjs --model "$f" --threads "$t" --vocab "${VOCAB[$shape]}" \
                --pp "$PP" --tg "$TG" --tg-prompt "$TG_PROMPT" --reps "$REPS") \
                >"$WORK/$key.llama.json" 2>"$WORK/$key.llama.err"; then
                R[l_tg_$key]=$(jget "$WORK/$key.llama.json" tg_tok_s)
                R[l_pp_$key]=$(jget "$WORK/$key.llama.json" pp_tok_s)
                R[l_rss_$key]=$(calc "print $(jget "$WORK/$key.llama.json" peak_rss_bytes) - $(jget "$WORK/$key.llama.json" node_rss_bytes)")
                R[l_node_$key]=$(jget "$WORK/$key.llama.json" node_rss_bytes)
                R[l_runs_$key]="pp $(jget "$WORK/$key.llama.json" pp_runs), tg $(jget "$WORK/$key.llama.json" tg_runs)"
                LLAMA_INFO="$WORK/$key.llama.json"
            else
                log "llama.cpp failed on $f: $(tail -n 3 "$WORK/$key.llama.err")"
                R[l_err_$key]=$(tail -n 1 "$WORK/$key.llama.err")
            fi
            R[e_tg_$key]=$(jget "$WORK/$key.edgeai-tg.json" tg_tok_s)
            R[e_pp_$key]=$(jget "$WORK/$key.edgeai-pp.json" pp_tok_s)
            R[wbytes_${shape}_$type]=$(jget "$WORK/$key.edgeai-tg.json" weight_bytes)
            R[kernels]=$(jget "$WORK/$key.edgeai-tg.json" kernels)
            rss_tg=$(tail -n 1 "$WORK/$key.tg.rss")
            rss_pp=$(tail -n 1 "$WORK/$key.pp.rss")
            R[e_rss_$key]=$(((rss_tg > rss_pp ? rss_tg : rss_pp) * 1024))
            ROWS+=("$shape $type $t")
        done
    }
done

# --- concurrent requests through serve ------------------------------------------

SERVE_PORT=$((20000 + RANDOM % 20000))
# Starts `edgeai serve -m FILE` with the extra flags on $SERVE_PORT, its output
# to LOG; succeeds once /v1/models answers (10 s at most).
start_serve() {
    local f=$1 serve_log=$2
    shift 2
    "$EDGEAI_BIN" serve -m "$f" "$@" --config /dev/null --data-dir "$WORK/serve-data" \
        --listen "127.0.0.1:$SERVE_PORT" --log-level warn >"$serve_log" 2>&1 &
    SERVE_PID=$!
    for _ in $(seq 1 100); do
        if node -e 'fetch(process.argv[1]).then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))' \
            "http://127.0.0.1:$SERVE_PORT/v1/models" 2>/dev/null; then
            return 0
        fi
        sleep 0.1
    done
    return 1
}
stop_serve() {
    kill "$SERVE_PID" 2>/dev/null || true
    wait "$SERVE_PID" 2>/dev/null || true
    SERVE_PID=
}

SERVE_NOTE=
SERVE_ROWS=()
if ((SERVE)); then
    if ! "$EDGEAI_BIN" serve --help 2>/dev/null | grep -q -- '-m,--model'; then
        # TODO(serve -m): this edgeai has no `serve -m`; the table is left out
        # until it does (nothing else to change here).
        SERVE_NOTE="skipped: \`edgeai serve --help\` lists no -m option in this build"
        log "$SERVE_NOTE"
    else
        t_serve=$max_threads
        for shape in $SHAPES; do
            for type in $SERVE_TYPES; do
                f=$(model_path "$shape" "$type")
                id=$(basename "$f" .gguf)
                key="${shape}_${type}"
                log "$shape $type: $SERVE_REQUESTS concurrent requests through edgeai serve"
                if start_serve "$f" "$WORK/$key.serve.log" -t "$t_serve" --parallel "$SERVE_REQUESTS" \
                    --ctx-size $((512 * SERVE_REQUESTS)) && node "$BENCH_DIR/lib/concurrent.mjs" --url "http://127.0.0.1:$SERVE_PORT/v1/completions" \
                    --model "$id" --vocab "${VOCAB[$shape]}" --ban "${EOT[$shape]}" --requests "$SERVE_REQUESTS" \
                    --max-tokens "$TG" --prompt-len "$TG_PROMPT" --rounds "$REPS" >"$WORK/$key.serve.json" 2>"$WORK/$key.serve.err"; then
                    R[s_agg_$key]=$(jget "$WORK/$key.serve.json" agg_tok_s)
                else
                    log "edgeai serve run failed: $(tail -n 3 "$WORK/$key.serve.err" "$WORK/$key.serve.log" 2>/dev/null)"
                fi
                stop_serve
                log "$shape $type: llama.cpp with $SERVE_REQUESTS sequences"
                if (cd "$LLAMA_DIR" && node bench.mjs --model "$f" --threads "$t_serve" --vocab "${VOCAB[$shape]}" \
                    --parallel "$SERVE_REQUESTS" --tg "$TG" --tg-prompt "$TG_PROMPT" --reps "$REPS" --ctx 256) \
                    >"$WORK/$key.llama-par.json" 2>"$WORK/$key.llama-par.err"; then
                    R[l_agg_$key]=$(jget "$WORK/$key.llama-par.json" agg_tok_s)
                fi
                SERVE_ROWS+=("$shape $type $t_serve")
            done
        done
    fi
fi

# --- memory when serving at 2k context ------------------------------------------
# Peak RSS of `edgeai serve` after one request fills most of a 2048-token
# context (1900 prompt tokens, then $TG generated), against the goal: no more
# than the weights plus the KV cache plus 10% (sizes from `edgeai model info`).

MEM_CTX=2048
MEM_PROMPT=1900
MEM_ROWS=()
if ((SERVE)) && [[ -z $SERVE_NOTE ]]; then
    for shape in $SHAPES; do
        for type in $SERVE_TYPES; do
            f=$(model_path "$shape" "$type")
            key="${shape}_${type}"
            info=$("$EDGEAI_BIN" model info -c "$MEM_CTX" "$f" 2>/dev/null | grep '^memory:' || true)
            R[m_w_$key]=$(sed -n 's/.*weights \([0-9.]*\) MiB.*/\1/p' <<<"$info")
            R[m_kv_$key]=$(sed -n 's/.*KV cache ([a-z0-9]*) \([0-9.]*\) MiB.*/\1/p' <<<"$info")
            log "$shape $type: peak RSS of edgeai serve at $MEM_CTX context"
            if start_serve "$f" "$WORK/$key.mem.log" -t "$max_threads" --parallel 1 --ctx-size "$MEM_CTX" &&
                node "$BENCH_DIR/lib/concurrent.mjs" --url "http://127.0.0.1:$SERVE_PORT/v1/completions" \
                    --model "$(basename "$f" .gguf)" --vocab "${VOCAB[$shape]}" --ban "${EOT[$shape]}" \
                    --requests 1 --max-tokens "$TG" --prompt-len "$MEM_PROMPT" --rounds 1 \
                    >"$WORK/$key.mem.json" 2>"$WORK/$key.mem.err"; then
                R[m_hwm_$key]=$(awk '/^VmHWM:/ { print $2 * 1024 }' "/proc/$SERVE_PID/status")
            else
                log "edgeai serve memory run failed: $(tail -n 3 "$WORK/$key.mem.err" "$WORK/$key.mem.log" 2>/dev/null)"
            fi
            stop_serve
            MEM_ROWS+=("$shape $type")
        done
    done
fi

# --- report ------------------------------------------------------------------------------

ELAPSED=$(($(date +%s) - START_S))
FOREIGN_PCT=$(calc "x = 100 * (($(machine_ticks) - $MACHINE_T0) - ($(own_ticks) - $OWN_T0)) / ($ELAPSED * $(getconf CLK_TCK) * $(nproc)); printf \"%.0f\", x < 0 ? 0 : x")

TABLE="| shape | type | threads | edgeai tg (tok/s) | llama.cpp tg | ratio | edgeai pp128 (tok/s) | llama.cpp pp128 | ratio | pp128 share of int8 peak, edgeai / llama.cpp | peak RSS edgeai / llama.cpp (MB) | weights read in tg, edgeai / llama.cpp (GB/s, % of read bw) |
| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
for row in "${ROWS[@]}"; do
    read -r shape type t <<<"$row"
    key="${shape}_${type}_$t"
    wb=${R[wbytes_${shape}_$type]}
    bw=${READ_BW[$t]}
    e_gbs=$(calc "printf \"%.1f\", $wb * ${R[e_tg_$key]} / 1e9")
    e_share=$(calc "printf \"%.0f\", 100 * $wb * ${R[e_tg_$key]} / 1e9 / $bw")
    if [[ -n ${R[l_tg_$key]:-} ]]; then
        l_gbs=$(calc "printf \"%.1f\", $wb * ${R[l_tg_$key]} / 1e9")
        l_share=$(calc "printf \"%.0f\", 100 * $wb * ${R[l_tg_$key]} / 1e9 / $bw")
        l_rss=$(mb "${R[l_rss_$key]}")
        bw_cell="$e_gbs ($e_share%) / $l_gbs ($l_share%)"
    else
        l_rss="failed"
        bw_cell="$e_gbs ($e_share%) / —"
    fi
    macs=${R[macs_${shape}_$type]:-0}
    peak_cell=$(calc "printf \"%.0f%%\", 100 * $macs * ${R[e_pp_$key]} / ${PEAK[$t]}")
    [[ -n ${R[l_pp_$key]:-} ]] && peak_cell+=" / $(calc "printf \"%.0f%%\", 100 * $macs * ${R[l_pp_$key]} / ${PEAK[$t]}")"
    TABLE+=$'\n'"| $shape | $type | $t | $(fmt1 "${R[e_tg_$key]}") | $(fmt1 "${R[l_tg_$key]:-}") | $(ratio "${R[e_tg_$key]}" "${R[l_tg_$key]:-}") | $(fmt1 "${R[e_pp_$key]}") | $(fmt1 "${R[l_pp_$key]:-}") | $(ratio "${R[e_pp_$key]}" "${R[l_pp_$key]:-}") | $peak_cell | $(mb "${R[e_rss_$key]}") / $l_rss | $bw_cell |"
done

SERVE_MD=
if ((SERVE)); then
    if ((${#SERVE_ROWS[@]})); then
        SERVE_MD="| shape | type | threads | edgeai serve, $SERVE_REQUESTS concurrent (tok/s, all requests) | llama.cpp, $SERVE_REQUESTS sequences | ratio |
| --- | --- | ---: | ---: | ---: | ---: |"
        for row in "${SERVE_ROWS[@]}"; do
            read -r shape type t <<<"$row"
            key="${shape}_${type}"
            SERVE_MD+=$'\n'"| $shape | $type | $t | $(fmt1 "${R[s_agg_$key]:-}") | $(fmt1 "${R[l_agg_$key]:-}") | $(ratio "${R[s_agg_$key]:-}" "${R[l_agg_$key]:-}") |"
        done
    else
        SERVE_MD="Aggregate throughput with $SERVE_REQUESTS concurrent requests through \`serve\`: $SERVE_NOTE."
    fi
fi

cpu_model=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo)
l3=$(lscpu 2>/dev/null | awk -F': *' '/^L3 cache/ { print $2; exit }')
commit=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo "?")
dirty=$(git -C "$ROOT" status --porcelain --untracked-files=no 2>/dev/null | grep -q . && echo ", with uncommitted changes" || true)
nlc_version=$(node -p 'require(process.argv[1]).version' "$LLAMA_DIR/node_modules/node-llama-cpp/package.json")
llama_release=$([[ -n $LLAMA_INFO ]] && jget "$LLAMA_INFO" llama_cpp_release || echo "?")
llama_sys=$([[ -n $LLAMA_INFO ]] && jget "$LLAMA_INFO" system_info | sed 's/ | $//; s/ = 1//g; s/ |/,/g' || echo "?")
llama_fa=$([[ -n $LLAMA_INFO ]] && jget "$LLAMA_INFO" flash_attention || echo "?")
node_rss=$([[ -n $LLAMA_INFO ]] && mb "$(jget "$LLAMA_INFO" node_rss_bytes)" || echo "?")
mode_desc="full"
((QUICK)) && mode_desc="quick (--quick: one repetition, indicative only)"
files_md=""
for pair in "${PAIRS[@]}"; do
    read -r shape type <<<"$pair"
    files_md+=$'\n'"  - $shape $type: $(mb "${R[size_${shape}_$type]}") MB file, $(mb "${R[wbytes_${shape}_$type]}") MB of weights read per token, $(calc "printf \"%.0f\", ${R[macs_${shape}_$type]:-0} / 1e6")M multiply-adds per prompt token in the layers; 2-D tensors: ${R[mix_${shape}_$type]}"
done
llama_runs=""
for row in "${ROWS[@]}"; do
    read -r shape type t <<<"$row"
    key="${shape}_${type}_$t"
    [[ -n ${R[l_runs_$key]:-} ]] && llama_runs+="$shape $type ${t}t: ${R[l_runs_$key]}; "
done

HEADER=$(
    cat <<EOF
Generated by \`bench/engine.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC'), $mode_desc run, ${ELAPSED} s.

- Machine: ${cpu_model:-unknown CPU}, $(nproc) cores, L3 ${l3:-?}, Linux $(uname -r); ${BUSY_BEFORE}% busy with other work just before the run and about ${FOREIGN_PCT}% during it (machine CPU time not used by the benchmark's processes; other users of this shared machine slow both engines). Memory bandwidth (bench/membw.c, 512 MiB buffers, best of 5): memcpy ${COPY_BW} GB/s copied (a read and a write per byte), read $(for t in $THREADS; do printf '%s GB/s with %s thread(s), ' "${READ_BW[$t]}" "$t"; done | sed 's/, $//').
- edgeai: \`$(realpath --relative-to="$ROOT" "$EDGEAI_BIN" 2>/dev/null || echo "$EDGEAI_BIN")\` (built $(date -u -r "$EDGEAI_BIN" '+%Y-%m-%d %H:%M UTC'); repo HEAD at the run $commit$dirty), kernels \`${R[kernels]:-?}\`, KV cache f16. Generation: \`edgeai bench -m FILE -p $TG_PROMPT -n $TG -t T -r $REPS --json\`; prompt: \`edgeai bench -m FILE -p $PP -n 1 -t T -r $REPS --json\`.
- llama.cpp: node-llama-cpp $nlc_version, its prebuilt linux-x64 CPU binary (llama.cpp release \`$llama_release\` as the package names it; ggml CPU features: $llama_sys), \`getLlama({build: "never", gpu: false})\`, context of 512 with batch 512, KV cache f16, flash attention \`$llama_fa\`, \`threads: {ideal: T, min: T}\`; \`bench/llamacpp/bench.mjs\` feeds token ids: \`evaluateWithoutGeneratingNewTokens\` for the 128-token prompt, \`evaluate(..., {temperature: 0})\` for the 64 greedy tokens (sampling runs in llama.cpp's sampler; JavaScript sees each token).
- Models: \`edgeai model synth\` (random weights in the published shapes, seed 0), the same file for both engines. Rows of 576 (smollm) and 896 (qwen2.5) values do not divide into q4_K's 256-value blocks, so synthesized "q4_K" files keep q4_K only where rows are 1536 or 4864 long (ffn_down) and use q4_0 elsewhere; the Q4_K_M rows are llama.cpp's mix, synthesized in f16 and quantized by \`edgeai model quantize IN OUT Q4_K_M\` (llama.cpp's types and bytes, q5_0 and q8_0 where rows do not divide into 256):$files_md
- Medians of $REPS runs after a dropped warm-up; edgeai, then llama.cpp, per row. Ratio = edgeai / llama.cpp (above 1: edgeai faster). RSS: peak resident set (mapped weights that were touched included); llama.cpp's is the node process's VmHWM less the ${node_rss} MB node had before llama.cpp was loaded. Weights read: the bytes of the weight matrices one token multiplies by (edgeai's \`weight_bytes\`: every layer matrix and the output matrix, not the embedding row) × tg tok/s, as a share of the read bandwidth with the same thread count. Share of int8 peak: the layer matrices' multiply-adds per token (listed with the models) × pp128 tok/s, against the int8 multiply-adds per second \`bench/peak.c\` measures with the same thread count ($PEAK_ISA: $(for t in $THREADS; do printf '%s G/s with %s thread(s), ' "$(calc "printf \"%.0f\", ${PEAK[$t]} / 1e9")" "$t"; done | sed 's/, $//')). MB = 10^6 bytes.
EOF
)

NOTES=""
if [[ " $THREADS " == *" $(nproc) "* ]]; then
    NOTES+=$'\n\n'"With as many threads as cores ($(nproc)), llama.cpp's generation through node-llama-cpp gains little over its 1-thread rate or falls below it (most for smollm, whose tokens take a few milliseconds) and swings from run to run (individual runs below), on an idle machine too: between tokens node's JavaScript thread and the libuv worker that runs each decode compete for the cores with llama.cpp's compute threads, which poll for work before they sleep. That is a cost of this binding on a small machine rather than of llama.cpp's kernels: the 1-thread rows compare the engines more fairly."
fi
[[ -n $llama_runs ]] && NOTES+=$'\n\n'"llama.cpp individual runs (tok/s): ${llama_runs%; }."
if ((SERVE)) && ((${#SERVE_ROWS[@]})); then
    NOTES+=$'\n\n'"Concurrent: \`edgeai serve -m FILE -t $max_threads --parallel $SERVE_REQUESTS --ctx-size $((512 * SERVE_REQUESTS))\` (512 positions per sequence); \`bench/lib/concurrent.mjs\` sends $SERVE_REQUESTS POST /v1/completions at once, each $TG_PROMPT random token ids, \`max_tokens\` $TG, greedy, the end-of-text id banned with \`logit_bias\`; rate = completion tokens of all $SERVE_REQUESTS over the wall time from the first send to the last response (prompts and HTTP included), median of $REPS rounds after a warm-up. llama.cpp: one context with $SERVE_REQUESTS sequences (\`bench.mjs --parallel $SERVE_REQUESTS\`), each evaluating its $TG_PROMPT ids and generating $TG greedy tokens concurrently (node-llama-cpp batches them into shared decodes), same rate definition, no HTTP."
fi

MEM_MD=
if ((${#MEM_ROWS[@]})); then
    MEM_MD="| shape | type | context | weights (MB) | KV cache, f16 (MB) | goal: (weights + KV) × 1.1 (MB) | edgeai serve peak RSS (MB) | within the goal | under 512 MB |
| --- | --- | ---: | ---: | ---: | ---: | ---: | --- | --- |"
    for row in "${MEM_ROWS[@]}"; do
        read -r shape type <<<"$row"
        key="${shape}_${type}"
        w=$(calc "printf \"%.0f\", ${R[m_w_$key]:-0} * 1048576")
        kv=$(calc "printf \"%.0f\", ${R[m_kv_$key]:-0} * 1048576")
        goal=$(calc "printf \"%.0f\", ($w + $kv) * 1.1")
        hwm=${R[m_hwm_$key]:-}
        if [[ -n $hwm ]]; then
            within=$(calc "print (($hwm <= $goal) ? \"yes\" : \"no\")")
            under=$(calc "print (($hwm < 512000000) ? \"yes\" : \"no\")")
            MEM_MD+=$'\n'"| $shape | $type | $MEM_CTX | $(mb "$w") | $(mb "$kv") | $(mb "$goal") | $(mb "$hwm") | $within | $under |"
        else
            MEM_MD+=$'\n'"| $shape | $type | $MEM_CTX | $(mb "$w") | $(mb "$kv") | $(mb "$goal") | failed | — | — |"
        fi
    done
    MEM_MD+=$'\n\n'"Peak RSS (VmHWM) of \`edgeai serve -m FILE -t $max_threads --parallel 1 --ctx-size $MEM_CTX\` after one request of $MEM_PROMPT random prompt tokens and $TG generated ones, so the KV cache holds $((MEM_PROMPT + TG)) positions; it includes the binary, its libraries, the tokenizer and the activation buffers. Weights and KV cache sizes are \`edgeai model info -c $MEM_CTX\`'s. The weights that have matrix kernels are repacked at load into memory edgeai owns and the file's pages under them are given back, so they are resident once."
fi

SERVE_BLOCK=
[[ -n $SERVE_MD ]] && SERVE_BLOCK+=$'\n\n'"### Aggregate throughput, $SERVE_REQUESTS concurrent requests"$'\n\n'"$SERVE_MD"
[[ -n $MEM_MD ]] && SERVE_BLOCK+=$'\n\n'"### Memory when serving at $MEM_CTX context"$'\n\n'"$MEM_MD"
SECTION=$(printf '%s\n## Engine: edgeai vs llama.cpp\n\n%s\n\n%s%s%s\n%s' "$BEGIN_MARK" "$HEADER" "$TABLE" \
    "$SERVE_BLOCK" "$NOTES" "$END_MARK")

printf '\n%s\n' "$SECTION"

if ((WRITE_DOC)); then
    write_doc_section "$DOC" "$BEGIN_MARK" "$END_MARK" "$SECTION"
    log "wrote $(realpath --relative-to="$PWD" "$DOC" 2>/dev/null || echo "$DOC")"
fi
