#!/usr/bin/env python3
"""Splits the bytes of the stripped edgeai binary into the parts that weigh them.

Used by bench/size.sh (read its header for how it attributes); standard library
only. Inputs: the unstripped binary (built with -g, the same code as release),
the linker map of that link, and the stripped release binary (built without -g:
with -g, GCC keeps unwind tables for functions that need none, so only its code
and data sections match the release binary's; the table takes those sections'
split from the unstripped build and everything else from the stripped binary).

    size_attribution.py --root SRC --unstripped BIN --stripped BIN.stripped --map MAP
                        [--nm NM_OUTPUT] [--json OUT.json]

Prints a markdown table on stdout. Attribution, byte for byte:
  1. Every allocated section of the stripped file is covered by the linker map's
     input sections (address, size, object file). Input sections from archives and
     start files (libstdc++.a, libgcc*.a, libc_nonshared.a, crt*.o) that LTO does
     not touch belong to that library, whole (code, constants, string literals).
  2. Input sections from LTO's output objects (*.ltrans.o: all our code and the
     header-only libraries, compiled together) are split by the symbols in them
     (nm -S): each function or object goes to the file that defines it, from the
     debug line table (nm -l), so a Beast template instantiated by our gateway
     counts as Beast and std::vector<T>'s code as libstdc++ (headers). What was
     inlined into a function counts with that function. A symbol without line
     information falls back to its demangled namespace (edgeai::gateway, boost::
     beast, ...). Bytes of an LTO object no symbol covers (merged string
     literals, anonymous constants, alignment) form their own row.
  3. Unwind tables (.eh_frame, .eh_frame_hdr, .gcc_except_table), the dynamic
     linking sections (.dynsym, .rela.dyn, .plt, ...) and the ELF headers with
     the padding between segments are rows of their own: the linker rewrites
     .eh_frame, so its input sizes do not add up to its output.
"""

import argparse
import bisect
import collections
import json
import os
import re
import subprocess
import sys

UNWIND = {".eh_frame", ".eh_frame_hdr", ".gcc_except_table"}
DYNAMIC = {".interp", ".note.gnu.property", ".note.gnu.build-id", ".note.ABI-tag", ".gnu.hash",
           ".dynsym", ".dynstr", ".gnu.version", ".gnu.version_r", ".rela.plt", ".init", ".plt",
           ".plt.got", ".plt.sec", ".fini", ".init_array", ".fini_array", ".dynamic", ".got",
           ".got.plt", ".stapsdt.base", ".comment", ".note.stapsdt", ".shstrtab", ".tm_clone_table"}
CODE = {".text"}

# Rows in the order the table lists them (our layers first, then libraries, then the rest).
OURS = ["src/core", "src/codec", "src/engine", "src/api", "src/router", "src/security",
        "src/queue", "src/telemetry", "src/gateway", "src/platform/native", "apps/edgeai"]
LIBS = ["Boost.Beast", "Boost.Asio", "Boost (other: system, intrusive, core, ...)", "RapidJSON",
        "toml++", "CLI11", "libstdc++ (header templates instantiated by our code)",
        "libstdc++ (static archive: strings, streams, locale, ...)",
        "libgcc, libgcc_eh (unwinder, helpers)", "libc start files, libc_nonshared",
        "system headers (glibc, OpenSSL, curl, SQLite inline code)", "compiler intrinsics headers"]
REST = ["LTO output without a symbol (string literals, anonymous constants, alignment)",
        "static initialisers of all files (LTO merges them into one function)",
        "symbols of unknown origin (no line info, no known namespace)",
        "unwind tables (.eh_frame, .eh_frame_hdr, .gcc_except_table)",
        "relative relocations for PIE (.rela.dyn)",
        "dynamic linking (.dynsym, .dynstr, .plt, .got, .dynamic, notes, ...)",
        "ELF and program headers, padding between segments"]

NAMESPACES = [
    ("edgeai::platform::native", "src/platform/native"), ("edgeai::core", "src/core"),
    ("edgeai::codec", "src/codec"), ("edgeai::engine", "src/engine"), ("edgeai::api", "src/api"),
    ("edgeai::router", "src/router"), ("edgeai::security", "src/security"),
    ("edgeai::queue", "src/queue"), ("edgeai::telemetry", "src/telemetry"),
    ("edgeai::gateway", "src/gateway"), ("edgeai::app", "apps/edgeai"),
    ("boost::beast", "Boost.Beast"), ("boost::asio", "Boost.Asio"),
    ("boost::", "Boost (other: system, intrusive, core, ...)"), ("rapidjson::", "RapidJSON"),
    ("toml::", "toml++"), ("CLI::", "CLI11"),
    ("std::", "libstdc++ (header templates instantiated by our code)"),
    ("__gnu_cxx::", "libstdc++ (header templates instantiated by our code)"),
]


