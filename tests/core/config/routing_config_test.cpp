// [[backends]] and [[routes]]: what the loader reads from a file, what
// check_routing refuses (each problem named with its line), what `config show`
// prints back, and the glob and target helpers routing uses.
#include "core/config/config_loader.h"
#include "core/config/routing_schema.h"

#include <gtest/gtest.h>

#include <string>

namespace edgeai::core {
namespace {

const char* kExample = R"(
[[backends]]
name = "cloud"
kind = "openai"
base_url = "https://api.example.com/v1"
api_key_env = "CLOUD_API_KEY"
models = ["gpt-4o-mini"]
timeout_ms = 30000
max_concurrency = 64
price = { input_per_mtok = 0.15, output_per_mtok = 0.60 }

[[backends]]
name = "local"
kind = "local"
models = { qwen = "models/qwen2.5-0.5b-q4_0.gguf" }

[[backends]]
name = "claude"
kind = "anthropic"
base_url = "https://api.anthropic.example/v1"
api_key = "sk-secret"
models = ["*"]

[[routes]]
model = "chat"
strategy = "fallback"
targets = ["local:qwen", "cloud:gpt-4o-mini"]
max_prompt_tokens = 2000
when_offline = "local:qwen"

[[routes]]
model = "mix-*"
strategy = "weighted"
targets = ["cloud:gpt-4o-mini", "claude:claude-haiku"]
weights = [3, 1]
when_header = "x-tier: premium"
when_keys = ["kiosk-*"]
)";

Status load(const std::string& text, Settings* out = nullptr) {
    ConfigBuilder b;
    Status s = b.apply_toml(text, "edgeai.toml");
    if (out != nullptr) *out = b.settings();
    return s;
}

TEST(RoutingConfig, ReadsBackendsAndRoutes) {
    Settings s;
    ASSERT_TRUE(load(kExample, &s).ok()) << load(kExample).message();
    ASSERT_EQ(s.backends.size(), 3u);
    const BackendSettings& cloud = s.backends[0];
    EXPECT_EQ(cloud.name, "cloud");
    EXPECT_EQ(cloud.kind, BackendKind::kOpenAi);
    EXPECT_EQ(cloud.base_url, "https://api.example.com/v1");
    EXPECT_EQ(cloud.api_key_env, "CLOUD_API_KEY");
    EXPECT_EQ(cloud.models, std::vector<std::string>{"gpt-4o-mini"});
    ASSERT_TRUE(cloud.price.has_value());
    EXPECT_DOUBLE_EQ(cloud.price->input_per_mtok, 0.15);
    EXPECT_DOUBLE_EQ(cloud.price->output_per_mtok, 0.60);
    EXPECT_EQ(cloud.line, 2u);
    const BackendSettings& local = s.backends[1];
    ASSERT_EQ(local.model_files.size(), 1u);
    EXPECT_EQ(local.model_files[0].first, "qwen");
    EXPECT_EQ(local.model_files[0].second, "models/qwen2.5-0.5b-q4_0.gguf");
    EXPECT_TRUE(backend_serves(local, "qwen"));
    EXPECT_FALSE(backend_serves(local, "gpt-4o-mini"));
    EXPECT_TRUE(local.chat_template.empty()); // unset: the flags decide
    EXPECT_EQ(local.ctx_size, 0);
    EXPECT_EQ(local.parallel, 0);
    EXPECT_TRUE(backend_serves(s.backends[2], "anything"));
    EXPECT_EQ(s.backends[2].timeout_ms, 30000); // defaults where unset
    EXPECT_EQ(s.backends[2].connect_timeout_ms, 5000);

    ASSERT_EQ(s.routes.size(), 2u);
    EXPECT_EQ(s.routes[0].model, "chat");
    EXPECT_EQ(s.routes[0].targets, (std::vector<std::string>{"local:qwen", "cloud:gpt-4o-mini"}));
    EXPECT_EQ(s.routes[0].max_prompt_tokens, 2000);
    EXPECT_EQ(s.routes[0].when_offline, std::vector<std::string>{"local:qwen"});
    EXPECT_EQ(s.routes[1].strategy, RouteStrategy::kWeighted);
    EXPECT_EQ(s.routes[1].weights, (std::vector<int64_t>{3, 1}));
    EXPECT_EQ(s.routes[1].when_header, "x-tier: premium");
    EXPECT_EQ(s.routes[1].when_keys, std::vector<std::string>{"kiosk-*"});
}

// Each broken variant of the example is refused with a message naming the
// line and the problem.
struct Broken {
    const char* from;
    const char* to;
    const char* phrase;
};

TEST(RoutingConfig, RefusesWhatCannotWork) {
    const Broken cases[] = {
        {"\"local:qwen\", \"cloud:gpt-4o-mini\"]", "\"local:qwen\", \"clouds:gpt-4o-mini\"]",
         "edgeai.toml:24: route 'chat': target 'clouds:gpt-4o-mini' names unknown backend "
         "'clouds'; did you mean 'cloud'?"},
        {"targets = [\"local:qwen\", \"cloud:gpt-4o-mini\"]", "targets = [\"local:llama\"]",
         "backend 'local' does not serve model 'llama'"},
        {"targets = [\"local:qwen\", \"cloud:gpt-4o-mini\"]", "targets = [\"local\"]",
         "target 'local' is not \"backend:model\""},
        {"targets = [\"local:qwen\", \"cloud:gpt-4o-mini\"]", "targets = []", "'targets' is empty"},
        {"weights = [3, 1]", "weights = [3]", "one weight per target (2), found 1"},
        {"weights = [3, 1]", "weights = [3, 0]", "weights must be positive"},
        {"strategy = \"fallback\"", "strategy = \"fastest\"", "unknown strategy 'fastest'"},
        {"strategy = \"fallback\"", "strategy = \"fallback\"\nweights = [1, 2]",
         "'weights' applies to strategy \"weighted\" only"},
        {"strategy = \"fallback\"", "strategy = \"local-first\"\n", ""}, // fine: has a local target
        {"model = \"mix-*\"\nstrategy = \"weighted\"",
         "model = \"mix-*\"\nstrategy = \"local-first\"",
         "local-first needs a target on a local backend"},
        {"when_offline = \"local:qwen\"", "when_offline = \"local:mistral\"",
         "when_offline: target 'local:mistral'"},
        {"when_header = \"x-tier: premium\"", "when_header = \"x-tier\"", "\"Name: value\""},
        {"name = \"claude\"", "name = \"cloud\"",
         "backend 'cloud': the name is already used at line 2"},
        {"name = \"claude\"", "name = \"clau de\"", "letters, digits"},
        {"kind = \"anthropic\"", "kind = \"gemini\"", "unknown kind 'gemini'"},
        {"kind = \"anthropic\"", "kind = \"gemini\"", "one of openai,anthropic,local,edgeai"},
        {"kind = \"anthropic\"\n", "", "a [[backends]] table needs 'kind'"},
        {"base_url = \"https://api.anthropic.example/v1\"", "base_url = \"api.anthropic.example\"",
         "must start with http:// or https://"},
        {"base_url = \"https://api.anthropic.example/v1\"\n", "", "'base_url' is required"},
        {"models = { qwen = \"models/qwen2.5-0.5b-q4_0.gguf\" }", "models = {}",
         "a local backend needs models"},
        {"timeout_ms = 30000", "timeout_ms = \"30s\"",
         "edgeai.toml:8: 'backends.timeout_ms' must be an integer from 10 to 86400000, found a "
         "string"},
        {"max_concurrency = 64", "max_concurency = 64",
         "unknown key 'max_concurency' in [[backends]]; did you mean 'max_concurrency'?"},
        {"price = { input_per_mtok = 0.15, output_per_mtok = 0.60 }",
         "price = { input_per_mtok = -1 }", "cannot be negative"},
        {"max_prompt_tokens = 2000", "max_prompt_tokens = -5",
         "'routes.max_prompt_tokens' must be"},
        {"max_concurrency = 64", "max_concurrency = 64\nparallel = 2",
         "chat_template, ctx_size and parallel are for local backends"},
        {"models = { qwen = \"models/qwen2.5-0.5b-q4_0.gguf\" }",
         "models = { qwen = \"q.gguf\" }\nparallel = 300", "'backends.parallel' must be"},
    };
    for (const Broken& c : cases) {
        std::string text = kExample;
        const size_t at = text.find(c.from);
        ASSERT_NE(at, std::string::npos) << c.from;
        text.replace(at, std::string(c.from).size(), c.to);
        Status s = load(text);
        if (std::string(c.phrase).empty()) {
            EXPECT_TRUE(s.ok()) << c.to << ": " << s.message();
            continue;
        }
        ASSERT_FALSE(s.ok()) << "accepted: " << c.to;
        EXPECT_NE(s.message().find(c.phrase), std::string::npos)
            << "for " << c.to << "\nmessage: " << s.message();
    }
}

// Issue 21: a local backend sets how its models run, as the flags do.
TEST(RoutingConfig, LocalBackendsTakeTemplateContextAndParallel) {
    std::string text = kExample;
    const std::string from = "models = { qwen = \"models/qwen2.5-0.5b-q4_0.gguf\" }";
    text.replace(text.find(from), from.size(),
                 from + "\nchat_template = \"chatml\"\nctx_size = 8192\nparallel = 2");
    Settings s;
    ASSERT_TRUE(load(text, &s).ok()) << load(text).message();
    EXPECT_EQ(s.backends[1].chat_template, "chatml");
    EXPECT_EQ(s.backends[1].ctx_size, 8192);
    EXPECT_EQ(s.backends[1].parallel, 2);
    ConfigBuilder b;
    ASSERT_TRUE(b.apply_toml(text, "edgeai.toml").ok());
    const std::string shown = b.render_effective();
    EXPECT_NE(shown.find("chat_template = \"chatml\"\nctx_size = 8192\nparallel = 2\n"),
              std::string::npos)
        << shown;
}

// Floats are read with <charconv> where the library has it (toml++'s
// TOML_FLOAT_CHARCONV, config_loader.cpp), not through a stringstream: every
// TOML float form still reads the same.
TEST(RoutingConfig, FloatFormsReadTheSame) {
    Settings s;
    const std::string text = "[[backends]]\nname = \"a\"\nkind = \"openai\"\n"
                             "base_url = \"http://h/v1\"\nmodels = [\"m\"]\n"
                             "price = { input_per_mtok = 1_000.25, output_per_mtok = 2.5e-1 }\n";
    ASSERT_TRUE(load(text, &s).ok()) << load(text).message();
    ASSERT_TRUE(s.backends.at(0).price.has_value());
    EXPECT_DOUBLE_EQ(s.backends[0].price->input_per_mtok, 1000.25);
    EXPECT_DOUBLE_EQ(s.backends[0].price->output_per_mtok, 0.25);
    EXPECT_FALSE(load("[[backends]]\nname = \"a\"\nprice = { input_per_mtok = 1.e5 }\n").ok());
}

TEST(RoutingConfig, TablesMustBeArraysOfTables) {
    EXPECT_NE(load("backends = \"cloud\"\n").message().find("must be an array of tables"),
              std::string::npos);
    EXPECT_NE(load("routes = [1]\n").message().find("each entry of 'routes' must be a table"),
              std::string::npos);
    EXPECT_NE(load("[[backends]]\nkind = \"openai\"\n").message().find("needs a name"),
              std::string::npos);
}

TEST(RoutingConfig, ConfigShowPrintsThemBackAsValidConfigWithSecretsRedacted) {
    ConfigBuilder b;
    ASSERT_TRUE(b.apply_toml(kExample, "edgeai.toml").ok());
    const std::string shown = b.render_effective();
    EXPECT_EQ(shown.find("sk-secret"), std::string::npos) << shown;
    EXPECT_NE(shown.find("api_key = \"<redacted>\""), std::string::npos) << shown;
    // Read back without the redacted key, it gives the same tables.
    std::string again_text = shown;
    const size_t redacted = again_text.find("api_key = \"<redacted>\"\n");
    again_text.erase(redacted, std::string("api_key = \"<redacted>\"\n").size());
    Settings again;
    Status s = load(again_text, &again);
    ASSERT_TRUE(s.ok()) << s.message() << "\n" << again_text;
    const Settings& first = b.settings();
    ASSERT_EQ(again.backends.size(), first.backends.size());
    for (size_t i = 0; i < first.backends.size(); ++i) {
        EXPECT_EQ(again.backends[i].name, first.backends[i].name);
        EXPECT_EQ(again.backends[i].models, first.backends[i].models);
        EXPECT_EQ(again.backends[i].model_files, first.backends[i].model_files);
        EXPECT_EQ(again.backends[i].price.has_value(), first.backends[i].price.has_value());
    }
    ASSERT_EQ(again.routes.size(), first.routes.size());
    for (size_t i = 0; i < first.routes.size(); ++i) {
        EXPECT_EQ(again.routes[i].targets, first.routes[i].targets);
        EXPECT_EQ(again.routes[i].weights, first.routes[i].weights);
        EXPECT_EQ(again.routes[i].when_offline, first.routes[i].when_offline);
        EXPECT_EQ(again.routes[i].when_header, first.routes[i].when_header);
    }
}

TEST(RoutingConfig, ReferenceListsEveryTableKey) {
    const std::string ref = render_config_reference();
    for (const TableKeyDoc& k : backend_table_keys())
        EXPECT_NE(ref.find("| `" + std::string(k.key) + "` |"), std::string::npos) << k.key;
    for (const TableKeyDoc& k : route_table_keys())
        EXPECT_NE(ref.find("| `" + std::string(k.key) + "` |"), std::string::npos) << k.key;
}

TEST(RoutingConfig, GlobsMatchWholeNames) {
    EXPECT_TRUE(glob_match("chat", "chat"));
    EXPECT_FALSE(glob_match("chat", "chat2"));
    EXPECT_TRUE(glob_match("qwen*", "qwen2.5-0.5b"));
    EXPECT_TRUE(glob_match("*", ""));
    EXPECT_TRUE(glob_match("gpt-?o*", "gpt-4o-mini"));
    EXPECT_FALSE(glob_match("gpt-?o*", "gpt-o"));
    EXPECT_TRUE(glob_match("*mini", "gpt-4o-mini"));
    EXPECT_TRUE(glob_match("a*b*c", "axxbyyc"));
    EXPECT_FALSE(glob_match("a*b*c", "axxbyy"));
    EXPECT_TRUE(glob_match("**", "anything"));
}

TEST(RoutingConfig, TargetsSplitAtTheFirstColon) {
    auto t = parse_route_target("ollama:llama3:8b");
    ASSERT_TRUE(t.has_value());
    EXPECT_EQ(t->backend, "ollama");
    EXPECT_EQ(t->model, "llama3:8b");
    EXPECT_FALSE(parse_route_target("cloud").has_value());
    EXPECT_FALSE(parse_route_target(":m").has_value());
    EXPECT_FALSE(parse_route_target("cloud:").has_value());
}

} // namespace
} // namespace edgeai::core
