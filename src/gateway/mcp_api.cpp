#include "gateway/mcp_api.h"

#include "api/mcp/mcp_protocol.h"
#include "api/mcp/mcp_tools.h"
#include "codec/json/json_writer.h"
#include "codec/sse/sse_parser.h"
#include "gateway/api_responses.h"
#include "gateway/service_api.h"
#include "queue/job.h"

#include <optional>
#include <utility>

namespace edgeai::gateway {

namespace mcp = api::mcp;
using codec::JsonDocument;
using codec::JsonValue;
using codec::JsonWriter;

namespace {

constexpr int kRequestCancelled = -32800;

core::HttpResponse rpc_response(int status, std::string body) {
    return json_response(status, std::move(body));
}

std::string key_id_of(RouteContext& ctx) {
    const security::KeyPtr& key = ctx.caller().key;
    return key ? key->id : std::string();
}

bool accepts_event_stream(const core::HttpRequest& request) {
    return request.headers.get("accept").find("text/event-stream") != std::string_view::npos;
}

} // namespace

// One tool call (or a resource read that needs an API request): the inner
// request runs through Gateway::handle with this as its writer, and its
// answer becomes the JSON-RPC response to the outer POST. A chat whose call
// asked for progress streams, and each chunk becomes a progress notification
// on the outer response's event stream.
class McpCall final : public RequestTask, public ResponseWriter {
  public:
    enum class Purpose { kTool, kModelsResource };

    McpCall(std::unique_ptr<Exchange> outer, std::string session_id, std::string rpc_id,
            Purpose purpose, mcp::Tool tool, std::string progress_token)
        : outer_(std::move(outer)), session_id_(std::move(session_id)), rpc_id_(std::move(rpc_id)),
          purpose_(purpose), tool_(tool), progress_token_(std::move(progress_token)) {}

    ~McpCall() override {
        // The inner task goes first: it writes through this.
        inner_.reset();
        unregister();
    }

    void start(Gateway& gateway, core::HttpRequest inner, McpSessions::Session* session) {
        if (session != nullptr) session->calls[rpc_id_] = this;
        if (streams()) {
            core::Headers headers;
            headers.set("content-type", "text/event-stream");
            headers.set("cache-control", "no-cache");
            outer_->start_stream(200, std::move(headers));
            outer_->set_drain_callback([this] {
                if (inner_drained_) inner_drained_();
            });
        }
        auto task = gateway.handle(std::move(inner), this);
        if (!finished_) inner_ = std::move(task);
    }

    // notifications/cancelled: the work stops; the client has forgotten
    // the request, so an event stream just ends, and a plain response says
    // it was cancelled.
    void cancel() {
        if (finished_) return;
        finished_ = true;
        inner_.reset();
        unregister();
        if (outer_->streaming())
            outer_->end_stream();
        else
            outer_->respond(rpc_response(
                200, mcp::error_message(rpc_id_, kRequestCancelled, "Request cancelled")));
    }

    // ResponseWriter, for the inner request.
    void send(core::HttpResponse response) override {
        if (finished_) return;
        finish_with(response.status, response.body);
    }
    void start_stream(int status, core::Headers headers) override {
        (void)headers;
        inner_status_ = status;
    }
    bool write(std::string_view bytes) override {
        if (finished_) return true;
        if (!sse_.feed(bytes).ok()) return true;
        codec::SseEvent event;
        bool room = true;
        while (sse_.next(event)) {
            const std::string delta = reader_.feed(event.data);
            if (delta.empty() || progress_token_.empty()) continue;
            JsonWriter w;
            w.begin_object().key("progressToken").raw(progress_token_);
            w.field("progress", static_cast<uint64_t>(reader_.chunks()));
            w.field("message", std::string_view(delta)).end_object();
            room =
                write_event(mcp::notification_message("notifications/progress", w.str())) && room;
        }
        return room;
    }
    void end_stream() override {
        if (finished_) return;
        if (!reader_.error().empty()) {
            JsonWriter w;
            w.begin_object().key("error").begin_object();
            w.field("message", std::string_view(reader_.error())).end_object().end_object();
            finish_with(502, w.str());
            return;
        }
        finish_with(inner_status_, reader_.completion_json());
    }
    void set_drain_callback(std::function<void()> callback) override {
        inner_drained_ = std::move(callback);
    }

  private:
    bool streams() const { return purpose_ == Purpose::kTool && !progress_token_.empty(); }

