#!/usr/bin/env bash
# edgeai.wasm against the native binary: the same `bench` command (prompt
# processing and generation, token ids, medians after a dropped warm-up) on
# the same GGUF files at 1 thread, natively and under node's WASI; and the
# browser build in headless chromium (bench/lib/browser_bench.mjs: the same
# token counts as completions through the page API, timed in the page), when
# build/browser has it.
#
#   bench/wasm.sh             print the table and write it into docs/benchmarks.md
#   bench/wasm.sh --no-write  print the table only
#
# Models: stories260K from ../shared/data (converted with `edgeai model
# convert-llama2c`), and random weights in smollm-135m's shape in q8_0 and q4_0
# (`edgeai model synth`), kept in $BENCH_MODELS_DIR (default
# ${TMPDIR:-/tmp}/edgeai-bench-models, shared with bench/engine.sh).
# The native figure is its best kernel table on this CPU (the table's name is
# in the output); the WASM one is SIMD128, 128-bit vectors.
#
# Environment:
#   EDGEAI_BIN   native edgeai (default build/release/apps/edgeai/edgeai)
#   EDGEAI_WASM  edgeai.wasm (default build/wasi/apps/edgeai-wasm/edgeai.wasm)
#   EDGEAI_WEB_BUILD  edgeai-web.js + .wasm (default build/browser/apps/edgeai-web;
#                the chromium columns are left empty without them)
#   BENCH_REPS   runs per measurement, median reported (default 3)
#   BENCH_PP     prompt tokens (default 128); BENCH_TG generated tokens (default 64)
#   BENCH_WASM_MODELS  default "stories260K smollm-135m-q8_0 smollm-135m-q4_0"
# Not part of the test command: it needs an idle machine to mean anything.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DOC="$ROOT/docs/benchmarks.md"
BEGIN_MARK='<!-- wasm-bench:begin -->'
END_MARK='<!-- wasm-bench:end -->'
EDGEAI_BIN=${EDGEAI_BIN:-$ROOT/build/release/apps/edgeai/edgeai}
EDGEAI_WASM=${EDGEAI_WASM:-$ROOT/build/wasi/apps/edgeai-wasm/edgeai.wasm}
EDGEAI_WEB_BUILD=${EDGEAI_WEB_BUILD:-$ROOT/build/browser/apps/edgeai-web}
CHROMIUM=${EDGEAI_CHROMIUM:-/usr/bin/chromium}
with_browser=0
if [[ -f $EDGEAI_WEB_BUILD/edgeai-web.wasm && -x $CHROMIUM ]]; then
    with_browser=1
else
    echo "bench/wasm.sh: no browser build in $EDGEAI_WEB_BUILD or no $CHROMIUM; chromium columns left empty" >&2
fi
export EDGEAI_WEB_BUILD EDGEAI_CHROMIUM=$CHROMIUM
MODELS_DIR=${BENCH_MODELS_DIR:-${TMPDIR:-/tmp}/edgeai-bench-models}
DATA_DIR=${EDGEAI_TEST_DATA_DIR:-$ROOT/../shared/data}
REPS=${BENCH_REPS:-3}
PP=${BENCH_PP:-128}
TG=${BENCH_TG:-64}
WRITE_DOC=1
[[ ${1:-} == --no-write ]] && WRITE_DOC=0

source "$ROOT/bench/lib/doc_section.sh"
for f in "$EDGEAI_BIN" "$EDGEAI_WASM"; do
    [[ -f $f ]] || { echo "bench/wasm.sh: $f not found; build the release and wasi presets" >&2; exit 1; }
done
mkdir -p "$MODELS_DIR"

