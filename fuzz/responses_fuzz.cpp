// Hostile bytes through the Responses API translators: the request decoder
// (with and without a stored history to continue from), the answer and
// error translators, and the chat-chunks-to-Responses-events stream fed in
// two pieces split where the first byte says. Every translated body must be
// JSON; the stream must emit whole SSE events of JSON data, numbered in
// order, and end in exactly one response.completed / .incomplete or error.
#include "api/responses/responses_answers.h"
#include "api/responses/responses_requests.h"
#include "api/responses/responses_streams.h"
#include "codec/json/json_document.h"
#include "codec/sse/sse_parser.h"

#include <cstdint>
#include <string>
#include <string_view>

namespace {

using edgeai::codec::is_valid_json;
namespace responses = edgeai::api::responses;

responses::ResponseFrame frame() {
    responses::ResponseFrame f;
    f.id = "resp_0123";
    f.message_id = "msg_0123";
    f.created_at = 1700000000;
    f.echo = R"("store":false)";
    return f;
}

void check_stream(std::string_view out, const responses::ChunksToResponseEvents& t) {
    edgeai::codec::SseParser parser(size_t{64} << 20);
    if (!parser.feed(out).ok() || !parser.at_boundary()) __builtin_trap();
    edgeai::codec::SseEvent event;
    int64_t expected = 0;
    std::string last_type;
    while (parser.next(event)) {
        auto doc = edgeai::codec::JsonDocument::parse(event.data);
        if (!doc.ok()) __builtin_trap();
        if (doc->root()["sequence_number"].as_int64() != expected++) __builtin_trap();
        last_type.assign(doc->root()["type"].as_string());
        if (last_type != event.event) __builtin_trap();
    }
    const bool ended = last_type == "response.completed" || last_type == "response.incomplete";
    if (ended == t.failed()) __builtin_trap();
    if (ended && !is_valid_json(t.final_response())) __builtin_trap();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
    const size_t split = input.size() * data[0] / 255;

    {
        responses::ChunksToResponseEvents t(frame());
        std::string out = t.feed(input.substr(0, split));
        out += t.feed(input.substr(split));
        out += t.finish();
        check_stream(out, t);
        if (!t.feed("data: {}\n\n").empty() || !t.finish().empty()) __builtin_trap();
    }

    auto plain = responses::responses_to_chat(input, nullptr);
    if (plain.ok() && (!is_valid_json(plain->chat_body) || !is_valid_json(plain->input_items)))
        __builtin_trap();
    // The input doubles as a stored history: what the store gives back is
    // what an earlier request made, but a broken store must not break this.
    auto continued = responses::responses_to_chat(
        input, [&](std::string_view) -> edgeai::core::Result<std::string> {
            return std::string(R"([{"type":"message","role":"user","content":[]}])");
        });
    if (continued.ok() &&
        (!is_valid_json(continued->chat_body) || !is_valid_json(continued->context_items)))
        __builtin_trap();
    auto answer = responses::chat_response_to_response(input, frame());
    if (answer.ok() && !is_valid_json(*answer)) __builtin_trap();
    if (!is_valid_json(responses::error_body_to_responses(400, input))) __builtin_trap();
    return 0;
}
