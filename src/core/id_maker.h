// Ids for what the gateway hands out: a typed prefix, then lower-case hex
// of bytes from the Random port (the OS's CSPRNG natively). The formats are
// the ones clients and tests already see:
//   request   req_   + 32 hex    job     job_   + 24 hex
//   response  resp_  + 32 hex    file    file-  + 24 hex (OpenAI's Files API spelling)
//   message   msg_   + 32 hex    batch   batch_ + 24 hex
// They are not secrets (ownership checks guard jobs, files and batches), but
// they must not be guessable: one id seen must not reveal another's.
#pragma once

#include "core/random.h"

#include <cstdint>
#include <string>
#include <string_view>

namespace edgeai::core {

enum class IdKind : uint8_t {
    kRequest,    // X-Request-Id of a request the client did not name
    kJob,        // a durable job (/v1/jobs)
    kFile,       // an uploaded or produced file (/v1/files)
    kBatch,      // a batch (/v1/batches)
    kResponse,   // a Responses API response (/v1/responses)
    kMessage,    // an output message item of a response
    kMcpSession, // an MCP session (Mcp-Session-Id)
};

std::string_view id_prefix(IdKind kind);

// A new id of `kind`: its digits are bytes from `random` (96 or 128 bits),
// so an id tells nothing about the next one.
std::string make_id(IdKind kind, Random& random);

} // namespace edgeai::core
