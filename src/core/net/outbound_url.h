// A URL the gateway will call on a client's behalf (a job's webhook), taken
// apart once and checked strictly, so what is judged by the destination
// policy is exactly what is connected to and what the request line says.
//
// Accepted: http or https (any case), "//", a host, an optional port, a path
// and query of RFC 3986 characters (and %XX escapes). The host is a name
// (letters, digits, '-', '_', '.', lowercased), an IPv4 address in any form
// inet_aton reads (normalised to the dotted quad, so "127.1" is judged as
// 127.0.0.1 and never resolved as a name) or an IPv6 address in brackets.
// Refused: other schemes, userinfo ("user:pass@": besides leaking secrets into
// logs and the job's JSON, "https://trusted@evil" is a classic way to fool a
// reader; receivers authenticate the call by its x-edgeai-signature), spaces,
// control and non-ASCII bytes (they would end up in the request line), a zone
// in an IPv6 address, an empty or out-of-range port, and anything longer than
// kMaxOutboundUrlBytes. A fragment is dropped: it is never sent.
#pragma once

#include "core/net/ip_address.h"
#include "core/result.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace edgeai::core::net {

constexpr size_t kMaxOutboundUrlBytes = 2048;
// RFC 1035's limits on a DNS name and each of its labels.
constexpr size_t kMaxHostNameBytes = 253;
constexpr size_t kMaxHostLabelBytes = 63;

enum class UrlScheme { kHttp, kHttps };

struct OutboundUrl {
    UrlScheme scheme = UrlScheme::kHttp;
    // Lowercase name without a trailing dot, dotted quad, or IPv6 text
    // (RFC 5952, no brackets).
    std::string host;
    // Set when the host is an address literal: no name to resolve.
    std::optional<IpAddress> address;
    uint16_t port = 80; // as given, or the scheme's default
    // Path and query, at least "/": the request line's target, as is.
    std::string target;

    bool default_port() const { return port == (scheme == UrlScheme::kHttps ? 443 : 80); }
    // The Host header: the host ([v6] in brackets) and ":port" unless default.
    std::string authority() const;
    // The whole URL again, normalised (libcurl is given this one).
    std::string text() const;
};

// Nothing in `url` is trusted; an error names what is wrong and the part.
Result<OutboundUrl> parse_outbound_url(std::string_view url);

// "host", "host:port", "[v6]" or "[v6]:port", as parse_outbound_url reads an
// authority (no userinfo). `port` is left alone when none is given.
Status parse_host_port(std::string_view authority, std::string* host,
                       std::optional<IpAddress>* address, std::optional<uint16_t>* port);

} // namespace edgeai::core::net
