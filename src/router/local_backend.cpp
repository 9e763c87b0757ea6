#include "router/local_backend.h"

#include "api/api_error.h"
#include "api/openai_requests.h"
#include "codec/base64/base64.h"
#include "codec/json/json_writer.h"
#include "engine/chat/chat_variables.h"
#include "engine/chat/reasoning_split.h"
#include "engine/grammar/json_schema.h"
#include "router/answer_later.h"

#include <algorithm>
#include <cmath>
#include <span>

namespace edgeai::router {
namespace {

using engine::sampling::StepLogprobs;
using engine::session::FinishReason;

// Tools a chat request sends, and how the model writes calls to them.
struct ToolUse {
    std::vector<engine::chat::ToolSpec> specs;
    engine::chat::ToolChoice choice;
    engine::chat::ToolSyntax syntax = engine::chat::ToolSyntax::kGeneric;
    // The model may call (tools were sent and tool_choice is not none).
    bool on() const {
        return !specs.empty() && choice.mode != engine::chat::ToolChoice::Mode::kNone;
    }
};

core::Result<ToolUse> tool_use_of(const codec::JsonDocument* doc,
                                  const engine::chat::ChatFormat& chat) {
    ToolUse t;
    t.syntax = chat.tool_syntax();
    if (doc == nullptr) return t;
    const codec::JsonValue root = doc->root();
    EDGEAI_ASSIGN_OR_RETURN(t.specs, engine::chat::tool_specs_from_json(root["tools"]));
    EDGEAI_ASSIGN_OR_RETURN(
        t.choice, engine::chat::tool_choice_from_json(root["tool_choice"],
                                                      root["parallel_tool_calls"], t.specs));
    return t;
}

// What a text model cannot honour and would otherwise drop without a word,
// changing the answer: parts other than text (an image the model would never
// see), audio output, web search.
core::Status refuse_what_text_models_cannot(const codec::JsonDocument* doc) {
    if (doc == nullptr) return {};
    const codec::JsonValue root = doc->root();
    auto refuse = [](std::string field, std::string message) {
        core::Status s = core::invalid_argument(field + ": " + message);
        s.with_field(std::move(field));
        return s;
    };
    const codec::JsonValue messages = root["messages"];
    for (size_t i = 0; i < messages.size(); ++i) {
        const codec::JsonValue content = messages.at(i)["content"];
        if (!content.is_array()) continue;
        for (size_t j = 0; j < content.size(); ++j) {
            const std::string_view type = content.at(j)["type"].as_string();
            if (type == "text") continue;
            return refuse("messages[" + std::to_string(i) + "].content[" + std::to_string(j) +
                              "].type",
                          "local models read text only; a '" + std::string(type) +
                              "' part needs a backend that takes it");
        }
    }
    const codec::JsonValue modalities = root["modalities"];
    for (size_t i = 0; i < modalities.size(); ++i)
        if (modalities.at(i).as_string() != "text")
            return refuse("modalities", "local models answer with text only");
    if (!root["audio"].is_missing() && !root["audio"].is_null())
        return refuse("audio", "local models answer with text only");
    if (!root["web_search_options"].is_missing() && !root["web_search_options"].is_null())
        return refuse("web_search_options", "local models do not search the web");
    return {};
}

// The prompt of a chat request: the model's chat format over the request's
// own messages, tools and chat_template_kwargs (every field a template may
// read, tool_calls and reasoning_content included), or over the decoded
// roles and texts when the body is not JSON. A template without tools of its
// own gets them in the generic syntax (tool_calls.h).
core::Result<std::string> chat_prompt(const engine::chat::ChatFormat& chat,
                                      const codec::JsonDocument* doc,
                                      const api::ChatCompletionRequest& req, const ToolUse& tools,
                                      engine::tmpl::DateTime now, bool tokenizer_adds_bos) {
    engine::chat::ChatVariables vars;
    if (doc != nullptr && doc->root()["messages"].is_array()) {
        const codec::JsonValue root = doc->root();
        if (tools.syntax == engine::chat::ToolSyntax::kGeneric && !tools.specs.empty()) {
            auto rewritten = codec::JsonDocument::parse(engine::chat::generic_tool_messages(
                root["messages"], tools.specs, root["tools"], tools.on()));
            if (!rewritten.ok()) return rewritten.status();
            EDGEAI_ASSIGN_OR_RETURN(
                vars, engine::chat::chat_variables_from_json(rewritten->root(), codec::JsonValue(),
                                                             root["chat_template_kwargs"]));
        } else {
            EDGEAI_ASSIGN_OR_RETURN(
                vars, engine::chat::chat_variables_from_json(root["messages"], root["tools"],
                                                             root["chat_template_kwargs"]));
        }
    } else {
        std::vector<std::pair<std::string, std::string>> turns;
        for (const auto& m : req.messages)
            turns.emplace_back(m.role, m.text);
        vars.messages = engine::chat::messages_value(turns);
        vars.tools = engine::tmpl::Value::none();
    }
    vars.now = now;
    return chat.render_for_tokenizer(vars, tokenizer_adds_bos);
}

enum class Kind { kChat, kCompletion };

// What one call writes: the OpenAI response shapes for a chat or a text
// completion, whole or as SSE chunks.
struct Format {
    Kind kind = Kind::kChat;
    bool stream = false;
    bool include_usage = false;
    std::string id;
    std::string model;
    int64_t created = 0;
    uint64_t seed = 0; // the first choice's; reported as x-edgeai-seed
    // Tool calls are read out of the text (chat with tools on).
    bool tools = false;
    engine::chat::ToolSyntax tool_syntax = engine::chat::ToolSyntax::kGeneric;
    // <think> blocks go to reasoning_content; `thinking`: the prompt opened one.
    bool reasoning = false;
    bool thinking = false;
    std::string request_id;
    // logprobs asked (chat: logprobs/top_logprobs; completions: logprobs N).
    bool logprobs = false;
    // completions' echo: the prompt's text comes back before the completion.
    std::string echo;

    std::string call_id(size_t choice, size_t call) const {
        return "call_" + request_id + (choice ? "_" + std::to_string(choice) : "") + "_" +
               std::to_string(call);
    }

    void header(codec::JsonWriter& w, bool chunk) const {
        w.field("id", std::string_view(id));
        if (kind == Kind::kChat)
            w.field("object", chunk ? "chat.completion.chunk" : "chat.completion");
        else
            w.field("object", "text_completion");
        w.field("created", created).field("model", std::string_view(model));
        w.field("system_fingerprint", "edgeai-local");
    }

