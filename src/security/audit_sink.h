// The audit port: one record per request, written by the gateway when the
// response is over (or abandoned), kept by a sink that must not block the
// caller (natively: audit.log, hash-chained and HMAC-signed, written by a
// thread of its own). Never holds prompt or completion text unless the
// operator turned audit.include_bodies on.
#pragma once

#include "core/status.h"

#include <cstdint>
#include <string>

namespace edgeai::security {

struct AuditRecord {
    int64_t unix_ms = 0;    // when the request arrived
    std::string request_id; // x-request-id as answered
    std::string key_id;     // the caller's API key id; empty without one
    std::string client;     // the client's address ("ip:port")
    std::string method;     // "POST"
    std::string path;       // "/v1/chat/completions" (no query string)
    std::string model;      // as the client asked; empty for non-model routes
    std::string backend;    // who answered; empty when the gateway did
    int64_t prompt_tokens = 0;
    int64_t completion_tokens = 0;
    double cost = 0;
    int status = 0;         // HTTP status the client got (499: it left)
    int64_t latency_ms = 0; // arrival to the end of the response
    // Only with audit.include_bodies: the request and response bodies.
    std::string request_body;
    std::string response_body;
};

class AuditSink {
  public:
    virtual ~AuditSink() = default;
    // Must not block on disk.
    virtual void record(AuditRecord record) = 0;
    // Ok, or why records cannot be written now (a full disk): with
    // audit.on_write_failure = "refuse" the gateway answers 503 meanwhile.
    virtual core::Status health() const { return {}; }
};

} // namespace edgeai::security
