// Hostile bytes through the Ollama API translators: the request decoder for
// each route (the first byte picks it), the answer translator for each kind of
// answer, and the chunks-to-Ollama stream fed in two pieces split where the
// first byte says, then written as NDJSON. Every translated body must be JSON;
// the stream must be whole SSE events of JSON objects that end in exactly one
// done object or one error, and every NDJSON line must be a JSON object.
#include "api/ollama/ollama_answers.h"
#include "api/ollama/ollama_requests.h"
#include "codec/json/json_document.h"
#include "codec/sse/sse_parser.h"

#include <cstdint>
#include <string>
#include <string_view>

namespace {

using edgeai::codec::is_valid_json;
namespace ollama = edgeai::api::ollama;

ollama::OllamaFrame frame(ollama::Kind kind, bool completion_backend) {
    ollama::OllamaFrame f;
    f.kind = kind;
    f.model = "m:latest";
    f.completion_backend = completion_backend;
    f.now = [] { return std::string("2026-01-01T00:00:00.000Z"); };
    f.elapsed_ns = [] { return int64_t{1000}; };
    return f;
}

void check_stream(std::string_view out) {
    edgeai::codec::SseParser parser(size_t{64} << 20);
    if (!parser.feed(out).ok() || !parser.at_boundary()) __builtin_trap();
    edgeai::codec::SseEvent event;
    int ends = 0;
    while (parser.next(event)) {
        if (ends != 0) __builtin_trap(); // nothing after the end
        auto doc = edgeai::codec::JsonDocument::parse(event.data);
        if (!doc.ok() || !doc->root().is_object()) __builtin_trap();
        if (doc->root()["done"].as_bool() || doc->root()["error"].is_string()) ++ends;
    }
    if (ends != 1) __builtin_trap();
    ollama::NdjsonStream lines;
    const std::string ndjson = lines.feed(out);
    size_t start = 0;
    while (start < ndjson.size()) {
        const size_t end = ndjson.find('\n', start);
        if (end == std::string::npos) __builtin_trap();
        if (!is_valid_json(std::string_view(ndjson).substr(start, end - start))) __builtin_trap();
        start = end + 1;
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
    const auto kind = static_cast<ollama::Kind>(data[0] % 4);
    const bool completion_backend = (data[0] & 4) != 0;
    const size_t split = input.size() * data[0] / 255;

    auto request = ollama::ollama_to_openai(kind, input);
    if (request.ok() && !request->load_only && !is_valid_json(request->backend_body))
        __builtin_trap();
    (void)ollama::model_of(input);

    const ollama::OllamaFrame f = frame(kind, completion_backend);
    auto answer = ollama::answer_to_ollama(input, f);
    if (answer.ok() && !is_valid_json(*answer)) __builtin_trap();
    if (!is_valid_json(ollama::error_from_backend(500, input))) __builtin_trap();
    auto tags = ollama::models_to_tags(input, "now", (data[0] & 8) != 0);
    if (tags.ok() && !is_valid_json(*tags)) __builtin_trap();
    auto show = ollama::model_to_show(input, "now");
    if (show.ok() && !is_valid_json(*show)) __builtin_trap();

    if (kind == ollama::Kind::kChat || kind == ollama::Kind::kGenerate) {
        ollama::ChunksToOllama t(f);
        std::string out = t.feed(input.substr(0, split));
        out += t.feed(input.substr(split));
        out += t.finish();
        check_stream(out);
        if (!t.feed("data: {}\n\n").empty() || !t.finish().empty()) __builtin_trap();
    }
    return 0;
}
