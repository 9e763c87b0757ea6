#include "gateway/models_api.h"

#include "api/field_check.h"

#include "codec/json/json_document.h"
#include "codec/json/json_writer.h"
#include "core/config/routing_schema.h"
#include "core/hex.h"
#include "gateway/api_responses.h"
#include "gateway/proxy_task.h"

namespace edgeai::gateway {

namespace {

// A model list bigger than this from one backend is left out of a merge.
constexpr size_t kMaxModelListBytes = size_t{8} << 20;

struct NamedModel {
    std::string id;
    std::string owned_by;
};

struct ModelSources {
    std::vector<NamedModel> named; // routes' names, then backends' model names
    std::vector<size_t> asked;     // router indices of backends asked for /models
};

bool is_pattern(std::string_view name) {
    return name.find_first_of("*?") != std::string::npos;
}

ModelSources model_sources(const router::Router& router) {
    ModelSources out;
    auto add = [&](const std::string& id, const std::string& owner) {
        if (is_pattern(id)) return;
        for (const NamedModel& known : out.named)
            if (known.id == id) return;
        out.named.push_back({id, owner});
    };
    for (const core::RouteSettings& r : router.planner().routes())
        add(r.model, "edgeai-route");
    for (size_t i = 0; i < router.size(); ++i) {
        const core::BackendSettings& b = *router.at(i).settings;
        bool asked = b.kind == core::BackendKind::kLocal;
        for (const std::string& m : b.models)
            asked = asked || is_pattern(m);
        if (asked) {
            out.asked.push_back(i);
            continue;
        }
        for (const std::string& m : b.models)
            add(m, b.name);
    }
    return out;
}

std::string model_object_json(const NamedModel& m, int64_t created) {
    codec::JsonWriter w;
    w.begin_object()
        .field("id", std::string_view(m.id))
        .field("object", "model")
        .field("created", created)
        .field("owned_by", std::string_view(m.owned_by))
        .end_object();
    return w.take();
}

std::string percent_encode_segment(std::string_view s) {
    std::string out;
    for (char c : s) {
        const bool unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                                (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
                                c == '~' || c == ':';
        if (unreserved) {
            out.push_back(c);
        } else {
            char escaped[3] = {'%'};
            core::write_hex_byte_upper(static_cast<uint8_t>(c), escaped + 1);
            out.append(escaped, 3);
        }
    }
    return out;
}

// One backend's answer to GET /models or /models/{id}, buffered.
struct SourceAnswer final : core::HttpResponseObserver {
    std::function<void()> on_done;
    std::unique_ptr<core::HttpCall> call;
    int status = 0;
    std::string body;
    bool done = false;
    bool too_big = false;

    void on_head(int s, const core::Headers&) override { status = s; }
    core::BodyAction on_data(std::string_view bytes) override {
        if (body.size() + bytes.size() > kMaxModelListBytes) {
            too_big = true;
            return core::BodyAction::kPause;
        }
        body.append(bytes);
        return core::BodyAction::kContinue;
    }
    void on_complete(const core::Status& s) override {
        if (done) return;
        done = true;
        if (!s.ok()) status = 0;
        on_done();
    }
    bool answered() const { return done && !too_big && status >= 200 && status < 300; }
};

// Asks several backends at once, then answers: the merged list, or for a
// lookup the first backend (in order) that knows the model.
class ModelCatalogTask final : public RequestTask {
  public:
    ModelCatalogTask(RouteContext& ctx, std::vector<NamedModel> named, std::vector<size_t> asked,
                     std::string lookup)
        : exchange_(std::move(ctx.exchange)), router_(*ctx.deps().router), named_(std::move(named)),
          asked_(std::move(asked)), lookup_(std::move(lookup)),
          created_(ctx.deps().clock->unix_ms() / 1000) {}

    void start(const std::string& request_id) {
        answers_.resize(asked_.size());
        for (size_t i = 0; i < asked_.size(); ++i) {
            answers_[i] = std::make_unique<SourceAnswer>();
            answers_[i]->on_done = [this] { maybe_finish(); };
            router::Backend* backend = router_.at(asked_[i]).backend;
            router::BackendRequest request;
            request.method = "GET";
            request.path =
                lookup_.empty() ? "/models" : "/models/" + percent_encode_segment(lookup_);
            request.request_id = request_id;
            auto call = backend != nullptr ? backend->start(std::move(request), answers_[i].get())
                                           : core::Result<std::unique_ptr<core::HttpCall>>(
                                                 core::unavailable("not started"));
            if (call.ok())
                answers_[i]->call = std::move(call).value();
            else
                answers_[i]->done = true;
        }
        started_ = true;
        maybe_finish();
    }

  private:
    void maybe_finish() {
        if (!started_ || finished_) return;
        for (const auto& a : answers_)
            if (!a->done) return;
        finished_ = true;
        if (lookup_.empty())
            respond_list();
        else
            respond_lookup();
    }

    void respond_list() {
        std::vector<std::string> seen;
        std::string body = R"({"object":"list","data":[)";
        auto add = [&](std::string_view id, std::string json) {
            for (const std::string& s : seen)
                if (s == id) return;
            seen.emplace_back(id);
            body += (seen.size() > 1 ? "," : "") + json;
        };
        for (const NamedModel& m : named_)
            add(m.id, model_object_json(m, created_));
        for (size_t i = 0; i < asked_.size(); ++i) {
            if (!answers_[i]->answered()) continue;
            auto doc = codec::JsonDocument::parse(answers_[i]->body);
            if (!doc.ok() || !doc->root()["data"].is_array()) continue;
            const codec::JsonValue data = doc->root()["data"];
            const core::BackendSettings& b = *router_.at(asked_[i]).settings;
            for (size_t j = 0; j < data.size(); ++j) {
                const codec::JsonValue model = data.at(j);
                const std::string_view id = model["id"].as_string();
                if (id.empty() || !core::backend_serves(b, id)) continue;
                std::string json;
                codec::JsonWriter w(&json);
                codec::write_json_value(w, model);
                add(id, std::move(json));
            }
        }
        exchange_->respond(json_response(200, body + "]}"));
    }

    void respond_lookup() {
        for (const auto& a : answers_) {
            if (a->answered() && codec::is_valid_json(a->body)) {
                exchange_->respond(json_response(200, std::move(a->body)));
                return;
            }
        }
        exchange_->respond_error(api::api_error_from_status(api::model_not_found(lookup_)));
    }

    std::unique_ptr<Exchange> exchange_;
    router::Router& router_;
    std::vector<NamedModel> named_;
    std::vector<size_t> asked_;
    std::string lookup_;
    int64_t created_;
    std::vector<std::unique_ptr<SourceAnswer>> answers_;
    bool started_ = false;
    bool finished_ = false;
};

// A single backend's own answer, relayed with everything ProxyTask does
// (errors passed on, 502 when it cannot be reached).
std::unique_ptr<RequestTask> relay(RouteContext& ctx, size_t backend, std::string path) {
    router::Plan plan;
    plan.attempts.push_back({backend, {}});
    router::BackendRequest request;
    request.method = "GET";
    request.path = std::move(path);
    request.request_id = ctx.exchange->request_id();
    request.client_headers = &ctx.request.headers;
    auto task = std::make_unique<ProxyTask>(std::move(ctx.exchange), *ctx.deps().router,
                                            std::move(plan), *ctx.deps().executor);
    task->start(std::move(request));
    return task;
}

} // namespace

core::Status decode_model_lookup(RouteContext& ctx) {
    EDGEAI_TRY(api::check_model_id(ctx.id, "model"));
    ctx.decoded.model = ctx.id;
    return {};
}

std::unique_ptr<RequestTask> handle_models(RouteContext& ctx) {
    ModelSources sources = model_sources(*ctx.deps().router);
    if (sources.named.empty() && sources.asked.size() == 1)
        return relay(ctx, sources.asked[0], "/models");
    if (sources.asked.empty()) {
        std::string body = R"({"object":"list","data":[)";
        const int64_t created = ctx.deps().clock->unix_ms() / 1000;
        for (size_t i = 0; i < sources.named.size(); ++i)
            body += (i ? "," : "") + model_object_json(sources.named[i], created);
        return ctx.respond(json_response(200, body + "]}"));
    }
    const std::string request_id = ctx.exchange->request_id();
    auto task = std::make_unique<ModelCatalogTask>(ctx, std::move(sources.named),
                                                   std::move(sources.asked), std::string());
    task->start(request_id);
    return task;
}

std::unique_ptr<RequestTask> handle_model(RouteContext& ctx) {
    ModelSources sources = model_sources(*ctx.deps().router);
    for (const NamedModel& m : sources.named) {
        if (m.id == ctx.id)
            return ctx.respond(
                json_response(200, model_object_json(m, ctx.deps().clock->unix_ms() / 1000)));
    }
    std::vector<size_t> candidates;
    for (size_t i : sources.asked)
        if (core::backend_serves(*ctx.deps().router->at(i).settings, ctx.id))
            candidates.push_back(i);
    if (candidates.empty()) return ctx.fail(api::model_not_found(ctx.id));
    if (sources.named.empty() && sources.asked.size() == 1)
        return relay(ctx, candidates[0], "/models/" + percent_encode_segment(ctx.id));
    const std::string request_id = ctx.exchange->request_id();
    auto task = std::make_unique<ModelCatalogTask>(ctx, std::vector<NamedModel>(),
                                                   std::move(candidates), ctx.id);
    task->start(request_id);
    return task;
}

} // namespace edgeai::gateway
