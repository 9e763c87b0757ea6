// Stored responses of the Responses API (`store`, previous_response_id,
// GET/DELETE /v1/responses/{id}): a port, kept natively in SQLite
// (responses.db in the data directory); a build without one answers that
// stored responses are not available.
#pragma once

#include "core/result.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace edgeai::gateway {

struct StoredResponse {
    std::string id;    // resp_...
    std::string owner; // the key that made it (owner_of); empty without keys
    int64_t created_unix_ms = 0;
    std::string response;      // the `response` object, JSON
    std::string input_items;   // this request's input items, a JSON array
    std::string context_items; // every item before the output, a JSON array
};

class ResponseStore {
  public:
    virtual ~ResponseStore() = default;
    // Keeps `response`; responses older than the store's retention go at the
    // same time, so the store needs no timer of its own.
    virtual core::Status put(const StoredResponse& response) = 0;
    virtual core::Result<std::optional<StoredResponse>> get(std::string_view id) = 0;
    // False when there was nothing to delete.
    virtual core::Result<bool> remove(std::string_view id) = 0;
    // Bytes the responses `owner` made hold now (within the retention), for
    // the per-key quota.
    virtual core::Result<int64_t> bytes_held_by(std::string_view owner) = 0;
};

} // namespace edgeai::gateway
