// Brute-force brake: counts failed authentications per client address in
// one-minute windows; an address over the limit gets 429 for every request
// until its window ends. The table is bounded (addresses beyond it push out
// the stalest), so a flood from many addresses cannot grow memory.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

namespace edgeai::security {

class FailureLimiter {
  public:
    explicit FailureLimiter(int64_t max_failures_per_minute, size_t max_addresses = 4096)
        : max_failures_(max_failures_per_minute), max_addresses_(max_addresses) {}

    // Milliseconds until `address` may try again; 0 when it may now.
    int64_t blocked_for_ms(std::string_view address, int64_t now_ms) const;
    void failed(std::string_view address, int64_t now_ms);
    size_t tracked() const { return windows_.size(); }

  private:
    struct Window {
        int64_t started_ms = 0;
        int64_t failures = 0;
    };
    void evict_stale(int64_t now_ms);

    int64_t max_failures_;
    size_t max_addresses_;
    std::unordered_map<std::string, Window> windows_;
};

// The address part of "ip:port", "[v6]:port" or "v6:port" as the shell
// writes peers; a frame link's peer ("unix:PATH", "serial:DEVICE") whole.
std::string_view peer_address(std::string_view peer);

} // namespace edgeai::security
