#include "core/net/ip_address.h"

namespace edgeai::core::net {
namespace {

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

bool has_hex_prefix(std::string_view s) {
    return s.size() >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
}

// A label WHATWG calls a number: decimal digits, or 0x and hex digits.
bool is_number_label(std::string_view label) {
    if (label.empty()) return false;
    if (has_hex_prefix(label)) {
        for (char c : label.substr(2))
            if (hex_value(c) < 0) return false;
        return true;
    }
    for (char c : label)
        if (!is_digit(c)) return false;
    return true;
}

// One part of an inet_aton address; nullopt when it is not a number in its
// radix or passes 2^32 (no part can be larger and still fit).
std::optional<uint64_t> parse_aton_part(std::string_view part) {
    if (part.empty()) return std::nullopt;
    uint64_t radix = 10;
    if (has_hex_prefix(part)) {
        radix = 16;
        part.remove_prefix(2); // "0x" alone is 0, as inet_aton reads it
    } else if (part.size() > 1 && part[0] == '0') {
        radix = 8;
        part.remove_prefix(1);
    }
    uint64_t value = 0;
    for (char c : part) {
        const int digit = hex_value(c);
        if (digit < 0 || static_cast<uint64_t>(digit) >= radix) return std::nullopt;
        value = value * radix + static_cast<uint64_t>(digit);
        if (value > 0xFFFFFFFFull) return std::nullopt;
    }
    return value;
}

} // namespace

IpAddress IpAddress::v4(uint32_t value) {
    IpAddress a;
    a.family = Family::kV4;
    a.bytes[0] = static_cast<uint8_t>(value >> 24);
    a.bytes[1] = static_cast<uint8_t>(value >> 16);
    a.bytes[2] = static_cast<uint8_t>(value >> 8);
    a.bytes[3] = static_cast<uint8_t>(value);
    return a;
}

IpAddress IpAddress::v6(const std::array<uint8_t, 16>& bytes) {
    IpAddress a;
    a.family = Family::kV6;
    a.bytes = bytes;
    return a;
}

uint32_t IpAddress::v4_value() const {
    return (uint32_t{bytes[0]} << 24) | (uint32_t{bytes[1]} << 16) | (uint32_t{bytes[2]} << 8) |
           uint32_t{bytes[3]};
}

std::optional<IpAddress> parse_ipv4_dotted(std::string_view text) {
    uint32_t value = 0;
    int parts = 0;
    while (true) {
        if (parts == 4) return std::nullopt; // a fifth part
        const size_t dot = text.find('.');
        const std::string_view part = text.substr(0, dot);
        if (part.empty() || part.size() > 3 || (part.size() > 1 && part[0] == '0')) {
            return std::nullopt;
        }
        uint32_t n = 0;
        for (char c : part) {
            if (!is_digit(c)) return std::nullopt;
            n = n * 10 + static_cast<uint32_t>(c - '0');
        }
        if (n > 255) return std::nullopt;
        value = (value << 8) | n;
        ++parts;
        if (dot == std::string_view::npos) break;
        text.remove_prefix(dot + 1);
    }
    if (parts != 4) return std::nullopt;
    return IpAddress::v4(value);
}

NumericHost parse_numeric_ipv4(std::string_view host, IpAddress* out) {
    if (host.size() > 1 && host.back() == '.') host.remove_suffix(1);
    const size_t last_dot = host.rfind('.');
    const std::string_view last =
        last_dot == std::string_view::npos ? host : host.substr(last_dot + 1);
    if (!is_number_label(last)) return NumericHost::kName;
    uint64_t parts[4] = {};
    size_t n = 0;
    while (true) {
        if (n == 4) return NumericHost::kInvalid;
        const size_t dot = host.find('.');
        auto part = parse_aton_part(host.substr(0, dot));
        if (!part) return NumericHost::kInvalid;
        parts[n++] = *part;
        if (dot == std::string_view::npos) break;
        host.remove_prefix(dot + 1);
    }
    // Every part but the last is one byte; the last fills the bytes left.
    uint64_t value = 0;
    for (size_t i = 0; i + 1 < n; ++i) {
        if (parts[i] > 255) return NumericHost::kInvalid;
        value |= parts[i] << (8 * (3 - i));
    }
    const uint64_t last_max = (uint64_t{1} << (8 * (5 - n))) - 1;
    if (parts[n - 1] > last_max) return NumericHost::kInvalid;
    value |= parts[n - 1];
    if (out != nullptr) *out = IpAddress::v4(static_cast<uint32_t>(value));
    return NumericHost::kAddress;
}

std::optional<IpAddress> parse_ipv6(std::string_view text) {
    uint16_t groups[8] = {};
    int n = 0;    // groups read
    int gap = -1; // where "::" stands, as a group index
    size_t i = 0;
    if (text.empty()) return std::nullopt;
    if (text[0] == ':') {
        if (text.size() < 2 || text[1] != ':') return std::nullopt;
        gap = 0;
        i = 2;
    }
    while (i < text.size()) {
        if (n == 8) return std::nullopt;
        const std::string_view rest = text.substr(i);
        if (rest.find(':') == std::string_view::npos && rest.find('.') != std::string_view::npos) {
            // An IPv4 tail fills the last two groups.
            auto v4 = parse_ipv4_dotted(rest);
            if (!v4 || n > 6) return std::nullopt;
            groups[n++] = static_cast<uint16_t>((v4->bytes[0] << 8) | v4->bytes[1]);
            groups[n++] = static_cast<uint16_t>((v4->bytes[2] << 8) | v4->bytes[3]);
            i = text.size();
            break;
        }
        uint32_t value = 0;
        size_t digits = 0;
        while (i < text.size() && hex_value(text[i]) >= 0) {
            if (++digits > 4) return std::nullopt;
            value = value * 16 + static_cast<uint32_t>(hex_value(text[i]));
            ++i;
        }
        if (digits == 0) return std::nullopt;
        groups[n++] = static_cast<uint16_t>(value);
        if (i == text.size()) break;
        if (text[i] != ':') return std::nullopt;
        ++i;
        if (i < text.size() && text[i] == ':') {
            if (gap >= 0) return std::nullopt;
            gap = n;
            ++i;
        } else if (i == text.size()) {
            return std::nullopt; // a single trailing colon
        }
    }
    if (gap < 0 ? n != 8 : n > 7) return std::nullopt;
    std::array<uint8_t, 16> bytes{};
    const int tail = gap < 0 ? 0 : n - gap;
    for (int g = 0; g < n; ++g) {
        // Groups after the gap go to the end.
        const int at = (gap >= 0 && g >= gap) ? 8 - tail + (g - gap) : g;
        bytes[static_cast<size_t>(at * 2)] = static_cast<uint8_t>(groups[g] >> 8);
        bytes[static_cast<size_t>(at * 2 + 1)] = static_cast<uint8_t>(groups[g]);
    }
    return IpAddress::v6(bytes);
}

std::optional<IpAddress> parse_ip_literal(std::string_view text) {
    if (text.find(':') != std::string_view::npos) return parse_ipv6(text);
    return parse_ipv4_dotted(text);
}

std::string format_ip(const IpAddress& address) {
    const auto& b = address.bytes;
    if (address.is_v4()) {
        return std::to_string(b[0]) + "." + std::to_string(b[1]) + "." + std::to_string(b[2]) +
               "." + std::to_string(b[3]);
    }
    uint16_t groups[8];
    for (size_t g = 0; g < 8; ++g)
        groups[g] = static_cast<uint16_t>((b[g * 2] << 8) | b[g * 2 + 1]);
    // The longest run of two or more zero groups (the first of equals) is "::".
    int best = -1, best_len = 1;
    for (int g = 0; g < 8;) {
        int len = 0;
        while (g + len < 8 && groups[g + len] == 0)
            ++len;
        if (len > best_len) {
            best = g;
            best_len = len;
        }
        g += len > 0 ? len : 1;
    }
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    for (int g = 0; g < 8; ++g) {
        if (g == best) {
            out += "::";
            g += best_len - 1;
            continue;
        }
        if (!out.empty() && out.back() != ':') out += ':';
        bool leading = true;
        for (int shift = 12; shift >= 0; shift -= 4) {
            const int digit = (groups[g] >> shift) & 0xF;
            if (leading && digit == 0 && shift > 0) continue;
            leading = false;
            out += kHex[digit];
        }
    }
    return out;
}

} // namespace edgeai::core::net
