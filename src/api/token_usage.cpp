#include "api/token_usage.h"

#include "codec/json/json_document.h"

#include <cstring>

namespace edgeai::api {
namespace {

using codec::JsonValue;

void take(JsonValue v, int64_t& into, bool& found) {
    if (!v.is_integer() || v.as_int64() < 0) return;
    into = v.as_int64();
    found = true;
}

void read_usage_object(JsonValue u, TokenUsage& usage) {
    if (!u.is_object()) return;
    take(u["prompt_tokens"], usage.prompt_tokens, usage.found);
    take(u["completion_tokens"], usage.completion_tokens, usage.found);
    // Anthropic counts cached prompt tokens apart; they are prompt tokens too.
    if (u["input_tokens"].is_integer()) {
        int64_t input = 0;
        take(u["input_tokens"], input, usage.found);
        for (std::string_view cached : {"cache_creation_input_tokens", "cache_read_input_tokens"})
            if (u[cached].is_integer() && u[cached].as_int64() > 0) input += u[cached].as_int64();
        usage.prompt_tokens = input;
    }
    take(u["output_tokens"], usage.completion_tokens, usage.found);
}

} // namespace

void read_token_usage(std::string_view json, TokenUsage& usage) {
    if (json.find("usage") == std::string_view::npos) return;
    auto doc = codec::JsonDocument::parse(json);
    if (!doc.ok()) return;
    JsonValue root = doc->root();
    read_usage_object(root["usage"], usage);
    read_usage_object(root["message"]["usage"], usage); // Anthropic's message_start
}

void read_token_usage_in_events(std::string_view events, TokenUsage& usage) {
    constexpr std::string_view kData = "data:";
    size_t pos = 0;
    while ((pos = events.find("usage", pos)) != std::string_view::npos) {
        // The data line this mention is on.
        size_t start = events.rfind('\n', pos);
        start = start == std::string_view::npos ? 0 : start + 1;
        size_t end = events.find('\n', pos);
        if (end == std::string_view::npos) end = events.size();
        std::string_view line = events.substr(start, end - start);
        if (line.substr(0, kData.size()) == kData) {
            line.remove_prefix(kData.size());
            if (!line.empty() && line.front() == ' ') line.remove_prefix(1);
            if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
            read_token_usage(line, usage);
        }
        pos = end;
    }
}

} // namespace edgeai::api
