#include "core/net/outbound_url.h"

#include "core/http_types.h"

namespace edgeai::core::net {
namespace {

bool is_alnum(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool is_hex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// RFC 3986 pchar and the query's '/' and '?', without '%' (escapes are
// checked apart): what a path and query may hold unescaped.
bool is_target_char(char c) {
    if (is_alnum(c)) return true;
    constexpr std::string_view kOthers = "-._~!$&'()*+,;=:@/?";
    return kOthers.find(c) != std::string_view::npos;
}

Status url_error(std::string what) {
    return invalid_argument("the URL " + std::move(what));
}

Status check_target(std::string_view target) {
    for (size_t i = 0; i < target.size(); ++i) {
        const char c = target[i];
        if (c == '%') {
            if (i + 2 >= target.size() || !is_hex(target[i + 1]) || !is_hex(target[i + 2])) {
                return url_error("has a '%' not followed by two hex digits in its path");
            }
            i += 2;
            continue;
        }
        if (!is_target_char(c)) {
            return url_error(std::string("has '") + c +
                             "' in its path or query; percent-encode it");
        }
    }
    return {};
}

// A DNS name: letters, digits, '-' and '_' in labels of 1..63, lowercased,
// without the trailing dot. Numeric forms are IPv4 addresses (see the header).
Status normalise_host_name(std::string_view text, std::string* host,
                           std::optional<IpAddress>* address) {
    if (text.empty()) return url_error("has no host");
    for (char c : text) {
        if (!is_alnum(c) && c != '-' && c != '_' && c != '.') {
            return url_error(std::string("host has '") + c + "', which no host name may hold");
        }
    }
    IpAddress v4;
    switch (parse_numeric_ipv4(text, &v4)) {
    case NumericHost::kAddress:
        *host = format_ip(v4);
        *address = v4;
        return {};
    case NumericHost::kInvalid:
        return url_error("host '" + std::string(text) +
                         "' ends in a number but is not an IPv4 address");
    case NumericHost::kName:
        break;
    }
    if (text.size() > 1 && text.back() == '.') text.remove_suffix(1);
    if (text.size() > kMaxHostNameBytes) return url_error("host is longer than 253 characters");
    size_t label = 0;
    for (char c : text) {
        if (c == '.') {
            if (label == 0) return url_error("host has an empty label");
            label = 0;
            continue;
        }
        if (++label > kMaxHostLabelBytes) return url_error("host has a label over 63 characters");
    }
    if (label == 0) return url_error("host has an empty label");
    host->clear();
    for (char c : text)
        host->push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
    address->reset();
    return {};
}

Status parse_port(std::string_view text, uint16_t* port) {
    if (text.empty() || text.size() > 5) return url_error("has an empty or too long port");
    uint32_t value = 0;
    for (char c : text) {
        if (c < '0' || c > '9') return url_error("has a port that is not a number");
        value = value * 10 + static_cast<uint32_t>(c - '0');
    }
    if (value == 0 || value > 65535) return url_error("has a port outside 1..65535");
    *port = static_cast<uint16_t>(value);
    return {};
}

} // namespace

Status parse_host_port(std::string_view authority, std::string* host,
                       std::optional<IpAddress>* address, std::optional<uint16_t>* port) {
    std::string_view port_text;
    bool has_port = false;
    if (!authority.empty() && authority.front() == '[') {
        const size_t close = authority.find(']');
        if (close == std::string_view::npos) return url_error("has a '[' without its ']'");
        const std::string_view inside = authority.substr(1, close - 1);
        if (inside.find('%') != std::string_view::npos) {
            return url_error("names an IPv6 zone, which an outbound call may not choose");
        }
        auto v6 = parse_ipv6(inside);
        if (!v6) return url_error("has '" + std::string(inside) + "' in brackets: not IPv6");
        *host = format_ip(*v6);
        *address = *v6;
        const std::string_view after = authority.substr(close + 1);
        if (!after.empty()) {
            if (after.front() != ':') return url_error("has text after its ']'");
            port_text = after.substr(1);
            has_port = true;
        }
    } else {
        const size_t colon = authority.find(':');
        if (colon != std::string_view::npos) {
            port_text = authority.substr(colon + 1);
            has_port = true;
        }
        EDGEAI_TRY(normalise_host_name(authority.substr(0, colon), host, address));
    }
    if (has_port) {
        uint16_t value = 0;
        EDGEAI_TRY(parse_port(port_text, &value));
        *port = value;
    }
    return {};
}

Result<OutboundUrl> parse_outbound_url(std::string_view url) {
    if (url.size() > kMaxOutboundUrlBytes) {
        return url_error("is " + std::to_string(url.size()) + " bytes; at most " +
                         std::to_string(kMaxOutboundUrlBytes) + " are accepted");
    }
    for (size_t i = 0; i < url.size(); ++i) {
        const auto byte = static_cast<unsigned char>(url[i]);
        if (byte <= 0x20 || byte >= 0x7F) {
            return url_error("has a space, control or non-ASCII byte at offset " +
                             std::to_string(i) + "; percent-encode it");
        }
    }
    OutboundUrl out;
    const size_t sep = url.find("://");
    const std::string_view scheme = sep == std::string_view::npos ? "" : url.substr(0, sep);
    if (iequals(scheme, "http")) {
        out.scheme = UrlScheme::kHttp;
        out.port = 80;
    } else if (iequals(scheme, "https")) {
        out.scheme = UrlScheme::kHttps;
        out.port = 443;
    } else {
        return url_error("must start with http:// or https://");
    }
    std::string_view rest = url.substr(sep + 3);
    rest = rest.substr(0, rest.find('#')); // the fragment is the client's, never sent
    const size_t path_at = rest.find_first_of("/?");
    const std::string_view authority = rest.substr(0, path_at);
    if (authority.find('@') != std::string_view::npos) {
        return url_error("has credentials (user@ or user:password@), which are not accepted: "
                         "the receiver can check the call's x-edgeai-signature instead");
    }
    std::optional<uint16_t> port;
    EDGEAI_TRY(parse_host_port(authority, &out.host, &out.address, &port));
    if (port) out.port = *port;
    std::string_view target = path_at == std::string_view::npos ? "" : rest.substr(path_at);
    EDGEAI_TRY(check_target(target));
    if (target.empty() || target.front() == '?') out.target = "/";
    out.target += target;
    return out;
}

std::string OutboundUrl::authority() const {
    std::string out = address && !address->is_v4() ? "[" + host + "]" : host;
    if (!default_port()) out += ":" + std::to_string(port);
    return out;
}

std::string OutboundUrl::text() const {
    return (scheme == UrlScheme::kHttps ? "https://" : "http://") + authority() + target;
}

} // namespace edgeai::core::net
