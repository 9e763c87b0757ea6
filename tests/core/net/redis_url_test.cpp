#include "core/net/redis_url.h"

#include <gtest/gtest.h>

namespace edgeai::core::net {
namespace {

TEST(RedisUrl, ReadsHostPortPasswordAndDatabase) {
    auto u = parse_redis_url("redis://:s3cr%40t@127.0.0.1:6380/2");
    ASSERT_TRUE(u.ok()) << u.status().message();
    EXPECT_EQ(u->host, "127.0.0.1");
    EXPECT_EQ(u->port, 6380);
    EXPECT_EQ(u->password, "s3cr@t");
    EXPECT_EQ(u->user, "");
    EXPECT_EQ(u->db, 2);
    auto acl = parse_redis_url("redis://edge:pw@[::1]");
    ASSERT_TRUE(acl.ok());
    EXPECT_EQ(acl->host, "::1");
    EXPECT_EQ(acl->port, 6379);
    EXPECT_EQ(acl->user, "edge");
    EXPECT_EQ(acl->password, "pw");
    auto alone = parse_redis_url("redis://token@redis.local:1");
    ASSERT_TRUE(alone.ok());
    EXPECT_EQ(alone->password, "token");
}

TEST(RedisUrl, RefusesWhatItCannotUseWithoutShowingThePassword) {
    for (const char* bad :
         {"http://h:1", "rediss://h:1", "redis://:pw@:1", "redis://h:0", "redis://h:99999",
          "redis://h:1/x", "redis://:p%4@h", "redis://[::1", "redis://[::1]x"}) {
        auto u = parse_redis_url(bad);
        EXPECT_FALSE(u.ok()) << bad;
        EXPECT_EQ(u.status().message().find("pw@"), std::string::npos) << u.status().message();
    }
    auto u = parse_redis_url("redis://:hunter2@h:0");
    ASSERT_FALSE(u.ok());
    EXPECT_EQ(u.status().message().find("hunter2"), std::string::npos);
    EXPECT_NE(u.status().message().find("<redacted>"), std::string::npos);
}

} // namespace
} // namespace edgeai::core::net
