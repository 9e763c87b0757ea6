#include "core/http_types.h"

#include "core/hex.h"

#include <algorithm>

namespace edgeai::core {

namespace {
char ascii_lower(char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
}
} // namespace

std::string_view trim_spaces(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
        s.remove_suffix(1);
    return s;
}

std::string percent_decode(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%' && i + 2 < s.size()) {
            const int hi = hex_digit_value(s[i + 1]);
            const int lo = hex_digit_value(s[i + 2]);
            if (hi >= 0 && lo >= 0) {
                out.push_back(static_cast<char>(hi * 16 + lo));
                i += 2;
                continue;
            }
        }
        out.push_back(s[i]);
    }
    return out;
}

std::optional<std::string_view> query_param(std::string_view target, std::string_view name) {
    const size_t question = target.find('?');
    if (question == std::string_view::npos) return std::nullopt;
    std::string_view query = target.substr(question + 1);
    while (!query.empty()) {
        const size_t amp = query.find('&');
        const std::string_view pair = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
        const size_t eq = pair.find('=');
        if (pair.substr(0, eq) == name)
            return eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
    }
    return std::nullopt;
}

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
        if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
    }
    return true;
}

void Headers::set(std::string_view name, std::string value) {
    remove(name);
    fields_.push_back({std::string(name), std::move(value)});
}

void Headers::remove(std::string_view name) {
    fields_.erase(std::remove_if(fields_.begin(), fields_.end(),
                                 [&](const Header& h) { return iequals(h.name, name); }),
                  fields_.end());
}

void Headers::remove_prefixed(std::string_view prefix) {
    fields_.erase(std::remove_if(
                      fields_.begin(), fields_.end(),
                      [&](const Header& h) {
                          return h.name.size() >= prefix.size() &&
                                 iequals(std::string_view(h.name).substr(0, prefix.size()), prefix);
                      }),
                  fields_.end());
}

std::string_view Headers::get(std::string_view name) const {
    for (const Header& h : fields_) {
        if (iequals(h.name, name)) return h.value;
    }
    return {};
}

bool Headers::has(std::string_view name) const {
    for (const Header& h : fields_) {
        if (iequals(h.name, name)) return true;
    }
    return false;
}

std::string_view HttpRequest::path() const {
    std::string_view t = target;
    size_t q = t.find('?');
    return q == std::string_view::npos ? t : t.substr(0, q);
}

std::string redact_url_credentials(std::string_view url) {
    const size_t scheme = url.find("://");
    if (scheme == std::string_view::npos) return std::string(url);
    const size_t start = scheme + 3;
    size_t end = url.find_first_of("/?#", start);
    if (end == std::string_view::npos) end = url.size();
    const size_t at = url.rfind('@', end);
    if (at == std::string_view::npos || at < start) return std::string(url);
    const std::string_view userinfo = url.substr(start, at - start);
    const size_t colon = userinfo.find(':');
    // "user:secret@" keeps the user; a lone "token@" is all secret.
    std::string out(url.substr(0, start));
    if (colon != std::string_view::npos) out += std::string(userinfo.substr(0, colon + 1));
    out += "<redacted>";
    out += url.substr(at);
    return out;
}

bool next_header_list_entry(std::string_view& list, HeaderListEntry& entry) {
    if (list.empty()) return false;
    const size_t comma = list.find(',');
    std::string_view item = list.substr(0, comma);
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
    size_t semi = item.find(';');
    entry.value = trim_spaces(item.substr(0, semi));
    entry.accepted = true;
    while (semi != std::string_view::npos) {
        item = item.substr(semi + 1);
        semi = item.find(';');
        const std::string_view param = trim_spaces(item.substr(0, semi));
        if (param.size() >= 2 && iequals(param.substr(0, 2), "q="))
            entry.accepted =
                trim_spaces(param.substr(2)).find_first_not_of("0.") != std::string_view::npos;
    }
    return true;
}

} // namespace edgeai::core
