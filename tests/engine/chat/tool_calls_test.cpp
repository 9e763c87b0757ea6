#include "engine/chat/tool_calls.h"

#include "codec/json/json_document.h"
#include "engine/grammar/grammar.h"
#include "engine/grammar/matcher.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace edgeai::engine::chat {
namespace {

using Kind = ToolCallStream::Event::Kind;

constexpr std::string_view kTools = R"([
  {"type": "function", "function": {"name": "get_weather", "description": "w",
   "parameters": {"type": "object", "properties": {"city": {"type": "string", "maxLength": 8},
                  "unit": {"enum": ["c", "f"]}}, "required": ["city", "unit"],
                  "additionalProperties": false}}},
  {"type": "function", "function": {"name": "ping"}}
])";

std::vector<ToolSpec> specs() {
    auto doc = codec::JsonDocument::parse(kTools);
    auto s = tool_specs_from_json(doc->root());
    EXPECT_TRUE(s.ok()) << s.status().message();
    return *s;
}

ToolChoice choice(ToolChoice::Mode mode, bool parallel = true, std::string name = "") {
    ToolChoice c;
    c.mode = mode;
    c.parallel = parallel;
    c.name = std::move(name);
    return c;
}

// Whether the grammar takes `text` as a whole sentence.
bool accepts(const std::string& gbnf, std::string_view text) {
    auto g = grammar::compile_gbnf(gbnf);
    EXPECT_TRUE(g.ok()) << g.status().message() << "\n" << gbnf;
    if (!g.ok()) return false;
    auto m = grammar::Matcher::create(*g);
    auto fits = m->advance(text);
    return fits.ok() && *fits && m->accepting();
}

TEST(ToolSyntax, ReadFromTheTemplatesOwnMarkup) {
    EXPECT_EQ(tool_syntax_of_template("{% if tools %}<tool_call>{{ t }}</tool_call>{% endif %}"),
              ToolSyntax::kHermes);
    EXPECT_EQ(tool_syntax_of_template("[AVAILABLE_TOOLS]...[TOOL_CALLS]"), ToolSyntax::kMistral);
    EXPECT_EQ(tool_syntax_of_template("<|start_header_id|>ipython ... \"parameters\": "),
              ToolSyntax::kLlama3);
    EXPECT_EQ(tool_syntax_of_template("{{ bos_token }}{% for m in messages %}{% endfor %}"),
              ToolSyntax::kGeneric);
}

TEST(ToolSpecs, BadToolsNameTheField) {
    auto refused = [](std::string_view json) {
        auto doc = codec::JsonDocument::parse(json);
        auto s = tool_specs_from_json(doc->root());
        return s.ok() ? std::string("accepted") : s.status().field();
    };
    EXPECT_EQ(refused(R"([{"type":"function","function":{"name":"a b"}}])"),
              "tools[0].function.name");
    EXPECT_EQ(refused(R"([{"type":"function","function":{"name":"a"}},
                         {"type":"function","function":{"name":"a"}}])"),
              "tools[1].function.name");
    EXPECT_EQ(refused(R"([{"type":"code_interpreter"}])"), "tools[0].type");
    EXPECT_EQ(refused(R"([{"type":"function","function":{"name":"a","parameters":3}}])"),
              "tools[0].function.parameters");
    EXPECT_EQ(refused(R"({})"), "tools");
}

TEST(ToolChoiceJson, NamedMustBeATool) {
    auto tools = specs();
    auto doc = codec::JsonDocument::parse(
        R"({"a": "required", "b": {"type":"function","function":{"name":"nope"}}, "c": false,
            "d": {"type":"function","function":{"name":"ping"}}})");
    auto r = tool_choice_from_json(doc->root()["a"], doc->root()["c"], tools);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->mode, ToolChoice::Mode::kRequired);
    EXPECT_FALSE(r->parallel);
    auto bad = tool_choice_from_json(doc->root()["b"], codec::JsonValue(), tools);
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.status().field(), "tool_choice.function.name");
    auto named = tool_choice_from_json(doc->root()["d"], codec::JsonValue(), tools);
    ASSERT_TRUE(named.ok());
    EXPECT_EQ(named->name, "ping");
}