def run(*cmd):
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


def sections(path):
    """(name, type, addr, offset, size, flags) of every section header."""
    out = []
    for line in run("readelf", "-S", "-W", path).splitlines():
        m = re.match(r"\s*\[\s*\d+\]\s+(\S+)\s+(\S+)\s+([0-9a-f]+)\s+([0-9a-f]+)\s+([0-9a-f]+)\s+\S+\s+(\S*)",
                     line)
        if m and m.group(1) != "NULL":
            out.append((m.group(1), m.group(2), int(m.group(3), 16), int(m.group(4), 16),
                        int(m.group(5), 16), m.group(6)))
    return out


def map_inputs(path):
    """Input sections of the link from a GNU ld map: (out_section, addr, size, object)."""
    out = []
    in_memory_map = False
    current_out = None
    pending = None  # an input section name whose address and size are on the next line
    num = r"0x[0-9a-f]+"
    with open(path, errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            if not in_memory_map:
                in_memory_map = line.startswith("Linker script and memory map")
                continue
            if line and not line[0].isspace():
                m = re.match(r"(\.\S+|\S+)\s*(" + num + r")?", line)
                current_out = m.group(1) if m else None
                pending = None
                continue
            if pending is not None:
                m = re.match(r"\s+(" + num + r")\s+(" + num + r")\s+(.+)$", line)
                if m:
                    out.append((current_out, int(m.group(1), 16), int(m.group(2), 16), m.group(3).strip()))
                pending = None
                continue
            m = re.match(r" (\S+)\s+(" + num + r")\s+(" + num + r")\s+(.+)$", line)
            if m and m.group(1) != "*fill*":
                out.append((current_out, int(m.group(2), 16), int(m.group(3), 16), m.group(4).strip()))
                continue
            m = re.match(r" (\.\S+)$", line)
            if m:
                pending = m.group(1)
    return out


def symbols(path, nm_file=None):
    """Sized symbols: (addr, size, name, file or None), one per address (aliases merged)."""
    by_addr = {}
    if nm_file:
        with open(nm_file, errors="replace") as f:
            text = f.read()
    else:
        text = run("nm", "-S", "-l", "-C", "--defined-only", path)
    for line in text.splitlines():
        m = re.match(r"([0-9a-f]+) ([0-9a-f]+) (\S) (.*)$", line)
        if not m:
            continue
        addr, size, kind, rest = int(m.group(1), 16), int(m.group(2), 16), m.group(3), m.group(4)
        if size == 0 or kind in "bB":
            continue
        name, _, where = rest.partition("\t")
        file = where.rsplit(":", 1)[0] if where else None
        old = by_addr.get(addr)
        # Aliases (C1/C2 constructors, ...) share an address: keep the larger, prefer one with a file.
        if old is None or size > old[1] or (size == old[1] and old[3] is None and file):
            by_addr[addr] = (addr, size, name, file)
    return sorted(by_addr.values())


def category_of_file(root, file):
    f = os.path.normpath(file)
    if f.startswith(root + os.sep) or not f.startswith("/"):
        rel = os.path.relpath(f, root) if f.startswith("/") else f
        for ours in OURS:
            if rel == ours or rel.startswith(ours + "/"):
                return ours
        return None
    if "/boost/beast" in f:
        return "Boost.Beast"
    if "/boost/asio" in f:
        return "Boost.Asio"
    if "/boost/" in f:
        return "Boost (other: system, intrusive, core, ...)"
    if "/rapidjson/" in f:
        return "RapidJSON"
    if "/toml++/" in f:
        return "toml++"
    if "/CLI/" in f:
        return "CLI11"
    if re.search(r"/include/(x86_64-linux-gnu/)?c\+\+/", f):
        return "libstdc++ (header templates instantiated by our code)"
    if re.search(r"/lib/gcc/[^/]+/\d+/include/", f):
        return "compiler intrinsics headers"
    if f.startswith("/usr/include/"):
        return "system headers (glibc, OpenSSL, curl, SQLite inline code)"
    return None


def category_of_name(name):
    # Skip a leading return type: the qualified name starts after the last space
    # before the first '(' or '<' that is not part of an operator name.
    head = name.split("(", 1)[0]
    depth = 0
    start = 0
    for i, ch in enumerate(head):
        if ch == "<":
            depth += 1
        elif ch == ">":
            depth -= 1
        elif ch == " " and depth == 0:
            start = i + 1
    qualified = name[start:]
    for candidate in (qualified, name):
        for prefix, cat in NAMESPACES:
            if candidate.startswith(prefix):
                return cat
    if qualified.startswith("main") or name == "main":
        return "apps/edgeai"
    return None


def category_of_object(obj):
    o = os.path.basename(obj.split("(", 1)[0])
    if "libstdc++" in o or "libsupc++" in o:
        return "libstdc++ (static archive: strings, streams, locale, ...)"
    if o.startswith("libgcc"):
        return "libgcc, libgcc_eh (unwinder, helpers)"
    if o.startswith("crt") or o.startswith("Scrt") or o.startswith("libc_nonshared") or "linker stubs" in obj:
        return "libc start files, libc_nonshared"
    return None


def short_name(name):
    """A demangled name without its argument list and template arguments, for a table."""
    out, depth = [], 0
    i = 0
    while i < len(name):
        if name.startswith("(anonymous namespace)", i):
            out.append("(anon)")
            i += len("(anonymous namespace)")
            continue
        ch = name[i]
        if ch == "<":
            if depth == 0:
                out.append("<…>")
            depth += 1
        elif ch == ">" and depth > 0:
            depth -= 1
        elif ch == "(" and depth == 0 and not name.startswith("(anon", i):
            rest = name[i:]
            if "{lambda" in rest:
                out.append("::{lambda}")
            break
        elif depth == 0:
            out.append(ch)
        i += 1
    text = "".join(out).replace("`", "")
    return text[:110]


def stdcxx_group(member):
    """What a libstdc++.a member is for, roughly."""
    if member.startswith("cp-demangle"):
        return "the demangler (std::terminate's verbose handler)"
    if re.search(r"locale|facets|monetary|time_members|codecvt|numeric_members|ctype|messages|collate"
                 r"|ios|stream|fstream|basic_file|globals_io|streambuf", member):
        return "locale and iostreams"
    if re.search(r"string|snprintf|ext11", member):
        return "strings"
    if re.search(r"^eh_|type_info|tinfo|guard|new_|del_|pure|vterminate|atexit|bad_", member):
        return "exceptions, RTTI, new/delete"
    return "other (filesystem, hashtable, tree, system_error, ...)"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", required=True)
    ap.add_argument("--unstripped", required=True)
    ap.add_argument("--stripped", required=True)
    ap.add_argument("--map", required=True)
    ap.add_argument("--nm", help="output of `nm -S -l -C --defined-only UNSTRIPPED` (else run here)")
    ap.add_argument("--json")
    ap.add_argument("--top", type=int, default=25)
    args = ap.parse_args()
    root = os.path.realpath(args.root)

    stripped_size = os.path.getsize(args.stripped)
    st_sections = [s for s in sections(args.stripped) if s[1] != "NOBITS"]
    in_file = sum(s[4] for s in st_sections)
    # The stripped file's sections are the unstripped file's allocated ones (same addresses).
    un_sections = {s[0]: s for s in sections(args.unstripped)}

    inputs = map_inputs(args.map)
    syms = symbols(args.unstripped, args.nm)
    sym_addrs = [s[0] for s in syms]

    code = collections.Counter()  # category -> bytes of code (.text)
    data = collections.Counter()  # category -> bytes of read-only and initialised data
    fallback_bytes = 0
    per_symbol = []  # (size, category, name)
    per_object_unknown = collections.Counter()
    stdcxx = collections.Counter()  # libstdc++.a pieces by kind

    def add(cat, sec, n):
        (code if sec in CODE else data)[cat] += n

    for name, typ, addr, _off, size, flags in st_sections:
        if name in UNWIND:
            add(REST[3], name, size)
            continue
        if name == ".rela.dyn":
            add(REST[4], name, size)
            continue
        if name in DYNAMIC or "A" not in flags:
            add(REST[5], name, size)
            continue
        # Code and data are split in the unstripped build (built with -g): the
        # same bytes, but its unwind tables differ, so later sections' addresses do.
        un = un_sections.get(name)
        if un is None:
            add(REST[0], name, size)
            continue
        if un[4] != size:
            print(f"size_attribution: {name} is {size} bytes in the stripped binary, {un[4]} in the "
                  "unstripped one: the difference is counted as LTO output without a symbol", file=sys.stderr)
            add(REST[0], name, size - un[4])
            size = un[4]
        addr = un[2]
        # Map coverage of this section.
        lo, hi = addr, addr + size
        covered = 0
        for out_sec, iaddr, isize, obj in inputs:
            if out_sec != name or isize == 0 or iaddr < lo or iaddr >= hi:
                continue
            isize = min(isize, hi - iaddr)
            covered += isize
            cat = category_of_object(obj)
            if cat is not None:
                add(cat, name, isize)
                if cat == LIBS[7]:
                    member = obj.rsplit("(", 1)[-1].rstrip(")")
                    stdcxx[stdcxx_group(member)] += isize
                continue
            if ".ltrans" not in obj and not obj.endswith(".o") and "(" not in obj:
                per_object_unknown[obj] += isize
            # LTO output (or one of our objects not LTO'd): split by symbols.
            i = bisect.bisect_left(sym_addrs, iaddr)
            rest = isize
            end = iaddr + isize
            pos = iaddr
            while i < len(syms) and syms[i][0] < end:
                saddr, ssize, sname, sfile = syms[i]
                i += 1
                if saddr < pos:
                    continue  # overlaps the previous symbol
                ssize = min(ssize, end - saddr)
                cat = category_of_file(root, sfile) if sfile else None
                if cat is None and re.match(r"_sub_[ID]_", sname):
                    cat = REST[1]
                if cat is None:
                    cat = category_of_name(sname)
                    if cat is not None:
                        fallback_bytes += ssize
                if cat is None:
                    cat = REST[2]
                add(cat, name, ssize)
                per_symbol.append((ssize, cat, sname, name))
                rest -= ssize
                pos = saddr + ssize
            add(REST[0], name, rest)
        if covered < size:
            # Linker-made bytes in an allocated section (fill between inputs).
            add(REST[0] if name in (".text", ".rodata") else REST[5], name, size - covered)

    add(REST[6], "", stripped_size - in_file)

    rows = []
    for cat in OURS + LIBS + REST:
        c, d = code.get(cat, 0), data.get(cat, 0)
        if c + d:
            rows.append((cat, c, d))
    for cat in set(code) | set(data):
        if cat not in OURS + LIBS + REST:
            rows.append((cat, code.get(cat, 0), data.get(cat, 0)))
    total = sum(c + d for _, c, d in rows)
    if total != stripped_size:
        print(f"size_attribution: rows add up to {total}, file is {stripped_size}", file=sys.stderr)

    def kb(n):
        return f"{n / 1000:.1f}"

    def group_sum(cats):
        return sum(c + d for cat, c, d in rows if cat in cats)

    lines = ["| part | code (kB) | data (kB) | total (kB) | share |", "| --- | ---: | ---: | ---: | ---: |"]
    for cat, c, d in rows:
        label = cat if cat not in OURS else f"`{cat}`"
        lines.append(f"| {label} | {kb(c)} | {kb(d)} | {kb(c + d)} | {100 * (c + d) / stripped_size:.1f}% |")
    ours = group_sum(OURS)
    libs = group_sum(LIBS)
    rest = group_sum(REST)
    lines.append(f"| **our code** (rows `src/...`, `apps/...`) | | | **{kb(ours)}** | {100 * ours / stripped_size:.1f}% |")
    lines.append(f"| **third-party code** | | | **{kb(libs)}** | {100 * libs / stripped_size:.1f}% |")
    lines.append(f"| **tables, linking, headers** | | | **{kb(rest)}** | {100 * rest / stripped_size:.1f}% |")
    lines.append(f"| **stripped file** | | | **{kb(stripped_size)}** | 100% |")
    print("\n".join(lines))

    per_symbol.sort(reverse=True)
    top = per_symbol[: args.top]
    print()
    print(f"| heaviest symbols ({len(top)}) | part | section | kB |")
    print("| --- | --- | --- | ---: |")
    for ssize, cat, sname, sec in top:
        print(f"| `{short_name(sname)}` | {cat} | {sec} | {kb(ssize)} |")
    print("STDCXX " + "; ".join(f"{g} {v / 1000:.1f} kB" for g, v in stdcxx.most_common()))
    print(f"FALLBACK bytes attributed by namespace (no line info): {fallback_bytes}")
    if per_object_unknown:
        print(f"UNKNOWN objects: {dict(per_object_unknown)}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"stripped_size": stripped_size,
                       "rows": [{"part": cat, "code": c, "data": d} for cat, c, d in rows],
                       "ours": ours, "libs": libs, "rest": rest, "fallback_bytes": fallback_bytes,
                       "top": [{"size": s, "part": c, "section": sec, "name": n} for s, c, n, sec in top]},
                      f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
