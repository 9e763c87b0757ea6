#include "api/ollama/ollama_answers.h"
#include "api/ollama/ollama_requests.h"
#include "api/token_usage.h"
#include "codec/json/json_document.h"

#include "json_for_test.h"

#include <gtest/gtest.h>

#include <string>

namespace edgeai::api::ollama {
namespace {

using codec::JsonDocument;

JsonDocument json(std::string_view text) {
    return json_for_test(text);
}

OllamaFrame frame(Kind kind, bool completion_backend = false) {
    OllamaFrame f;
    f.kind = kind;
    f.model = "tiny:latest";
    f.completion_backend = completion_backend;
    f.now = [] { return std::string("2026-12-07T12:00:00.000Z"); };
    f.elapsed_ns = [] { return int64_t{1000}; };
    return f;
}

std::string error_of(Kind kind, std::string_view body) {
    auto r = ollama_to_openai(kind, body);
    EXPECT_FALSE(r.ok()) << body;
    return r.ok() ? "" : r.status().field();
}

TEST(OllamaRequest, ChatBecomesAChatCompletionWithItsOptions) {
    auto r = ollama_to_openai(Kind::kChat, R"({"model":"qwen:latest","messages":[
        {"role":"system","content":"Be brief."},{"role":"user","content":"Hi"}],
        "options":{"num_predict":12,"temperature":0.2,"top_k":5,"min_p":0.1,"seed":4,
                   "stop":["\n"],"repeat_penalty":1.1,"num_ctx":4096,"num_thread":2},
        "format":"json","keep_alive":"5m"})");
    ASSERT_TRUE(r.ok()) << r.status().message();
    EXPECT_EQ(r->model, "qwen");
    EXPECT_EQ(r->requested_model, "qwen:latest");
    EXPECT_TRUE(r->stream); // Ollama streams unless told not to
    EXPECT_EQ(r->backend_path, "/chat/completions");
    EXPECT_EQ(r->backend_body,
              R"({"model":"qwen","messages":[{"role":"system","content":"Be brief."},)"
              R"({"role":"user","content":"Hi"}],"stream":true,"stream_options":)"
              R"({"include_usage":true},"max_tokens":12,"temperature":0.2,"top_k":5,)"
              R"("min_p":0.1,"seed":4,"stop":["\n"],"repeat_penalty":1.1,)"
              R"("response_format":{"type":"json_object"}})");
}

TEST(OllamaRequest, ImagesBecomeDataUrlsOfTheirKind) {
    auto r = ollama_to_openai(Kind::kChat, R"({"model":"m","stream":false,"messages":[
        {"role":"user","content":"What is it?","images":["iVBORw0KGgoAAA","/9j/4AAQ"]}]})");
    ASSERT_TRUE(r.ok()) << r.status().message();
    JsonDocument body = json(r->backend_body);
    auto content = body.root()["messages"].at(0)["content"];
    ASSERT_EQ(content.size(), 3u);
    EXPECT_EQ(content.at(0)["text"].as_string(), "What is it?");
    EXPECT_EQ(content.at(1)["image_url"]["url"].as_string(),
              "data:image/png;base64,iVBORw0KGgoAAA");
    EXPECT_EQ(content.at(2)["image_url"]["url"].as_string(), "data:image/jpeg;base64,/9j/4AAQ");
    EXPECT_TRUE(body.root()["stream"].is_missing());
}

