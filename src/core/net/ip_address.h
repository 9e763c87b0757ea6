// IP addresses as bytes, and the text forms they arrive in. Outbound calls
// the gateway makes on a client's behalf (webhooks) are judged by the address
// they reach, so every spelling of a numeric host has to end up here: the
// dotted quad, the shorter and other-radix forms inet_aton accepts
// ("127.1", "0x7f000001", "017700000001", "2130706433") and RFC 4291's IPv6
// text (with "::" and an embedded IPv4 tail).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace edgeai::core::net {

struct IpAddress {
    enum class Family : uint8_t { kV4, kV6 };
    Family family = Family::kV4;
    // Network order; an IPv4 address uses the first 4 bytes, the rest stay 0.
    std::array<uint8_t, 16> bytes{};

    static IpAddress v4(uint32_t value);
    static IpAddress v6(const std::array<uint8_t, 16>& bytes);
    bool is_v4() const { return family == Family::kV4; }
    // The IPv4 address as a number (is_v4() only).
    uint32_t v4_value() const;
    // 4 or 16.
    int size() const { return is_v4() ? 4 : 16; }
    bool operator==(const IpAddress& other) const = default;
};

// "a.b.c.d", four decimal numbers 0..255 without leading zeros: the only
// IPv4 text the allow-list and an IPv6 address's tail accept.
std::optional<IpAddress> parse_ipv4_dotted(std::string_view text);

// What a URL host that looks numeric means. Like the WHATWG URL standard, a
// host whose last label (one trailing dot aside) is a number ("1", "0x1f")
// is an IPv4 address in inet_aton's syntax: one to four parts, each decimal,
// 0x-hex or 0-octal, the last filling the bytes left. Such a host that does
// not parse is refused rather than resolved as a name.
enum class NumericHost { kName, kAddress, kInvalid };
NumericHost parse_numeric_ipv4(std::string_view host, IpAddress* out);

// RFC 4291 section 2.2 text, without brackets; no zone ("%eth0").
std::optional<IpAddress> parse_ipv6(std::string_view text);

// Either kind of literal: a dotted quad or IPv6 text (no inet_aton forms).
std::optional<IpAddress> parse_ip_literal(std::string_view text);

// The dotted quad, or RFC 5952's IPv6 text (lowercase, the longest run of
// zero groups as "::"); IPv6 without brackets.
std::string format_ip(const IpAddress& address);

} // namespace edgeai::core::net
