#include "core/id_maker.h"

#include "core/hex.h"

#include <array>
#include <cstddef>

namespace edgeai::core {
namespace {

struct IdFormat {
    std::string_view prefix;
    // Hex digits after the prefix: 32 for ids a client may keep for long
    // (128 bits), 24 for the queue's (96 bits), whose length is older than
    // this file.
    size_t digits;
};

constexpr IdFormat kFormats[] = {
    {"req_", 32},  {"job_", 24}, {"file-", 24}, {"batch_", 24},
    {"resp_", 32}, {"msg_", 32}, {"mcp_", 32},
};

} // namespace

std::string_view id_prefix(IdKind kind) {
    return kFormats[static_cast<size_t>(kind)].prefix;
}

std::string make_id(IdKind kind, Random& random) {
    const IdFormat& format = kFormats[static_cast<size_t>(kind)];
    std::array<uint8_t, 16> bytes;
    const size_t n_bytes = format.digits / 2;
    random.fill(bytes.data(), n_bytes);
    std::string id;
    id.reserve(format.prefix.size() + format.digits);
    id.append(format.prefix);
    append_hex(id, std::span<const uint8_t>(bytes.data(), n_bytes));
    return id;
}

} // namespace edgeai::core
