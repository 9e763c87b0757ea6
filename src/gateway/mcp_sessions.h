// The MCP sessions of /mcp (gateway/mcp_api.h): who made each, which
// protocol revision it speaks, and its tool calls under way (so a
// notifications/cancelled can stop one).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>

namespace edgeai::gateway {

class McpCall;

// Sessions, in memory: a restart ends them (clients then initialize again,
// as the specification has them do on 404).
class McpSessions {
  public:
    static constexpr size_t kMaxSessions = 1024;
    static constexpr int64_t kIdleMs = 60 * 60 * 1000;

    struct Session {
        std::string key_id; // empty: made while keys were not required
        std::string protocol_version;
        int64_t last_used_ms = 0;
        std::map<std::string, McpCall*, std::less<>> calls; // by JSON-RPC id
    };

    // Null when full of sessions with calls under way.
    Session* open(const std::string& id, std::string key_id, std::string protocol_version,
                  int64_t now_ms);
    // Null when unknown or idle too long.
    Session* find(std::string_view id, int64_t now_ms);
    bool close(std::string_view id);
    size_t size() const { return sessions_.size(); }

  private:
    void expire(int64_t now_ms);
    std::map<std::string, Session, std::less<>> sessions_;
};

} // namespace edgeai::gateway
