// How a model's conversations become its prompt: the model's own Jinja
// chat template (tokenizer.chat_template) run by engine/template, or, for a
// file without one, a family formatter (chat_template.h). --chat-template
// overrides either with a family name or a Jinja file's text.
#pragma once

#include "core/result.h"
#include "engine/chat/template_family.h"
#include "engine/chat/tool_calls.h"
#include "engine/template/template.h"
#include "engine/template/value.h"

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace edgeai::engine::chat {

// What a template sees, as Hugging Face's apply_chat_template passes it.
struct ChatVariables {
    tmpl::Value messages; // a list of message dicts
    tmpl::Value tools;    // a list of tool dicts, or none
    bool add_generation_prompt = true;
    tmpl::Dict extra; // chat_template_kwargs: enable_thinking, reasoning_effort, ...
    std::optional<tmpl::DateTime> now; // for strftime_now
};

class ChatFormat {
  public:
    // A Jinja template; errors name the line and construct it cannot run.
    static core::Result<ChatFormat> from_jinja(std::string_view source, std::string bos_text,
                                               std::string eos_text);
    static ChatFormat from_family(TemplateFamily family, std::string bos_text,
                                  std::string eos_text);

    // The format for a model: `override_name` (a family name) or
    // `override_source` (a Jinja template's text) when given, else the model's
    // own template; a model template the interpreter cannot parse falls back
    // to its recognised family. Errors say why none fits and how to choose.
    static core::Result<ChatFormat> choose(std::optional<std::string_view> model_template,
                                           std::string_view override_name,
                                           std::string_view override_source, std::string bos_text,
                                           std::string eos_text);

    // The prompt exactly as the template writes it (a leading BOS text too).
    core::Result<std::string> render(const ChatVariables& v) const;

    // The prompt for a tokenizer that adds BOS itself: without the template's
    // own leading BOS text, so the prompt has one BOS, as llama.cpp does.
    core::Result<std::string> render_for_tokenizer(const ChatVariables& v,
                                                   bool tokenizer_adds_bos) const;

    // Text that ends an assistant turn besides EOS (the server stops on it).
    std::span<const std::string> end_of_turn_markers() const { return markers_; }

    // How this format's model writes tool calls: its template's own syntax,
    // or generic when the template (or family formatter) has none.
    ToolSyntax tool_syntax() const { return tool_syntax_; }
    // The template writes <think> blocks: the model reasons before answering.
    bool reasons() const { return reasons_; }

    // "jinja" (the model's or a file's template) or the family's name, for logs.
    std::string describe() const;

  private:
    ChatFormat() = default;

    std::optional<tmpl::ChatTemplate> jinja_;
    std::optional<TemplateFamily> family_;
    std::string bos_;
    std::string eos_;
    std::vector<std::string> markers_;
    ToolSyntax tool_syntax_ = ToolSyntax::kGeneric;
    bool reasons_ = false;
};

// Messages of role and text only (the CLI's chat loop) as template values.
tmpl::Value messages_value(std::span<const std::pair<std::string, std::string>> turns);

} // namespace edgeai::engine::chat
