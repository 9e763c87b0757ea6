#include "platform/native/engine/model_host.h"

#include "api/api_error.h"
#include "codec/json/json_document.h"
#include "codec/json/json_writer.h"
#include "core/byte_size.h"
#include "core/keep_alive.h"
#include "router/answer_later.h"

#include <algorithm>

namespace edgeai::platform::native {

namespace {

// The model a request names: from the gateway's decoded body when it handed
// one over, else read from the body.
std::string model_of(const router::BackendRequest& request) {
    if (const api::DecodedBody* d = request.decoded) {
        if (d->chat) return d->chat->model;
        if (d->completion) return d->completion->model;
        if (d->embedding) return d->embedding->model;
    }
    auto doc = codec::JsonDocument::parse(request.body);
    return doc.ok() ? std::string(doc->root()["model"].as_string()) : std::string();
}

// The `answer` of a load request (router::kLoadPath), as JSON text.
std::string load_answer_of(const router::BackendRequest& request) {
    auto doc = codec::JsonDocument::parse(request.body);
    if (!doc.ok() || !doc->root()["answer"].is_object()) return "{}";
    codec::JsonWriter w;
    codec::write_json_value(w, doc->root()["answer"]);
    return w.take();
}

} // namespace

// What the router holds for one request to a hosted model. It counts as in
// flight from start until it is destroyed, so its model is never unloaded
// under it (the engine call it wraps cancels its tickets on destruction). It
// relays the engine call's answer to the router's observer.
class ModelHost::HostedCall final : public core::HttpCall, public core::HttpResponseObserver {
  public:
    HostedCall(ModelHost& host, std::string model, int64_t keep_alive_ms,
               router::BackendRequest request, core::HttpResponseObserver* observer)
        : host_(host), model_(std::move(model)), keep_alive_ms_(keep_alive_ms),
          request_(std::move(request)), observer_(observer) {}
    ~HostedCall() override {
        inner_.reset();
        host_.forget_waiter(this);
        host_.request_ended(model_, keep_alive_ms_);
    }
    void resume() override {
        if (inner_) inner_->resume();
    }

    // The model is loaded: the request goes to its engine. The decoded body
    // and the client's headers were the gateway's to lend during start()
    // only, so a request that waited reads its own copy of the body.
    void start_inner(bool waited) {
        if (waited) {
            request_.decoded = nullptr;
            request_.client_headers = nullptr;
        }
        if (request_.path == router::kLoadPath) {
            answer(200, load_answer_of(request_), 0);
            return;
        }
        auto inner = host_.local_.start(std::move(request_), this);
        if (inner.ok()) {
            inner_ = std::move(inner).value();
        } else {
            fail(api::api_error_from_status(inner.status()));
        }
    }
    // Only from a posted task (never inside start()): the answer goes at once.
    void fail(const api::ApiError& error) {
        answer(error.http_status, api::render_api_error(error), error.retry_after_s);
    }
    void answer(int status, const std::string& body, int retry_after_s) {
        core::Headers headers;
        headers.add("content-type", "application/json");
        if (retry_after_s > 0) headers.add("retry-after", std::to_string(retry_after_s));
        observer_->on_head(status, headers);
        (void)observer_->on_data(body);
        observer_->on_complete(core::Status());
    }

    void on_head(int status, const core::Headers& headers) override {
        observer_->on_head(status, headers);
    }
    core::BodyAction on_data(std::string_view bytes) override { return observer_->on_data(bytes); }
    void on_complete(const core::Status& status) override { observer_->on_complete(status); }
    void on_usage(int64_t prompt_tokens, int64_t completion_tokens) override {
        observer_->on_usage(prompt_tokens, completion_tokens);
    }

