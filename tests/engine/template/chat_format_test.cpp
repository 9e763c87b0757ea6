// Choosing a model's chat format and the variables a chat request gives its
// template: the model's Jinja first, a family for files without one, the
// leading BOS left to the tokenizer, chat_template_kwargs checked.
#include "codec/json/json_document.h"
#include "engine/chat/chat_format.h"
#include "engine/chat/chat_variables.h"

#include <gtest/gtest.h>

#include <string>

namespace edgeai::engine::chat {
namespace {

constexpr std::string_view kLlama3Like =
    "{{ bos_token }}{% for m in messages %}<|start_header_id|>{{ m.role }}<|end_header_id|>\n\n"
    "{{ m.content | trim }}<|eot_id|>{% endfor %}{% if add_generation_prompt %}"
    "<|start_header_id|>assistant<|end_header_id|>\n\n{% endif %}";

ChatVariables variables(std::string_view body) {
    auto doc = codec::JsonDocument::parse(body);
    EXPECT_TRUE(doc.ok());
    const codec::JsonValue root = doc->root();
    auto vars =
        chat_variables_from_json(root["messages"], root["tools"], root["chat_template_kwargs"]);
    EXPECT_TRUE(vars.ok()) << vars.status().message();
    return vars.ok() ? *vars : ChatVariables{};
}

TEST(ChatFormat, TheModelsOwnTemplateComesFirst) {
    auto chat = ChatFormat::choose(kLlama3Like, "", "", "<|begin_of_text|>", "<|eot_id|>");
    ASSERT_TRUE(chat.ok()) << chat.status().message();
    EXPECT_EQ(chat->describe(), "jinja");
    const ChatVariables v = variables(R"({"messages": [{"role": "user", "content": " Hi "}]})");
    EXPECT_EQ(*chat->render(v), "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHi"
                                "<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n");
    // A tokenizer that adds BOS gets the prompt without the template's own.
    EXPECT_EQ(chat->render_for_tokenizer(v, true)->rfind("<|start_header_id|>user", 0), 0u);
    EXPECT_EQ(chat->render_for_tokenizer(v, false)->rfind("<|begin_of_text|>", 0), 0u);
    // Its family still names the end-of-turn text to stop on.
    ASSERT_FALSE(chat->end_of_turn_markers().empty());
    EXPECT_EQ(chat->end_of_turn_markers()[0], "<|eot_id|>");
}

TEST(ChatFormat, OverridesAndFallbacks) {
    auto named = ChatFormat::choose(kLlama3Like, "chatml", "", "", "");
    ASSERT_TRUE(named.ok());
    EXPECT_EQ(named->describe(), "chatml");
    const ChatVariables v = variables(R"({"messages": [{"role": "user", "content": "Hi"}]})");
    EXPECT_EQ(*named->render(v), "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n");

    auto file = ChatFormat::choose(std::nullopt, "", "{{ messages[0].content }}!", "", "");
    ASSERT_TRUE(file.ok());
    EXPECT_EQ(*file->render(v), "Hi!");

    // A template the interpreter cannot parse falls back to its family.
    const std::string unparsable =
        std::string("{% include 'x' %}") + "<|im_start|>{{ message['role'] }}";
    auto fallback = ChatFormat::choose(unparsable, "", "", "", "");
    ASSERT_TRUE(fallback.ok()) << fallback.status().message();
    EXPECT_EQ(fallback->describe(), "chatml");

    auto none = ChatFormat::choose(std::nullopt, "", "", "", "");
    ASSERT_FALSE(none.ok());
    EXPECT_NE(none.status().message().find("--chat-template NAME|FILE"), std::string::npos);
    auto unknown = ChatFormat::choose(kLlama3Like, "nonesuch", "", "", "");
    ASSERT_FALSE(unknown.ok());
    EXPECT_NE(unknown.status().message().find("unknown chat template name 'nonesuch'"),
              std::string::npos);
    auto broken = ChatFormat::choose("{% for x in %}", "", "", "", "");
    ASSERT_FALSE(broken.ok());
    EXPECT_NE(broken.status().message().find("chat template line 1"), std::string::npos);
}

TEST(ChatVariables, KwargsToolsAndContentParts) {
    const ChatVariables v = variables(
        R"({"messages": [{"role": "user", "content": [{"type": "text", "text": "a"},
                                                       {"type": "image_url"},
                                                       {"type": "text", "text": "b"}]},
                         {"role": "assistant", "content": null, "tool_calls": []}],
            "tools": [{"type": "function"}],
            "chat_template_kwargs": {"enable_thinking": false, "reasoning_effort": "low"}})");
    ASSERT_EQ(v.messages.as_list().size(), 2u);
    EXPECT_EQ(v.messages.as_list()[0].find("content")->as_string(), "a\nb");
    EXPECT_EQ(v.messages.as_list()[1].find("content")->as_string(), "");
    EXPECT_TRUE(v.messages.as_list()[1].find("tool_calls")->is_list());
    EXPECT_EQ(v.tools.as_list().size(), 1u);
    ASSERT_EQ(v.extra.size(), 2u);
    EXPECT_EQ(v.extra[0].first, "enable_thinking");
    EXPECT_TRUE(v.extra[0].second.is_bool());

    auto doc =
        codec::JsonDocument::parse(R"({"messages": [], "chat_template_kwargs": {"messages": []}})");
    auto refused = chat_variables_from_json(doc->root()["messages"], doc->root()["tools"],
                                            doc->root()["chat_template_kwargs"]);
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.status().field(), "chat_template_kwargs.messages");
}

} // namespace
} // namespace edgeai::engine::chat
