// Exchange: one request's response side inside the gateway. It adds the headers
// every response carries (x-request-id, CORS), and when the response is over,
// or abandoned, it records the request's metrics and its log line, once.
#pragma once

#include "api/api_error.h"
#include "api/routes.h"
#include "gateway/gateway.h"

#include <cstdint>
#include <string>

namespace edgeai::gateway {

struct Gateway::Shared {
    GatewayDeps deps;
    telemetry::Gauge* in_flight = nullptr;
    telemetry::Histogram* upstream_first_byte = nullptr;
};

class Exchange {
  public:
    Exchange(Gateway::Shared& shared, ResponseWriter* writer, const core::HttpRequest& request,
             api::Endpoint endpoint);
    ~Exchange();
    Exchange(const Exchange&) = delete;
    Exchange& operator=(const Exchange&) = delete;

    void respond(core::HttpResponse response);
    void respond_error(const api::ApiError& error);
    void start_stream(int status, core::Headers headers);
    bool write(std::string_view bytes);
    void end_stream();

    bool done() const { return done_; }
    bool streaming() const { return streaming_; }
    void set_drain_callback(std::function<void()> callback) {
        writer_->set_drain_callback(std::move(callback));
    }
    // For the log line: which backend answered and with what status.
    void note_backend(std::string_view name, int status) {
        backend_ = std::string(name);
        backend_status_ = status;
    }
    const std::string& request_id() const { return request_id_; }
    Gateway::Shared& shared() { return shared_; }

  private:
    void decorate(core::Headers& headers) const;
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
    std::string backend_;
    int backend_status_ = 0;
    uint64_t bytes_out_ = 0;
};

} // namespace edgeai::gateway