  private:
    ModelHost& host_;
    std::string model_;
    int64_t keep_alive_ms_;
    router::BackendRequest request_;
    core::HttpResponseObserver* observer_;
    std::unique_ptr<core::HttpCall> inner_;
};

ModelHost::ModelHost(router::LocalBackend& local, core::Executor& loop, const core::Clock& clock,
                     telemetry::Logger& logger, ModelHostOptions options)
    : local_(local), loop_(loop), clock_(clock), logger_(logger), options_(std::move(options)),
      residency_(options_.budget_bytes) {
    local_.set_residency(&residency_);
}

ModelHost::~ModelHost() {
    *alive_ = false;
    local_.set_residency(nullptr);
    for (auto& h : models_)
        if (h->loader.joinable()) h->loader.join();
}

void ModelHost::add_pinned(const std::string& id, ServingModel model) {
    auto h = std::make_unique<Hosted>();
    h->id = id;
    router::ResidentModel& r = residency_.add(h->id, model.bytes, true);
    r.state = router::Residency::kLoaded;
    h->serving = std::move(model);
    models_.push_back(std::move(h));
}

void ModelHost::add_on_demand(const std::string& id, const std::string& path, uint64_t file_bytes) {
    auto h = std::make_unique<Hosted>();
    h->id = id;
    h->path = path;
    residency_.add(id, file_bytes, false);
    models_.push_back(std::move(h));
}

api::ApiError ModelHost::room_error(const std::string& id, uint64_t bytes,
                                    const router::RoomPlan& plan) const {
    const std::string sizes = "the model '" + id + "' needs " + core::format_byte_size(bytes) +
                              " and the memory budget is " +
                              core::format_byte_size(residency_.budget()) +
                              " (models.memory_budget, --memory-budget)";
    if (plan.verdict == router::RoomPlan::Verdict::kNeverFits)
        return api::model_too_large(sizes +
                                    (plan.kept_bytes == 0
                                         ? std::string()
                                         : ", of which " + core::format_byte_size(plan.kept_bytes) +
                                               " stay with the models loaded at start") +
                                    "; raise the budget or use a smaller model");
    return api::model_memory_busy(sizes + ", and " + core::format_byte_size(plan.kept_bytes) +
                                      " are held by models answering requests or loading; try "
                                      "again when they are done",
                                  1);
}

ModelHost::Hosted* ModelHost::hosted(std::string_view id) {
    for (auto& h : models_)
        if (h->id == id) return h.get();
    return nullptr;
}

core::Result<std::unique_ptr<core::HttpCall>>
ModelHost::start(router::BackendRequest request, core::HttpResponseObserver* observer) {
    if (request.method == "GET") return local_.start(std::move(request), observer);
    const std::string id = model_of(request);
    Hosted* h = hosted(id);
    router::ResidentModel* r = residency_.find(id);
    if (h == nullptr || r == nullptr) return local_.start(std::move(request), observer);
    int64_t keep_alive = h->path.empty() ? core::kKeepAliveForever : options_.keep_alive_ms;
    if (request.client_headers != nullptr) {
        const std::string_view asked = request.client_headers->get(router::kKeepAliveHeader);
        if (!asked.empty()) {
            auto parsed = core::parse_keep_alive(asked);
            if (!parsed.ok())
                return router::answer_error_later(
                    loop_, observer,
                    api::api_error_from_status(
                        core::Status(parsed.status()).with_field("keep_alive")));
            // A model loaded at start stays: -m asked for it to be served.
            if (!h->path.empty()) keep_alive = *parsed;
        }
    }
    const bool load_only = request.path == router::kLoadPath;
    // Ollama's unload (keep_alive 0 and no prompt) of a model not loaded.
    if (load_only && keep_alive == 0 && r->state != router::Residency::kLoaded)
        return router::answer_later(loop_, observer, 200, load_answer_of(request));
    if (r->state == router::Residency::kUnloaded) {
        if (refusing_)
            return router::answer_error_later(loop_, observer,
                                              api::api_error_from_status(*refusing_));
        const router::RoomPlan plan = residency_.make_room(id, r->bytes);
        if (plan.verdict != router::RoomPlan::Verdict::kFits)
            return router::answer_error_later(loop_, observer, room_error(id, r->bytes, plan));
        for (const std::string& victim : plan.unload)
            if (Hosted* v = hosted(victim)) unload(*v, "making room");
        begin_load(*h);
    }
    residency_.begin_request(id, now_ms());
    if (load_only && r->state == router::Residency::kLoaded) {
        request_ended(id, keep_alive);
        return router::answer_later(loop_, observer, 200, load_answer_of(request));
    }
    auto call = std::make_unique<HostedCall>(*this, id, keep_alive, std::move(request), observer);
    if (r->state == router::Residency::kLoaded)
        call->start_inner(false);
    else
        h->waiting.push_back(call.get());
    return std::unique_ptr<core::HttpCall>(std::move(call));
}

core::Result<int64_t> ModelHost::count_prompt_tokens(std::string_view model,
                                                     const router::BackendRequest& request) {
    if (local_.find(model) != nullptr && local_.serving(model) == nullptr)
        return core::failed_precondition("the model '" + std::string(model) +
                                         "' is not loaded; it loads on its first request");
    return local_.count_prompt_tokens(model, request);
}

void ModelHost::begin_load(Hosted& h) {
    residency_.set_loading(h.id, residency_.find(h.id)->bytes);
    logger_.info("loading model", {{"model", h.id},
                                   {"path", h.path},
                                   {"bytes", static_cast<int64_t>(residency_.find(h.id)->bytes)}});
    if (h.loader.joinable()) h.loader.join();
    h.loader = std::thread([this, id = h.id, path = h.path, alive = alive_] {
        ServingModelSettings settings = options_.settings;
        auto loaded = load_serving_model(id, path, settings, loop_, clock_,
                                         options_.progress ? options_.progress(id) : nullptr);
        auto result = std::make_shared<core::Result<ServingModel>>(std::move(loaded));
        loop_.post([this, id, alive, result] {
            if (*alive) finish_load(id, std::move(*result));
        });
    });
}

void ModelHost::finish_load(const std::string& id, core::Result<ServingModel> loaded) {
    Hosted* h = hosted(id);
    if (h == nullptr) return;
    if (h->loader.joinable()) h->loader.join();
    std::vector<HostedCall*> waiting;
    waiting.swap(h->waiting);
    if (!loaded.ok()) {
        residency_.set_unloaded(id);
        logger_.error("cannot load model",
                      {{"model", id}, {"path", h->path}, {"error", loaded.status().message()}});
        const api::ApiError error = api::model_load_failed(id, loaded.status().message());
        for (HostedCall* call : waiting)
            call->fail(error);
        return;
    }
    // A first load knew only the file's size; now the KV caches count too,
    // and may need idle models to make way or not fit at all.
    const router::RoomPlan plan = residency_.make_room(id, loaded->bytes);
    if (plan.verdict != router::RoomPlan::Verdict::kFits) {
        residency_.set_loading(id, loaded->bytes);
        residency_.set_unloaded(id);
        const api::ApiError error = room_error(id, loaded->bytes, plan);
        logger_.warn("model loaded but does not fit the memory budget",
                     {{"model", id}, {"error", error.message}});
        for (HostedCall* call : waiting)
            call->fail(error);
        return;
    }
    for (const std::string& victim : plan.unload)
        if (Hosted* v = hosted(victim)) unload(*v, "making room");
    h->serving = std::move(loaded).value();
    const router::LocalModelEntry& e = h->serving.entry;
    residency_.set_loaded(id, h->serving.bytes, now_ms());
    logger_.info("local model ready",
                 {{"model", id},
                  {"path", h->path},
                  {"seconds", e.load_seconds},
                  {"bytes", static_cast<int64_t>(h->serving.bytes)},
                  {"context", static_cast<int64_t>(e.n_ctx)},
                  {"chat_template", e.chat_format ? e.chat_format->describe() : "none"}});
    local_.attach(e);
    if (refusing_) h->serving.worker->refuse_waiting(*refusing_);
    for (HostedCall* call : waiting)
        call->start_inner(true);
    // Requests that left while it loaded: it still stays for its keep-alive.
    if (const router::ResidentModel* r = residency_.find(id); r != nullptr && r->in_flight == 0) {
        residency_.begin_request(id, now_ms());
        residency_.end_request(id, now_ms(), options_.keep_alive_ms);
        sweep();
    }
}

void ModelHost::unload(Hosted& h, std::string_view why) {
    local_.detach(h.id);
    residency_.set_unloaded(h.id);
    h.serving = ServingModel{};
    logger_.info("model unloaded", {{"model", h.id}, {"why", why}});
}

void ModelHost::request_ended(const std::string& id, int64_t keep_alive_ms) {
    residency_.end_request(id, now_ms(), keep_alive_ms);
    // Unloading is posted: the call ending may be inside a callback of the
    // router's, which must not see the engine go from under it.
    loop_.post([this, alive = alive_] {
        if (*alive) sweep();
    });
}

void ModelHost::forget_waiter(HostedCall* call) {
    for (auto& h : models_) {
        auto& w = h->waiting;
        w.erase(std::remove(w.begin(), w.end(), call), w.end());
    }
}

void ModelHost::sweep() {
    const int64_t now = now_ms();
    for (const std::string& id : residency_.expired(now))
        if (Hosted* h = hosted(id)) unload(*h, "keep_alive expired");
    const std::optional<int64_t> next = residency_.next_expiry();
    if (!next) {
        expiry_timer_.reset();
        timer_at_ms_ = -1;
        return;
    }
    if (timer_at_ms_ == *next && expiry_timer_) return;
    timer_at_ms_ = *next;
    expiry_timer_ = loop_.post_after(std::max<int64_t>(0, *next - now) + 1, [this] {
        timer_at_ms_ = -1;
        sweep();
    });
}

// Requests waiting for a load are refused by the new engine as it starts
// (finish_load hands it `refusing_` before them).
void ModelHost::refuse_waiting(const core::Status& why) {
    refusing_ = why;
    for (auto& h : models_)
        if (h->serving.worker) h->serving.worker->refuse_waiting(why);
}

} // namespace edgeai::platform::native
