// The chat template interpreter on hostile templates: the input is template
// text, parsed and, when it parses, rendered over a conversation with every
// kind of message and a tool. Whatever it is, the interpreter must return a
// value or an error, within limits tightened here so each input stays fast.
#include "codec/json/json_document.h"
#include "engine/template/template.h"
#include "engine/template/value_json.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace {

using namespace edgeai::engine::tmpl;

constexpr std::string_view kVariables = R"({
  "messages": [
    {"role": "system", "content": "Be brief."},
    {"role": "user", "content": [{"type": "text", "text": "Hi \u00e9 \ud83c\udf89"}]},
    {"role": "assistant", "content": "<think>\nx\n</think>\n\nok",
     "tool_calls": [{"id": "c1", "type": "function",
                     "function": {"name": "f", "arguments": {"a": [1, 2.5, null, true]}}}]},
    {"role": "tool", "tool_call_id": "c1", "content": "{\"r\": 1}"},
    {"role": "user", "content": "  again  "}
  ],
  "tools": [{"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}],
  "add_generation_prompt": true,
  "bos_token": "<s>",
  "eos_token": "</s>",
  "enable_thinking": false
})";

const Value& variables() {
    static const Value v = [] {
        auto doc = edgeai::codec::JsonDocument::parse(kVariables);
        return value_from_json(doc->root());
    }();
    return v;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    RenderOptions options;
    options.limits.max_output_bytes = 1 << 16;
    options.limits.max_loop_iterations = 10'000;
    options.limits.max_steps = 200'000;
    options.limits.max_items = 10'000;
    options.now = utc_from_unix_seconds(1'700'000'000);
    const std::string_view source(reinterpret_cast<const char*>(data), size);
    auto parsed = ChatTemplate::parse(source, options.limits);
    if (!parsed.ok()) return 0;
    auto rendered = parsed->render(variables().as_dict(), options);
    if (rendered.ok() && rendered->size() > options.limits.max_output_bytes) __builtin_trap();
    return 0;
}
