// Ids for what the gateway hands out: a typed prefix, then lower-case hex
// from a 64-bit random value spread by splitmix64. The formats are the ones
// clients and tests already see:
//   request   req_   + 32 hex    job     job_   + 24 hex
//   response  resp_  + 32 hex    file    file-  + 24 hex (OpenAI's Files API spelling)
//   message   msg_   + 32 hex    batch   batch_ + 24 hex
// Ids are unique, not secret: they come from a seed drawn once per process
// and a counter, never from a cryptographic generator.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace edgeai::core {

enum class IdKind : uint8_t {
    kRequest,  // X-Request-Id of a request the client did not name
    kJob,      // a durable job (/v1/jobs)
    kFile,     // an uploaded or produced file (/v1/files)
    kBatch,    // a batch (/v1/batches)
    kResponse, // a Responses API response (/v1/responses)
    kMessage,  // an output message item of a response
};

std::string_view id_prefix(IdKind kind);

// The id of `kind` for one random value: the same value gives the same id,
// so a caller holding its own random source (the queue, replaying a batch)
// stays deterministic.
std::string make_id(IdKind kind, uint64_t random);

// Mints ids from one seed and a counter. Not thread-safe: one per thread
// that mints (the gateway mints on its loop).
class IdMaker {
  public:
    explicit IdMaker(uint64_t seed) : seed_(seed) {}
    std::string next(IdKind kind) { return make_id(kind, seed_ + ++count_); }

  private:
    uint64_t seed_;
    uint64_t count_ = 0;
};

} // namespace edgeai::core
