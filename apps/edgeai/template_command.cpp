#include "template_command.h"

#include "cli_output.h"
#include "vocab_file.h"

#include "codec/json/json_document.h"
#include "engine/chat/chat_variables.h"
#include "platform/native/engine/chat_template_flag.h"
#include "platform/native/system/system_clock.h"

#include <cstdio>
#include <optional>

namespace edgeai::cli {

Command* add_template_command(Command& model, TemplateFlags& f) {
    Command* c = model.add_subcommand(
        "template", "Print the prompt the model's chat template makes of a conversation");
    c->add_option("file", f.model, "GGUF file (a vocabulary-only file will do)").required();
    c->add_option("--messages", f.messages, "The conversation: a JSON array of messages")
        .required();
    c->add_option("--tools", f.tools, "Tools: a JSON array, as in a chat completion request");
    c->add_option("--chat-template-kwargs", f.kwargs,
                  "More template variables: a JSON object (enable_thinking, ...)");
    c->add_flag("--no-generation-prompt", f.no_generation_prompt,
                "Do not open the assistant's turn at the end");
    c->add_option("--chat-template", f.chat_template,
                  "A format name or a Jinja file, instead of the model's own template");
    return c;
}

namespace {

std::optional<codec::JsonDocument> parse_flag(const std::string& text, const char* flag) {
    if (text.empty()) return std::nullopt;
    auto doc = codec::JsonDocument::parse(text);
    if (!doc.ok()) {
        print_error(std::string(flag) + ": " + doc.status().message());
        return std::nullopt;
    }
    return std::move(*doc);
}

} // namespace

int run_template_command(const TemplateFlags& f) {
    auto choice = platform::native::read_chat_template_flag(f.chat_template);
    if (!choice.ok()) {
        print_error(choice.status().message());
        return kExitUsage;
    }
    const auto vocab = open_vocab_file(f.model);
    if (!vocab) return kExitRuntime;
    auto format = platform::native::chat_format_for(*vocab->gguf, *vocab->tokenizer, *choice);
    if (!format.ok()) {
        print_error(f.model + ": " + format.status().message());
        return kExitRuntime;
    }
    const auto messages = parse_flag(f.messages, "--messages");
    if (!messages) return kExitUsage;
    const auto tools = parse_flag(f.tools, "--tools");
    if (!f.tools.empty() && !tools) return kExitUsage;
    const auto kwargs = parse_flag(f.kwargs, "--chat-template-kwargs");
    if (!f.kwargs.empty() && !kwargs) return kExitUsage;
    // Messages exactly as given: what Hugging Face's apply_chat_template sees.
    engine::chat::ChatJsonOptions options;
    options.content_as_text = false;
    auto vars = engine::chat::chat_variables_from_json(
        messages->root(), tools ? tools->root() : codec::JsonValue(),
        kwargs ? kwargs->root() : codec::JsonValue(), options);
    if (!vars.ok()) {
        print_error(vars.status().message());
        return kExitUsage;
    }
    vars->add_generation_prompt = !f.no_generation_prompt;
    platform::native::SystemClock clock;
    vars->now = engine::tmpl::utc_from_unix_seconds(clock.unix_ms() / 1000);
    auto text = format->render(*vars);
    if (!text.ok()) {
        print_error(text.status().message());
        return kExitRuntime;
    }
    std::fwrite(text->data(), 1, text->size(), stdout);
    return kExitOk;
}

} // namespace edgeai::cli
