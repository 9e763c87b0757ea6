#include "cli/args.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

namespace edgeai::cli {
namespace {

using Action = ParseResult::Action;

// A small tree shaped like edgeai's: `tool serve`, `tool keys create|show`.
struct Tool {
    App app{"tool", "a test tool"};
    Command* serve = nullptr;
    Command* keys = nullptr;
    Command* create = nullptr;
    Command* show = nullptr;

    std::string listen;
    std::vector<std::string> models;
    int threads = 0;
    float temperature = 0.8f;
    uint64_t seed = 0;
    bool insecure = false;
    std::string name;
    std::vector<std::string> scopes;
    int64_t rpm = 0;
    std::string kv_type = "f16";
    std::string key;
    bool json = false;

    Tool() {
        app.require_subcommand();
        app.set_version("tool 1.2.3");
        serve = app.add_subcommand("serve", "Serve things");
        serve->add_option("--listen", listen, "HOST:PORT");
        serve->add_option("-m,--model", models, "A model (repeat for several)");
        serve->add_option("-t,--threads", threads, "Threads");
        serve->add_option("--temperature,--temp", temperature, "Sampling temperature");
        serve->add_option("--seed", seed, "Seed");
        serve->add_flag("--insecure", insecure, "No auth");
        serve->add_option("--kv-type", kv_type, "KV cache type")
            .choices({"f16", "f32"})
            .default_text("f16");
        keys = app.add_subcommand("keys", "Manage keys");
        keys->require_subcommand();
        create = keys->add_subcommand("create", "Make a key");
        create->add_option("--name", name, "A unique name").required();
        create->add_option("--scopes", scopes, "Scopes").delimiter(',');
        create->add_option("--rpm", rpm, "Requests per minute").range(0, 1000000);
        create->add_flag("--json", json, "As JSON");
        show = keys->add_subcommand("show", "Show a key");
        show->add_option("KEY", key, "The key's id or name").required();
        show->add_flag("--json", json, "As JSON");
    }

