// Family detection on template text as models ship it (excerpts of the real
// tokenizer.chat_template values), and the exact prompt each family produces.
// Expected prompts follow the models' own templates as Hugging Face renders
// them, minus the leading BOS (see chat_template.h).
#include "engine/chat/chat_template.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace edgeai::engine::chat {
namespace {

using F = TemplateFamily;

struct DetectCase {
    const char* model;
    std::string_view jinja;
    TemplateFamily expected;
};

const DetectCase kDetectCases[] = {
    {"OpenHermes-2.5 (ChatML)",
     "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] "
     "+ "
     "'<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ "
     "'<|im_start|>assistant\\n' "
     "}}{% endif %}",
     F::kChatml},
    {"Qwen2.5 (ChatML with tools)",
     "{%- if tools %}\n    {{- '<|im_start|>system\\n' }}\n    {%- if messages[0]['role'] == "
     "'system' %}\n        {{- messages[0]['content'] }}\n    {%- else %}\n        {{- 'You are "
     "Qwen, created by Alibaba Cloud. You are a helpful assistant.' }}\n    {%- endif %}\n    {{- "
     "\"\\n\\n# Tools\\n\\nYou may call one or more functions\" }}",
     F::kChatml},
    {"Llama-2-chat",
     "{% if messages[0]['role'] == 'system' %}{% set loop_messages = messages[1:] %}{% set "
     "system_message = messages[0]['content'] %}{% else %}{% set loop_messages = messages %}{% set "
     "system_message = false %}{% endif %}{% for message in loop_messages %}{% if loop.index0 == 0 "
     "and system_message != false %}{% set content = '<<SYS>>\\n' + system_message + "
     "'\\n<</SYS>>\\n\\n' + message['content'] %}{% else %}{% set content = message['content'] "
     "%}{% "
     "endif %}{% if message['role'] == 'user' %}{{ bos_token + '[INST] ' + content.strip() + ' "
     "[/INST]' }}{% elif message['role'] == 'assistant' %}{{ ' '  + content.strip() + ' ' + "
     "eos_token }}{% endif %}{% endfor %}",
     F::kLlama2},
    {"Llama-3-Instruct",
     "{% set loop_messages = messages %}{% for message in loop_messages %}{% set content = "
     "'<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n'+ message['content'] | "
     "trim + '<|eot_id|>' %}{% if loop.index0 == 0 %}{% set content = bos_token + content %}{% "
     "endif %}{{ content }}{% endfor %}{% if add_generation_prompt %}{{ "
     "'<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{% endif %}",
     F::kLlama3},
    {"Zephyr-7B-beta / TinyLlama-Chat",
     "{% for message in messages %}\n{% if message['role'] == 'user' %}\n{{ '<|user|>\\n' + "
     "message['content'] + eos_token }}\n{% elif message['role'] == 'system' %}\n{{ "
     "'<|system|>\\n' "
     "+ message['content'] + eos_token }}\n{% elif message['role'] == 'assistant' %}\n{{ "
     "'<|assistant|>\\n'  + message['content'] + eos_token }}\n{% endif %}\n{% if loop.last and "
     "add_generation_prompt %}\n{{ '<|assistant|>' }}\n{% endif %}\n{% endfor %}",
     F::kZephyr},
    {"StableLM-2-Zephyr",
     "{% for message in messages %}{{'<|' + message['role'] + '|>' + '\\n' + message['content'] + "
     "'<|endoftext|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|assistant|>\\n' "
     "}}{% "
     "endif %}",
     F::kZephyr},
    {"Phi-3-mini",
     "{{ bos_token }}{% for message in messages %}{% if (message['role'] == 'user') %}{{'<|user|>' "
     "+ "
     "'\\n' + message['content'] + '<|end|>' + '\\n' + '<|assistant|>' + '\\n'}}{% elif "
     "(message['role'] == 'assistant') %}{{message['content'] + '<|end|>' + '\\n'}}{% endif %}{% "
     "endfor %}",
     F::kPhi3},
    {"Phi-4",
     "{% for message in messages %}{% if (message['role'] == 'system') "
     "%}{{'<|im_start|>system<|im_sep|>' + message['content'] + '<|im_end|>'}}{% elif "
     "(message['role'] == 'user') %}{{'<|im_start|>user<|im_sep|>' + message['content'] + "
     "'<|im_end|><|im_start|>assistant<|im_sep|>'}}{% endif %}{% endfor %}",
     F::kPhi4},
    {"Gemma-7b-it",
     "{{ bos_token }}{% if messages[0]['role'] == 'system' %}{{ raise_exception('System role not "
     "supported') }}{% endif %}{% for message in messages %}{% if (message['role'] == 'assistant') "
     "%}{% set role = 'model' %}{% else %}{% set role = message['role'] %}{% endif %}{{ "
     "'<start_of_turn>' + role + '\\n' + message['content'] | trim + '<end_of_turn>\\n' }}{% "
     "endfor "
     "%}{% if add_generation_prompt %}{{'<start_of_turn>model\\n'}}{% endif %}",
     F::kGemma},
    {"Mistral-7B-Instruct-v0.2 / Mixtral",
     "{{ bos_token }}{% for message in messages %}{% if (message['role'] == 'user') != "
     "(loop.index0 % 2 == 0) %}{{ raise_exception('Conversation roles must alternate "
     "user/assistant/user/assistant/...') }}{% endif %}{% if message['role'] == 'user' %}{{ "
     "'[INST] "
     "' + message['content'] + ' [/INST]' }}{% elif message['role'] == 'assistant' %}{{ "
     "message['content'] + eos_token}}{% endif %}{% endfor %}",
     F::kMistral},
    {"Mistral v1 (official)",
     "{{- bos_token }}\n{%- for message in loop_messages %}\n    {%- if message['role'] == 'user' "
     "%}\n        {%- if loop.first and system_message is defined %}\n            {{- ' [INST] ' + "
     "system_message + '\\n\\n' + message['content'] + ' [/INST]' }}\n        {%- else %}\n        "
     " "
     "   {{- ' [INST] ' + message['content'] + ' [/INST]' }}\n        {%- endif %}",
     F::kMistralV1},
    {"Mistral-Large-2407 (v3)",
     "{%- if tools is not none and (message == user_messages[-1]) %}\n            {{- "
     "\"[AVAILABLE_TOOLS] [\" }}\n {%- if loop.last and system_message is defined %}\n            "
     "{{- "
     "\"[INST] \" + system_message + \"\\n\\n\" + message[\"content\"] + \"[/INST]\" }}",
     F::kMistralV3},
    {"Mistral-Nemo (v3-tekken)",
     "{%- if tools is not none and (message == user_messages[-1]) %}\n            {{- "
     "\"[AVAILABLE_TOOLS][\" }}\n {%- if loop.last and system_message is defined %}\n            "
     "{{- "
     "\"[INST]\" + system_message + \"\\n\\n\" + message[\"content\"] + \"[/INST]\" }}",
     F::kMistralV3Tekken},
    {"Mistral-Large-2411 (v7)",
     "{{ bos_token }}{% for message in messages %}{% if message['role'] == 'user' %}{{ '[INST] ' + "
     "message['content'] + '[/INST]' }}{% elif message['role'] == 'system' %}{{ '[SYSTEM_PROMPT] ' "
     "+ "
     "message['content'] + '[/SYSTEM_PROMPT]' }}{% elif message['role'] == 'assistant' %}{{ ' ' + "
     "message['content'] + eos_token }}{% endif %}{% endfor %}",
     F::kMistralV7},
    {"Mistral-Small-24B-2501 (v7-tekken)",
     "{{- bos_token }}\n\n{%- for message in messages %}\n    {%- if message['role'] == 'user' "
     "%}\n  "
     "      {{- '[INST]' + message['content'] + '[/INST]' }}\n    {%- elif message['role'] == "
     "'system' %}\n        {{- '[SYSTEM_PROMPT]' + message['content'] + '[/SYSTEM_PROMPT]' }}",
     F::kMistralV7Tekken},
};

TEST(ChatTemplateDetect, RecognisesEachFamily) {
    for (const DetectCase& c : kDetectCases) {
        auto family = detect_family(c.jinja);
        ASSERT_TRUE(family.ok()) << c.model << ": " << family.status().to_string();
        EXPECT_EQ(family_name(*family), family_name(c.expected)) << c.model;
    }
}

TEST(ChatTemplateDetect, AFamilyNameStoredAsTheTemplateIsTaken) {
    for (std::string_view name : {"chatml", "mistral-v7", "llama3"}) {
        auto family = detect_family(name);
        ASSERT_TRUE(family.ok()) << name;
        EXPECT_EQ(family_from_name(name), *family) << name;
    }
}

void expect_unrecognised(std::string_view jinja, std::string_view why) {
    auto family = detect_family(jinja);
    ASSERT_FALSE(family.ok()) << "detected " << family_name(*family);
    const core::Status& s = family.status();
    EXPECT_EQ(s.code(), core::StatusCode::kFailedPrecondition);
    EXPECT_NE(s.message().find("no recognisable chat template"), std::string::npos);
    EXPECT_NE(s.message().find(why), std::string::npos) << s.message();
    EXPECT_NE(s.message().find("--chat-template NAME"), std::string::npos);
    for (std::string_view name : family_names())
        EXPECT_NE(s.message().find(name), std::string::npos) << "the error omits " << name;
}

TEST(ChatTemplateDetect, UnrecognisedOrEmptyTemplateIsAnActionableError) {
    expect_unrecognised("", "missing or empty");
    // Vicuna: a format we do not implement.
    expect_unrecognised(
        "{%- for message in messages %}{%- if message['role'] == 'user' -%}{{-'USER: "
        "' + message['content'] + '\\n'-}}{%- else -%}{{-'ASSISTANT: ' + "
        "message['content'] + '</s>\\n' -}}{%- endif -%}{%- endfor -%}",
        "none of the built-in formats");
    // ChatGLM shares <|user|> with Zephyr and Phi-3 but is neither.
    expect_unrecognised("[gMASK]<sop>{% for item in messages %}<|{{ item['role'] }}|>\\n{{ "
                        "item['content'] }}{% endfor %}{% if add_generation_prompt "
                        "%}<|assistant|>\\n{% endif %}",
                        "ChatGLM");
}

TEST(ChatTemplateNames, RoundTripAndAliases) {
    for (std::string_view name : family_names()) {
        auto family = family_from_name(name);
        ASSERT_TRUE(family.has_value()) << name;
        EXPECT_EQ(family_name(*family), name);
    }
    EXPECT_EQ(family_names().size(), 13u);
    EXPECT_EQ(family_from_name("llama2"), F::kLlama2);
    EXPECT_EQ(family_from_name("llama3"), F::kLlama3);
    EXPECT_EQ(family_from_name("phi3"), F::kPhi3);
    EXPECT_FALSE(family_from_name("vicuna").has_value());
    EXPECT_FALSE(family_from_name("").has_value());
}

const std::vector<ChatMessage> kConversation = {
    {"system", "You are a helpful assistant"},
    {"user", "Hello"},
    {"assistant", "Hi there"},
    {"user", "Who are you"},
};

std::string render(F family, const std::vector<ChatMessage>& messages = kConversation,
                   bool generation_prompt = true) {
    auto prompt = apply_template(family, messages, generation_prompt, "<s>", "</s>");
    EXPECT_TRUE(prompt.ok()) << family_name(family) << ": " << prompt.status().to_string();
    return prompt.ok() ? *prompt : std::string();
}

TEST(ChatTemplateApply, ExactPromptPerFamily) {
    const std::pair<F, std::string_view> cases[] = {
        {F::kChatml, "<|im_start|>system\nYou are a helpful assistant<|im_end|>\n"
                     "<|im_start|>user\nHello<|im_end|>\n"
                     "<|im_start|>assistant\nHi there<|im_end|>\n"
                     "<|im_start|>user\nWho are you<|im_end|>\n"
                     "<|im_start|>assistant\n"},
        {F::kLlama2, "[INST] <<SYS>>\nYou are a helpful assistant\n<</SYS>>\n\nHello [/INST]"
                     " Hi there </s><s>[INST] Who are you [/INST]"},
        {F::kLlama3, "<|start_header_id|>system<|end_header_id|>\n\nYou are a helpful "
                     "assistant<|eot_id|>"
                     "<|start_header_id|>user<|end_header_id|>\n\nHello<|eot_id|>"
                     "<|start_header_id|>assistant<|end_header_id|>\n\nHi there<|eot_id|>"
                     "<|start_header_id|>user<|end_header_id|>\n\nWho are you<|eot_id|>"
                     "<|start_header_id|>assistant<|end_header_id|>\n\n"},
        {F::kZephyr, "<|system|>\nYou are a helpful assistant</s>\n"
                     "<|user|>\nHello</s>\n"
                     "<|assistant|>\nHi there</s>\n"
                     "<|user|>\nWho are you</s>\n"
                     "<|assistant|>\n"},
        {F::kPhi3, "<|system|>\nYou are a helpful assistant<|end|>\n"
                   "<|user|>\nHello<|end|>\n"
                   "<|assistant|>\nHi there<|end|>\n"
                   "<|user|>\nWho are you<|end|>\n"
                   "<|assistant|>\n"},
        {F::kPhi4, "<|im_start|>system<|im_sep|>You are a helpful assistant<|im_end|>"
                   "<|im_start|>user<|im_sep|>Hello<|im_end|>"
                   "<|im_start|>assistant<|im_sep|>Hi there<|im_end|>"
                   "<|im_start|>user<|im_sep|>Who are you<|im_end|>"
                   "<|im_start|>assistant<|im_sep|>"},
        {F::kGemma, "<start_of_turn>user\nYou are a helpful assistant\n\nHello<end_of_turn>\n"
                    "<start_of_turn>model\nHi there<end_of_turn>\n"
                    "<start_of_turn>user\nWho are you<end_of_turn>\n"
                    "<start_of_turn>model\n"},
        {F::kMistral, "[INST] You are a helpful assistant\nHello [/INST]Hi there</s>"
                      "[INST] Who are you [/INST]"},
        {F::kMistralV1, " [INST] You are a helpful assistant\n\nHello [/INST] Hi there</s>"
                        " [INST] Who are you [/INST]"},
        {F::kMistralV3, "[INST] Hello[/INST] Hi there</s>"
                        "[INST] You are a helpful assistant\n\nWho are you[/INST]"},
        {F::kMistralV3Tekken, "[INST]Hello[/INST]Hi there</s>"
                              "[INST]You are a helpful assistant\n\nWho are you[/INST]"},
        {F::kMistralV7, "[SYSTEM_PROMPT] You are a helpful assistant[/SYSTEM_PROMPT]"
                        "[INST] Hello[/INST] Hi there</s>[INST] Who are you[/INST]"},
        {F::kMistralV7Tekken, "[SYSTEM_PROMPT]You are a helpful assistant[/SYSTEM_PROMPT]"
                              "[INST]Hello[/INST]Hi there</s>[INST]Who are you[/INST]"},
    };
    EXPECT_EQ(std::size(cases), family_names().size()) << "a family has no expected prompt";
    for (const auto& [family, expected] : cases)
        EXPECT_EQ(render(family), expected) << family_name(family);
}

TEST(ChatTemplateApply, TrimmingFollowsEachTemplate) {
    const std::vector<ChatMessage> padded = {{"user", "  Hi \n"}, {"assistant", " ok "}};
    // Llama 3 and Gemma trim (| trim); ChatML keeps content verbatim.
    EXPECT_EQ(render(F::kLlama3, padded, false),
              "<|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>"
              "<|start_header_id|>assistant<|end_header_id|>\n\nok<|eot_id|>");
    EXPECT_EQ(render(F::kGemma, padded, false),
              "<start_of_turn>user\nHi<end_of_turn>\n<start_of_turn>model\nok<end_of_turn>\n");
    EXPECT_EQ(render(F::kChatml, padded, false),
              "<|im_start|>user\n  Hi \n<|im_end|>\n<|im_start|>assistant\n ok <|im_end|>\n");
    // Mistral v3 trims answers only.
    EXPECT_EQ(render(F::kMistralV3, padded), "[INST]   Hi \n[/INST] ok</s>");
}

TEST(ChatTemplateApply, GenerationPromptOnlyWhenAsked) {
    const std::vector<ChatMessage> one = {{"user", "Hi"}};
    EXPECT_EQ(render(F::kChatml, one, false), "<|im_start|>user\nHi<|im_end|>\n");
    EXPECT_EQ(render(F::kGemma, one, true),
              "<start_of_turn>user\nHi<end_of_turn>\n<start_of_turn>model\n");
    // [INST] formats end where the reply starts either way.
    EXPECT_EQ(render(F::kMistral, one, true), render(F::kMistral, one, false));
}

TEST(ChatTemplateApply, GemmaSystemWithoutUserTurnIsKept) {
    EXPECT_EQ(render(F::kGemma, {{"system", "Be brief"}}, true),
              "<start_of_turn>user\nBe brief<end_of_turn>\n<start_of_turn>model\n");
}

TEST(ChatTemplateApply, DeveloperIsSystem) {
    std::vector<ChatMessage> dev = kConversation;
    dev[0].role = "developer";
    EXPECT_EQ(render(F::kLlama3, dev), render(F::kLlama3));
}

TEST(ChatTemplateApply, ToolAndUnknownRolesAreRefusedWithTheMessageNamed) {
    std::vector<ChatMessage> with_tool = {{"user", "weather?"}, {"tool", "{\"t\": 20}"}};
    auto prompt = apply_template(F::kChatml, with_tool, true, "", "");
    ASSERT_FALSE(prompt.ok());
    EXPECT_EQ(prompt.status().code(), core::StatusCode::kInvalidArgument);
    EXPECT_EQ(prompt.status().field(), "messages[1].role");
    EXPECT_NE(prompt.status().message().find("user message"), std::string::npos);

    std::vector<ChatMessage> odd = {{"narrator", "x"}};
    prompt = apply_template(F::kChatml, odd, true, "", "");
    ASSERT_FALSE(prompt.ok());
    EXPECT_EQ(prompt.status().field(), "messages[0].role");
    EXPECT_NE(prompt.status().message().find("narrator"), std::string::npos);

    prompt = apply_template(F::kChatml, {}, true, "", "");
    ASSERT_FALSE(prompt.ok());
    EXPECT_EQ(prompt.status().field(), "messages");
}

TEST(ChatTemplateApply, MissingSpecialTokenTextIsAnError) {
    auto prompt = apply_template(F::kZephyr, kConversation, true, "<s>", "");
    ASSERT_FALSE(prompt.ok());
    EXPECT_EQ(prompt.status().code(), core::StatusCode::kFailedPrecondition);
    EXPECT_NE(prompt.status().message().find("EOS"), std::string::npos);
    // Llama 2 needs BOS between turns, but not for a single turn.
    EXPECT_FALSE(apply_template(F::kLlama2, kConversation, true, "", "</s>").ok());
    const std::vector<ChatMessage> one = {{"user", "Hi"}};
    EXPECT_TRUE(apply_template(F::kLlama2, one, true, "", "").ok());
}

TEST(ChatTemplateStops, EndOfTurnMarkersPerFamily) {
    auto markers = [](F f) {
        auto m = end_of_turn_markers(f);
        return std::vector<std::string_view>(m.begin(), m.end());
    };
    EXPECT_EQ(markers(F::kChatml), std::vector<std::string_view>{"<|im_end|>"});
    EXPECT_EQ(markers(F::kLlama3), (std::vector<std::string_view>{"<|eot_id|>", "<|eom_id|>"}));
    EXPECT_EQ(markers(F::kPhi3), std::vector<std::string_view>{"<|end|>"});
    EXPECT_EQ(markers(F::kGemma), std::vector<std::string_view>{"<end_of_turn>"});
    EXPECT_TRUE(markers(F::kMistral).empty()); // EOS ends the turn
}

} // namespace
} // namespace edgeai::engine::chat
