// Hostile webhook URLs: whatever the bytes, a URL that parses has a request
// target and a Host with nothing that could end a request line or smuggle a
// header, reads back to itself from its normalised text, and when its host is
// an address, the default policy admits it exactly when it is public. The
// same bytes, as an allow-list entry, either fail with a message or make a
// policy that still refuses the loopback on another port when it names none.
#include "core/net/destination_policy.h"
#include "core/net/outbound_url.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace {

bool is_clean(std::string_view s) {
    for (char c : s) {
        const auto b = static_cast<unsigned char>(c);
        if (b <= 0x20 || b >= 0x7F || c == '#' || c == '\\') return false;
    }
    return true;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace edgeai::core::net;
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto url = parse_outbound_url(text);
    if (url.ok()) {
        if (url->target.empty() || url->target.front() != '/') __builtin_trap();
        if (!is_clean(url->target) || !is_clean(url->authority())) __builtin_trap();
        if (url->host.find('@') != std::string::npos) __builtin_trap();
        for (char c : url->host)
            if (c >= 'A' && c <= 'Z') __builtin_trap();
        auto again = parse_outbound_url(url->text());
        if (!again.ok() || again->text() != url->text() || again->host != url->host ||
            again->port != url->port || again->address != url->address)
            __builtin_trap();
        if (url->address) {
            const DestinationPolicy public_only;
            const bool is_public = classify_address(*url->address) == AddressClass::kPublic;
            if (public_only.admits(*url->address, url->port, "") != is_public) __builtin_trap();
            // Its own text as an address reads back to the same bytes.
            auto literal = parse_ip_literal(url->host);
            if (!literal || *literal != *url->address) __builtin_trap();
        }
    }
    std::vector<std::string> entries{std::string(text)};
    auto policy = DestinationPolicy::from_allow_list(entries);
    if (!policy.ok()) {
        if (policy.status().message().empty()) __builtin_trap();
    } else if (text.find(':') == std::string_view::npos) {
        // An entry without a port never admits the gateway's own endpoint.
        DestinationPolicy p = *policy;
        const IpAddress loopback = IpAddress::v4(0x7F000001);
        p.add_self(loopback, 8080);
        if (p.admits(loopback, 8080, "localhost")) __builtin_trap();
    }
    return 0;
}
