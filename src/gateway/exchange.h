// Exchange: one request's response side inside the gateway. It adds the headers
// every response carries (x-request-id, CORS), and when the response is over,
// or abandoned, it records the request's metrics and its log line, once.
#pragma once

#include "api/api_error.h"
#include "api/msgpack_wire.h"
#include "api/ollama/ollama_answers.h"
#include "api/routes.h"
#include "api/token_usage.h"
#include "core/id_maker.h"
#include "gateway/access_control.h"
#include "gateway/gateway.h"
#include "gateway/mcp_sessions.h"
#include "gateway/response_cache.h"

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

namespace edgeai::gateway {

class Exchange;

// What every request of one Gateway shares. Metric children are looked up once
// and kept, so a request does not render label strings on the hot path.
struct Gateway::Shared {
    GatewayDeps deps;
    telemetry::Gauge* in_flight = nullptr;
    telemetry::Histogram* upstream_first_byte = nullptr;
    telemetry::Counter* cache_hits = nullptr;
    telemetry::Counter* cache_misses = nullptr;
    bool draining = false;
    // The gateway itself: MCP tool calls go through its request path again.
    Gateway* gateway = nullptr;
    McpSessions mcp_sessions;
    std::function<void()> job_listener; // a new job is on disk
    // Clients' exchanges not over yet (job deliveries are the runner's), so
    // a shutdown can end each in its API's shape rather than cut the socket.
    // Linked through the exchanges themselves: no allocation per request.
    Exchange* live = nullptr;

    // Routing's coin (weighted orders).
    uint64_t next_random() { return deps.random->next_u64(); }
    // A new id of `kind` (core/id_maker.h): requests that came without a
    // usable x-request-id, jobs, files, batches.
    std::string new_id(core::IdKind kind) { return core::make_id(kind, *deps.random); }
    // The gateway's own gauges (in flight, cache, breakers, uplink), once.
    void register_metrics();

    telemetry::Counter& requests_total(api::Endpoint endpoint, int status);
    telemetry::Histogram& request_duration(api::Endpoint endpoint);
    // `outcome` must be a string with static storage (a literal or a code name).
    telemetry::Counter& upstream_requests_total(std::string_view backend, std::string_view outcome);

  private:
    std::unordered_map<uint32_t, telemetry::Counter*> requests_total_;
    std::unordered_map<uint32_t, telemetry::Histogram*> request_duration_;
    std::map<std::pair<std::string, std::string_view>, telemetry::Counter*, std::less<>>
        upstream_requests_total_;
};

// True when a relayed stream reached its end marker (`data: [DONE]`,
// Anthropic's message_stop, the Responses API's response.completed or
// .incomplete): one cut short or ended by an error event has none.
bool stream_completed(std::string_view events, api::Endpoint endpoint);

class Exchange {
  public:
    Exchange(Gateway::Shared& shared, ResponseWriter* writer, const core::HttpRequest& request,
             api::Endpoint endpoint);
    ~Exchange();
    Exchange(const Exchange&) = delete;
    Exchange& operator=(const Exchange&) = delete;

    // The request's body, once read (its size is logged; audit.include_bodies
    // keeps it).
    void note_request_body(const std::string& body);
    void respond(core::HttpResponse response);
    // In the shape the client's API uses: OpenAI's, Anthropic's for
    // POST /v1/messages, Ollama's on /api/*.
    void respond_error(const api::ApiError& error);
    std::string render_error(const api::ApiError& error) const;
    // The event that ends a stream broken after its first byte, in that shape
    // (`code` in OpenAI's; Anthropic's has none).
    std::string stream_error_event(std::string_view message,
                                   std::string_view code = "upstream_stream_interrupted") const;
    // True when `body` is already an error in that shape, to pass on as it is.
    bool is_error_body(std::string_view body) const;
    bool anthropic_shaped() const { return api::is_anthropic(endpoint_); }
    bool ollama_shaped() const { return api::is_ollama(endpoint_); }
    void start_stream(int status, core::Headers headers);
    bool write(std::string_view bytes);
    void end_stream();

