#include "core/net/destination_policy.h"

#include "core/net/outbound_url.h"

#include <initializer_list>

namespace edgeai::core::net {
namespace {

struct V4Block {
    uint32_t base;
    int bits;
    AddressClass klass;
};

// IANA's special-purpose IPv4 registry (RFC 6890 and successors), the blocks
// that are not the public internet. Most specific first where they nest.
constexpr V4Block kV4Blocks[] = {
    {0x00000000, 8, AddressClass::kUnspecified},  // 0.0.0.0/8 "this network"
    {0x0A000000, 8, AddressClass::kPrivate},      // 10/8
    {0x64400000, 10, AddressClass::kSharedSpace}, // 100.64/10
    {0x7F000000, 8, AddressClass::kLoopback},     // 127/8
    {0xA9FE0000, 16, AddressClass::kLinkLocal},   // 169.254/16
    {0xAC100000, 12, AddressClass::kPrivate},     // 172.16/12
    {0xC0000000, 24, AddressClass::kReserved},    // 192.0.0/24 IETF assignments
    {0xC0000200, 24, AddressClass::kReserved},    // 192.0.2/24 documentation
    {0xC0586300, 24, AddressClass::kReserved},    // 192.88.99/24 old 6to4 relays
    {0xC0A80000, 16, AddressClass::kPrivate},     // 192.168/16
    {0xC6120000, 15, AddressClass::kReserved},    // 198.18/15 benchmarking
    {0xC6336400, 24, AddressClass::kReserved},    // 198.51.100/24 documentation
    {0xCB007100, 24, AddressClass::kReserved},    // 203.0.113/24 documentation
    {0xE0000000, 4, AddressClass::kMulticast},    // 224/4
    {0xFFFFFFFF, 32, AddressClass::kBroadcast},   // before 240/4, which holds it
    {0xF0000000, 4, AddressClass::kReserved},     // 240/4
};

uint32_t mask_v4(int bits) {
    return bits == 0 ? 0 : ~uint32_t{0} << (32 - bits);
}

AddressClass classify_v4(uint32_t a) {
    for (const V4Block& b : kV4Blocks)
        if ((a & mask_v4(b.bits)) == b.base) return b.klass;
    return AddressClass::kPublic;
}

bool starts_with(const std::array<uint8_t, 16>& b, std::initializer_list<uint8_t> prefix) {
    size_t i = 0;
    for (uint8_t p : prefix)
        if (b[i++] != p) return false;
    return true;
}

bool all_zero(const std::array<uint8_t, 16>& b, size_t from, size_t to) {
    for (size_t i = from; i < to; ++i)
        if (b[i] != 0) return false;
    return true;
}

uint32_t v4_at(const std::array<uint8_t, 16>& b, size_t at) {
    return (uint32_t{b[at]} << 24) | (uint32_t{b[at + 1]} << 16) | (uint32_t{b[at + 2]} << 8) |
           uint32_t{b[at + 3]};
}

AddressClass classify_v6(const std::array<uint8_t, 16>& b) {
    if (all_zero(b, 0, 10)) {
        if (b[10] == 0xFF && b[11] == 0xFF) return classify_v4(v4_at(b, 12)); // ::ffff:a.b.c.d
        if (b[10] == 0 && b[11] == 0) {
            if (all_zero(b, 12, 15) && b[15] <= 1)
                return b[15] == 0 ? AddressClass::kUnspecified : AddressClass::kLoopback;
            // ::a.b.c.d, deprecated IPv4-compatible: never a real destination,
            // but a stack may still map it to the IPv4 address it carries.
            const AddressClass inner = classify_v4(v4_at(b, 12));
            return inner == AddressClass::kPublic ? AddressClass::kReserved : inner;
        }
    }
    // ::ffff:0:a.b.c.d, IPv4-translated (RFC 2765).
    if (all_zero(b, 0, 8) && b[8] == 0xFF && b[9] == 0xFF && b[10] == 0 && b[11] == 0)
        return classify_v4(v4_at(b, 12));
    // 64:ff9b::/96, NAT64's well-known prefix: the IPv4 address is the last 32 bits.
    if (starts_with(b, {0x00, 0x64, 0xFF, 0x9B}) && all_zero(b, 4, 12))
        return classify_v4(v4_at(b, 12));
    // 64:ff9b:1::/48, NAT64 for local use (RFC 8215).
    if (starts_with(b, {0x00, 0x64, 0xFF, 0x9B, 0x00, 0x01})) return AddressClass::kPrivate;
    // 2002::/16, 6to4: the IPv4 address follows the prefix.
    if (b[0] == 0x20 && b[1] == 0x02) return classify_v4(v4_at(b, 2));
    // 2001::/32 Teredo (tunnels to an obfuscated IPv4 peer), 2001:db8::/32
    // documentation, 2001:2::/48 benchmarking, 100::/64 discard.
    if (starts_with(b, {0x20, 0x01, 0x00, 0x00})) return AddressClass::kReserved;
    if (starts_with(b, {0x20, 0x01, 0x0D, 0xB8})) return AddressClass::kReserved;
    if (starts_with(b, {0x20, 0x01, 0x00, 0x02, 0x00, 0x00})) return AddressClass::kReserved;
    if (starts_with(b, {0x01, 0x00, 0, 0, 0, 0, 0, 0})) return AddressClass::kReserved;
    if ((b[0] & 0xFE) == 0xFC) return AddressClass::kPrivate;                   // fc00::/7
    if (b[0] == 0xFE && (b[1] & 0xC0) == 0x80) return AddressClass::kLinkLocal; // fe80::/10
    if (b[0] == 0xFE && (b[1] & 0xC0) == 0xC0) return AddressClass::kPrivate;   // fec0::/10
    if (b[0] == 0xFF) return AddressClass::kMulticast;                          // ff00::/8
    return AddressClass::kPublic;
}

// The IPv4 address an IPv4-mapped IPv6 address stands for (one socket may
// answer to both), else the address itself.
IpAddress unmapped(const IpAddress& a) {
    if (!a.is_v4() && all_zero(a.bytes, 0, 10) && a.bytes[10] == 0xFF && a.bytes[11] == 0xFF)
        return IpAddress::v4(v4_at(a.bytes, 12));
    return a;
}

bool host_matches(std::string_view pattern, std::string_view host) {
    if (pattern.substr(0, 2) == "*.") {
        const std::string_view suffix = pattern.substr(1); // ".hooks.lan"
        return host.size() > suffix.size() && host.substr(host.size() - suffix.size()) == suffix;
    }
    return pattern == host;
}

Status entry_error(std::string_view entry, std::string why) {
    return invalid_argument("queue.webhook_allow entry '" + std::string(entry) +
                            "': " + std::move(why) +
                            "; expected a CIDR (10.0.0.0/8), an address (192.168.1.5, ::1), "
                            "a host name (hooks.lan, *.hooks.lan), optionally with :port")
        .with_field("queue.webhook_allow");
}

} // namespace

std::string_view address_class_name(AddressClass c) {
    switch (c) {
    case AddressClass::kPublic:
        return "public";
    case AddressClass::kLoopback:
        return "loopback";
    case AddressClass::kLinkLocal:
        return "link-local";
    case AddressClass::kPrivate:
        return "private";
    case AddressClass::kSharedSpace:
        return "shared address space";
    case AddressClass::kMulticast:
        return "multicast";
    case AddressClass::kUnspecified:
        return "unspecified";
    case AddressClass::kBroadcast:
        return "broadcast";
    case AddressClass::kReserved:
        return "reserved";
    }
    return "reserved";
}

AddressClass classify_address(const IpAddress& address) {
    return address.is_v4() ? classify_v4(address.v4_value()) : classify_v6(address.bytes);
}

bool Cidr::contains(const IpAddress& address) const {
    const IpAddress a = unmapped(address);
    if (a.family != base.family) return false;
    int bits = prefix_bits;
    for (size_t i = 0; bits > 0; ++i, bits -= 8) {
        const uint8_t mask = bits >= 8 ? 0xFF : static_cast<uint8_t>(0xFF << (8 - bits));
        if ((a.bytes[i] & mask) != base.bytes[i]) return false;
    }
    return true;
}

Result<Cidr> parse_cidr(std::string_view text) {
    const size_t slash = text.find('/');
    auto address = parse_ip_literal(text.substr(0, slash));
    if (!address) return invalid_argument("'" + std::string(text) + "' is not an IP address");
    Cidr out;
    out.base = unmapped(*address);
    const int max_bits = out.base.size() * 8;
    out.prefix_bits = max_bits;
    if (slash != std::string_view::npos) {
        const std::string_view bits = text.substr(slash + 1);
        if (bits.empty() || bits.size() > 3) {
            return invalid_argument("'" + std::string(text) + "' has no prefix length");
        }
        int n = 0;
        for (char c : bits) {
            if (c < '0' || c > '9')
                return invalid_argument("bad prefix length in '" + std::string(text) + "'");
            n = n * 10 + (c - '0');
        }
        // A mapped address's prefix counts its 96 leading bits.
        if (!address->is_v4() && out.base.is_v4()) n -= 96;
        if (n < 0 || n > max_bits) {
            return invalid_argument("prefix length in '" + std::string(text) + "' is over " +
                                    std::to_string(max_bits));
        }
        out.prefix_bits = n;
    }
    // Bits past the prefix are cleared, so "10.1.2.3/8" is 10.0.0.0/8.
    for (int i = 0; i < out.base.size(); ++i) {
        const int keep = out.prefix_bits - i * 8;
        const size_t at = static_cast<size_t>(i);
        if (keep <= 0)
            out.base.bytes[at] = 0;
        else if (keep < 8)
            out.base.bytes[at] &= static_cast<uint8_t>(0xFF << (8 - keep));
    }
    return out;
}

Result<DestinationPolicy> DestinationPolicy::from_allow_list(std::span<const std::string> entries) {
    DestinationPolicy policy;
    for (const std::string& text : entries) {
        Entry entry;
        if (text.empty()) return entry_error(text, "it is empty");
        const bool bare_v6 = text.find(':') != text.rfind(':') && text.front() != '[';
        if (text.find('/') != std::string::npos || bare_v6) {
            auto block = parse_cidr(text);
            if (!block.ok()) return entry_error(text, block.status().message());
            entry.block = *block;
        } else {
            std::string_view host = text;
            const bool wildcard = host.substr(0, 2) == "*.";
            if (wildcard) host.remove_prefix(2);
            std::string name;
            std::optional<IpAddress> address;
            Status parsed = parse_host_port(host, &name, &address, &entry.port);
            if (!parsed.ok()) return entry_error(text, parsed.message());
            if (address) {
                if (wildcard) return entry_error(text, "a wildcard needs a name");
                entry.block = Cidr{unmapped(*address), unmapped(*address).size() * 8};
            } else {
                entry.name = wildcard ? "*." + name : name;
            }
        }
        policy.allow_.push_back(std::move(entry));
    }
    return policy;
}

void DestinationPolicy::add_self(const IpAddress& address, uint16_t port) {
    self_.push_back({unmapped(address), port});
}

bool DestinationPolicy::Entry::matches(const IpAddress& address, uint16_t p,
                                       std::string_view host) const {
    if (port && *port != p) return false;
    if (block) return block->contains(address);
    return !host.empty() && host_matches(name, host);
}

bool DestinationPolicy::is_self(const IpAddress& address, uint16_t port) const {
    const IpAddress a = unmapped(address);
    for (const SelfEndpoint& s : self_)
        if (s.port == port && s.address == a) return true;
    return false;
}

bool DestinationPolicy::admits(const IpAddress& address, uint16_t port,
                               std::string_view host) const {
    if (is_self(address, port)) {
        // Only an entry naming this very port admits the gateway itself.
        for (const Entry& e : allow_)
            if (e.port && e.matches(address, port, host)) return true;
        return false;
    }
    for (const Entry& e : allow_)
        if (e.matches(address, port, host)) return true;
    return classify_address(address) == AddressClass::kPublic;
}

} // namespace edgeai::core::net
