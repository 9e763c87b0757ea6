#include "gateway/mcp_sessions.h"

#include <utility>

namespace edgeai::gateway {

McpSessions::Session* McpSessions::open(const std::string& id, std::string key_id,
                                        std::string protocol_version, int64_t now_ms) {
    expire(now_ms);
    if (sessions_.size() >= kMaxSessions) {
        // Full: the session idle longest makes room, unless every one has a
        // call under way (then the client is told to come back).
        auto oldest = sessions_.end();
        for (auto it = sessions_.begin(); it != sessions_.end(); ++it) {
            if (!it->second.calls.empty()) continue;
            if (oldest == sessions_.end() || it->second.last_used_ms < oldest->second.last_used_ms)
                oldest = it;
        }
        if (oldest == sessions_.end()) return nullptr;
        sessions_.erase(oldest);
    }
    Session& s = sessions_[id];
    s.key_id = std::move(key_id);
    s.protocol_version = std::move(protocol_version);
    s.last_used_ms = now_ms;
    return &s;
}

McpSessions::Session* McpSessions::find(std::string_view id, int64_t now_ms) {
    auto it = sessions_.find(id);
    if (it == sessions_.end()) return nullptr;
    if (it->second.calls.empty() && now_ms - it->second.last_used_ms > kIdleMs) {
        sessions_.erase(it);
        return nullptr;
    }
    it->second.last_used_ms = now_ms;
    return &it->second;
}

bool McpSessions::close(std::string_view id) {
    auto it = sessions_.find(id);
    if (it == sessions_.end()) return false;
    sessions_.erase(it);
    return true;
}

void McpSessions::expire(int64_t now_ms) {
    for (auto it = sessions_.begin(); it != sessions_.end();) {
        if (it->second.calls.empty() && now_ms - it->second.last_used_ms > kIdleMs)
            it = sessions_.erase(it);
        else
            ++it;
    }
}

} // namespace edgeai::gateway