TEST(OllamaRequest, GenerateUsesTheTemplateUnlessRaw) {
    auto chat = ollama_to_openai(Kind::kGenerate,
                                 R"({"model":"m","prompt":"Why?","system":"Answer.","format":)"
                                 R"({"type":"object"},"stream":false})");
    ASSERT_TRUE(chat.ok()) << chat.status().message();
    EXPECT_EQ(chat->backend_path, "/chat/completions");
    EXPECT_EQ(chat->backend_body,
              R"({"model":"m","messages":[{"role":"system","content":"Answer."},)"
              R"({"role":"user","content":"Why?"}],"response_format":{"type":"json_schema",)"
              R"("json_schema":{"name":"format","strict":true,"schema":{"type":"object"}}}})");
    auto raw = ollama_to_openai(Kind::kGenerate, R"({"model":"m","prompt":"Once","raw":true})");
    ASSERT_TRUE(raw.ok());
    EXPECT_EQ(raw->backend_path, "/completions");
    EXPECT_EQ(json(raw->backend_body).root()["prompt"].as_string(), "Once");
    auto load = ollama_to_openai(Kind::kGenerate, R"({"model":"m"})");
    ASSERT_TRUE(load.ok());
    EXPECT_TRUE(load->load_only);
    auto chat_load = ollama_to_openai(Kind::kChat, R"({"model":"m","messages":[]})");
    ASSERT_TRUE(chat_load.ok());
    EXPECT_TRUE(chat_load->load_only);
}

TEST(OllamaRequest, EmbedAndEmbeddingsBecomeEmbeddings) {
    auto embed =
        ollama_to_openai(Kind::kEmbed, R"({"model":"e","input":["a","b"],"dimensions":8})");
    ASSERT_TRUE(embed.ok());
    EXPECT_FALSE(embed->stream);
    EXPECT_EQ(embed->backend_path, "/embeddings");
    EXPECT_EQ(embed->backend_body,
              R"({"model":"e","input":["a","b"],"dimensions":8,"encoding_format":"float"})");
    auto older = ollama_to_openai(Kind::kEmbeddings, R"({"model":"e","prompt":"a"})");
    ASSERT_TRUE(older.ok());
    EXPECT_EQ(older->backend_body, R"({"model":"e","input":"a","encoding_format":"float"})");
}

TEST(OllamaRequest, ErrorsNameTheOllamaField) {
    EXPECT_EQ(error_of(Kind::kChat, R"({"messages":[]})"), "model");
    EXPECT_EQ(error_of(Kind::kChat, R"({"model":"m","messages":"hi"})"), "messages");
    EXPECT_EQ(error_of(Kind::kChat, R"({"model":"m","messages":[{"role":"robot","content":"x"}]})"),
              "messages[0].role");
    EXPECT_EQ(
        error_of(Kind::kChat,
                 R"({"model":"m","messages":[{"role":"user","content":"x","tool_calls":[]}]})"),
        "messages[0].tool_calls");
    EXPECT_EQ(error_of(Kind::kChat, R"({"model":"m","messages":[{"role":"user","content":1}]})"),
              "messages[0].content");
    EXPECT_EQ(error_of(Kind::kChat, R"({"model":"m","messages":[{"role":"user","content":"x",
        "images":["bm90"]}]})"),
              "messages[0].images[0]");
    EXPECT_EQ(error_of(Kind::kChat, R"({"model":"m","options":{"temperature":"hot"}})"),
              "options.temperature");
    EXPECT_EQ(error_of(Kind::kChat, R"({"model":"m","options":{"mirostat":1}})"),
              "options.mirostat");
    EXPECT_EQ(error_of(Kind::kChat, R"({"model":"m","options":{"num_predict":-3}})"),
              "options.num_predict");
    EXPECT_EQ(
        error_of(Kind::kChat,
                 R"({"model":"m","messages":[{"role":"user","content":"x"}],"format":"xml"})"),
        "format");
    EXPECT_EQ(error_of(Kind::kChat,
                       R"({"model":"m","messages":[{"role":"user","content":"x"}],"tools":"f"})"),
              "tools");
    EXPECT_EQ(error_of(Kind::kChat, R"({"model":"m","think":true})"), "think");
    EXPECT_EQ(error_of(Kind::kChat, R"({"model":"m","stream":"no"})"), "stream");
    EXPECT_EQ(error_of(Kind::kChat, R"({"model":"m","keep_alive":[]})"), "keep_alive");
    EXPECT_EQ(error_of(Kind::kChat, R"({"model":"m","keep_alive":"soon"})"), "keep_alive");
    EXPECT_EQ(error_of(Kind::kGenerate, R"({"model":"m","prompt":"x","context":[1]})"), "context");
    EXPECT_EQ(error_of(Kind::kGenerate, R"({"model":"m","prompt":"x","suffix":"y"})"), "suffix");
    EXPECT_EQ(error_of(Kind::kGenerate, R"({"model":"m","prompt":"x","template":"{{.P}}"})"),
              "template");
    EXPECT_EQ(error_of(Kind::kEmbed, R"({"model":"m"})"), "input");
    EXPECT_EQ(error_of(Kind::kEmbed, R"({"model":"m","input":[3]})"), "input[0]");
    EXPECT_EQ(error_of(Kind::kEmbeddings, R"({"model":"m"})"), "prompt");
    EXPECT_FALSE(ollama_to_openai(Kind::kChat, "{not json").ok());
}

