// redis://[[USER]:PASSWORD@]HOST[:PORT][/DB], as Redis's own clients write
// it. The password may hold any byte as %XX. Only plain TCP: rediss:// (TLS)
// is refused with a message rather than sent in the clear.
#pragma once

#include "core/result.h"

#include <cstdint>
#include <string>
#include <string_view>

namespace edgeai::core::net {

struct RedisUrl {
    std::string host; // without brackets for IPv6
    uint16_t port = 6379;
    std::string user;     // empty: AUTH with the password alone
    std::string password; // empty: no AUTH
    int64_t db = 0;       // SELECT when not 0
};

Result<RedisUrl> parse_redis_url(std::string_view url);

} // namespace edgeai::core::net