    static void usage(codec::JsonWriter& w, uint32_t prompt, uint32_t completion) {
        w.key("usage").begin_object();
        w.field("prompt_tokens", static_cast<int64_t>(prompt));
        w.field("completion_tokens", static_cast<int64_t>(completion));
        w.field("total_tokens", static_cast<int64_t>(prompt) + completion);
        w.end_object();
    }

    static void token_entry(codec::JsonWriter& w, const engine::sampling::TokenLogprob& t) {
        w.field("token", std::string_view(t.piece));
        w.field("logprob", static_cast<double>(t.logprob));
        w.key("bytes").begin_array();
        for (const char c : t.piece)
            w.value(int64_t{static_cast<unsigned char>(c)});
        w.end_array();
    }

    // `logprobs` of a choice or a chunk: null unless asked. Chat's shape
    // lists a token object each; the legacy completions' shape has parallel
    // arrays and byte offsets into the text from `offset` on. Alternatives
    // a grammar ruled out (-inf) are left out, as JSON has no -inf.
    void logprobs_field(codec::JsonWriter& w, std::span<const StepLogprobs> lps,
                        size_t offset) const {
        w.key("logprobs");
        if (!logprobs || lps.empty()) {
            w.null();
            return;
        }
        w.begin_object();
        if (kind == Kind::kChat) {
            w.key("content").begin_array();
            for (const StepLogprobs& lp : lps) {
                w.begin_object();
                token_entry(w, lp.chosen);
                w.key("top_logprobs").begin_array();
                for (const auto& t : lp.top) {
                    if (!std::isfinite(t.logprob)) continue;
                    w.begin_object();
                    token_entry(w, t);
                    w.end_object();
                }
                w.end_array().end_object();
            }
            w.end_array().key("refusal").null();
        } else {
            w.key("tokens").begin_array();
            for (const StepLogprobs& lp : lps)
                w.value(std::string_view(lp.chosen.piece));
            w.end_array().key("token_logprobs").begin_array();
            for (const StepLogprobs& lp : lps)
                w.value(static_cast<double>(lp.chosen.logprob));
            w.end_array().key("top_logprobs").begin_array();
            for (const StepLogprobs& lp : lps) {
                w.begin_object();
                for (const auto& t : lp.top)
                    if (std::isfinite(t.logprob))
                        w.field(std::string_view(t.piece), static_cast<double>(t.logprob));
                w.end_object();
            }
            w.end_array().key("text_offset").begin_array();
            for (const StepLogprobs& lp : lps) {
                w.value(static_cast<int64_t>(offset));
                offset += lp.chosen.piece.size();
            }
            w.end_array();
        }
        w.end_object();
    }

    // One SSE event carrying a delta of `field` (or only a finish reason; ""
    // is none), with the logprobs of the tokens it covers.
    std::string chunk(int index, std::string_view text, std::string_view finish, bool role,
                      std::string_view field = "content", std::span<const StepLogprobs> lps = {},
                      size_t offset = 0) const {
        codec::JsonWriter w;
        w.begin_object();
        header(w, true);
        w.key("choices").begin_array().begin_object().field("index", index);
        if (kind == Kind::kChat) {
            w.key("delta").begin_object();
            if (role) w.field("role", "assistant");
            if (!text.empty() || role) w.field(field, text);
            w.end_object();
        } else {
            w.field("text", text);
        }
        logprobs_field(w, lps, offset);
        w.key("finish_reason");
        if (finish.empty())
            w.null();
        else
            w.value(finish);
        w.end_object().end_array().end_object();
        return "data: " + w.take() + "\n\n";
    }

    // A tool call's delta, as OpenAI streams one: its id, type and name
    // first (with empty arguments), then fragments of the arguments.
    std::string tool_chunk(int index, size_t call, const std::string* name,
                           std::string_view arguments) const {
        codec::JsonWriter w;
        w.begin_object();
        header(w, true);
        w.key("choices").begin_array().begin_object().field("index", index);
        w.key("delta").begin_object().key("tool_calls").begin_array().begin_object();
        w.field("index", static_cast<int64_t>(call));
        if (name != nullptr) {
            w.field("id", std::string_view(call_id(static_cast<size_t>(index), call)));
            w.field("type", "function");
        }
        w.key("function").begin_object();
        if (name != nullptr) w.field("name", std::string_view(*name));
        w.field("arguments", arguments).end_object();
        w.end_object().end_array().end_object();
        w.key("logprobs").null().key("finish_reason").null();
        w.end_object().end_array().end_object();
        return "data: " + w.take() + "\n\n";
    }

    std::string usage_chunk(uint32_t prompt, uint32_t completion) const {
        codec::JsonWriter w;
        w.begin_object();
        header(w, true);
        w.key("choices").begin_array().end_array();
        usage(w, prompt, completion);
        w.end_object();
        return "data: " + w.take() + "\n\n";
    }

    struct Choice {
        std::string text;
        FinishReason finish = FinishReason::kNone;
        uint32_t completion_tokens = 0;
        std::optional<engine::chat::ToolCallStream> calls; // streaming with tools
        std::optional<engine::chat::ReasoningSplit> split; // streaming a reasoning model
        int64_t first_text_ns = 0;                         // engine metrics
        bool recorded = false;
        std::vector<StepLogprobs> logprobs; // each sampled token's, when asked
        size_t logprobs_sent = 0;           // streaming: how many went out
        size_t logprobs_offset = 0;         // streaming: text bytes they covered
    };

    // "tool_calls" when the model stopped after calling, as OpenAI reports it.
    static std::string_view finish_name(FinishReason finish, size_t calls) {
        if (finish == FinishReason::kStop && calls > 0) return "tool_calls";
        return engine::session::finish_reason_name(finish);
    }

