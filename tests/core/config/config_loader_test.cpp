#include "core/config/config_loader.h"

#include <gtest/gtest.h>

namespace edgeai::core {
namespace {

TEST(ConfigLoader, EmbeddedDefaultsServeOnLoopback8080) {
    ConfigBuilder b;
    EXPECT_EQ(b.settings().server.listen, "127.0.0.1:8080");
    EXPECT_EQ(b.settings().server.max_body_bytes, 4 * 1024 * 1024);
    EXPECT_EQ(b.settings().upstream.api_key_env, "OPENAI_API_KEY");
    EXPECT_EQ(b.source_of("server.listen"), ConfigSource::kDefault);
}

TEST(ConfigLoader, FileThenEnvironmentThenFlagsOverrideInOrder) {
    ConfigBuilder b;
    ASSERT_TRUE(b.apply_toml("[server]\nlisten = \"0.0.0.0:9000\"\nmax_body_bytes = 2048\n"
                             "[server.cors]\nallow_origins = [\"https://a\"]\n",
                             "e.toml")
                    .ok());
    EXPECT_EQ(b.settings().server.listen, "0.0.0.0:9000");
    EXPECT_EQ(b.settings().server.cors.allow_origins.size(), 1u);
    ASSERT_TRUE(b.apply_environment({{"EDGEAI_SERVER_LISTEN", "127.0.0.1:1"},
                                     {"EDGEAI_LOG_LEVEL", "debug"},
                                     {"HOME", "/root"}})
                    .ok());
    EXPECT_EQ(b.settings().server.listen, "127.0.0.1:1");
    EXPECT_EQ(b.settings().log.level, LogLevel::kDebug);
    ASSERT_TRUE(b.apply_flag("server.listen", "127.0.0.1:2").ok());
    EXPECT_EQ(b.settings().server.listen, "127.0.0.1:2");
    EXPECT_EQ(b.source_of("server.listen"), ConfigSource::kFlag);
    EXPECT_EQ(b.source_of("server.max_body_bytes"), ConfigSource::kFile);
    EXPECT_EQ(b.source_of("log.level"), ConfigSource::kEnvironment);
}

TEST(ConfigLoader, ErrorsNameFileLineKeyAndWhatIsAllowed) {
    ConfigBuilder b;
    Status s = b.apply_toml("[server]\nmax_body_bytes = \"big\"\n", "edge.toml");
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.message().find("edge.toml:2:"), std::string::npos) << s.message();
    EXPECT_NE(s.message().find("server.max_body_bytes"), std::string::npos);
    EXPECT_NE(s.message().find("an integer from 1024"), std::string::npos);
}

TEST(ConfigLoader, OutOfRangeIntegerIsRefused) {
    ConfigBuilder b;
    Status s = b.apply_toml("[server]\nmax_connections = 0\n", "e.toml");
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.message().find("from 1 to"), std::string::npos) << s.message();
}

TEST(ConfigLoader, UnknownKeySuggestsTheClosestOne) {
    ConfigBuilder b;
    Status s = b.apply_toml("[server]\nlissten = \"x\"\n", "e.toml");
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.message().find("e.toml:2: unknown key 'server.lissten'"), std::string::npos)
        << s.message();
    EXPECT_NE(s.message().find("did you mean 'server.listen'"), std::string::npos);
}

TEST(ConfigLoader, EveryProblemIsReportedNotJustTheFirst) {
    ConfigBuilder b;
    Status s = b.apply_toml("[server]\nmax_body_bytes = true\n[log]\nlevel = \"loud\"\n", "e.toml");
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.message().find("e.toml:2:"), std::string::npos) << s.message();
    EXPECT_NE(s.message().find("e.toml:4:"), std::string::npos) << s.message();
    EXPECT_NE(s.message().find("\"trace\""), std::string::npos) << s.message();
}

TEST(ConfigLoader, InvalidTomlGivesLineAndColumn) {
    ConfigBuilder b;
    Status s = b.apply_toml("[server\nlisten=1", "e.toml");
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.message().find("e.toml:1:"), std::string::npos) << s.message();
    EXPECT_NE(s.message().find("not valid TOML"), std::string::npos);
}

TEST(ConfigLoader, BadEnvironmentValueNamesTheVariable) {
    ConfigBuilder b;
    Status s = b.apply_environment({{"EDGEAI_SERVER_MAX_BODY_BYTES", "lots"}});
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.message().find("EDGEAI_SERVER_MAX_BODY_BYTES"), std::string::npos);
}

