// JSON against MessagePack on the wire (issue 23): for a chat request, a chat
// completion answer and an embeddings answer of 1,536 floats, the bytes each
// takes, what a client spends reading every value out of it (our JSON reader
// against our MessagePack reader, both walking the whole value), and what the
// gateway spends turning a backend's JSON into MessagePack for a client that
// asked for it (and a MessagePack request into the JSON its backends get).
// Run by bench/wire.sh, which writes the table into docs/benchmarks.md.
#include "api/msgpack_wire.h"
#include "codec/json/json_document.h"
#include "codec/json/json_writer.h"
#include "codec/msgpack/msgpack_reader.h"

#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdio>
#include <string>

namespace {

using namespace edgeai;

std::string chat_request() {
    codec::JsonWriter w;
    w.begin_object().field("model", "qwen2.5-0.5b-instruct").key("messages").begin_array();
    w.begin_object()
        .field("role", "system")
        .field("content", "You are a terse assistant on a greenhouse controller.")
        .end_object();
    w.begin_object()
        .field("role", "user")
        .field("content", "Soil moisture is 21%, air 31 C, humidity 40%. Should I water now?")
        .end_object();
    w.end_array().field("max_tokens", 64).field("temperature", 0.2).end_object();
    return w.take();
}

std::string chat_answer() {
    codec::JsonWriter w;
    w.begin_object()
        .field("id", "chatcmpl-req_0586b5b1fdc6e1edf5d338560f438c52")
        .field("object", "chat.completion")
        .field("created", 1796644996)
        .field("model", "qwen2.5-0.5b-instruct");
    w.key("choices").begin_array().begin_object().field("index", 0);
    w.key("message")
        .begin_object()
        .field("role", "assistant")
        .field("content", "Yes. At 21% the soil is below the usual 30% threshold and the heat "
                          "will dry it further; water now, about 2 litres per square metre, and "
                          "check again in an hour.")
        .end_object();
    w.field("finish_reason", "stop").end_object().end_array();
    w.key("usage")
        .begin_object()
        .field("prompt_tokens", 52)
        .field("completion_tokens", 41)
        .field("total_tokens", 93)
        .end_object();
    w.end_object();
    return w.take();
}

// 1,536 float32 values as an embedding model makes them (unit length, spread
// over a few magnitudes), written in the shortest text that reads back equal,
// as the gateway writes them.
std::string embedding_answer() {
    uint64_t state = 0x9e3779b97f4a7c15ull;
    codec::JsonWriter w;
    w.begin_object().field("object", "list").key("data").begin_array().begin_object();
    w.field("object", "embedding").field("index", 0).key("embedding").begin_array();
    for (int i = 0; i < 1536; ++i) {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        const double u = static_cast<double>(state >> 11) / 9007199254740992.0;
        w.value(static_cast<double>(static_cast<float>((u - 0.5) * 0.08)));
    }
    w.end_array().end_object().end_array();
    w.field("model", "nomic-embed-text-v1.5");
    w.key("usage").begin_object().field("prompt_tokens", 9).field("total_tokens", 9).end_object();
    w.end_object();
    return w.take();
}

std::string to_msgpack(const std::string& json) {
    auto m = api::json_answer_to_msgpack(json);
    if (!m.ok()) std::abort();
    return *m;
}

// Every value read, as a client reading the answer would.
double walk_json(codec::JsonValue v) {
    if (v.is_number()) return v.as_double();
    if (v.is_string()) return static_cast<double>(v.as_string().size());
    double sum = 0;
    if (v.is_array())
        for (size_t i = 0; i < v.size(); ++i)
            sum += walk_json(v.at(i));
    if (v.is_object())
        for (size_t i = 0; i < v.size(); ++i)
            sum += walk_json(v.member_value(i));
    return sum;
}

void read_json(benchmark::State& state, const std::string& json) {
    for (auto _ : state) {
        auto doc = codec::JsonDocument::parse(json);
        benchmark::DoNotOptimize(walk_json(doc->root()));
    }
    state.counters["bytes"] = static_cast<double>(json.size());
}

void read_msgpack(benchmark::State& state, const std::string& msgpack) {
    for (auto _ : state) {
        codec::MsgpackReader reader(msgpack);
        codec::MsgpackItem item;
        double sum = 0;
        do {
            if (!reader.next(item).ok()) std::abort();
            sum += item.f + static_cast<double>(item.i) + static_cast<double>(item.bytes.size());
        } while (!reader.value_done());
        benchmark::DoNotOptimize(sum);
    }
    state.counters["bytes"] = static_cast<double>(msgpack.size());
}

const std::string kChatRequest = chat_request();
const std::string kChatAnswer = chat_answer();
const std::string kEmbedding = embedding_answer();
const std::string kChatRequestMp = to_msgpack(kChatRequest);
const std::string kChatAnswerMp = to_msgpack(kChatAnswer);
const std::string kEmbeddingMp = to_msgpack(kEmbedding);

void BM_ReadJson_ChatRequest(benchmark::State& s) {
    read_json(s, kChatRequest);
}
void BM_ReadMsgpack_ChatRequest(benchmark::State& s) {
    read_msgpack(s, kChatRequestMp);
}
void BM_ReadJson_ChatAnswer(benchmark::State& s) {
    read_json(s, kChatAnswer);
}
void BM_ReadMsgpack_ChatAnswer(benchmark::State& s) {
    read_msgpack(s, kChatAnswerMp);
}
void BM_ReadJson_Embedding(benchmark::State& s) {
    read_json(s, kEmbedding);
}
void BM_ReadMsgpack_Embedding(benchmark::State& s) {
    read_msgpack(s, kEmbeddingMp);
}

void BM_GatewayToMsgpack_ChatAnswer(benchmark::State& state) {
    for (auto _ : state)
        benchmark::DoNotOptimize(api::json_answer_to_msgpack(kChatAnswer));
}
void BM_GatewayToMsgpack_Embedding(benchmark::State& state) {
    for (auto _ : state)
        benchmark::DoNotOptimize(api::json_answer_to_msgpack(kEmbedding));
}
void BM_GatewayToJson_ChatRequest(benchmark::State& state) {
    for (auto _ : state)
        benchmark::DoNotOptimize(api::msgpack_body_to_json(kChatRequestMp, 1 << 20));
}

BENCHMARK(BM_ReadJson_ChatRequest);
BENCHMARK(BM_ReadMsgpack_ChatRequest);
BENCHMARK(BM_ReadJson_ChatAnswer);
BENCHMARK(BM_ReadMsgpack_ChatAnswer);
BENCHMARK(BM_ReadJson_Embedding);
BENCHMARK(BM_ReadMsgpack_Embedding);
BENCHMARK(BM_GatewayToMsgpack_ChatAnswer);
BENCHMARK(BM_GatewayToMsgpack_Embedding);
BENCHMARK(BM_GatewayToJson_ChatRequest);

} // namespace

BENCHMARK_MAIN();
