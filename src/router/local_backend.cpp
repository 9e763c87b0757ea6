#include "router/local_backend.h"

#include "api/api_error.h"
#include "api/openai_requests.h"
#include "codec/base64/base64.h"
#include "codec/json/json_writer.h"
#include "engine/chat/chat_variables.h"
#include "engine/grammar/json_schema.h"

#include <algorithm>

namespace edgeai::router {
namespace {

using engine::session::FinishReason;

// The prompt of a chat request: the model's chat format over the request's
// own messages, tools and chat_template_kwargs (every field a template may
// read, tool_calls and reasoning_content included), or over the decoded
// roles and texts when the body is not JSON.
core::Result<std::string> chat_prompt(const engine::chat::ChatFormat& chat, std::string_view body,
                                      const api::ChatCompletionRequest& req,
                                      engine::tmpl::DateTime now, bool tokenizer_adds_bos) {
    engine::chat::ChatVariables vars;
    auto doc = codec::JsonDocument::parse(body);
    if (doc.ok() && doc->root()["messages"].is_array()) {
        const codec::JsonValue root = doc->root();
        EDGEAI_ASSIGN_OR_RETURN(
            vars, engine::chat::chat_variables_from_json(root["messages"], root["tools"],
                                                         root["chat_template_kwargs"]));
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
    Kind kind;
    bool stream;
    bool include_usage;
    std::string id;
    std::string model;
    int64_t created;
    uint64_t seed = 0; // the first choice's; reported as x-edgeai-seed

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

    // One SSE event carrying a delta (or only a finish reason).
    std::string chunk(int index, std::string_view text, FinishReason finish, bool role) const {
        codec::JsonWriter w;
        w.begin_object();
        header(w, true);
        w.key("choices").begin_array().begin_object().field("index", index);
        if (kind == Kind::kChat) {
            w.key("delta").begin_object();
            if (role) w.field("role", "assistant");
            if (!text.empty() || role) w.field("content", text);
            w.end_object();
        } else {
            w.field("text", text);
        }
        w.key("logprobs").null();
        w.key("finish_reason");
        if (finish == FinishReason::kNone)
            w.null();
        else
            w.value(engine::session::finish_reason_name(finish));
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
    };

    std::string whole(const std::vector<Choice>& choices, uint32_t prompt,
                      uint32_t completion) const {
        codec::JsonWriter w;
        w.begin_object();
        header(w, false);
        w.key("choices").begin_array();
        for (size_t i = 0; i < choices.size(); ++i) {
            w.begin_object().field("index", static_cast<int64_t>(i));
            if (kind == Kind::kChat) {
                w.key("message").begin_object().field("role", "assistant");
                w.field("content", std::string_view(choices[i].text));
                w.key("refusal").null().end_object();
            } else {
                w.field("text", std::string_view(choices[i].text));
            }
            w.key("logprobs").null();
            w.field("finish_reason", engine::session::finish_reason_name(choices[i].finish));
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
        : format_(std::move(format)), observer_(observer), choices_(n) {}

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
                send(format_.chunk(static_cast<int>(i), "", FinishReason::kNone, true));
    }

    void on_text(size_t index, std::string_view text) {
        if (observer_ == nullptr) return;
        if (format_.stream) open_stream();
        if (format_.stream)
            send(format_.chunk(static_cast<int>(index), text, FinishReason::kNone, false));
        else
            choices_[index].text.append(text);
    }

    void on_finish(size_t index, FinishReason reason, uint32_t prompt, uint32_t completion) {
        if (observer_ == nullptr) return;
        choices_[index].finish = reason;
        choices_[index].completion_tokens = completion;
        prompt_tokens_ = prompt;
        if (format_.stream) open_stream();
        if (format_.stream) send(format_.chunk(static_cast<int>(index), "", reason, false));
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
};

// One choice's sequence, reporting into the shared call state.
class ChoiceSink final : public engine::session::SequenceSink {
  public:
    ChoiceSink(std::shared_ptr<CallState> state, size_t index)
        : state_(std::move(state)), index_(index) {}
    void on_text(std::string_view text) override { state_->on_text(index_, text); }
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

// A call whose whole answer is known at start (the model list): delivered
// from the loop, never inside start(), and not at all once the call is gone.
class AnswerCall final : public core::HttpCall {
  public:
    explicit AnswerCall(std::shared_ptr<bool> alive) : alive_(std::move(alive)) {}
    ~AnswerCall() override { *alive_ = false; }
    void resume() override {}

  private:
    std::shared_ptr<bool> alive_;
};

std::unique_ptr<core::HttpCall> answer_later(core::Executor& executor,
                                             core::HttpResponseObserver* observer, int status,
                                             std::string body) {
    auto alive = std::make_shared<bool>(true);
    executor.post([alive, observer, status, body = std::move(body)] {
        if (!*alive) return;
        core::Headers headers;
        headers.add("content-type", "application/json");
        observer->on_head(status, headers);
        if (!*alive) return;
        (void)observer->on_data(body);
        if (!*alive) return;
        observer->on_complete(core::Status());
    });
    return std::make_unique<AnswerCall>(std::move(alive));
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

std::string LocalBackend::model_json(const LocalModelEntry& m) const {
    codec::JsonWriter w;
    w.begin_object()
        .field("id", std::string_view(m.id))
        .field("object", "model")
        .field("created", m.created)
        .field("owned_by", "edgeai-local")
        .end_object();
    return w.take();
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
    auto grammar = engine::grammar::compile_gbnf(source);
    if (!grammar.ok()) return core::Status(grammar.status()).with_field(field);
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
    const LocalModelEntry* entry = find(req->model);
    std::vector<std::vector<int32_t>> inputs;
    api::ApiError error;
    bool failed = false;
    if (entry == nullptr) {
        error = model_not_found(req->model);
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
    Format format{Kind::kChat, false, false, "", "", clock_.unix_ms() / 1000};
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
        entry = find(req->model);
        if (entry == nullptr) {
            refuse(model_not_found(req->model));
        } else if (req->uses_tools) {
            // Until the engine constrains its sampling to a tool call, one
            // would be text that merely looks right.
            refuse(api::api_error_from_status(
                core::invalid_argument("tools: the local engine cannot call tools yet; send "
                                       "tool_choice 'none' or route this request to an upstream")
                    .with_field("tools")));
        } else if (!entry->chat_format) {
            refuse(api::api_error_from_status(core::failed_precondition(entry->template_error)));
        } else {
            const auto& tok = *entry->tokenizer;
            auto text = chat_prompt(*entry->chat_format, request.body, *req,
                                    engine::tmpl::utc_from_unix_seconds(clock_.unix_ms() / 1000),
                                    tok.add_bos());
            if (!text.ok()) {
                refuse(api::api_error_from_status(text.status()));
            } else {
                prompt = tok.encode(*text, true, true);
                options = options_from(req->sampling, fresh_seed());
                format.seed = options.sampling.seed;
                for (const std::string& marker : entry->chat_format->end_of_turn_markers())
                    options.stop.push_back(marker);
                options.max_tokens = req->sampling.max_tokens
                                         ? static_cast<uint32_t>(*req->sampling.max_tokens)
                                         : static_cast<uint32_t>(entry->n_ctx > prompt.size()
                                                                     ? entry->n_ctx - prompt.size()
                                                                     : 0);
                constrain(req->format);
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
        entry = find(req->model);
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
            constrain(req->format);
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

} // namespace edgeai::router
