#include "core/net/redis_url.h"

#include "core/http_types.h"

#include <charconv>

namespace edgeai::core::net {

namespace {

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

bool percent_decode(std::string_view in, std::string& out) {
    out.clear();
    for (size_t i = 0; i < in.size(); ++i) {
        if (in[i] != '%') {
            out.push_back(in[i]);
            continue;
        }
        if (i + 2 >= in.size()) return false;
        const int hi = hex_value(in[i + 1]);
        const int lo = hex_value(in[i + 2]);
        if (hi < 0 || lo < 0) return false;
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
    }
    return true;
}

bool parse_number(std::string_view text, int64_t max, int64_t& value) {
    if (text.empty() || text.size() > 10) return false;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    return ec == std::errc() && end == text.data() + text.size() && value >= 0 && value <= max;
}

} // namespace

Result<RedisUrl> parse_redis_url(std::string_view url) {
    // Shown in errors without its password.
    const std::string shown = redact_url_credentials(url);
    auto bad = [&](std::string why) {
        return invalid_argument("limits.redis_url '" + shown + "': " + why +
                                "; expected redis://[:PASSWORD@]HOST:PORT[/DB]");
    };
    constexpr std::string_view kScheme = "redis://";
    if (url.starts_with("rediss://")) return bad("TLS to Redis (rediss://) is not supported");
    if (!url.starts_with(kScheme)) return bad("the scheme must be redis://");
    std::string_view rest = url.substr(kScheme.size());
    const size_t slash = rest.find('/');
    std::string_view authority = rest.substr(0, slash);
    const std::string_view path =
        slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
    RedisUrl out;
    if (const size_t at = authority.rfind('@'); at != std::string_view::npos) {
        const std::string_view userinfo = authority.substr(0, at);
        authority = authority.substr(at + 1);
        const size_t colon = userinfo.find(':');
        const std::string_view user = userinfo.substr(0, colon);
        const std::string_view password =
            colon == std::string_view::npos ? std::string_view() : userinfo.substr(colon + 1);
        if (!percent_decode(user, out.user) || !percent_decode(password, out.password))
            return bad("a %XX escape in the credentials is not two hex digits");
        if (out.password.empty() && !out.user.empty()) {
            // "redis://secret@host" is how some tools write a password alone.
            out.password = std::move(out.user);
            out.user.clear();
        }
    }
    std::string_view port;
    if (authority.starts_with("[")) {
        const size_t close = authority.find(']');
        if (close == std::string_view::npos) return bad("an IPv6 address without ']'");
        out.host = std::string(authority.substr(1, close - 1));
        const std::string_view after = authority.substr(close + 1);
        if (!after.empty() && after.front() != ':') return bad("junk after the IPv6 address");
        if (!after.empty()) port = after.substr(1);
    } else {
        const size_t colon = authority.rfind(':');
        out.host = std::string(authority.substr(0, colon));
        if (colon != std::string_view::npos) port = authority.substr(colon + 1);
    }
    if (out.host.empty()) return bad("no host");
    if (!port.empty()) {
        int64_t n = 0;
        if (!parse_number(port, 65535, n) || n == 0) return bad("the port is not 1 to 65535");
        out.port = static_cast<uint16_t>(n);
    }
    if (!path.empty() && !parse_number(path, 1 << 20, out.db))
        return bad("the database after '/' is not a number");
    return out;
}

} // namespace edgeai::core::net