    bool write_event(const std::string& message) {
        std::string event;
        codec::append_sse_event(event, "message", message);
        return outer_->write(event);
    }

    void finish_with(int status, std::string_view body) {
        finished_ = true;
        unregister();
        std::string result;
        if (purpose_ == Purpose::kModelsResource) {
            if (status >= 400) {
                result = mcp::error_message(rpc_id_, mcp::kInternalError,
                                            "the model list is not available (HTTP " +
                                                std::to_string(status) + ")");
            } else {
                result =
                    mcp::result_message(rpc_id_, mcp::resource_read_result(mcp::kModelsUri, body));
            }
        } else {
            result = mcp::result_message(rpc_id_, mcp::tool_result(tool_, status, body));
        }
        if (outer_->streaming()) {
            write_event(result);
            outer_->end_stream();
        } else {
            outer_->respond(rpc_response(200, std::move(result)));
        }
    }

    void unregister() {
        McpSessions& sessions = outer_->shared().mcp_sessions;
        McpSessions::Session* s =
            sessions.find(session_id_, outer_->shared().deps.clock->unix_ms());
        if (s == nullptr) return;
        auto it = s->calls.find(rpc_id_);
        if (it != s->calls.end() && it->second == this) s->calls.erase(it);
    }

    std::unique_ptr<Exchange> outer_;
    std::string session_id_;
    std::string rpc_id_;
    Purpose purpose_;
    mcp::Tool tool_;
    std::string progress_token_;
    std::unique_ptr<RequestTask> inner_;
    std::function<void()> inner_drained_;
    codec::SseParser sse_;
    mcp::ChatStreamReader reader_;
    int inner_status_ = 200;
    bool finished_ = false;
};

namespace {

// The request a tool call stands for, acting as the caller.
core::HttpRequest inner_request(RouteContext& ctx, const mcp::ToolRequest& r) {
    core::HttpRequest inner;
    inner.method = r.method;
    inner.target = r.target;
    inner.body = r.body;
    inner.peer = ctx.request.peer;
    inner.request_id = ctx.exchange->request_id() + "-mcp";
    if (!r.body.empty()) inner.headers.add("content-type", "application/json");
    if (r.async) inner.headers.add("prefer", "respond-async");
    // Checked again as the key that called (scope, models, limits, budget).
    inner.internal = true;
    inner.internal_key_id = key_id_of(ctx);
    return inner;
}

std::string status_json(RouteContext& ctx) {
    const GatewayDeps& deps = ctx.deps();
    JsonWriter w;
    w.begin_object()
        .field("version", std::string_view(deps.version))
        .field("status", ctx.shared.draining ? "draining" : "ready");
    write_backend_states(w, deps);
    if (deps.memory_bytes) w.field("memory_bytes", deps.memory_bytes());
    if (deps.jobs != nullptr) {
        auto counts = deps.jobs->counts();
        if (counts.ok()) {
            w.key("queue").begin_object();
            for (queue::JobStatus s : {queue::JobStatus::kQueued, queue::JobStatus::kRunning,
                                       queue::JobStatus::kSucceeded, queue::JobStatus::kFailed}) {
                w.field(queue::job_status_name(s), counts->by_status[static_cast<size_t>(s)]);
            }
            w.end_object();
        }
    }
    w.end_object();
    return w.take();
}

// A key may be limited to some tools (keys create --mcp-tools): it sees
// and calls only those.
bool may_call(RouteContext& ctx, mcp::Tool tool) {
    const security::KeyPtr& key = ctx.caller().key;
    return !key || key->allows_tool(mcp::tool_name(tool));
}

std::string tools_list(RouteContext& ctx) {
    JsonWriter w;
    w.begin_object().key("tools").begin_array();
    for (mcp::Tool tool : mcp::kTools)
        if (may_call(ctx, tool)) w.raw(mcp::tool_definition(tool));
    w.end_array().end_object();
    return w.take();
}

std::unique_ptr<RequestTask> answer(RouteContext& ctx, int status, std::string body) {
    return ctx.respond(rpc_response(status, std::move(body)));
}

std::unique_ptr<RequestTask> initialize(RouteContext& ctx, const mcp::RpcMessage& m) {
    auto params = JsonDocument::parse(m.params);
    const std::string_view requested =
        params.ok() ? params->root()["protocolVersion"].as_string() : std::string_view();
    const std::string version(mcp::negotiate_protocol_version(requested));
    const std::string id = ctx.shared.new_id(core::IdKind::kMcpSession);
    if (ctx.shared.mcp_sessions.open(id, key_id_of(ctx), version, ctx.deps().clock->unix_ms()) ==
        nullptr) {
        core::HttpResponse busy = rpc_response(
            503, mcp::error_message(m.id, mcp::kInternalError,
                                    "too many MCP sessions with calls under way; try again"));
        busy.headers.set("retry-after", "1");
        return ctx.respond(std::move(busy));
    }
    core::HttpResponse r = rpc_response(
        200, mcp::result_message(m.id, mcp::initialize_result(version, ctx.deps().version)));
    r.headers.set("mcp-session-id", id);
    return ctx.respond(std::move(r));
}

std::unique_ptr<RequestTask> call_tool(RouteContext& ctx, const mcp::RpcMessage& m,
                                       const std::string& session_id,
                                       McpSessions::Session* session) {
    auto params = JsonDocument::parse(m.params);
    if (!params.ok())
        return answer(ctx, 200, mcp::error_message(m.id, mcp::kInvalidParams, "bad params"));
    const JsonValue root = params->root();
    const std::optional<mcp::Tool> tool = mcp::tool_named(root["name"].as_string());
    if (!tool) {
        return answer(ctx, 200,
                      mcp::error_message(m.id, mcp::kInvalidParams,
                                         "Unknown tool '" + std::string(root["name"].as_string()) +
                                             "'; tools/list names them"));
    }
    if (!may_call(ctx, *tool)) {
        return answer(ctx, 200,
                      mcp::error_message(m.id, mcp::kInvalidParams,
                                         "The API key may not call the tool '" +
                                             std::string(mcp::tool_name(*tool)) +
                                             "' (its mcp_tools list leaves it out)"));
    }
    std::string progress_token;
    const JsonValue token = root["_meta"]["progressToken"];
    if ((token.is_string() || token.is_integer()) && accepts_event_stream(ctx.request)) {
        JsonWriter w;
        codec::write_json_value(w, token);
        progress_token = w.take();
    }
    auto request = mcp::tool_request(*tool, root["arguments"], !progress_token.empty());
    if (!request.ok()) {
        return answer(ctx, 200,
                      mcp::error_message(m.id, mcp::kInvalidParams,
                                         std::string(mcp::tool_name(*tool)) + ": " +
                                             request.status().message()));
    }
    core::HttpRequest inner = inner_request(ctx, *request);
    auto call = std::make_unique<McpCall>(std::move(ctx.exchange), session_id, m.id,
                                          McpCall::Purpose::kTool, *tool, progress_token);
    call->start(*ctx.shared.gateway, std::move(inner), session);
    return call;
}

std::unique_ptr<RequestTask> read_resource(RouteContext& ctx, const mcp::RpcMessage& m,
                                           const std::string& session_id,
                                           McpSessions::Session* session) {
    auto params = JsonDocument::parse(m.params);
    const std::string_view uri =
        params.ok() ? params->root()["uri"].as_string() : std::string_view();
    if (uri == mcp::kStatusUri)
        return answer(ctx, 200,
                      mcp::result_message(m.id, mcp::resource_read_result(uri, status_json(ctx))));
    if (uri != mcp::kModelsUri) {
        return answer(ctx, 200,
                      mcp::error_message(m.id, mcp::kResourceNotFound,
                                         "Resource not found: '" + std::string(uri) +
                                             "'; resources/list names them"));
    }
    core::HttpRequest inner = inner_request(ctx, {"GET", "/v1/models", "", false, false});
    auto call = std::make_unique<McpCall>(std::move(ctx.exchange), session_id, m.id,
                                          McpCall::Purpose::kModelsResource, mcp::Tool::kListModels,
                                          std::string());
    call->start(*ctx.shared.gateway, std::move(inner), session);
    return call;
}

// A notification: initialized, cancelled (of a call of this session), the
// rest accepted and ignored, as JSON-RPC has receivers do.
void notify(const mcp::RpcMessage& m, McpSessions::Session* session) {
    if (m.method != "notifications/cancelled" || session == nullptr) return;
    auto params = JsonDocument::parse(m.params);
    if (!params.ok()) return;
    const JsonValue id = params->root()["requestId"];
    if (!id.is_string() && !id.is_integer()) return;
    JsonWriter w;
    codec::write_json_value(w, id);
    auto it = session->calls.find(w.str());
    if (it != session->calls.end()) it->second->cancel();
}

} // namespace

std::unique_ptr<RequestTask> handle_mcp_post(RouteContext& ctx) {
    mcp::RpcMessage m;
    mcp::DecodeError error;
    if (!mcp::decode_message(ctx.request.body, m, error))
        return answer(ctx, 400, mcp::error_message("", error.code, error.message));
    const std::string_view version = ctx.request.headers.get("mcp-protocol-version");
    if (!version.empty() && !mcp::supports_protocol_version(version)) {
        return answer(ctx, 400,
                      mcp::error_message(m.id, mcp::kInvalidRequest,
                                         "Bad Request: unsupported MCP-Protocol-Version '" +
                                             std::string(version) + "'; this server speaks " +
                                             std::string(mcp::kLatestProtocolVersion) +
                                             ", 2025-06-18 and 2025-03-26"));
    }
    if (m.kind == mcp::MessageKind::kRequest && m.method == "initialize") return initialize(ctx, m);

    // Everything else belongs to a session, and a session to its key.
    const std::string session_id(ctx.request.headers.get("mcp-session-id"));
    if (session_id.empty()) {
        return answer(ctx, 400,
                      mcp::error_message(m.id, mcp::kInvalidRequest,
                                         "Bad Request: no Mcp-Session-Id header; send "
                                         "initialize first and then the session id it returns"));
    }
    McpSessions::Session* session =
        ctx.shared.mcp_sessions.find(session_id, ctx.deps().clock->unix_ms());
    if (session == nullptr || session->key_id != key_id_of(ctx)) {
        return answer(ctx, 404,
                      mcp::error_message(m.id, mcp::kInvalidRequest,
                                         "Session not found (it ended, expired, or the gateway "
                                         "restarted); send initialize again"));
    }
    if (m.kind != mcp::MessageKind::kRequest) {
        if (m.kind == mcp::MessageKind::kNotification) notify(m, session);
        core::HttpResponse accepted;
        accepted.status = 202;
        return ctx.respond(std::move(accepted));
    }
    if (session->calls.count(m.id) != 0) {
        return answer(ctx, 200,
                      mcp::error_message(m.id, mcp::kInvalidRequest,
                                         "Invalid Request: id " + m.id +
                                             " is still in use by a call under way"));
    }
    if (m.method == "ping") return answer(ctx, 200, mcp::result_message(m.id, "{}"));
    if (m.method == "tools/list")
        return answer(ctx, 200, mcp::result_message(m.id, tools_list(ctx)));
    if (m.method == "tools/call") return call_tool(ctx, m, session_id, session);
    if (m.method == "resources/list")
        return answer(ctx, 200, mcp::result_message(m.id, mcp::resources_list_result()));
    if (m.method == "resources/templates/list")
        return answer(ctx, 200, mcp::result_message(m.id, R"({"resourceTemplates":[]})"));
    if (m.method == "resources/read") return read_resource(ctx, m, session_id, session);
    return answer(
        ctx, 200,
        mcp::error_message(m.id, mcp::kMethodNotFound, "Method not found: '" + m.method + "'"));
}

// No stream of server-initiated messages: this server sends none outside a
// call's own response, which the specification lets it say with a 405.
std::unique_ptr<RequestTask> handle_mcp_get(RouteContext& ctx) {
    core::HttpResponse r = rpc_response(
        405, mcp::error_message("", mcp::kInvalidRequest,
                                "Method Not Allowed: this server sends messages only in answer "
                                "to a POST"));
    r.headers.set("allow", "POST, DELETE");
    return ctx.respond(std::move(r));
}

std::unique_ptr<RequestTask> handle_mcp_delete(RouteContext& ctx) {
    const std::string_view session_id = ctx.request.headers.get("mcp-session-id");
    McpSessions& sessions = ctx.shared.mcp_sessions;
    McpSessions::Session* session = sessions.find(session_id, ctx.deps().clock->unix_ms());
    if (session_id.empty() || session == nullptr || session->key_id != key_id_of(ctx)) {
        return answer(ctx, 404, mcp::error_message("", mcp::kInvalidRequest, "Session not found"));
    }
    // Its calls stop with it.
    std::map<std::string, McpCall*, std::less<>> calls = session->calls;
    for (auto& [id, call] : calls)
        call->cancel();
    sessions.close(session_id);
    core::HttpResponse done;
    done.status = 204;
    return ctx.respond(std::move(done));
}

} // namespace edgeai::gateway
