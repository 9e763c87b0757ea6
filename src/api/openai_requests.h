// Typed views of the OpenAI request bodies the gateway serves. Decoding checks
// every field the gateway or its backends act on and names the field when it is
// wrong; fields it does not know are not kept here because the original bytes are
// what travel upstream, so nothing a client sends is ever dropped.
#pragma once

#include "core/result.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace edgeai::api {

// Requests larger than this are refused by the shell before they reach a decoder.
inline constexpr size_t kDefaultMaxBodyBytes = size_t{4} << 20;
// OpenAI's own cap on stop sequences.
inline constexpr size_t kMaxStopSequences = 4;
inline constexpr int64_t kMaxChoices = 128;

struct SamplingOptions {
    std::optional<double> temperature;
    std::optional<double> top_p;
    std::optional<int64_t> max_tokens;
    std::optional<int64_t> seed;
    int64_t n = 1;
    double presence_penalty = 0;
    double frequency_penalty = 0;
    std::vector<std::string> stop;
    // logit_bias: token id -> bias in [-100, 100].
    std::vector<std::pair<int64_t, double>> logit_bias;
    // llama.cpp's server's extensions (what Ollama's options map to); unset
    // keeps OpenAI's sampling over the whole distribution.
    std::optional<int64_t> top_k;
    std::optional<double> min_p;
    std::optional<double> repeat_penalty;
    std::optional<int64_t> repeat_last_n;
};

// A prompt or embedding input: text(s) or token ids. Exactly one list is set;
// a single string or id list becomes a list of one.
struct TextOrTokens {
    std::vector<std::string> texts;
    std::vector<std::vector<int64_t>> token_lists;
    size_t size() const { return texts.empty() ? token_lists.size() : texts.size(); }
};

struct ChatMessage {
    std::string role;
    // The text of a string content, or of its text parts joined; other parts
    // (images, audio) are left to backends that read the original body.
    std::string text;
};

// What shape the output must have: response_format and llama.cpp's
// `grammar`. Only read, not judged, here: an upstream gets the original bytes
// and judges them itself; the local engine refuses what it cannot enforce.
struct OutputFormat {
    std::string type;        // response_format.type; empty when absent
    std::string schema;      // response_format.json_schema.schema as JSON text
    bool has_schema = false; // the schema was present
    std::string grammar;     // GBNF
    bool has_grammar = false;
};

struct ChatCompletionRequest {
    std::string model;
    std::vector<ChatMessage> messages;
    bool stream = false;
    bool include_usage = false; // stream_options.include_usage
    SamplingOptions sampling;
    OutputFormat format;
    bool logprobs = false;
    uint32_t top_logprobs = 0; // 0 to 20
};

struct CompletionRequest {
    std::string model;
    TextOrTokens prompt;
    bool stream = false;
    bool include_usage = false;
    SamplingOptions sampling;
    OutputFormat format;
    // The legacy API's logprobs: the chosen token's and this many likely
    // ones (0 to 5); -1 when absent.
    int32_t logprobs = -1;
    bool echo = false;  // the prompt comes back before the completion
    std::string suffix; // fill-in-the-middle: the text after the insertion
    int64_t best_of = 1;
};

struct EmbeddingRequest {
    std::string model;
    TextOrTokens input;
    std::string encoding_format = "float";
    int64_t dimensions = 0; // 0: the model's own
};

// A body the gateway decoded, handed to a backend that needs its fields (the
// local engine) so no body is decoded twice. The member of its route is set.
struct DecodedBody {
    std::optional<ChatCompletionRequest> chat;
    std::optional<CompletionRequest> completion;
    std::optional<EmbeddingRequest> embedding;
};

core::Result<ChatCompletionRequest> decode_chat_completion_request(std::string_view body);
core::Result<CompletionRequest> decode_completion_request(std::string_view body);
core::Result<EmbeddingRequest> decode_embedding_request(std::string_view body);

} // namespace edgeai::api