TEST(OllamaRequest, ModelNamesLoseOnlyTheDefaultTag) {
    EXPECT_EQ(without_latest("qwen:latest"), "qwen");
    EXPECT_EQ(without_latest("qwen:7b"), "qwen:7b");
    EXPECT_EQ(without_latest(":latest"), ":latest");
    EXPECT_EQ(tagged_name("qwen"), "qwen:latest");
    EXPECT_EQ(tagged_name("qwen:7b"), "qwen:7b");
    EXPECT_EQ(tagged_name("hf.co/org/repo:Q4_0"), "hf.co/org/repo:Q4_0");
    EXPECT_EQ(tagged_name("org:x/repo"), "org:x/repo:latest");
    auto shown = model_of(R"({"name":"qwen:latest"})");
    ASSERT_TRUE(shown.ok());
    EXPECT_EQ(*shown, "qwen");
    EXPECT_FALSE(model_of(R"({"model":7})").ok());
}

TEST(OllamaAnswer, AChatCompletionBecomesTheFinalObject) {
    auto r = answer_to_ollama(R"({"id":"c","object":"chat.completion","model":"x","choices":[
        {"index":0,"message":{"role":"assistant","content":"Hello"},"finish_reason":"length"}],
        "usage":{"prompt_tokens":3,"completion_tokens":1,"total_tokens":4}})",
                              frame(Kind::kChat));
    ASSERT_TRUE(r.ok()) << r.status().message();
    EXPECT_EQ(*r, R"({"model":"tiny:latest","created_at":"2026-12-07T12:00:00.000Z",)"
                  R"("message":{"role":"assistant","content":"Hello"},"done_reason":"length",)"
                  R"("done":true,"total_duration":1000,"load_duration":0,"prompt_eval_count":3,)"
                  R"("prompt_eval_duration":750,"eval_count":1,"eval_duration":250})");
    auto generated = answer_to_ollama(
        R"({"choices":[{"index":0,"text":"Hi","finish_reason":"stop"}],"usage":{}})",
        frame(Kind::kGenerate, true));
    ASSERT_TRUE(generated.ok());
    EXPECT_EQ(json(*generated).root()["response"].as_string(), "Hi");
    EXPECT_EQ(json(*generated).root()["done_reason"].as_string(), "stop");
    EXPECT_FALSE(answer_to_ollama(R"({"choices":[]})", frame(Kind::kChat)).ok());
}

TEST(OllamaAnswer, EmbeddingsInIndexOrder) {
    const std::string body = R"({"object":"list","data":[{"index":1,"embedding":[2]},)"
                             R"({"index":0,"embedding":[1,0.5]}],"usage":{"prompt_tokens":4}})";
    auto embed = answer_to_ollama(body, frame(Kind::kEmbed));
    ASSERT_TRUE(embed.ok());
    EXPECT_EQ(*embed, R"({"model":"tiny:latest","embeddings":[[1,0.5],[2]],"total_duration":1000,)"
                      R"("load_duration":0,"prompt_eval_count":4})");
    auto older = answer_to_ollama(body, frame(Kind::kEmbeddings));
    ASSERT_TRUE(older.ok());
    EXPECT_EQ(*older, R"({"embedding":[1,0.5]})");
    EXPECT_FALSE(
        answer_to_ollama(R"({"data":[{"index":5,"embedding":[1]}]})", frame(Kind::kEmbed)).ok());
}

