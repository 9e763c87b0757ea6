// Hostile bytes through every Messages translator: both stream directions (fed
// in two pieces split where the first byte says, so cuts inside lines, CRLFs
// and UTF-8 sequences are tried) and the request, answer and error
// translators, and the token-usage scanner. Whatever comes in, a stream
// translator must emit whole SSE events whose data is JSON or [DONE], end in
// exactly one closing or error event, and every translated body must be JSON.
#include "api/anthropic/anthropic_requests.h"
#include "api/anthropic/anthropic_responses.h"
#include "api/anthropic/anthropic_streams.h"
#include "api/token_usage.h"
#include "codec/json/json_document.h"
#include "codec/sse/sse_parser.h"

#include <cstdint>
#include <string>
#include <string_view>

namespace {

using edgeai::codec::is_valid_json;

// Returns the last event's data; traps on anything malformed.
std::string check_stream(std::string_view out) {
    edgeai::codec::SseParser parser(size_t{64} << 20);
    if (!parser.feed(out).ok() || !parser.at_boundary()) __builtin_trap();
    edgeai::codec::SseEvent event;
    std::string last;
    bool any = false;
    while (parser.next(event)) {
        if (event.data != "[DONE]" && !is_valid_json(event.data)) __builtin_trap();
        last = event.data;
        any = true;
    }
    if (!any) __builtin_trap(); // finish() always closes the stream somehow
    return last;
}

template <typename Translator>
std::string run(Translator& t, std::string_view input, size_t split) {
    std::string out = t.feed(input.substr(0, split));
    out += t.feed(input.substr(split));
    out += t.finish();
    // Once closed, nothing more comes out.
    if (!t.feed("data: {}\n\n").empty() || !t.finish().empty()) __builtin_trap();
    return out;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    namespace anthropic = edgeai::api::anthropic;
    std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
    size_t split = input.size() * data[0] / 255;

    {
        anthropic::ChunksToMessageEvents t;
        std::string last = check_stream(run(t, input, split));
        if (last != R"({"type":"message_stop"})" && !t.failed()) __builtin_trap();
    }
    {
        anthropic::MessageEventsToChunks t((data[0] & 1) != 0, 1700000000);
        std::string last = check_stream(run(t, input, split));
        if (last != "[DONE]" && !t.failed()) __builtin_trap();
    }

    auto chat = anthropic::messages_to_chat(input);
    if (chat.ok() && !is_valid_json(chat->body)) __builtin_trap();
    auto messages = anthropic::chat_to_messages(input);
    if (messages.ok() && !is_valid_json(messages->body)) __builtin_trap();
    auto message = anthropic::chat_response_to_message(input);
    if (message.ok() && !is_valid_json(*message)) __builtin_trap();
    auto completion = anthropic::message_to_chat_response(input, 1700000000);
    if (completion.ok() && !is_valid_json(*completion)) __builtin_trap();
    if (!is_valid_json(anthropic::error_body_to_anthropic(500, input))) __builtin_trap();
    if (!is_valid_json(anthropic::error_body_to_openai(500, input))) __builtin_trap();

    // Usage is read from every answer's bytes as they pass, stream events unchecked.
    edgeai::api::TokenUsage usage;
    edgeai::api::read_token_usage_in_events(input, usage);
    edgeai::api::read_token_usage(input, usage);
    if (usage.prompt_tokens < 0 || usage.completion_tokens < 0) __builtin_trap();
    return 0;
}