    void message(codec::JsonWriter& w, size_t index, const Choice& c, size_t& calls) const {
        w.key("message").begin_object().field("role", "assistant");
        calls = 0;
        std::string reasoning_text, answer;
        if (reasoning) {
            engine::chat::ReasoningSplit split(thinking);
            split.push(c.text, reasoning_text, answer);
            split.finish(reasoning_text, answer);
            if (!reasoning_text.empty())
                w.field("reasoning_content", std::string_view(reasoning_text));
        }
        const std::string& text = reasoning ? answer : c.text;
        if (!tools) {
            w.field("content", std::string_view(text));
        } else {
            engine::chat::ParsedOutput parsed = engine::chat::parse_tool_calls(tool_syntax, text);
            calls = parsed.calls.size();
            const bool blank = parsed.content.find_first_not_of(" \n\r\t") == std::string::npos;
            w.key("content");
            if (calls > 0 && blank)
                w.null();
            else
                w.value(std::string_view(parsed.content));
            if (calls > 0) {
                w.key("tool_calls").begin_array();
                for (size_t k = 0; k < calls; ++k) {
                    w.begin_object().field("id", std::string_view(call_id(index, k)));
                    w.field("type", "function").key("function").begin_object();
                    w.field("name", std::string_view(parsed.calls[k].name));
                    w.field("arguments", std::string_view(parsed.calls[k].arguments));
                    w.end_object().end_object();
                }
                w.end_array();
            }
        }
        w.key("refusal").null().end_object();
    }

    std::string whole(const std::vector<Choice>& choices, uint32_t prompt,
                      uint32_t completion) const {
        codec::JsonWriter w;
        w.begin_object();
        header(w, false);
        w.key("choices").begin_array();
        for (size_t i = 0; i < choices.size(); ++i) {
            w.begin_object().field("index", static_cast<int64_t>(i));
            size_t calls = 0;
            if (kind == Kind::kChat)
                message(w, i, choices[i], calls);
            else
                w.field("text", std::string_view(echo + choices[i].text));
            logprobs_field(w, choices[i].logprobs, echo.size());
            w.field("finish_reason", finish_name(choices[i].finish, calls));
            w.end_object();
        }
        w.end_array();
        usage(w, prompt, completion);
        w.end_object();
        return w.take();
    }
};

core::Headers json_headers() {
    core::Headers h;
    h.add("content-type", "application/json");
    return h;
}

// An error's head says when to come back, as an upstream's would.
core::Headers error_headers(const api::ApiError& error) {
    core::Headers h = json_headers();
    if (error.retry_after_s > 0) h.add("retry-after", std::to_string(error.retry_after_s));
    return h;
}

core::Headers sse_headers() {
    core::Headers h;
    h.add("content-type", "text/event-stream");
    h.add("cache-control", "no-cache");
    return h;
}

// The state a call shares with the engine's callbacks, for all its choices
// (n); the call clears `observer` when the client goes, so late callbacks do
// nothing.
class CallState {
  public:
    CallState(Format format, core::HttpResponseObserver* observer, size_t n)
        : format_(std::move(format)), observer_(observer), choices_(n) {
        for (auto& c : choices_) {
            if (format_.tools && format_.stream) c.calls.emplace(format_.tool_syntax);
            if (format_.reasoning && format_.stream) c.split.emplace(format_.thinking);
        }
    }
    ~CallState() {
        // Choices that never finished (an error, a client that left) free their slots.
        if (metrics_ != nullptr)
            metrics_->busy->add(-static_cast<int64_t>(counted_ - std::min(counted_, finished_)));
    }

    // Counts the call's choices in the model's engine metrics from now on.
    void count_in(std::shared_ptr<EngineMetrics> metrics, const core::Clock& clock) {
        metrics_ = std::move(metrics);
        clock_ = &clock;
        start_ns_ = clock.monotonic_ns();
        counted_ = choices_.size();
        metrics_->busy->add(static_cast<int64_t>(counted_));
    }

    void detach() { observer_ = nullptr; }

    // Stream: the head and the first chunk of each choice (OpenAI sends the
    // role first). Opened by the first event rather than posted from start():
    // a post from the loop thread may run after events the engine thread
    // posted meanwhile.
    void open_stream() {
        if (observer_ == nullptr || head_sent_) return;
        observer_->on_head(200, with_seed(sse_headers()));
        head_sent_ = true;
        if (format_.kind == Kind::kChat)
            for (size_t i = 0; i < choices_.size(); ++i)
                send(format_.chunk(static_cast<int>(i), "", "", true));
        if (!format_.echo.empty())
            for (size_t i = 0; i < choices_.size(); ++i)
                send(format_.chunk(static_cast<int>(i), format_.echo, "", false));
    }

    void on_text(size_t index, std::string_view text) {
        if (clock_ != nullptr && choices_[index].first_text_ns == 0)
            choices_[index].first_text_ns = clock_->monotonic_ns();
        if (observer_ == nullptr) return;
        if (!format_.stream) {
            choices_[index].text.append(text);
            return;
        }
        open_stream();
        auto& split = choices_[index].split;
        if (!split) return send_answer(index, text);
        reasoning_.clear();
        answer_.clear();
        split->push(text, reasoning_, answer_);
        send_reasoning(index);
        send_answer(index, answer_);
    }

    void on_logprobs(size_t index, const StepLogprobs& logprobs) {
        if (observer_ != nullptr && format_.logprobs) choices_[index].logprobs.push_back(logprobs);
    }

    void on_finish(size_t index, FinishReason reason, uint32_t prompt, uint32_t completion) {
        record(index, prompt, completion);
        if (observer_ == nullptr) return;
        choices_[index].finish = reason;
        choices_[index].completion_tokens = completion;
        prompt_tokens_ = prompt;
        if (format_.stream) {
            open_stream();
            size_t calls = 0;
            if (auto& split = choices_[index].split) {
                reasoning_.clear();
                answer_.clear();
                split->finish(reasoning_, answer_);
                send_reasoning(index);
                send_answer(index, answer_);
            }
            if (auto& parser = choices_[index].calls) {
                send_tool_events(index, [&](auto& events) { parser->finish(events); });
                calls = parser->calls();
            }
            send_content(index, "", Format::finish_name(reason, calls));
        }
        if (++finished_ < choices_.size()) return;
        uint32_t completion_total = 0;
        for (const auto& c : choices_)
            completion_total += c.completion_tokens;
        if (format_.stream) {
            if (format_.include_usage) send(format_.usage_chunk(prompt_tokens_, completion_total));
            send("data: [DONE]\n\n");
        } else {
            observer_->on_head(200, with_seed(json_headers()));
            send(format_.whole(choices_, prompt_tokens_, completion_total));
        }
        if (observer_ != nullptr) observer_->on_usage(prompt_tokens_, completion_total);
        complete(core::Status());
    }

    void fail(const api::ApiError& error) {
        if (observer_ == nullptr) return;
        if (!head_sent_) {
            observer_->on_head(error.http_status, error_headers(error));
            send(api::render_api_error(error));
            complete(core::Status());
        } else {
            // Mid-stream: the gateway turns this into its error event.
            complete(core::data_loss(error.message));
        }
    }

