#!/usr/bin/env bash
# Size accounting: what each part of the stripped edgeai binary weighs, per layer
# of our code and per third-party library.
#
#   bench/size.sh              build (or reuse) build/size, print the table, write docs/benchmarks.md
#   bench/size.sh --no-write   print the table only
#   bench/size.sh --build-only build build/size and stop (bench/callgrind_proxy.sh uses it)
#
# The build: the release preset (gcc 12, -Os with the request path -O2, LTO,
# -ffunction-sections, --gc-sections, static libstdc++) in its own binary dir,
# build/size, with -DEDGEAI_STRIP=OFF, -g and a linker map (-Wl,-Map), and the
# plain release build in build/size-release, so build/release is left alone.
# -g changes no code or data, but with it GCC keeps unwind tables for functions
# of the no-exception layers that release drops; so the table accounts for the
# release binary (build/size-release) byte for byte, its code and data split
# by the -g build (whose code and data sections have the same sizes; checked).
#
# How bytes are attributed (bench/lib/size_attribution.py does it):
#   - Each allocated section is split by the linker map's input sections.
#     Pieces from archives LTO does not touch (libstdc++.a, libgcc*.a, the libc
#     start files) go to that library, whole.
#   - With LTO all our code and the header-only libraries are compiled together
#     into *.ltrans.o objects, so object files say nothing about layers. Their
#     pieces are split by symbol (nm -S): a function or object goes to the file
#     that defines it, from the debug line table (nm -l). A Beast template
#     instantiated by our gateway counts as Beast, std::vector<T>'s code as
#     "libstdc++ (header templates)", and code inlined into a function counts
#     with that function. Symbols without line info fall back to their demangled
#     namespace (edgeai::gateway, boost::beast, ...); the script prints how many
#     bytes that was. Bytes of LTO objects no symbol covers (merged string
#     literals, anonymous constants, alignment) are a row of their own.
#   - Unwind tables (.eh_frame, .eh_frame_hdr, .gcc_except_table), relative
#     relocations (.rela.dyn), the other dynamic-linking sections and the ELF
#     headers with the padding between segments are rows of their own.
# SQLite, libm and libc are shared libraries: they are not in the file.
#
# Environment:
#   EDGEAI_SIZE_BUILD       binary dir (default build/size); use another to try flags
#   EDGEAI_SIZE_CXX_FLAGS   extra compile flags for that build (C and C++)
#   EDGEAI_SIZE_LINK_FLAGS  extra link flags for that build
#
# Dependencies: the build's (scripts/setup.sh), binutils (nm, readelf, strip), python3.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH_DIR="$ROOT/bench"
DOC="$ROOT/docs/benchmarks.md"
BUILD_DIR=${EDGEAI_SIZE_BUILD:-$ROOT/build/size}
BEGIN_MARK='<!-- size-bench:begin -->'
END_MARK='<!-- size-bench:end -->'

WRITE_DOC=1
BUILD_ONLY=0
for arg in "$@"; do
    case "$arg" in
    --no-write) WRITE_DOC=0 ;;
    --build-only) BUILD_ONLY=1 ;;
    -h | --help)
        sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'
        exit 0
        ;;
    *)
        echo "size.sh: unknown argument: $arg (try --help)" >&2
        exit 2
        ;;
    esac
done

log() { printf '[size.sh] %s\n' "$*" >&2; }
die() {
    printf 'size.sh: %s\n' "$*" >&2
    exit 1
}

missing=()
for pair in cmake:cmake ninja:ninja-build g++:g++ nm:binutils readelf:binutils strip:binutils python3:python3; do
    command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair#*:}")
