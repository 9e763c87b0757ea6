#include "core/http_types.h"

#include <algorithm>

namespace edgeai::core {

namespace {
char ascii_lower(char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
}
} // namespace

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

} // namespace edgeai::core
