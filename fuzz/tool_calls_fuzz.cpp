// Tool calls from hostile requests and hostile model output. The input is a
// request's tools (JSON) and, after the first NUL, text as a model might
// write it. The tools must be accepted or refused with an error naming a
// field, an accepted set must give a grammar that compiles or a named error,
// and the call parser must read the text the same whole as split into
// pieces of any size (the stream sees tokens, the plain answer the whole).
#include "codec/json/json_document.h"
#include "engine/chat/tool_calls.h"
#include "engine/grammar/grammar.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace {

using namespace edgeai::engine::chat;

std::string streamed(ToolSyntax syntax, std::string_view text, size_t piece,
                     std::vector<std::string>& names) {
    ToolCallStream s(syntax);
    std::vector<ToolCallStream::Event> events;
    for (size_t at = 0; at < text.size(); at += piece)
        s.push(text.substr(at, piece), events);
    s.finish(events);
    // Content, then each call's arguments: what a client assembles.
    std::string content;
    std::vector<std::string> args;
    for (const auto& e : events) {
        if (e.kind == ToolCallStream::Event::Kind::kContent) content += e.text;
        if (e.kind == ToolCallStream::Event::Kind::kCallStart) {
            names.push_back(e.text);
            args.emplace_back();
        }
        if (e.kind == ToolCallStream::Event::Kind::kArguments && !args.empty())
            args.back() += e.text;
    }
    for (const auto& a : args)
        content += '\x01' + a;
    return content;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const size_t nul = input.find('\0');
    const std::string_view tools_json = input.substr(0, nul);
    const std::string_view text = nul == std::string_view::npos ? "" : input.substr(nul + 1);

    auto doc = edgeai::codec::JsonDocument::parse(tools_json);
    if (doc.ok()) {
        auto specs = tool_specs_from_json(doc->root()["tools"]);
        if (!specs.ok() && specs.status().field().empty()) __builtin_trap();
        if (specs.ok() && !specs->empty()) {
            auto choice = tool_choice_from_json(doc->root()["tool_choice"],
                                                doc->root()["parallel_tool_calls"], *specs);
            if (choice.ok() && choice->mode != ToolChoice::Mode::kNone) {
                auto g = tool_call_grammar(ToolSyntax::kHermes, *specs, *choice);
                if (g.ok() && !edgeai::engine::grammar::compile_gbnf(g->gbnf).ok())
                    __builtin_trap(); // a grammar we wrote must compile
            }
        }
    }
    for (ToolSyntax syntax : {ToolSyntax::kHermes, ToolSyntax::kLlama3, ToolSyntax::kMistral}) {
        std::vector<std::string> whole_names, split_names;
        const std::string whole = streamed(syntax, text, text.size() + 1, whole_names);
        const std::string split = streamed(syntax, text, 1 + size % 7, split_names);
        if (whole_names != split_names || whole != split) __builtin_trap();
        ParsedOutput parsed = parse_tool_calls(syntax, text);
        if (parsed.calls.size() > whole_names.size()) __builtin_trap();
    }
    return 0;
}
