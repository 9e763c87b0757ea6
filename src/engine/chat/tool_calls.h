// Tool calls on the local engine: how a model family writes a call, the
// grammar that makes every call valid JSON for its tool's parameters, and
// the parser that reads calls back out of the generated text, whole or as it
// streams.
//
// Syntaxes (what the model's own chat template teaches it, as llama.cpp's
// server reads them):
//   hermes   <tool_call>\n{"name": "f", "arguments": {...}}\n</tool_call>
//            (Qwen 2.5 and 3, SmolLM3, Hermes; several calls one after another)
//   llama3   {"name": "f", "parameters": {...}}   (Llama 3.1 and 3.2; one call)
//   mistral  [TOOL_CALLS][{"name": "f", "arguments": {...}}, ...]
//   generic  hermes' markup for a template that has no tools of its own: the
//            tools and the markup are described in a system message, and tool
//            turns are written as text the template can print.
// The grammar writes every call compactly with "name" before the arguments,
// which is what lets the stream parser send the name before the arguments.
#pragma once

#include "codec/json/json_document.h"
#include "core/result.h"

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace edgeai::engine::chat {

enum class ToolSyntax { kHermes, kLlama3, kMistral, kGeneric };

std::string_view tool_syntax_name(ToolSyntax syntax);

// The syntax a Jinja chat template writes calls in; kGeneric when it has no
// tool calls of its own.
ToolSyntax tool_syntax_of_template(std::string_view source);

struct ToolSpec {
    std::string name;
    std::string parameters; // a JSON Schema as JSON text; empty: any object
};

struct ToolChoice {
    enum class Mode { kAuto, kNone, kRequired, kNamed };
    Mode mode = Mode::kAuto;
    std::string name; // kNamed
    bool parallel = true;
};

// The tools and tool_choice of an OpenAI chat request (`tools` an array of
// {type: "function", function: {name, parameters}}); errors name the field.
core::Result<std::vector<ToolSpec>> tool_specs_from_json(codec::JsonValue tools);
core::Result<ToolChoice> tool_choice_from_json(codec::JsonValue tool_choice,
                                               codec::JsonValue parallel_tool_calls,
                                               const std::vector<ToolSpec>& tools);

struct ToolGrammar {
    std::string gbnf;
    // Text that switches the grammar on (auto); empty: it holds from the
    // first token (required, a named tool).
    std::vector<std::string> triggers;
};

// The grammar of the calls `choice` allows (not kNone). Schema errors name
// the tool ("tools[1].function.parameters: schema path #/...").
core::Result<ToolGrammar> tool_call_grammar(ToolSyntax syntax, const std::vector<ToolSpec>& tools,
                                            const ToolChoice& choice);

// A generic-syntax request's messages, rewritten for a template without
// tools: when `offer_tools`, a system message that lists the tools and the
// markup first (merged into the request's own system message); assistant
// tool_calls as markup in the content, and `tool` messages as user turns
// holding <tool_response>.
std::string generic_tool_messages(codec::JsonValue messages, const std::vector<ToolSpec>& tools,
                                  codec::JsonValue tools_json, bool offer_tools);

// Reads calls out of generated text as it arrives. Text before the first
// call is content; a call's name is reported as soon as it is whole, and its
// arguments as they come.
class ToolCallStream {
  public:
    struct Event {
        enum class Kind { kContent, kCallStart, kArguments };
        Kind kind;
        size_t index; // the call's, for kCallStart and kArguments
        std::string text;
    };

    explicit ToolCallStream(ToolSyntax syntax);

    void push(std::string_view text, std::vector<Event>& out);
    // The end of generation: content held back for a trigger is released.
    void finish(std::vector<Event>& out);
    size_t calls() const { return calls_; }

  private:
    void scan_calls(std::vector<Event>& out);

    ToolSyntax syntax_;
    std::string_view trigger_;
    bool in_calls_ = false;
    std::string held_; // content that may be the start of the trigger
    std::string buf_;  // call text not scanned yet
    size_t calls_ = 0;
    // Where the scan of the current call is.
    enum class Scan { kSeekName, kName, kSeekArgs, kArgs } scan_ = Scan::kSeekName;
    std::string name_;
    int depth_ = 0;
    bool in_string_ = false, escaped_ = false, started_ = false;
};

struct ParsedToolCall {
    std::string name;
    std::string arguments; // JSON text as the model wrote it
};

struct ParsedOutput {
    std::string content;
    std::vector<ParsedToolCall> calls;
};

ParsedOutput parse_tool_calls(ToolSyntax syntax, std::string_view text);

} // namespace edgeai::engine::chat