TEST(OllamaAnswer, ErrorsAreOneMessage) {
    EXPECT_EQ(error_body("no \"x\""), R"({"error":"no \"x\""})");
    EXPECT_EQ(error_from_backend(400,
                                 R"({"error":{"message":"too hot","type":"invalid_request_error",)"
                                 R"("param":"temperature","code":null}})"),
              R"({"error":"temperature: too hot"})");
    EXPECT_EQ(error_from_backend(500, R"({"error":"as is"})"), R"({"error":"as is"})");
    EXPECT_EQ(error_from_backend(502, "<html>"), R"({"error":"the backend answered 502: <html>"})");
    EXPECT_TRUE(is_error_body(R"({"error":"x"})"));
    EXPECT_FALSE(is_error_body(R"({"error":{"message":"x"}})"));
}

std::vector<std::string> lines_of(std::string_view sse) {
    NdjsonStream ndjson;
    const std::string text = ndjson.feed(sse);
    std::vector<std::string> out;
    size_t start = 0;
    while (start < text.size()) {
        const size_t end = text.find('\n', start);
        out.push_back(text.substr(start, end - start));
        start = end + 1;
    }
    return out;
}

TEST(OllamaStream, ChunksBecomeObjectsThenTheFinalOne) {
    ChunksToOllama t(frame(Kind::kChat));
    std::string out =
        t.feed(R"(data: {"choices":[{"index":0,"delta":{"role":"assistant","content":"He"}}]})"
               "\n\n"
               R"(data: {"choices":[{"index":0,"delta":{"content":"llo"},"finish_reason":"stop"}]})"
               "\n\ndata: {\"choices\":[],\"usage\":{\"prompt_tokens\":3,");
    out += t.feed("\"completion_tokens\":2}}\n\ndata: [DONE]\n\n");
    EXPECT_TRUE(t.done());
    const auto lines = lines_of(out);
    ASSERT_EQ(lines.size(), 3u) << out;
    EXPECT_EQ(json(lines[0]).root()["message"]["content"].as_string(), "He");
    EXPECT_FALSE(json(lines[0]).root()["done"].as_bool());
    EXPECT_EQ(json(lines[1]).root()["message"]["content"].as_string(), "llo");
    JsonDocument last = json(lines[2]);
    EXPECT_TRUE(last.root()["done"].as_bool());
    EXPECT_EQ(last.root()["done_reason"].as_string(), "stop");
    EXPECT_EQ(last.root()["prompt_eval_count"].as_int64(), 3);
    EXPECT_EQ(last.root()["eval_count"].as_int64(), 2);
    TokenUsage usage;
    read_token_usage_in_events(out, usage);
    EXPECT_TRUE(usage.found);
    EXPECT_EQ(usage.prompt_tokens, 3);
    EXPECT_EQ(usage.completion_tokens, 2);
    EXPECT_TRUE(t.finish().empty());
}

TEST(OllamaStream, CompletionChunksAndACutStream) {
    ChunksToOllama t(frame(Kind::kGenerate, true));
    std::string out = t.feed(R"(data: {"choices":[{"index":0,"text":"Once"}]})"
                             "\n\n");
    out += t.finish(); // no finish_reason, no [DONE]: cut short
    const auto lines = lines_of(out);
    ASSERT_EQ(lines.size(), 2u);
    EXPECT_EQ(json(lines[0]).root()["response"].as_string(), "Once");
    EXPECT_TRUE(json(lines[1]).root()["error"].is_string());

    ChunksToOllama broken(frame(Kind::kChat));
    const auto failed = lines_of(broken.feed("data: {\"error\":{\"message\":\"overloaded\"}}\n\n"));
    ASSERT_EQ(failed.size(), 1u);
    EXPECT_EQ(failed[0], R"({"error":"overloaded"})");
}