done
((${#missing[@]} == 0)) || die "missing tools; install the Debian packages: apt-get install ${missing[*]} (or run scripts/setup.sh)"

# --- build ---------------------------------------------------------------------------

MAP="$BUILD_DIR/edgeai.map"
BIN="$BUILD_DIR/apps/edgeai/edgeai"
STRIPPED="$BUILD_DIR/edgeai.stripped"
log "configuring and building $BUILD_DIR (release preset, unstripped, -g, linker map)"
cmake --preset release -B "$BUILD_DIR" -DEDGEAI_STRIP=OFF \
    "-DCMAKE_C_FLAGS=-g ${EDGEAI_SIZE_CXX_FLAGS:-}" "-DCMAKE_CXX_FLAGS=-g ${EDGEAI_SIZE_CXX_FLAGS:-}" \
    "-DCMAKE_EXE_LINKER_FLAGS=-Wl,-Map=$MAP ${EDGEAI_SIZE_LINK_FLAGS:-}" >/dev/null \
    || die "cmake configure failed"
cmake --build "$BUILD_DIR" -j2 --target edgeai >&2 || die "build failed"
((BUILD_ONLY)) && exit 0
[[ -f $MAP ]] || die "no linker map at $MAP"
# The release binary itself, for the total and the unwind tables: with -g, GCC
# keeps unwind tables for functions of the no-exception layers, which release
# drops; code and data are the same (the attribution checks their sizes).
REL_DIR="$BUILD_DIR-release"
log "building the release binary itself in $REL_DIR (the release preset; ccache makes it quick)"
cmake --preset release -B "$REL_DIR" "-DCMAKE_C_FLAGS=${EDGEAI_SIZE_CXX_FLAGS:-}" \
    "-DCMAKE_CXX_FLAGS=${EDGEAI_SIZE_CXX_FLAGS:-}" "-DCMAKE_EXE_LINKER_FLAGS=${EDGEAI_SIZE_LINK_FLAGS:-}" \
    >/dev/null || die "cmake configure of $REL_DIR failed"
cmake --build "$REL_DIR" -j2 --target edgeai >&2 || die "build of $REL_DIR failed"
cp "$REL_DIR/apps/edgeai/edgeai" "$STRIPPED"
size_bytes=$(stat -c %s "$STRIPPED")

# --- attribution ---------------------------------------------------------------------

NM_OUT="$BUILD_DIR/edgeai.nm"
if [[ ! -s $NM_OUT || $NM_OUT -ot $BIN ]]; then
    log "reading symbols and their source files (nm -S -l -C, about a minute)"
    nm -S -l -C --defined-only "$BIN" >"$NM_OUT.tmp" && mv "$NM_OUT.tmp" "$NM_OUT"
fi
OUT=$(python3 "$BENCH_DIR/lib/size_attribution.py" --root "$ROOT" --unstripped "$BIN" \
    --stripped "$STRIPPED" --map "$MAP" --nm "$NM_OUT" --top 20) || die "attribution failed"
TABLE=$(awk '/^\| part / { f = 1 } f && !/^\|/ { exit } f' <<<"$OUT")
TOP_MD=$(awk '/^\| heaviest symbols/ { f = 1 } f && !/^\|/ { exit } f' <<<"$OUT")
STDCXX=$(sed -n 's/^STDCXX //p' <<<"$OUT")
FALLBACK=$(sed -n 's/^FALLBACK bytes attributed by namespace (no line info): //p' <<<"$OUT")
printf '%s\n' "$OUT"

mb() { awk -v n="$1" 'BEGIN { printf "%.2f", n / 1e6 }'; }
head_rev=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
dirty=""
[[ -n $(git -C "$ROOT" status --porcelain --untracked-files=no -- src apps CMakeLists.txt cmake 2>/dev/null) ]] \
    && dirty=", with uncommitted changes"
flags_note=""
[[ -n ${EDGEAI_SIZE_CXX_FLAGS:-}${EDGEAI_SIZE_LINK_FLAGS:-} ]] \
    && flags_note=" Extra flags: compile \`${EDGEAI_SIZE_CXX_FLAGS:-}\`, link \`${EDGEAI_SIZE_LINK_FLAGS:-}\`."

SECTION="$BEGIN_MARK
## Binary size

Generated by \`bench/size.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC') (gcc $(g++ -dumpfullversion), repo HEAD $head_rev$dirty): the stripped release binary is **$size_bytes bytes ($(mb "$size_bytes") MB)**; budget 3 MiB (3145728 bytes, $((3145728 - size_bytes)) left), aim 2.4 MB.$flags_note

$TABLE

How the bytes are attributed: the stripped release binary (built again in \`build/size-release\`) is accounted for byte for byte; its code and data are split using the same build repeated unstripped, with \`-g\` and a linker map (\`build/size\`; same code and data, but \`-g\` keeps unwind tables the release drops, so the unwind row comes from the release binary). Pieces the map places from libstdc++.a, libgcc and the libc start files belong to them whole. The rest is LTO's output, where object files no longer mean layers, so it is split by symbol (\`nm -S\`): each function or object counts for the file that defines it, from the debug line table (a Beast template instantiated by the gateway is Beast; \`std::vector<T>\`'s code is \"libstdc++ (header templates)\"; inlined code counts with the function it was inlined into); $FALLBACK bytes had no line information and were attributed by their demangled namespace. Unwind tables, relocations, dynamic linking and headers are rows of their own. SQLite, libm and libc are shared libraries, outside the file. kB = 1000 bytes.

The static libstdc++ pieces, by what they are for: $STDCXX.

$TOP_MD
$END_MARK"

printf '\n%s\n' "$SECTION"
if ((WRITE_DOC)); then
    # shellcheck source=lib/doc_section.sh
    source "$BENCH_DIR/lib/doc_section.sh"
    write_doc_section "$DOC" "$BEGIN_MARK" "$END_MARK" "$SECTION"
    log "wrote $(realpath --relative-to="$PWD" "$DOC" 2>/dev/null || echo "$DOC")"
fi
