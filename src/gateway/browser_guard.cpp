#include "gateway/browser_guard.h"

#include "api/api_error.h"

namespace edgeai::gateway {
namespace {

bool changes_state(std::string_view method) {
    return method != "GET" && method != "HEAD" && method != "OPTIONS";
}

// "name:port", "[v6]:port" or a bare name: the host part, as sent.
std::string_view host_part(std::string_view host) {
    if (!host.empty() && host.front() == '[') {
        const size_t close = host.find(']');
        return close == std::string_view::npos ? host : host.substr(0, close + 1);
    }
    const size_t colon = host.rfind(':');
    return colon == std::string_view::npos ? host : host.substr(0, colon);
}

bool is_ipv4_literal(std::string_view host) {
    int dots = 0, digits = 0;
    for (char c : host) {
        if (c == '.') {
            if (digits == 0) return false;
            ++dots;
            digits = 0;
        } else if (c >= '0' && c <= '9' && digits < 3) {
            ++digits;
        } else {
            return false;
        }
    }
    return dots == 3 && digits > 0;
}

bool ends_with_ci(std::string_view s, std::string_view suffix) {
    return s.size() >= suffix.size() && core::iequals(s.substr(s.size() - suffix.size()), suffix);
}

} // namespace

core::Status check_origin(const core::HttpRequest& request, const core::Settings& settings) {
    const std::string_view origin = request.headers.get("origin");
    if (origin.empty() || !changes_state(request.method)) return {};
    for (const std::string& allowed : settings.server.cors.allow_origins) {
        if (allowed == "*" || allowed == origin) return {};
    }
    const std::string_view host = request.headers.get("host");
    for (std::string_view scheme : {"http://", "https://"}) {
        if (!host.empty() && origin.size() == scheme.size() + host.size() &&
            core::iequals(origin.substr(0, scheme.size()), scheme) &&
            core::iequals(origin.substr(scheme.size()), host))
            return {};
    }
    return api::permission_denied(
        "cross_origin_refused",
        "A web page from " + std::string(origin) +
            " may not change anything here; add its origin to server.cors.allow_origins to let "
            "it");
}

core::Status check_host_without_keys(const core::HttpRequest& request,
                                     const core::Settings& settings) {
    const std::string_view host = host_part(request.headers.get("host"));
    // HTTP/1.0 clients may send none; the address they reached is ours.
    if (host.empty() || host.front() == '[' || is_ipv4_literal(host)) return {};
    if (core::iequals(host, "localhost") || ends_with_ci(host, ".localhost")) return {};
    if (core::iequals(host, host_part(settings.server.listen))) return {};
    return api::permission_denied(
        "host_not_allowed",
        "This gateway has no API keys yet and answers only to its own addresses, not to the name "
        "'" +
            std::string(host) +
            "' (a page may rebind a DNS name to it); use its IP address or localhost, or create a "
            "key with 'edgeai keys create'");
}

} // namespace edgeai::gateway