  private:
    // The engine's figures for one finished choice: its tokens and speed;
    // the prompt once per call (the choices share it).
    void record(size_t index, uint32_t prompt, uint32_t completion) {
        if (metrics_ == nullptr || choices_[index].recorded) return;
        choices_[index].recorded = true;
        metrics_->busy->add(-1);
        metrics_->generated_tokens->add(completion);
        const int64_t now = clock_->monotonic_ns();
        const int64_t first = choices_[index].first_text_ns ? choices_[index].first_text_ns : now;
        if (!prompt_recorded_) {
            prompt_recorded_ = true;
            metrics_->prompt_tokens->add(prompt);
            metrics_->time_to_first_token->observe(static_cast<double>(first - start_ns_) / 1e9);
        }
        const double seconds = static_cast<double>(now - first) / 1e9;
        metrics_->generation_seconds->observe(seconds);
        if (completion > 1 && seconds > 0)
            metrics_->last_tokens_per_second = (completion - 1) / seconds;
    }

    // Answer text (after any thinking): through the call parser when the
    // model may call tools.
    void send_answer(size_t index, std::string_view text) {
        if (text.empty()) return;
        if (auto& parser = choices_[index].calls)
            send_tool_events(index, [&](auto& events) { parser->push(text, events); });
        else
            send_content(index, text, "");
    }
    // A content chunk carrying the logprobs of the tokens sampled since the
    // last one (text can lag its tokens by a character or a held-back stop).
    void send_content(size_t index, std::string_view text, std::string_view finish) {
        Format::Choice& c = choices_[index];
        const std::span<const StepLogprobs> pending =
            std::span<const StepLogprobs>(c.logprobs).subspan(c.logprobs_sent);
        send(format_.chunk(static_cast<int>(index), text, finish, false, "content", pending,
                           c.logprobs_offset));
        for (const StepLogprobs& lp : pending)
            c.logprobs_offset += lp.chosen.piece.size();
        c.logprobs_sent = c.logprobs.size();
    }
    void send_reasoning(size_t index) {
        if (!reasoning_.empty())
            send(
                format_.chunk(static_cast<int>(index), reasoning_, "", false, "reasoning_content"));
    }

    template <typename Feed> void send_tool_events(size_t index, Feed feed) {
        events_.clear();
        feed(events_);
        const int i = static_cast<int>(index);
        for (const auto& e : events_) {
            using K = engine::chat::ToolCallStream::Event::Kind;
            if (e.kind == K::kContent)
                send(format_.chunk(i, e.text, "", false));
            else if (e.kind == K::kCallStart)
                send(format_.tool_chunk(i, e.index, &e.text, ""));
            else
                send(format_.tool_chunk(i, e.index, nullptr, e.text));
        }
    }

    // The seed the answer was sampled with, so a client can ask for it again.
    core::Headers with_seed(core::Headers h) const {
        h.add("x-edgeai-seed", std::to_string(static_cast<int64_t>(format_.seed)));
        return h;
    }
    void send(std::string_view bytes) {
        if (observer_ != nullptr) (void)observer_->on_data(bytes);
    }
    void complete(const core::Status& status) {
        core::HttpResponseObserver* o = observer_;
        observer_ = nullptr;
        if (o != nullptr) o->on_complete(status);
    }

    Format format_;
    core::HttpResponseObserver* observer_;
    std::vector<Format::Choice> choices_;
    size_t finished_ = 0;
    uint32_t prompt_tokens_ = 0;
    bool head_sent_ = false;
    std::vector<engine::chat::ToolCallStream::Event> events_;
    std::string reasoning_, answer_;
    std::shared_ptr<EngineMetrics> metrics_;
    const core::Clock* clock_ = nullptr;
    int64_t start_ns_ = 0;
    size_t counted_ = 0; // choices counted busy
    bool prompt_recorded_ = false;
};

// One choice's sequence, reporting into the shared call state.
class ChoiceSink final : public engine::session::SequenceSink {
  public:
    ChoiceSink(std::shared_ptr<CallState> state, size_t index)
        : state_(std::move(state)), index_(index) {}
    void on_text(std::string_view text) override { state_->on_text(index_, text); }
    void on_logprobs(const StepLogprobs& logprobs) override {
        state_->on_logprobs(index_, logprobs);
    }
    void on_finish(FinishReason reason, uint32_t prompt, uint32_t completion) override {
        state_->on_finish(index_, reason, prompt, completion);
    }
    void on_error(const core::Status& status) override {
        state_->fail(api::api_error_from_status(status));
    }

  private:
    std::shared_ptr<CallState> state_;
    size_t index_;
};

class EmbeddingState final : public EmbeddingSink {
  public:
    EmbeddingState(std::string model, bool base64, core::HttpResponseObserver* observer)
        : model_(std::move(model)), base64_(base64), observer_(observer) {}
    void detach() { observer_ = nullptr; }

    void on_embeddings(std::vector<std::vector<float>> vectors, uint32_t tokens) override {
        if (observer_ == nullptr) return;
        codec::JsonWriter w;
        w.begin_object().field("object", "list").key("data").begin_array();
        for (size_t i = 0; i < vectors.size(); ++i) {
            w.begin_object().field("object", "embedding").field("index", static_cast<int64_t>(i));
            w.key("embedding");
            if (base64_) {
                // Little-endian float32, as OpenAI encodes them.
                std::string encoded;
                codec::append_base64(
                    encoded, std::string_view(reinterpret_cast<const char*>(vectors[i].data()),
                                              vectors[i].size() * sizeof(float)));
                w.value(encoded);
            } else {
                w.begin_array();
                for (float v : vectors[i])
                    w.value(static_cast<double>(v));
                w.end_array();
            }
            w.end_object();
        }
        w.end_array().field("model", std::string_view(model_));
        w.key("usage").begin_object();
        w.field("prompt_tokens", static_cast<int64_t>(tokens));
        w.field("total_tokens", static_cast<int64_t>(tokens));
        w.end_object().end_object();
        auto* o = observer_;
        observer_ = nullptr;
        o->on_head(200, json_headers());
        (void)o->on_data(w.take());
        o->on_complete(core::Status());
    }

    void on_error(const core::Status& status) override { fail(api::api_error_from_status(status)); }

    void fail(const api::ApiError& error) {
        if (observer_ == nullptr) return;
        auto* o = observer_;
        observer_ = nullptr;
        o->on_head(error.http_status, error_headers(error));
        (void)o->on_data(api::render_api_error(error));
        o->on_complete(core::Status());
    }