TEST(OllamaModels, ListsShowAndPs) {
    const std::string list = R"({"object":"list","data":[{"id":"tiny","object":"model"},)"
                             R"({"id":"hf.co/o/r:Q4_0","object":"model"}]})";
    auto tags = models_to_tags(list, "T", false);
    ASSERT_TRUE(tags.ok());
    JsonDocument t = json(*tags);
    ASSERT_EQ(t.root()["models"].size(), 2u);
    EXPECT_EQ(t.root()["models"].at(0)["name"].as_string(), "tiny:latest");
    EXPECT_EQ(t.root()["models"].at(0)["modified_at"].as_string(), "T");
    EXPECT_EQ(t.root()["models"].at(0)["digest"].as_string().size(), 64u);
    EXPECT_EQ(t.root()["models"].at(1)["model"].as_string(), "hf.co/o/r:Q4_0");
    auto ps = models_to_tags(list, "T", true);
    ASSERT_TRUE(ps.ok());
    EXPECT_TRUE(json(*ps).root()["models"].at(0)["expires_at"].is_string());
    auto show = model_to_show(R"({"id":"tiny","object":"model"})", "T");
    ASSERT_TRUE(show.ok());
}

// /api/ps lists what is in memory: local models only while loaded, with what
// they hold and when they go; models without the field (upstreams') always.
TEST(OllamaModels, PsListsLoadedModelsWithSizeAndExpiry) {
    const std::string list =
        R"({"object":"list","data":[{"id":"a","loaded":false},)"
        R"({"id":"b","loaded":true,"memory_bytes":3000,"expires_at":1700000000},)"
        R"({"id":"c","loaded":true,"memory_bytes":10},{"id":"up"}]})";
    auto ps = models_to_tags(list, "T", true, [](int64_t ms) { return std::to_string(ms); });
    ASSERT_TRUE(ps.ok());
    JsonDocument p = json(*ps);
    ASSERT_EQ(p.root()["models"].size(), 3u);
    EXPECT_EQ(p.root()["models"].at(0)["name"].as_string(), "b:latest");
    EXPECT_EQ(p.root()["models"].at(0)["size"].as_int64(), 3000);
    EXPECT_EQ(p.root()["models"].at(0)["expires_at"].as_string(), "1700000000000");
    EXPECT_EQ(p.root()["models"].at(1)["expires_at"].as_string(), "9999-12-31T23:59:59Z");
    EXPECT_EQ(p.root()["models"].at(2)["name"].as_string(), "up:latest");
    auto tags = models_to_tags(list, "T", false);
    ASSERT_TRUE(tags.ok());
    EXPECT_EQ(json(*tags).root()["models"].size(), 4u);
}

TEST(OllamaRequests, KeepAliveIsKeptAsSent) {
    auto t = ollama_to_openai(Kind::kGenerate, R"({"model":"m","prompt":"","keep_alive":0})");
    ASSERT_TRUE(t.ok());
    EXPECT_EQ(t->keep_alive, "0");
    EXPECT_TRUE(t->load_only);
    auto s = ollama_to_openai(Kind::kGenerate, R"({"model":"m","prompt":"x","keep_alive":"1h"})");
    ASSERT_TRUE(s.ok());
    EXPECT_EQ(s->keep_alive, "1h");
}

TEST(OllamaModels, ShowStillWorks) {
    auto show = model_to_show(R"({"id":"tiny","object":"model"})", "T");
    ASSERT_TRUE(show.ok());
    EXPECT_EQ(json(*show).root()["details"]["format"].as_string(), "gguf");
    EXPECT_FALSE(model_to_show("{}", "T").ok());
}

} // namespace
} // namespace edgeai::api::ollama
