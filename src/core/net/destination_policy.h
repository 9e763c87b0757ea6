// Where the gateway may send a call on a client's behalf (a job's webhook).
//
// Any key with the jobs scope chooses a webhook's URL, and the gateway sits
// inside the network: left alone, a webhook is a way to make it POST to the
// loopback, the LAN, a cloud's metadata service (169.254.169.254) or itself,
// and to learn from the webhook's status whether something answered. So an
// address is judged by its class (classify_address, which looks through IPv6
// forms that carry an IPv4 address: mapped, compatible, NAT64, 6to4); only
// public addresses are admitted, unless the operator's allow-list
// (queue.webhook_allow) admits the address (an IP or CIDR) or the host name.
// The gateway's own listening endpoints are refused even when a CIDR covers
// them: only an entry naming the endpoint with its port ("127.0.0.1:8080")
// admits a webhook to the gateway itself.
//
// A name is judged by what it resolves to, at delivery, on every address it
// resolves to, and the call goes to an address that was judged (the native
// webhook client pins it); this class only judges, it resolves nothing.
#pragma once

#include "core/net/ip_address.h"
#include "core/result.h"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace edgeai::core::net {

enum class AddressClass {
    kPublic,
    kLoopback,    // 127/8, ::1
    kLinkLocal,   // 169.254/16 (cloud metadata lives here), fe80::/10
    kPrivate,     // 10/8, 172.16/12, 192.168/16, fc00::/7, fec0::/10, NAT64 local use
    kSharedSpace, // 100.64/10, carrier-grade NAT
    kMulticast,   // 224/4, ff00::/8
    kUnspecified, // 0/8, ::
    kBroadcast,   // 255.255.255.255
    kReserved,    // documentation, benchmarking, 240/4, IETF, Teredo, IPv4-compatible
};

std::string_view address_class_name(AddressClass c);

// The class of the address itself or, for IPv6 that carries an IPv4 address
// (::ffff:a.b.c.d, ::ffff:0:a.b.c.d, 64:ff9b::a.b.c.d, 2002:aabb:ccdd::), of
// the IPv4 address it carries.
AddressClass classify_address(const IpAddress& address);

// An address block: "10.0.0.0/8", "fd00::/8"; a bare address is /32 or /128.
struct Cidr {
    IpAddress base; // bits past the prefix are zero
    int prefix_bits = 0;
    bool contains(const IpAddress& address) const;
};
Result<Cidr> parse_cidr(std::string_view text);

class DestinationPolicy {
  public:
    // Everything public is admitted, nothing else.
    DestinationPolicy() = default;

    // The allow-list: each entry a CIDR or address ("10.0.0.0/8",
    // "192.168.1.5", "::1", "fd00::/8"), a host name ("hooks.lan") or a
    // wildcard for its subdomains ("*.hooks.lan"); an address or name may
    // carry a port ("127.0.0.1:9000", "[::1]:9000", "hooks.lan:9000") to admit
    // only that port. The error names the entry and says what it should be.
    static Result<DestinationPolicy> from_allow_list(std::span<const std::string> entries);

    // One of the gateway's own listening endpoints.
    void add_self(const IpAddress& address, uint16_t port);

    // Whether a call may connect to `address`:`port`; `host` is the name it was
    // resolved from (empty for a literal), so a listed name admits it.
    bool admits(const IpAddress& address, uint16_t port, std::string_view host) const;

  private:
    struct Entry {
        std::optional<Cidr> block; // an address entry
        std::string name;          // a name entry, lowercase; "*.x" for subdomains of x
        std::optional<uint16_t> port;
        bool matches(const IpAddress& address, uint16_t port, std::string_view host) const;
    };
    struct SelfEndpoint {
        IpAddress address;
        uint16_t port;
    };
    bool is_self(const IpAddress& address, uint16_t port) const;

    std::vector<Entry> allow_;
    std::vector<SelfEndpoint> self_;
};

// Said whenever a destination is refused, whatever the reason, so the caller
// learns nothing about the network behind the gateway.
constexpr std::string_view kRefusedByPolicy = "destination refused by policy";

} // namespace edgeai::core::net