  private:
    std::string model_;
    bool base64_;
    core::HttpResponseObserver* observer_;
};

class EmbeddingCall final : public core::HttpCall {
  public:
    explicit EmbeddingCall(std::shared_ptr<EmbeddingState> state) : state_(std::move(state)) {}
    ~EmbeddingCall() override { state_->detach(); }
    void resume() override {}

  private:
    std::shared_ptr<EmbeddingState> state_;
};

class LocalCall final : public core::HttpCall {
  public:
    LocalCall(std::shared_ptr<CallState> state, LocalEngine* engine)
        : state_(std::move(state)), engine_(engine) {}
    ~LocalCall() override {
        state_->detach();
        if (engine_ != nullptr)
            for (uint64_t t : tickets_)
                engine_->cancel(t);
    }
    void resume() override {}
    void add_ticket(uint64_t t) { tickets_.push_back(t); }

  private:
    std::shared_ptr<CallState> state_;
    LocalEngine* engine_;
    std::vector<uint64_t> tickets_;
};

api::ApiError model_not_found(std::string_view id) {
    return api::api_error_from_status(api::model_not_found(id));
}

// The gateway's decoded body when it handed one over, else `body` decoded here.
template <typename T, typename Decode>
core::Result<const T*> use_decoded(const std::optional<T>* given, std::optional<T>& own,
                                   std::string_view body, Decode decode) {
    if (given != nullptr && given->has_value()) return &**given;
    auto decoded = decode(body);
    if (!decoded.ok()) return decoded.status();
    own = std::move(decoded).value();
    return &*own;
}

// `fresh_seed` when the request names none: OpenAI, Ollama and llama.cpp's
// server answer a request without a seed differently each time.
engine::session::CompletionOptions options_from(const api::SamplingOptions& s,
                                                uint64_t fresh_seed) {
    engine::session::CompletionOptions o;
    // OpenAI samples from the whole distribution: no top-k or min-p cut
    // unless the request asks (llama.cpp's and Ollama's fields).
    o.sampling.top_k = s.top_k ? static_cast<int32_t>(*s.top_k) : 0;
    o.sampling.min_p = s.min_p ? static_cast<float>(*s.min_p) : 0.0f;
    if (s.repeat_penalty) o.sampling.repeat_penalty = static_cast<float>(*s.repeat_penalty);
    // -1 is Ollama's "the whole context"; the engine's window is bounded.
    if (s.repeat_last_n)
        o.sampling.repeat_last_n = *s.repeat_last_n < 0 ? engine::sampling::kMaxRepeatLastN
                                                        : static_cast<int32_t>(*s.repeat_last_n);
    o.sampling.temperature = s.temperature ? static_cast<float>(*s.temperature) : 1.0f;
    o.sampling.top_p = s.top_p ? static_cast<float>(*s.top_p) : 1.0f;
    o.sampling.presence_penalty = static_cast<float>(s.presence_penalty);
    o.sampling.frequency_penalty = static_cast<float>(s.frequency_penalty);
    o.sampling.seed = s.seed ? static_cast<uint64_t>(*s.seed) : fresh_seed;
    for (const auto& [token, bias] : s.logit_bias)
        o.sampling.logit_bias.push_back(
            {static_cast<int32_t>(std::min<int64_t>(token, INT32_MAX)), static_cast<float>(bias)});
    o.stop = s.stop;
    return o;
}

} // namespace

LocalBackend::LocalBackend(std::vector<LocalModelEntry> models, core::Executor& executor,
                           const core::Clock& clock, core::Random& random)
    : models_(std::move(models)), executor_(executor), clock_(clock), random_(random) {}

const LocalModelEntry* LocalBackend::find(std::string_view id) const {
    for (const auto& m : models_)
        if (m.id == id) return &m;
    return nullptr;
}

const LocalModelEntry* LocalBackend::serving(std::string_view id) const {
    const LocalModelEntry* m = find(id);
    return m != nullptr && m->engine != nullptr ? m : nullptr;
}

void LocalBackend::attach(LocalModelEntry loaded) {
    for (LocalModelEntry& e : models_) {
        if (e.id != loaded.id) continue;
        loaded.description = std::move(e.description);
        loaded.created = e.created;
        e = std::move(loaded);
        if (auto m = metrics_.find(e.id); m != metrics_.end()) {
            m->second->engine = e.engine;
            m->second->kv_capacity = static_cast<double>(e.parallel) * static_cast<double>(e.n_ctx);
            m->second->load_seconds = e.load_seconds;
            m->second->loads->add();
        }
        return;
    }
}

void LocalBackend::detach(std::string_view id) {
    for (LocalModelEntry& e : models_) {
        if (e.id != id) continue;
        if (auto m = metrics_.find(e.id); m != metrics_.end()) m->second->engine = nullptr;
        tries_.erase(e.tokenizer);
        e.model = nullptr;
        e.tokenizer = nullptr;
        e.engine = nullptr;
        e.chat_format.reset();
        e.template_error.clear();
        return;
    }
}

std::string LocalBackend::model_json(const LocalModelEntry& m) const {
    codec::JsonWriter w;
    w.begin_object()
        .field("id", std::string_view(m.id))
        .field("object", "model")
        .field("created", m.created)
        .field("owned_by", "edgeai-local")
        .field("loaded", m.engine != nullptr);
    if (!m.description.empty()) w.field("description", std::string_view(m.description));
    // Ollama's /api/ps shows what a model holds and when it goes.
    if (const ResidentModel* r = residency_ ? residency_->find(m.id) : nullptr;
        r != nullptr && m.engine != nullptr) {
        w.field("memory_bytes", static_cast<int64_t>(r->bytes));
        if (r->expires && r->in_flight == 0)
            w.field("expires_at",
                    (clock_.unix_ms() + r->expires_ms - clock_.monotonic_ns() / 1000000) / 1000);
    }
    w.end_object();
    return w.take();
}

void LocalBackend::set_metrics(telemetry::MetricsRegistry& registry) {
    for (const LocalModelEntry& e : models_) {
        auto m = std::make_shared<EngineMetrics>();
        const telemetry::Labels model = {{"model", e.id}};
        m->prompt_tokens = &registry.counter("edgeai_engine_prompt_tokens_total",
                                             "Prompt tokens the local engine read", model);
        m->generated_tokens = &registry.counter("edgeai_engine_generated_tokens_total",
                                                "Tokens the local engine generated", model);
        m->time_to_first_token = &registry.histogram(
            "edgeai_engine_time_to_first_token_seconds",
            "From a request reaching the engine to its first text (waiting for a slot and "
            "reading the prompt)",
            model, telemetry::latency_buckets_seconds());
        m->generation_seconds = &registry.histogram(
            "edgeai_engine_generation_seconds",
            "From an answer's first text to its end; generated tokens over its sum is tokens/s",
            model, telemetry::latency_buckets_seconds());
        m->busy = &registry.gauge("edgeai_engine_slots_busy",
                                  "Sequences generating or waiting for a slot", model);
        const uint32_t parallel = e.parallel;
        registry.gauge_callback(
            "edgeai_engine_slots_idle", "Slots free for a new sequence",
            [m, parallel] {
                return static_cast<double>(
                    std::max<int64_t>(0, static_cast<int64_t>(parallel) - m->busy->value()));
            },
            model);
        registry.gauge_callback(
            "edgeai_engine_tokens_per_second", "Generation speed of the last finished answer",
            [m] { return m->last_tokens_per_second; }, model);
        // Read through `m`: an on-demand model's engine comes and goes.
        m->engine = e.engine;
        m->kv_capacity = static_cast<double>(e.parallel) * static_cast<double>(e.n_ctx);
        m->load_seconds = e.load_seconds;
        registry.gauge_callback(
            "edgeai_engine_kv_cache_tokens",
            "KV-cache positions in use: answers under way and prompt prefixes kept for reuse",
            [m] { return m->engine ? static_cast<double>(m->engine->kv_cache_tokens()) : 0.0; },
            model);
        registry.gauge_callback(
            "edgeai_engine_kv_cache_usage_ratio",
            "KV-cache positions in use over all the slots' positions (llama.cpp's "
            "kv_cache_usage_ratio)",
            [m] {
                return m->engine && m->kv_capacity > 0
                           ? static_cast<double>(m->engine->kv_cache_tokens()) / m->kv_capacity
                           : 0.0;
            },
            model);
        registry.gauge_callback(
            "edgeai_engine_model_load_seconds", "Time the model's last load took (file and checks)",
            [m] { return m->load_seconds; }, model);
        registry.gauge_callback(
            "edgeai_engine_model_loaded", "1 while the model is in memory, 0 once unloaded",
            [m] { return m->engine ? 1.0 : 0.0; }, model);
        m->loads = &registry.counter("edgeai_engine_model_loads_total",
                                     "Loads of the model (at start and on demand)", model);
        if (e.engine != nullptr) m->loads->add();
        metrics_[e.id] = std::move(m);
    }
}

std::string LocalBackend::models_json() const {
    std::string out = R"({"object":"list","data":[)";
    for (size_t i = 0; i < models_.size(); ++i) {
        if (i) out += ',';
        out += model_json(models_[i]);
    }
    return out + "]}";
}

core::Result<std::shared_ptr<const engine::grammar::Grammar>>
LocalBackend::output_grammar(const api::OutputFormat& format) {
    using engine::grammar::Grammar;
    std::string key, field;
    bool schema = false;
    if (format.type == "json_object") {
        key = "json_object";
        field = "response_format";
    } else if (format.type == "json_schema") {
        if (!format.has_schema)
            return core::invalid_argument("the local engine needs the schema to follow")
                .with_field("response_format.json_schema.schema");
        key = "schema:" + format.schema;
        field = "response_format.json_schema.schema";
        schema = true;
    } else if (!format.type.empty() && format.type != "text") {
        return core::invalid_argument("must be text, json_object or json_schema")
            .with_field("response_format.type");
    }
    if (format.has_grammar && !format.grammar.empty()) {
        if (!key.empty())
            return core::invalid_argument("send grammar or a JSON response_format, not both")
                .with_field("grammar");
        key = "gbnf:" + format.grammar;
        field = "grammar";
    }
    if (key.empty()) return std::shared_ptr<const Grammar>();
    if (auto cached = grammars_.find(key)) return cached;
    std::string source;
    if (schema) {
        auto gbnf = engine::grammar::json_schema_to_gbnf(format.schema);
        if (!gbnf.ok()) return core::Status(gbnf.status()).with_field(field);
        source = std::move(gbnf).value();
    } else if (field == "grammar") {
        source = format.grammar;
    } else {
        source = engine::grammar::json_object_gbnf();
    }
    return cached_grammar(key, source, field);
}

core::Result<std::shared_ptr<const engine::grammar::Grammar>>
LocalBackend::cached_grammar(const std::string& key, std::string_view source,
                             std::string_view field) {
    if (auto cached = grammars_.find(key)) return cached;
    auto grammar = engine::grammar::compile_gbnf(source);
    if (!grammar.ok()) return core::Status(grammar.status()).with_field(std::string(field));
    grammars_.put(key, *grammar);
    return *grammar;
}

std::shared_ptr<const engine::grammar::TokenTrie>
LocalBackend::token_trie(const LocalModelEntry& entry) {
    auto& trie = tries_[entry.tokenizer];
    if (trie == nullptr) trie = engine::grammar::TokenTrie::build(*entry.tokenizer);
    return trie;
}

core::Result<std::unique_ptr<core::HttpCall>>
LocalBackend::start_embeddings(const BackendRequest& request,
                               core::HttpResponseObserver* observer) {
    std::optional<api::EmbeddingRequest> own;
    auto decoded = use_decoded(request.decoded ? &request.decoded->embedding : nullptr, own,
                               request.body, api::decode_embedding_request);
    if (!decoded.ok()) return decoded.status();
    const api::EmbeddingRequest* req = *decoded;
    auto state =
        std::make_shared<EmbeddingState>(req->model, req->encoding_format == "base64", observer);
    auto call = std::make_unique<EmbeddingCall>(state);
    const LocalModelEntry* entry = serving(req->model);
    std::vector<std::vector<int32_t>> inputs;
    api::ApiError error;
    bool failed = false;
    if (entry == nullptr) {
        error = model_not_found(req->model);
        failed = true;
    } else if (const int64_t width = entry->model->config().n_embd;
               req->dimensions != 0 && req->dimensions != width) {
        // Shortening needs a model trained for it (Matryoshka); cutting
        // another model's vector would give wrong similarities.
        error = api::api_error_from_status(
            core::invalid_argument("this model's embeddings have " + std::to_string(width) +
                                   " dimensions and cannot be shortened")
                .with_field("dimensions"));
        failed = true;
    }
    for (size_t i = 0; !failed && i < req->input.size(); ++i) {
        std::vector<int32_t> ids;
        if (!req->input.texts.empty()) {
            ids = entry->tokenizer->encode(req->input.texts[i], true, false);
        } else {
            for (int64_t id : req->input.token_lists[i]) {
                if (id < 0 || id >= entry->tokenizer->n_vocab()) {
                    error = api::api_error_from_status(
                        core::invalid_argument("token id " + std::to_string(id) +
                                               " is outside the vocabulary")
                            .with_field("input"));
                    failed = true;
                    break;
                }
                ids.push_back(static_cast<int32_t>(id));
            }
        }
        if (failed) break;
        if (ids.empty() || ids.size() > entry->n_ctx) {
            core::Status wrong = core::invalid_argument(
                "input " + std::to_string(i) + " has " + std::to_string(ids.size()) +
                " tokens; this model embeds 1 to " + std::to_string(entry->n_ctx));
            wrong.with_field("input");
            if (!ids.empty()) wrong.with_error_code("context_length_exceeded");
            error = api::api_error_from_status(wrong);
            failed = true;
            break;
        }
        inputs.push_back(std::move(ids));
    }
    if (failed) {
        executor_.post([state, error] { state->fail(error); });
    } else {
        entry->engine->embed(std::move(inputs), state);
    }
    return std::unique_ptr<core::HttpCall>(std::move(call));
}

core::Result<std::unique_ptr<core::HttpCall>>
LocalBackend::answer_models(std::string_view path, core::HttpResponseObserver* observer) {
    if (path == "/models") return answer_later(executor_, observer, 200, models_json());
    constexpr std::string_view kPrefix = "/models/";
    if (path.substr(0, kPrefix.size()) != kPrefix)
        return core::Status(core::StatusCode::kUnimplemented,
                            "the local backend does not serve GET " + std::string(path));
    // The gateway sends the id percent-encoded, as it would to an upstream.
    const std::string id = core::percent_decode(path.substr(kPrefix.size()));
    if (const LocalModelEntry* m = find(id))
        return answer_later(executor_, observer, 200, model_json(*m));
    return answer_later(executor_, observer, 404, api::render_api_error(model_not_found(id)));
}

core::Result<std::unique_ptr<core::HttpCall>>
LocalBackend::start(BackendRequest request, core::HttpResponseObserver* observer) {
    // Non-negative, so a client can send it back as `seed` (an int64).
    auto fresh_seed = [this] { return random_.next_u64() >> 1; };
    Format format;
    format.created = clock_.unix_ms() / 1000;
    size_t n = 1;
    std::string model_id;
    std::vector<int32_t> prompt;
    engine::session::CompletionOptions options;
    api::ApiError error;
    bool failed = false;
    const LocalModelEntry* entry = nullptr;

    auto refuse = [&](api::ApiError e) {
        error = std::move(e);
        failed = true;
    };
    auto tokens_from_ids = [&](const std::vector<int64_t>& ids, int32_t n_vocab) {
        for (int64_t id : ids) {
            if (id < 0 || id >= n_vocab) {
                refuse(api::api_error_from_status(
                    core::invalid_argument("token id " + std::to_string(id) +
                                           " is outside the vocabulary")
                        .with_field("prompt")));
                return;
            }
            prompt.push_back(static_cast<int32_t>(id));
        }
    };

    // The output's grammar, once options and the model are known.
    auto constrain = [&](const api::OutputFormat& f) {
        auto grammar = output_grammar(f);
        if (!grammar.ok()) {
            refuse(api::api_error_from_status(grammar.status()));
        } else if (*grammar != nullptr) {
            options.grammar = *grammar;
            options.token_trie = token_trie(*entry);
        }
    };

    // Tool calls: the grammar of valid calls, from the first token when a
    // call is required, else from the moment the model starts one.
    auto constrain_tools = [&](const ToolUse& tools) {
        auto grammar = engine::chat::tool_call_grammar(tools.syntax, tools.specs, tools.choice);
        if (!grammar.ok()) {
            refuse(api::api_error_from_status(grammar.status()));
            return;
        }
        auto compiled = cached_grammar("tools:" + grammar->gbnf, grammar->gbnf, "tools");
        if (!compiled.ok()) {
            refuse(api::api_error_from_status(compiled.status()));
            return;
        }
        options.grammar = *compiled;
        options.token_trie = token_trie(*entry);
        options.grammar_triggers = std::move(grammar->triggers);
    };

    if (request.method == "GET") return answer_models(request.path, observer);
    if (request.path == "/chat/completions") {
        std::optional<api::ChatCompletionRequest> own;
        auto decoded = use_decoded(request.decoded ? &request.decoded->chat : nullptr, own,
                                   request.body, api::decode_chat_completion_request);
        if (!decoded.ok()) return decoded.status();
        const api::ChatCompletionRequest* req = *decoded;
        format.kind = Kind::kChat;
        format.stream = req->stream;
        format.include_usage = req->include_usage;
        format.id = "chatcmpl-" + request.request_id;
        n = static_cast<size_t>(req->sampling.n);
        format.model = req->model;
        format.request_id = request.request_id;
        entry = serving(req->model);
        auto doc = codec::JsonDocument::parse(request.body);
        const codec::JsonDocument* body = doc.ok() ? &*doc : nullptr;
        if (entry == nullptr) {
            refuse(model_not_found(req->model));
        } else if (!entry->chat_format) {
            refuse(api::api_error_from_status(core::failed_precondition(entry->template_error)));
        } else if (core::Status text_only = refuse_what_text_models_cannot(body); !text_only.ok()) {
            refuse(api::api_error_from_status(text_only));
        } else if (auto tools = tool_use_of(body, *entry->chat_format); !tools.ok()) {
            refuse(api::api_error_from_status(tools.status()));
        } else {
            const auto& tok = *entry->tokenizer;
            auto text = chat_prompt(*entry->chat_format, body, *req, *tools,
                                    engine::tmpl::utc_from_unix_seconds(clock_.unix_ms() / 1000),
                                    tok.add_bos());
            if (!text.ok()) {
                refuse(api::api_error_from_status(text.status()));
            } else {
                // llama.cpp's reasoning_format: "none" leaves the tags in the text.
                format.reasoning =
                    entry->chat_format->reasons() &&
                    !(body && body->root()["reasoning_format"].as_string() == "none");
                format.thinking = format.reasoning && engine::chat::prompt_opens_thinking(*text);
                prompt = tok.encode(*text, true, true);
                options = options_from(req->sampling, fresh_seed());
                format.seed = options.sampling.seed;
                format.logprobs = options.logprobs = req->logprobs;
                options.top_logprobs = req->logprobs ? req->top_logprobs : 0;
                for (const std::string& marker : entry->chat_format->end_of_turn_markers())
                    options.stop.push_back(marker);
                options.max_tokens = req->sampling.max_tokens
                                         ? static_cast<uint32_t>(*req->sampling.max_tokens)
                                         : static_cast<uint32_t>(entry->n_ctx > prompt.size()
                                                                     ? entry->n_ctx - prompt.size()
                                                                     : 0);
                if (tools->on()) {
                    format.tools = true;
                    format.tool_syntax = tools->syntax;
                    if (!req->format.type.empty() && req->format.type != "text")
                        refuse(api::api_error_from_status(
                            core::invalid_argument("send tools or a JSON response_format, not "
                                                   "both (or tool_choice 'none')")
                                .with_field("response_format")));
                    else
                        constrain_tools(*tools);
                } else {
                    constrain(req->format);
                }
            }
        }
    } else if (request.path == "/completions") {
        std::optional<api::CompletionRequest> own;
        auto decoded = use_decoded(request.decoded ? &request.decoded->completion : nullptr, own,
                                   request.body, api::decode_completion_request);
        if (!decoded.ok()) return decoded.status();
        const api::CompletionRequest* req = *decoded;
        format.kind = Kind::kCompletion;
        format.stream = req->stream;
        format.include_usage = req->include_usage;
        format.id = "cmpl-" + request.request_id;
        n = static_cast<size_t>(req->sampling.n);
        format.model = req->model;
        entry = serving(req->model);
        if (entry == nullptr) {
            refuse(model_not_found(req->model));
        } else if (req->prompt.size() != 1) {
            refuse(api::api_error_from_status(
                core::invalid_argument("local models take one prompt per request")
                    .with_field("prompt")));
        } else {
            const auto& tok = *entry->tokenizer;
            if (!req->prompt.texts.empty())
                prompt = tok.encode(req->prompt.texts[0], true, false);
            else
                tokens_from_ids(req->prompt.token_lists[0], tok.n_vocab());
            options = options_from(req->sampling, fresh_seed());
            format.seed = options.sampling.seed;
            options.max_tokens =
                req->sampling.max_tokens ? static_cast<uint32_t>(*req->sampling.max_tokens) : 16;
            format.logprobs = options.logprobs = req->logprobs >= 0;
            options.top_logprobs = req->logprobs > 0 ? static_cast<uint32_t>(req->logprobs) : 0;
            if (req->echo) {
                if (!req->prompt.texts.empty()) {
                    format.echo = req->prompt.texts[0];
                } else {
                    for (const int32_t id : prompt)
                        tok.append_piece(id, format.echo);
                }
            }
            constrain(req->format);
            // What the engine cannot do is refused, never silently dropped.
            if (req->echo && format.logprobs)
                refuse(api::api_error_from_status(
                    core::invalid_argument("local models give no logprobs for the prompt, so "
                                           "echo cannot be combined with logprobs")
                        .with_field("echo")));
            else if (!req->suffix.empty())
                refuse(api::api_error_from_status(
                    core::invalid_argument("local models do not fill in the middle (suffix)")
                        .with_field("suffix")));
            else if (req->best_of > 1)
                refuse(api::api_error_from_status(
                    core::invalid_argument("local models do not rank candidates (best_of); ask "
                                           "for n choices instead")
                        .with_field("best_of")));
        }
    } else if (request.path == "/embeddings") {
        return start_embeddings(request, observer);
    } else {
        return core::Status(core::StatusCode::kUnimplemented,
                            "the local backend does not serve " + request.path);
    }

    if (!failed && prompt.empty())
        refuse(api::api_error_from_status(
            core::invalid_argument("the prompt encodes to no tokens").with_field("prompt")));
    if (!failed) {
        const uint64_t needed = prompt.size() + uint64_t{options.max_tokens};
        if (prompt.size() >= entry->n_ctx || needed > entry->n_ctx) {
            refuse(api::api_error_from_status(
                api::context_length_exceeded(entry->n_ctx, prompt.size(), options.max_tokens,
                                             format.kind == Kind::kChat ? "messages" : "prompt")));
        }
    }

    auto state = std::make_shared<CallState>(format, observer, n);
    if (!failed)
        if (auto m = metrics_.find(entry->id); m != metrics_.end())
            state->count_in(m->second, clock_);
    auto call = std::make_unique<LocalCall>(state, failed ? nullptr : entry->engine);
    if (failed) {
        // Never call back inside start(): the error goes out from the loop.
        executor_.post([state, error] { state->fail(error); });
        return std::unique_ptr<core::HttpCall>(std::move(call));
    }
    // n choices are n sequences over the same prompt (the scheduler batches
    // them and reuses the prompt's cache); each gets its own seed.
    for (size_t i = 0; i < n; ++i) {
        engine::session::CompletionOptions choice = options;
        choice.sampling.seed += i;
        call->add_ticket(entry->engine->submit(prompt, std::move(choice),
                                               std::make_shared<ChoiceSink>(state, i)));
    }
    return std::unique_ptr<core::HttpCall>(std::move(call));
}

core::Result<int64_t> LocalBackend::count_prompt_tokens(std::string_view model,
                                                        const BackendRequest& request) {
    const LocalModelEntry* entry = serving(model);
    if (entry == nullptr) return api::model_not_found(model);
    if (!entry->chat_format) return core::failed_precondition(entry->template_error);
    EDGEAI_ASSIGN_OR_RETURN(api::ChatCompletionRequest req,
                            api::decode_chat_completion_request(request.body));
    auto doc = codec::JsonDocument::parse(request.body);
    const codec::JsonDocument* body = doc.ok() ? &*doc : nullptr;
    EDGEAI_TRY(refuse_what_text_models_cannot(body));
    EDGEAI_ASSIGN_OR_RETURN(ToolUse tools, tool_use_of(body, *entry->chat_format));
    const auto& tok = *entry->tokenizer;
    EDGEAI_ASSIGN_OR_RETURN(
        std::string text,
        chat_prompt(*entry->chat_format, body, req, tools,
                    engine::tmpl::utc_from_unix_seconds(clock_.unix_ms() / 1000), tok.add_bos()));
    return static_cast<int64_t>(tok.encode(text, true, true).size());
}

} // namespace edgeai::router