TEST(ConfigLoader, UnknownEdgeaiVariableIsAWarning) {
    ConfigBuilder b;
    ASSERT_TRUE(b.apply_environment({{"EDGEAI_NOT_A_KEY", "1"}}).ok());
    ASSERT_EQ(b.warnings().size(), 1u);
}

TEST(ConfigLoader, EffectiveConfigRedactsSecretsAndRoundTrips) {
    ConfigBuilder b;
    ASSERT_TRUE(
        b.apply_toml("[upstream]\napi_key = \"sk-secret\"\nurl = \"http://u/v1\"\n", "e.toml")
            .ok());
    std::string shown = b.render_effective();
    EXPECT_EQ(shown.find("sk-secret"), std::string::npos);
    EXPECT_NE(shown.find("<redacted>"), std::string::npos);
    EXPECT_NE(shown.find("url = \"http://u/v1\"  # file"), std::string::npos) << shown;
    // What `config show` prints is itself a valid configuration.
    ConfigBuilder again;
    Status s = again.apply_toml(shown, "shown.toml");
    EXPECT_TRUE(s.ok()) << s.message();
    EXPECT_EQ(again.settings().upstream.url, "http://u/v1");
}

TEST(ConfigSchema, EnvironmentNamesFollowThePath) {
    EXPECT_EQ(env_name_for("data_dir"), "EDGEAI_DATA_DIR");
    EXPECT_EQ(env_name_for("server.cors.allow_origins"), "EDGEAI_SERVER_CORS_ALLOW_ORIGINS");
}

TEST(ConfigSchema, ReferenceListsEveryKey) {
    std::string ref = render_config_reference();
    for (const ConfigKey& k : config_keys()) {
        EXPECT_NE(ref.find("`" + std::string(k.path) + "`"), std::string::npos) << k.path;
    }
}

} // namespace
} // namespace edgeai::core

namespace edgeai::core {
namespace {

// toml++ 3.3 asserted inside parse_key() on these (found by config_fuzz).
TEST(ConfigLoader, MalformedTableHeadersAreErrorsNotCrashes) {
    for (const char* text :
         {"[ = \"bix&\n[server]\nlisten = \"v=1\n", "[[[1]]]\n", "[[=\n", "[[[a]]]\n", "[[[]]\n"}) {
        ConfigBuilder b;
        Status s = b.apply_toml(text, "bad.toml");
        EXPECT_FALSE(s.ok()) << text;
        EXPECT_NE(s.message().find("bad.toml:1:"), std::string::npos) << s.message();
    }
}

} // namespace
} // namespace edgeai::core

namespace edgeai::core {
namespace {

TEST(ConfigLoader, NonAsciiIsAllowedInStringsAndCommentsOnly) {
    ConfigBuilder ok;
    Status s = ok.apply_toml("# caf\xC3\xA9\n[upstream]\nurl = \"http://h/v1\xC3\xA9\"\n"
                             "api_key = '''\xD2\x94'''\n",
                             "ok.toml");
    EXPECT_TRUE(s.ok()) << s.message();
    ConfigBuilder bad;
    s = bad.apply_toml("[server]\n[s\xD2\x94]\n", "bad.toml");
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.message().find("bad.toml:2: not valid TOML: a non-ASCII character"),
              std::string::npos)
        << s.message();
}

TEST(ConfigLoader, ListenAddressesNeedAHostAndAPort) {
    ConfigBuilder b;
    for (const char* good : {"127.0.0.1:8080", "0.0.0.0:0", "[::1]:65535", "localhost:80"})
        EXPECT_TRUE(b.apply_flag("server.listen", good).ok()) << good;
    const struct {
        const char* listen;
        const char* why;
    } bad[] = {{"19201", "no port"},
               {":8080", "no address"},
               {"127.0.0.1:", "not a number"},
               {"127.0.0.1:65536", "not a number"},
               {"127.0.0.1:-1", "not a number"},
               {"::1:80", "brackets"}};
    for (const auto& c : bad) {
        Status s = b.apply_flag("server.listen", c.listen);
        EXPECT_FALSE(s.ok()) << c.listen;
        EXPECT_NE(s.message().find(c.why), std::string::npos) << s.message();
    }
}

} // namespace
} // namespace edgeai::core