TEST(ToolGrammar, HermesCallsConformToTheirSchemas) {
    auto g = tool_call_grammar(ToolSyntax::kHermes, specs(), choice(ToolChoice::Mode::kRequired));
    ASSERT_TRUE(g.ok()) << g.status().message();
    EXPECT_TRUE(g->triggers.empty());
    const std::string call =
        "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\":\"Oslo\", "
        "\"unit\":\"c\"}}\n</tool_call>";
    const std::string ping = "<tool_call>\n{\"name\": \"ping\", \"arguments\": {}}\n</tool_call>";
    EXPECT_TRUE(accepts(g->gbnf, call));
    EXPECT_TRUE(accepts(g->gbnf, call + "\n" + ping));
    // Wrong enum, a string past maxLength, a missing member, an unknown tool.
    EXPECT_FALSE(accepts(g->gbnf, "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": "
                                  "{\"city\":\"Oslo\", \"unit\":\"k\"}}\n</tool_call>"));
    EXPECT_FALSE(accepts(g->gbnf, "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": "
                                  "{\"city\":\"Copenhagen\", \"unit\":\"c\"}}\n</tool_call>"));
    EXPECT_FALSE(accepts(g->gbnf, "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": "
                                  "{\"city\":\"Oslo\"}}\n</tool_call>"));
    EXPECT_FALSE(accepts(g->gbnf, "<tool_call>\n{\"name\": \"other\", \"arguments\": "
                                  "{}}\n</tool_call>"));
    EXPECT_FALSE(accepts(g->gbnf, "free text"));

    auto one =
        tool_call_grammar(ToolSyntax::kHermes, specs(), choice(ToolChoice::Mode::kAuto, false));
    ASSERT_TRUE(one.ok());
    EXPECT_EQ(one->triggers, std::vector<std::string>{"<tool_call>"});
    EXPECT_TRUE(accepts(one->gbnf, ping));
    EXPECT_FALSE(accepts(one->gbnf, ping + "\n" + ping));
}

TEST(ToolGrammar, NamedLlama3AndMistral) {
    auto named = tool_call_grammar(ToolSyntax::kLlama3, specs(),
                                   choice(ToolChoice::Mode::kNamed, true, "ping"));
    ASSERT_TRUE(named.ok());
    EXPECT_TRUE(accepts(named->gbnf, "{\"name\": \"ping\", \"parameters\": {}}"));
    EXPECT_FALSE(accepts(named->gbnf, "{\"name\": \"get_weather\", \"parameters\": "
                                      "{\"city\":\"a\", \"unit\":\"c\"}}"));
    auto mistral =
        tool_call_grammar(ToolSyntax::kMistral, specs(), choice(ToolChoice::Mode::kRequired));
    ASSERT_TRUE(mistral.ok());
    EXPECT_TRUE(accepts(mistral->gbnf, "[TOOL_CALLS][{\"name\": \"ping\", \"arguments\": {}}, "
                                       "{\"name\": \"ping\", \"arguments\": {}}]"));
}

TEST(ToolGrammar, AnUnsupportedSchemaNamesTheTool) {
    auto doc = codec::JsonDocument::parse(
        R"j([{"type":"function","function":{"name":"a"}},
            {"type":"function","function":{"name":"b","parameters":{"type":"object",
             "properties":{"x":{"type":"string","pattern":"(?=y)"}}}}}])j");
    auto tools = tool_specs_from_json(doc->root());
    ASSERT_TRUE(tools.ok());
    auto g = tool_call_grammar(ToolSyntax::kHermes, *tools, choice(ToolChoice::Mode::kAuto));
    ASSERT_FALSE(g.ok());
    EXPECT_EQ(g.status().field(), "tools[1].function.parameters");
}

TEST(ParseToolCalls, ContentThenCalls) {
    auto p = parse_tool_calls(ToolSyntax::kHermes,
                              "Let me look.\n<tool_call>\n{\"name\": \"get_weather\", "
                              "\"arguments\": {\"city\": \"a\\\"}\", \"unit\": \"c\"}}\n"
                              "</tool_call>\n<tool_call>\n{\"name\": \"ping\", \"arguments\": "
                              "{}}\n</tool_call>");
    EXPECT_EQ(p.content, "Let me look.\n");
    ASSERT_EQ(p.calls.size(), 2u);
    EXPECT_EQ(p.calls[0].name, "get_weather");
    EXPECT_EQ(p.calls[0].arguments, "{\"city\": \"a\\\"}\", \"unit\": \"c\"}");
    EXPECT_EQ(p.calls[1].name, "ping");
    EXPECT_EQ(p.calls[1].arguments, "{}");
}

