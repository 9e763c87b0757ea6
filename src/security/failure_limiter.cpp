#include "security/failure_limiter.h"

namespace edgeai::security {

namespace {
constexpr int64_t kWindowMs = 60000;
}

int64_t FailureLimiter::blocked_for_ms(std::string_view address, int64_t now_ms) const {
    if (windows_.empty()) return 0; // the usual case: no failures anywhere lately
    auto it = windows_.find(std::string(address));
    if (it == windows_.end() || it->second.failures < max_failures_) return 0;
    const int64_t ends = it->second.started_ms + kWindowMs;
    return ends > now_ms ? ends - now_ms : 0;
}

void FailureLimiter::failed(std::string_view address, int64_t now_ms) {
    auto it = windows_.find(std::string(address));
    if (it == windows_.end()) {
        if (windows_.size() >= max_addresses_) evict_stale(now_ms);
        it = windows_.emplace(std::string(address), Window{now_ms, 0}).first;
    }
    Window& w = it->second;
    if (now_ms - w.started_ms >= kWindowMs) w = Window{now_ms, 0};
    ++w.failures;
}

void FailureLimiter::evict_stale(int64_t now_ms) {
    for (auto it = windows_.begin(); it != windows_.end();) {
        if (now_ms - it->second.started_ms >= kWindowMs)
            it = windows_.erase(it);
        else
            ++it;
    }
    // Every window is current: the oldest goes, so the newest attacker is
    // still counted.
    while (windows_.size() >= max_addresses_) {
        auto oldest = windows_.begin();
        for (auto it = windows_.begin(); it != windows_.end(); ++it)
            if (it->second.started_ms < oldest->second.started_ms) oldest = it;
        windows_.erase(oldest);
    }
}

std::string_view peer_address(std::string_view peer) {
    if (peer.starts_with("unix:") || peer.starts_with("serial:") || peer.starts_with("stdio:"))
        return peer;
    if (!peer.empty() && peer.front() == '[') {
        const size_t close = peer.find(']');
        return close == std::string_view::npos ? peer : peer.substr(1, close - 1);
    }
    const size_t colon = peer.rfind(':');
    return colon == std::string_view::npos ? peer : peer.substr(0, colon);
}

} // namespace edgeai::security