    bool done() const { return done_; }
    bool streaming() const { return streaming_; }
    void set_drain_callback(std::function<void()> callback) {
        writer_->set_drain_callback(std::move(callback));
    }
    // An access check refused the request: answered in the API's shape, and
    // the writer told why (ResponseWriter::on_refused).
    void refuse(const core::Status& refusal) {
        writer_->on_refused(refusal);
        respond_error(api::api_error_from_status(refusal));
    }
    // For the log line: which backend answered and with what status.
    void note_backend(std::string_view name, int status) {
        backend_ = std::string(name);
        backend_status_ = status;
    }
    // One attempt at a backend is over: `status` its HTTP status, or 0 when
    // it gave none (`error` says why). The client sees them all in
    // x-edgeai-attempts, and a failed one gets a log line, so a fallback is
    // visible even when the last answer is a success or another error.
    void note_attempt(std::string_view backend, int status, std::string_view error,
                      int64_t elapsed_ms);
    // For usage accounting: the model that served, the tokens the answer
    // reported (read by ProxyTask as it relays), the serving backend's price.
    void note_model(std::string_view model) { model_ = std::string(model); }
    api::TokenUsage& token_usage() { return token_usage_; }
    void note_price(const core::BackendPrice* price) { price_ = price; }
    // A cacheable request that missed: its answer, if complete and 2xx, is
    // kept in `cache` under `key`.
    void cache_answer_as(ResponseCache* cache, std::string key);
    // The stream was cut (an error event ends it): not an answer to keep.
    void mark_broken() { broken_ = true; }
    // Answers from the cache.
    void respond_cached(const CachedAnswer& answer);
    const std::string& request_id() const { return request_id_; }
    Gateway::Shared& shared() { return shared_; }
    // The shutdown's grace is over: a stream gets an error event and its end,
    // anything not answered yet a 503, and the log says the server ended it.
    void end_for_shutdown();
    Exchange* next_live() const { return live_next_; }
    // Who is calling: filled by AccessControl, settled when the response ends.
    Caller& caller() { return caller_; }

  private:
    void decorate(core::Headers& headers) const;
    // A JSON body as MessagePack for a client that asked for it.
    void to_msgpack(core::HttpResponse& response) const;
    // /v1/models' answers as /api/tags, /api/ps and /api/show give them.
    void to_ollama_models(core::HttpResponse& response) const;
    void finish(int status);

    Gateway::Shared& shared_;
    ResponseWriter* writer_;
    api::Endpoint endpoint_;
    std::string method_;
    std::string path_;
    std::string request_id_;
    std::string origin_;
    int64_t started_ns_;
    int status_ = 0;
    bool done_ = false;
    bool streaming_ = false;
    // The MessagePack spelling the client's Accept asked for on a /v1 route
    // (empty: JSON), and the stream's translation when it streams.
    std::string_view msgpack_out_;
    std::unique_ptr<api::MsgpackStream> msgpack_stream_;
    // Ollama's streams: the relayed events written as NDJSON lines.
    std::unique_ptr<api::ollama::NdjsonStream> ndjson_stream_;
    bool internal_ = false; // a job's delivery
    bool listed_ = false;   // in Shared::live, between live_prev_ and live_next_
    Exchange* live_prev_ = nullptr;
    Exchange* live_next_ = nullptr;
    void unlist();
    std::string backend_;
    int backend_status_ = 0;
    std::string attempts_; // x-edgeai-attempts
    size_t attempt_count_ = 0;
    uint64_t bytes_out_ = 0;
    uint64_t bytes_in_ = 0;
    std::string model_;
    api::TokenUsage token_usage_;
    const core::BackendPrice* price_ = nullptr;
    ResponseCache* cache_ = nullptr;
    std::string cache_key_;
    std::string captured_; // the streamed answer so far, for the cache
    bool broken_ = false;
    bool cache_hit_ = false;

    void keep_in_cache(std::string body, bool stream);

    struct Spent {
        int64_t prompt_tokens = 0;
        int64_t completion_tokens = 0;
        double cost = 0;
        bool estimated = false;
    };
    Spent spent(int status) const;
    void record_usage(int status, int64_t now_ms, const Spent& spent);
    void record_audit(int status, int64_t elapsed_ns, const Spent& spent);

    Caller caller_;
    std::string peer_;
    int64_t arrived_unix_ms_ = 0;
    // audit.include_bodies: the request and what was answered.
    std::string request_body_;
    std::string response_body_;
};

} // namespace edgeai::gateway
