// OpenAI answers (chat completions, completions, embeddings, model lists)
// turned into Ollama's: whole answers, streams chunk by chunk, and errors as
// Ollama writes them, {"error":"..."}. Streams come out as SSE events whose
// data is one Ollama object each, so the gateway frames and relays them like
// any stream; NdjsonStream writes them as Ollama's NDJSON lines on the way out.
#pragma once

#include "api/ollama/ollama_requests.h"
#include "codec/sse/sse_parser.h"

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace edgeai::api::ollama {

// What every answer to one request shares.
struct OllamaFrame {
    Kind kind = Kind::kChat;
    std::string model; // as the client named it
    // The backend answers completions (/api/generate with raw), not chat.
    bool completion_backend = false;
    // created_at, an RFC 3339 time: now.
    std::function<std::string()> now;
    // Nanoseconds since the request arrived (Ollama reports durations in ns).
    std::function<int64_t()> elapsed_ns;
};

// {"error":"message"}
std::string error_body(std::string_view message);
// True when `body` is an object with an `error` string.
bool is_error_body(std::string_view body);
// A backend's error answer (OpenAI's shape or anything else) in Ollama's shape.
std::string error_from_backend(int http_status, std::string_view body);

// A whole chat.completion, text_completion or embedding list -> Ollama's answer.
core::Result<std::string> answer_to_ollama(std::string_view body, const OllamaFrame& frame);

// The answer to /api/generate or /api/chat with nothing to generate: the
// model is ready (done_reason "load"), or, asked with keep_alive 0, unloaded
// ("unload"), as Ollama answers them.
std::string load_answer(const OllamaFrame& frame, bool unload = false);

// A streamed chat completion or completion -> Ollama's stream objects, each
// one SSE event; the last has done: true, done_reason and the counts. A
// broken input ends with one {"error":...} object.
class ChunksToOllama {
  public:
    explicit ChunksToOllama(OllamaFrame frame) : frame_(std::move(frame)) {}
    std::string feed(std::string_view bytes);
    std::string finish();
    bool done() const { return done_; }

  private:
    void on_event(const codec::SseEvent& event, std::string& out);
    void emit_text(std::string_view text, std::string& out);
    void emit_final(std::string& out);
    void fail(std::string_view message, std::string& out);

    OllamaFrame frame_;
    codec::SseParser parser_;
    bool done_ = false;
    bool saw_finish_ = false;
    std::string finish_reason_;
    std::vector<std::pair<std::string, std::string>> calls_; // name, arguments
    int64_t prompt_tokens_ = -1;
    int64_t completion_tokens_ = -1;
    int64_t first_token_ns_ = -1;
};

// SSE events -> their data, one line each (Ollama's NDJSON streams).
class NdjsonStream {
  public:
    std::string feed(std::string_view sse);

  private:
    codec::SseParser parser_;
};

// /v1/models answers -> Ollama's: GET /api/tags, GET /api/ps, POST /api/show.
// `now` is an RFC 3339 time; other fields Ollama reports about model files
// (sizes, digests of blobs, quantization) are what a gateway can say of a
// model it may not hold: zero or empty.
// For /api/ps (`running`), models the list marks `"loaded": false` are left
// out, and the local ones' `memory_bytes` and `expires_at` (unix seconds,
// absent: never) become Ollama's size and expires_at, written by `format_time`
// from unix milliseconds.
core::Result<std::string> models_to_tags(std::string_view openai_list, std::string_view now,
                                         bool running,
                                         std::string (*format_time)(int64_t unix_ms) = nullptr);
core::Result<std::string> model_to_show(std::string_view openai_model, std::string_view now);

// Ollama's name for a model id: with its tag (":latest" when it has none).
std::string tagged_name(std::string_view id);

} // namespace edgeai::api::ollama
