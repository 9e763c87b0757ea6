#include "engine/template/py_string.h"

#include "core/utf8.h"

namespace edgeai::engine::tmpl {

std::vector<size_t> code_point_offsets(std::string_view s) {
    std::vector<size_t> offsets;
    offsets.reserve(s.size() + 1);
    for (size_t i = 0; i < s.size();) {
        offsets.push_back(i);
        uint32_t cp = 0;
        const size_t n = static_cast<unsigned char>(s[i]) < 0x80 ? 1 : core::decode_utf8(s, i, &cp);
        i += n == 0 ? 1 : n;
    }
    offsets.push_back(s.size());
    return offsets;
}

size_t code_point_count(std::string_view s) {
    size_t count = 0;
    for (size_t i = 0; i < s.size(); ++count) {
        uint32_t cp = 0;
        const size_t n = static_cast<unsigned char>(s[i]) < 0x80 ? 1 : core::decode_utf8(s, i, &cp);
        i += n == 0 ? 1 : n;
    }
    return count;
}

namespace {

// Python's str.isspace() code points.
bool is_py_space(uint32_t cp) {
    return (cp >= 0x09 && cp <= 0x0d) || (cp >= 0x1c && cp <= 0x20) || cp == 0x85 || cp == 0xa0 ||
           cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200a) || cp == 0x2028 || cp == 0x2029 ||
           cp == 0x202f || cp == 0x205f || cp == 0x3000;
}

struct CodePoint {
    uint32_t value;
    size_t size;
};

CodePoint code_point_at(std::string_view s, size_t i) {
    uint32_t cp = static_cast<unsigned char>(s[i]);
    if (cp < 0x80) return {cp, 1};
    const size_t n = core::decode_utf8(s, i, &cp);
    if (n == 0) return {0xdc00u + static_cast<unsigned char>(s[i]), 1}; // a lone byte
    return {cp, n};
}

bool in_set(uint32_t cp, const std::optional<std::string>& chars) {
    if (!chars) return is_py_space(cp);
    for (size_t i = 0; i < chars->size();) {
        const CodePoint c = code_point_at(*chars, i);
        if (c.value == cp) return true;
        i += c.size;
    }
    return false;
}

} // namespace

std::string_view py_strip(std::string_view s, const std::optional<std::string>& chars, bool left,
                          bool right) {
    if (left) {
        size_t i = 0;
        while (i < s.size()) {
            const CodePoint c = code_point_at(s, i);
            if (!in_set(c.value, chars)) break;
            i += c.size;
        }
        s.remove_prefix(i);
    }
    if (right) {
        const std::vector<size_t> offsets = code_point_offsets(s);
        size_t end = offsets.size() - 1;
        while (end > 0) {
            const CodePoint c = code_point_at(s, offsets[end - 1]);
            if (!in_set(c.value, chars)) break;
            --end;
        }
        s = s.substr(0, offsets[end]);
    }
    return s;
}

std::vector<std::string> py_split(std::string_view s, const std::optional<std::string>& sep,
                                  int64_t maxsplit) {
    std::vector<std::string> parts;
    if (sep) {
        size_t start = 0;
        while (maxsplit < 0 || static_cast<int64_t>(parts.size()) < maxsplit) {
            const size_t at = s.find(*sep, start);
            if (at == std::string_view::npos) break;
            parts.emplace_back(s.substr(start, at - start));
            start = at + sep->size();
        }
        parts.emplace_back(s.substr(start));
        return parts;
    }
    size_t i = 0;
    while (true) {
        while (i < s.size() && is_py_space(code_point_at(s, i).value))
            i += code_point_at(s, i).size;
        if (i >= s.size()) break;
        if (maxsplit >= 0 && static_cast<int64_t>(parts.size()) == maxsplit) {
            parts.emplace_back(py_strip(s.substr(i), std::nullopt, false, true));
            break;
        }
        const size_t start = i;
        while (i < s.size() && !is_py_space(code_point_at(s, i).value)) {
            i += code_point_at(s, i).size;
        }
        parts.emplace_back(s.substr(start, i - start));
    }
    return parts;
}

std::string py_replace(std::string_view s, std::string_view old, std::string_view replacement,
                       int64_t count) {
    std::string out;
    int64_t done = 0;
    if (old.empty()) {
        const std::vector<size_t> offsets = code_point_offsets(s);
        for (size_t k = 0; k + 1 < offsets.size(); ++k) {
            if (count < 0 || done < count) {
                out += replacement;
                ++done;
            }
            out += s.substr(offsets[k], offsets[k + 1] - offsets[k]);
        }
        if (count < 0 || done < count) out += replacement;
        return out;
    }
    size_t start = 0;
    while (count < 0 || done < count) {
        const size_t at = s.find(old, start);
        if (at == std::string_view::npos) break;
        out += s.substr(start, at - start);
        out += replacement;
        start = at + old.size();
        ++done;
    }
    out += s.substr(start);
    return out;
}

namespace {

bool is_lower(char c) {
    return c >= 'a' && c <= 'z';
}
bool is_upper(char c) {
    return c >= 'A' && c <= 'Z';
}
char to_upper(char c) {
    return is_lower(c) ? static_cast<char>(c - 'a' + 'A') : c;
}
char to_lower(char c) {
    return is_upper(c) ? static_cast<char>(c - 'A' + 'a') : c;
}

} // namespace

std::string py_upper(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        c = to_upper(c);
    return out;
}

std::string py_lower(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        c = to_lower(c);
    return out;
}

std::string py_title(std::string_view s) {
    std::string out(s);
    bool after_letter = false;
    for (char& c : out) {
        const bool letter = is_lower(c) || is_upper(c);
        if (letter) c = after_letter ? to_lower(c) : to_upper(c);
        after_letter = letter;
    }
    return out;
}

std::string py_capitalize(std::string_view s) {
    std::string out = py_lower(s);
    if (!out.empty()) out[0] = to_upper(out[0]);
    return out;
}

std::vector<size_t> slice_indices(size_t length, std::optional<int64_t> start,
                                  std::optional<int64_t> stop, int64_t step) {
    const int64_t n = static_cast<int64_t>(length);
    auto clamp = [n, step](std::optional<int64_t> v, int64_t if_absent) {
        if (!v) return if_absent;
        int64_t i = *v;
        if (i < 0) {
            i += n;
            if (i < 0) i = step < 0 ? -1 : 0;
        } else if (i >= n) {
            i = step < 0 ? n - 1 : n;
        }
        return i;
    };
    std::vector<size_t> out;
    if (step > 0) {
        const int64_t b = clamp(start, 0);
        const int64_t e = clamp(stop, n);
        for (int64_t i = b; i < e; i += step) {
            out.push_back(static_cast<size_t>(i));
            if (step >= e - i) break; // the next index is past the end, or would overflow
        }
    } else {
        const int64_t b = clamp(start, n - 1);
        const int64_t e = clamp(stop, -1);
        for (int64_t i = b; i > e; i += step) {
            out.push_back(static_cast<size_t>(i));
            if (step <= e - i) break;
        }
    }
    return out;
}

} // namespace edgeai::engine::tmpl
