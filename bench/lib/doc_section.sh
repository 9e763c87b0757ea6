# Sourced by the benchmark scripts: puts a generated section into
# docs/benchmarks.md between its begin and end markers (replacing what was
# there, or appended when the markers are new), leaving the rest alone.
#
#   write_doc_section DOC BEGIN_MARK END_MARK SECTION
# SECTION includes both marker lines.
write_doc_section() {
    local doc=$1 begin=$2 end=$3 section=$4 tmp
    tmp=$(mktemp)
    printf '%s\n' "$section" >"$tmp"
    [[ -f $doc ]] || printf '# Benchmarks\n' >"$doc"
    if grep -qF "$begin" "$doc"; then
        awk -v secfile="$tmp" -v b="$begin" -v e="$end" '
            $0 == b { while ((getline line < secfile) > 0) print line; close(secfile); skip = 1; next }
            $0 == e { skip = 0; next }
            !skip { print }
        ' "$doc" >"$tmp.doc"
    else
        { cat "$doc"; printf '\n'; cat "$tmp"; } >"$tmp.doc"
    fi
    cat "$tmp.doc" >"$doc"
    rm -f "$tmp" "$tmp.doc"
}