    ParseResult parse(std::vector<std::string_view> args) { return app.parse(args); }
};

TEST(Args, ValueFormsAllStoreTheSame) {
    for (const std::vector<std::string_view>& args :
         {std::vector<std::string_view>{"serve", "--listen", "0.0.0.0:1", "-t", "3"},
          std::vector<std::string_view>{"serve", "--listen=0.0.0.0:1", "--threads=3"},
          std::vector<std::string_view>{"serve", "-t3", "--listen", "0.0.0.0:1"}}) {
        Tool t;
        ParseResult r = t.parse(args);
        ASSERT_EQ(r.action, Action::kRun) << r.text;
        EXPECT_TRUE(t.app.parsed());
        EXPECT_TRUE(t.serve->parsed());
        EXPECT_FALSE(t.keys->parsed());
        EXPECT_EQ(t.listen, "0.0.0.0:1");
        EXPECT_EQ(t.threads, 3);
        EXPECT_EQ(t.serve->count("--threads"), 1u);
        EXPECT_EQ(t.serve->count("-t"), 1u);
    }
}

TEST(Args, AliasesNegativeNumbersAndFloats) {
    Tool t;
    ParseResult r = t.parse({"serve", "--temp", "0", "-t", "-2", "--seed", "18446744073709551615"});
    ASSERT_EQ(r.action, Action::kRun) << r.text;
    EXPECT_EQ(t.temperature, 0.0f);
    EXPECT_EQ(t.threads, -2);
    EXPECT_EQ(t.seed, UINT64_MAX);
    EXPECT_EQ(t.serve->count("--temperature"), 1u);
    EXPECT_EQ(t.serve->count("--listen"), 0u);
}

TEST(Args, RepeatableOptionsCollectEveryValue) {
    Tool t;
    ParseResult r = t.parse(
        {"serve", "-m", "a.gguf", "--model=b.gguf", "-m", "c.gguf", "d.gguf", "--insecure"});
    ASSERT_EQ(r.action, Action::kRun) << r.text;
    EXPECT_EQ(t.models, (std::vector<std::string>{"a.gguf", "b.gguf", "c.gguf", "d.gguf"}));
    EXPECT_TRUE(t.insecure);
}

TEST(Args, DelimiterSplitsOneArgument) {
    Tool t;
    ParseResult r =
        t.parse({"keys", "create", "--name", "k", "--scopes", "chat,models", "--scopes", "jobs"});
    ASSERT_EQ(r.action, Action::kRun) << r.text;
    EXPECT_EQ(t.scopes, (std::vector<std::string>{"chat", "models", "jobs"}));
}

TEST(Args, NestedSubcommandsAndPositionals) {
    Tool t;
    ParseResult r = t.parse({"keys", "show", "--json", "kiosk"});
    ASSERT_EQ(r.action, Action::kRun) << r.text;
    EXPECT_TRUE(t.keys->parsed());
    EXPECT_TRUE(t.show->parsed());
    EXPECT_FALSE(t.create->parsed());
    EXPECT_EQ(t.key, "kiosk");
    EXPECT_TRUE(t.json);
}

TEST(Args, DoubleDashEndsOptions) {
    Tool t;
    ParseResult r = t.parse({"keys", "show", "--", "--odd-name"});
    ASSERT_EQ(r.action, Action::kRun) << r.text;
    EXPECT_EQ(t.key, "--odd-name");
}

TEST(Args, UnknownOptionNamesItAndTheCommand) {
    Tool t;
    ParseResult r = t.parse({"serve", "--foo"});
    EXPECT_EQ(r.action, Action::kError);
    EXPECT_EQ(r.text, "unknown option --foo for `tool serve`; try `tool serve --help`");
}

TEST(Args, UnknownCommandListsTheCommands) {
    Tool t;
    ParseResult r = t.parse({"keys", "destroy"});
    EXPECT_EQ(r.action, Action::kError);
    EXPECT_EQ(r.text, "'destroy' is not a command of `tool keys` (create, show); "
                      "try `tool keys --help`");
}

TEST(Args, MissingSubcommandRequiredOptionAndPositional) {
    {
        Tool t;
        ParseResult r = t.parse({});
        EXPECT_EQ(r.action, Action::kError);
        EXPECT_EQ(r.text, "`tool` needs a command (serve, keys); try `tool --help`");
    }
    {
        Tool t;
        ParseResult r = t.parse({"keys"});
        EXPECT_EQ(r.action, Action::kError);
        EXPECT_NE(r.text.find("`tool keys` needs a command (create, show)"), std::string::npos);
    }
    {
        Tool t;
        ParseResult r = t.parse({"keys", "create", "--json"});
        EXPECT_EQ(r.action, Action::kError);
        EXPECT_EQ(r.text,
                  "--name is required for `tool keys create`; try `tool keys create --help`");
    }
    {
        Tool t;
        ParseResult r = t.parse({"keys", "show"});
        EXPECT_EQ(r.action, Action::kError);
        EXPECT_EQ(r.text, "KEY is required for `tool keys show`; try `tool keys show --help`");
    }
}

TEST(Args, BadValuesAreRefusedWithTheOptionsName) {
    struct Case {
        std::vector<std::string_view> args;
        std::string message;
    };
    for (const Case& c : std::vector<Case>{
             {{"serve", "-t", "many"}, "--threads: 'many' is not a whole number"},
             {{"serve", "-t", "99999999999"}, "--threads: '99999999999' is out of range"},
             {{"serve", "--seed", "-1"}, "--seed: '-1' is not a whole number of 0 or more"},
             {{"serve", "--temp", "warm"}, "--temperature: 'warm' is not a number"},
             {{"serve", "--temp", "1x"}, "--temperature: '1x' is not a number"},
             {{"serve", "--kv-type", "f8"}, "--kv-type: 'f8' is not one of f16, f32"},
             {{"keys", "create", "--name", "k", "--rpm", "2000000"},
              "--rpm: '2000000' is outside 0 to 1000000"},
             {{"serve", "--listen"}, "--listen needs a value"},
             {{"serve", "--listen", "--insecure"}, "--listen needs a value"},
             {{"serve", "--listen", "a", "--listen", "b"}, "--listen: given more than once"},
             {{"serve", "--insecure=yes"}, "--insecure takes no value"},
             {{"serve", "stray"}, "unexpected argument 'stray' for `tool serve`"},
         }) {
        Tool t;
        ParseResult r = t.parse(c.args);
        EXPECT_EQ(r.action, Action::kError) << c.message;
        EXPECT_EQ(r.text.rfind(c.message, 0), 0u) << r.text;
        EXPECT_NE(r.text.find("--help`"), std::string::npos) << r.text;
    }
}

TEST(Args, HelpAtEveryLevelEvenWithRequiredOptionsMissing) {
    {
        Tool t;
        ParseResult r = t.parse({"--help"});
        EXPECT_EQ(r.action, Action::kPrint);
        EXPECT_NE(r.text.find("Usage: tool [OPTIONS] COMMAND"), std::string::npos) << r.text;
        EXPECT_NE(r.text.find("--version"), std::string::npos);
        EXPECT_NE(r.text.find("serve"), std::string::npos);
        EXPECT_NE(r.text.find("Manage keys"), std::string::npos);
    }
    {
        Tool t;
        ParseResult r = t.parse({"keys", "create", "-h"});
        EXPECT_EQ(r.action, Action::kPrint);
        EXPECT_EQ(r.text.rfind("tool keys create: Make a key\n", 0), 0u) << r.text;
        EXPECT_NE(r.text.find("--name TEXT"), std::string::npos) << r.text;
        EXPECT_NE(r.text.find("A unique name (required)"), std::string::npos) << r.text;
        EXPECT_NE(r.text.find("--scopes TEXT ..."), std::string::npos) << r.text;
        EXPECT_NE(r.text.find("--rpm INT"), std::string::npos) << r.text;
        EXPECT_NE(r.text.find("[0 to 1000000]"), std::string::npos) << r.text;
        EXPECT_EQ(r.text.find("--version"), std::string::npos) << "only the top level";
    }
    {
        Tool t;
        ParseResult r = t.parse({"serve", "--help"});
        EXPECT_NE(r.text.find("-m,--model TEXT ..."), std::string::npos) << r.text;
        EXPECT_NE(r.text.find("{f16, f32} [default: f16]"), std::string::npos) << r.text;
        EXPECT_NE(r.text.find("--seed UINT"), std::string::npos) << r.text;
        EXPECT_NE(r.text.find("--temperature,--temp FLOAT"), std::string::npos) << r.text;
    }
    {
        Tool t;
        ParseResult r = t.parse({"keys", "show", "--help"});
        EXPECT_NE(r.text.find("Usage: tool keys show [OPTIONS] KEY\n"), std::string::npos)
            << r.text;
        EXPECT_NE(r.text.find("Positionals:\n  KEY TEXT"), std::string::npos) << r.text;
    }
}

TEST(Args, VersionOnlyAtTheTop) {
    Tool t;
    ParseResult r = t.parse({"--version"});
    EXPECT_EQ(r.action, Action::kPrint);
    EXPECT_EQ(r.text, "tool 1.2.3\n");
    Tool u;
    EXPECT_EQ(u.parse({"serve", "--version"}).action, Action::kError);
}

TEST(Args, ConversionsTakeTheWholeText) {
    long long v = 0;
    EXPECT_EQ(store_signed("+42", -100, 100, &v), "");
    EXPECT_EQ(v, 42);
    EXPECT_NE(store_signed("4 2", -100, 100, &v), "");
    EXPECT_NE(store_signed("", -100, 100, &v), "");
    EXPECT_NE(store_signed("101", -100, 100, &v), "");
    unsigned long long u = 0;
    EXPECT_EQ(store_unsigned("0", 10, &u), "");
    EXPECT_NE(store_unsigned("-0", 10, &u), "");
    double d = 0;
    EXPECT_EQ(store_double("0.95", &d), "");
    EXPECT_DOUBLE_EQ(d, 0.95);
    EXPECT_EQ(store_double("-1e-3", &d), "");
    EXPECT_DOUBLE_EQ(d, -0.001);
    EXPECT_NE(store_double("nan", &d), "");
    EXPECT_NE(store_double("0.5.", &d), "");
}

} // namespace
} // namespace edgeai::cli
