#!/usr/bin/env bash
# The whole test suite, as CI runs it (after scripts/setup.sh):
#  1. formatting of our sources (clang-format, .clang-format at the root);
#  2. unit tests and fuzz-corpus replays under ASan + UBSan (clang; the same
#     build makes the libFuzzer targets and the ASan edgeai binary);
#  3. the portable core built for wasm32-wasi, its unit tests under node's WASI;
#  4. the portable core built for linux aarch64 (NEON kernels), its unit tests
#     under qemu-user;
#  5. each libFuzzer target for a short smoke run;
#  6. the C frame client built for a Cortex-M0+;
#  7. the browser build (emscripten): edgeai-web.js + .wasm and their sizes;
#  8. integration tests with real clients (openai SDK, curl, raw sockets,
#     a Unix socket, a pty as a serial line, the C client) against the
#     release binary and against the ASan binary (the browser build in
#     headless chromium among them);
#  9. docs/configuration.md matches the configuration schema.
# Set EDGEAI_FUZZ_SECONDS to fuzz each target for that long with a fresh seed.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)
# Each step's start, with the seconds since the run began, so the time the
# suite costs can be seen per step (the CI budget is 40 minutes on 2 cores).
start_s=$SECONDS
step() { printf '\n== %s (at %ds)\n' "$*" $((SECONDS - start_s)); }

step "format"
mapfile -t sources < <(git ls-files 'src/*.h' 'src/*.cpp' 'tests/*.h' 'tests/*.cpp' \
                                   'apps/*.cpp' 'fuzz/*.cpp')
if ! clang-format --dry-run --Werror "${sources[@]}"; then
  echo "format: run clang-format -i on the files above" >&2
  exit 1
fi

step "unit tests (asan + ubsan)"
cmake --preset asan > /dev/null
cmake --build --preset asan -j "$jobs"
ctest --preset asan -j "$jobs"

step "unit tests (wasm32-wasi under node)"
cmake --preset wasi > /dev/null
cmake --build --preset wasi -j "$jobs"
ctest --preset wasi -j "$jobs"

# About 30 s with a warm ccache (engine_test under qemu is most of it), 3-4 min
# cold on 2 cores.
step "unit tests (linux aarch64 under qemu-user)"
cmake --preset aarch64 > /dev/null
cmake --build --preset aarch64 -j "$jobs"
ctest --preset aarch64 -j "$jobs"

# The targets come from the ASan build (step 2), whose objects carry the
# fuzzer's coverage instrumentation: one build less than a fuzz preset of its
# own (3.5 min cold on 2 cores).
step "fuzz smoke"
# A fixed seed and number of runs (about 5 s each here) make the smoke run
# explore the same inputs on every machine; EDGEAI_FUZZ_SECONDS=N fuzzes for a
# time instead, with a fresh seed.
for spec in requests:requests:200000 sse_parser:sse:25000 config:config:75000 gguf:gguf:100000 multipart:multipart:50000 anthropic:anthropic:50000 responses:responses:50000 mcp:mcp:15000 auth_headers:auth_headers:50000 audit_line:audit:25000 static_path:static_path:50000 msgpack:msgpack:60000 frame:frame:45000 grammar:grammar:10000 ollama:ollama:30000 template:template:25000 tool_calls:tool_calls:30000 hub_files:hub_files:25000 json_lines:lines:30000 resp:resp:50000; do
  IFS=: read -r target corpus_name runs <<< "$spec"
  corpus=fuzz/corpus/$corpus_name
  if [ -n "${EDGEAI_FUZZ_SECONDS:-}" ]; then
    budget=(-max_total_time="$EDGEAI_FUZZ_SECONDS")
  else
    budget=(-seed=1 -runs="$runs")
  fi
  scratch=$(mktemp -d)
  log="$scratch/fuzz.log"
  # New inputs go to a scratch dir; the committed corpus is only read.
  if ! build/asan/fuzz/${target}_fuzz "$scratch" "$corpus" "${budget[@]}" \
       -max_len=8192 -artifact_prefix="$scratch/" > "$log" 2>&1; then
    grep -E 'runtime error|ERROR|SUMMARY|#[0-9]+ ' "$log" | head -n 20 >&2
    mkdir -p build/fuzz-failures
    cp "$scratch"/crash-* "$scratch"/leak-* "$scratch"/timeout-* build/fuzz-failures/ 2>/dev/null || true
    echo "fuzz: $target found a failure; inputs kept in build/fuzz-failures/" >&2
    exit 1
  fi
  grep -E '^Done' "$log"
  rm -rf "$scratch"
done

# The frame client must build where it is meant to run: a microcontroller
# with no C library (Cortex-M0+, the smallest Arm core), warnings as errors.
step "C frame client for Cortex-M (arm-none-eabi-gcc)"
arm-none-eabi-gcc -mcpu=cortex-m0plus -mthumb -std=c99 -Os -ffreestanding -Wall -Wextra \
  -Werror -pedantic -c clients/c/edgeai_frame.c -o build/edgeai_frame_cortex_m0plus.o
arm-none-eabi-size build/edgeai_frame_cortex_m0plus.o

# Before the integration tests, which load it in headless chromium
# (browser.test.mjs). About 35 s with a warm ccache (ccache caches em++;
# the link's wasm-opt is most of it), 5 min cold on 2 busy cores.
step "browser build (emscripten)"
cmake --preset browser > /dev/null
cmake --build --preset browser -j "$jobs"
web_out=build/browser/apps/edgeai-web
for f in "$web_out/edgeai-web.wasm" "$web_out/edgeai-web.js"; do
  printf '%s: %s bytes, %s gzipped\n' "$f" "$(stat -c %s "$f")" "$(gzip -9c "$f" | wc -c)"
done

step "integration tests (release binary)"
(cd tests/integration && EDGEAI_BIN="$PWD/../../build/release/apps/edgeai/edgeai" npm test --silent)

# Under ASan, the files that drive the gateway's own code paths; the suites
# that exercise client libraries (SDKs, the browser, the fleet), the WASM
# build, the docs and the reference tokenizers and templates run once, above,
# against the release binary ("test:asan" in package.json lists the rest).
step "integration tests (asan binary)"
(cd tests/integration &&
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  EDGEAI_BIN="$PWD/../../build/asan/apps/edgeai/edgeai" npm run test:asan --silent)

step "docs/configuration.md matches the schema"
expected=$(build/release/apps/edgeai/edgeai config reference)
actual=$(sed -n '/<!-- config-reference:begin -->/,/<!-- config-reference:end -->/p' \
           docs/configuration.md | sed '1d;$d')
if [ "$expected" != "$actual" ]; then
  echo "docs/configuration.md is out of date; regenerate the table with:" >&2
  echo "  build/release/apps/edgeai/edgeai config reference" >&2
  diff <(echo "$expected") <(echo "$actual") >&2 || true
  exit 1
fi

step "all tests passed"