models=()
for name in ${BENCH_WASM_MODELS:-stories260K smollm-135m-q8_0 smollm-135m-q4_0}; do
    file=$MODELS_DIR/$name.gguf
    if [[ $name == stories260K ]]; then
        if [[ ! -f $DATA_DIR/stories260K/stories260K.bin ]]; then
            echo "bench/wasm.sh: no $DATA_DIR/stories260K; skipping it" >&2
            continue
        fi
        [[ -f $file ]] || "$EDGEAI_BIN" model convert-llama2c "$DATA_DIR/stories260K/stories260K.bin" \
            "$DATA_DIR/stories260K/tok512.bin" -o "$file" 2>/dev/null
    else
        # smollm-135m-q8_0: the shape, then the type after its last '-'.
        [[ -f $file ]] || "$EDGEAI_BIN" model synth --shape "${name%-*}" --type "${name##*-}" \
            -o "$file" 2>/dev/null
    fi
    models+=("$name")
done

# bench --json's field, from one line of JSON.
field() { sed -n "s/.*\"$1\":\"\{0,1\}\([^,\"}]*\).*/\1/p" <<<"$2"; }

TABLE=$(printf '| model | native kernels | native pp%s tok/s | WASM pp%s tok/s | pp ratio | native tg%s tok/s | WASM tg%s tok/s | tg ratio | chromium pp tok/s | pp ratio | chromium tg tok/s | tg ratio |\n| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |' \
    "$PP" "$PP" "$TG" "$TG")
for m in "${models[@]}"; do
    native=$("$EDGEAI_BIN" bench -m "$MODELS_DIR/$m.gguf" -t 1 -p "$PP" -n "$TG" -r "$REPS" --json 2>/dev/null)
    wasm=$(node "$ROOT/scripts/wasi-run.mjs" --dir "$MODELS_DIR::/models" "$EDGEAI_WASM" \
        bench -m "/models/$m.gguf" -p "$PP" -n "$TG" -r "$REPS" --json 2>/dev/null)
    web=""
    if [[ $with_browser == 1 ]]; then
        eos=$("$EDGEAI_BIN" model info "$MODELS_DIR/$m.gguf" 2>/dev/null |
            sed -n 's/^ *tokenizer.ggml.eos_token_id *\([0-9]*\)$/\1/p')
        web=$(node "$ROOT/bench/lib/browser_bench.mjs" "$MODELS_DIR/$m.gguf" "$PP" "$TG" "$REPS" "$eos" \
            2>/dev/null || true)
    fi
    row=$(awk -v m="$m" -v k="$(field kernels "$native")" \
        -v npp="$(field pp_tok_s "$native")" -v wpp="$(field pp_tok_s "$wasm")" \
        -v ntg="$(field tg_tok_s "$native")" -v wtg="$(field tg_tok_s "$wasm")" \
        -v bpp="$(field pp_tok_s "$web")" -v btg="$(field tg_tok_s "$web")" \
        'BEGIN {
           printf "| %s | %s | %.1f | %.1f | %.2fx | %.1f | %.1f | %.2fx |", m, k, npp, wpp, wpp / npp, ntg, wtg, wtg / ntg
           if (bpp == "") printf " – | – | – | – |"
           else printf " %.1f | %.2fx | %.1f | %.2fx |", bpp, bpp / npp, btg, btg / ntg
         }')
    TABLE+=$'\n'"$row"
done

CPU=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
NODE=$(node --version)
SECTION=$(cat <<EOT
$BEGIN_MARK
## WebAssembly against native (bench/wasm.sh)

\`edgeai bench\` natively and \`edgeai.wasm bench\` under node $NODE's WASI, 1 thread,
the same GGUF files, medians of $REPS runs; ratio = WASM / native (the goal is
0.8x or more for generation). The chromium columns are the browser build in
headless chromium ($("$CHROMIUM" --version 2>/dev/null | head -1 || echo chromium)), the same token
counts as streamed completions through web/edgeai.js, prompt speed from the
time to the first token; ratios against the native columns. $CPU; measured
$(date -u +%Y-%m-%d).

$TABLE
$END_MARK
EOT
)
printf '%s\n' "$TABLE"
if [[ $WRITE_DOC == 1 ]]; then
    write_doc_section "$DOC" "$BEGIN_MARK" "$END_MARK" "$SECTION"
    echo "wrote $DOC" >&2
fi