TEST(ParseToolCalls, Llama3MistralAndACutCall) {
    auto l = parse_tool_calls(ToolSyntax::kLlama3,
                              "{\"name\": \"ping\", \"parameters\": {\"a\": [1, {\"b\": 2}]}}");
    ASSERT_EQ(l.calls.size(), 1u);
    EXPECT_EQ(l.calls[0].arguments, "{\"a\": [1, {\"b\": 2}]}");
    EXPECT_EQ(l.content, "");
    auto m = parse_tool_calls(ToolSyntax::kMistral,
                              "[TOOL_CALLS][{\"name\": \"a\", \"arguments\": {}}, {\"name\": "
                              "\"b\", \"arguments\": {\"x\": 1}}]");
    ASSERT_EQ(m.calls.size(), 2u);
    EXPECT_EQ(m.calls[1].name, "b");
    // Cut off by max_tokens inside the arguments: not a call.
    auto cut = parse_tool_calls(ToolSyntax::kHermes,
                                "<tool_call>\n{\"name\": \"ping\", \"arguments\": {}}\n"
                                "</tool_call>\n<tool_call>\n{\"name\": \"ping\", \"arguments\": {");
    EXPECT_EQ(cut.calls.size(), 1u);
    auto text = parse_tool_calls(ToolSyntax::kHermes, "no call here <tool_c");
    EXPECT_EQ(text.content, "no call here <tool_c");
    EXPECT_TRUE(text.calls.empty());
}

// Fed a byte at a time, the stream says what the whole text says, and never
// lets part of the trigger out as content.
TEST(ToolCallStream, ByteByByteEqualsWhole) {
    const std::string text = "Sure <tool_ <tool_call>\n{\"name\": \"get_weather\", \"arguments\": "
                             "{\"city\": \"}{\", \"unit\": \"c\"}}\n</tool_call>";
    ToolCallStream s(ToolSyntax::kHermes);
    std::vector<ToolCallStream::Event> events;
    std::string content, args, name;
    for (char c : text) {
        events.clear();
        s.push(std::string_view(&c, 1), events);
        for (const auto& e : events) {
            if (e.kind == Kind::kContent) content += e.text;
            if (e.kind == Kind::kCallStart) {
                EXPECT_TRUE(args.empty()) << "the name comes before the arguments";
                name = e.text;
            }
            if (e.kind == Kind::kArguments) args += e.text;
        }
        EXPECT_EQ(content.find("<tool_call"), std::string::npos);
    }
    events.clear();
    s.finish(events);
    EXPECT_TRUE(events.empty());
    EXPECT_EQ(content, "Sure <tool_ ");
    EXPECT_EQ(name, "get_weather");
    EXPECT_EQ(args, "{\"city\": \"}{\", \"unit\": \"c\"}");
    EXPECT_EQ(s.calls(), 1u);
}

TEST(GenericToolMessages, ToolTurnsBecomeTextTheTemplateCanPrint) {
    auto doc = codec::JsonDocument::parse(R"({"tools": [
        {"type": "function", "function": {"name": "ping", "description": "d"}}],
      "messages": [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "hi"},
        {"role": "assistant", "content": null, "tool_calls": [{"id": "c", "type": "function",
          "function": {"name": "ping", "arguments": "{\"n\":1}"}}]},
        {"role": "tool", "tool_call_id": "c", "content": "pong"}]})");
    auto tools = tool_specs_from_json(doc->root()["tools"]);
    ASSERT_TRUE(tools.ok());
    auto out = codec::JsonDocument::parse(
        generic_tool_messages(doc->root()["messages"], *tools, doc->root()["tools"], true));
    ASSERT_TRUE(out.ok());
    auto m = out->root();
    ASSERT_EQ(m.size(), 4u);
    EXPECT_EQ(m.at(0)["role"].as_string(), "system");
    EXPECT_EQ(m.at(0)["content"].as_string().substr(0, 11), "Be brief.\n\n");
    EXPECT_NE(m.at(0)["content"].as_string().find("\"name\":\"ping\""), std::string::npos);
    EXPECT_EQ(m.at(2)["content"].as_string(),
              "<tool_call>\n{\"name\": \"ping\", \"arguments\": {\"n\":1}}\n</tool_call>");
    EXPECT_EQ(m.at(3)["role"].as_string(), "user");
    EXPECT_EQ(m.at(3)["content"].as_string(), "<tool_response>\npong\n</tool_response>");
    // tool_choice none: the history is rewritten, no tools are offered.
    auto plain = codec::JsonDocument::parse(
        generic_tool_messages(doc->root()["messages"], *tools, doc->root()["tools"], false));
    ASSERT_TRUE(plain.ok());
    EXPECT_EQ(plain->root().at(0)["content"].as_string(), "Be brief.");
    EXPECT_EQ(plain->root().at(3)["role"].as_string(), "user");
}

} // namespace
} // namespace edgeai::engine::chat
