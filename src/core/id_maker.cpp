#include "core/id_maker.h"

#include "core/hex.h"
#include "core/http_types.h"

#include <array>
#include <cstddef>

namespace edgeai::core {
namespace {

struct IdFormat {
    std::string_view prefix;
    // Hex digits after the prefix: 16 from one 64-bit draw, the rest from a
    // second. 32 for ids a client may keep for long (128 bits), 24 for the
    // queue's, whose length is older than this file.
    size_t digits;
};

constexpr IdFormat kFormats[] = {
    {"req_", 32}, {"job_", 24}, {"file-", 24}, {"batch_", 24}, {"resp_", 32}, {"msg_", 32},
};

void put_big_endian(uint64_t v, uint8_t* out) {
    for (int i = 7; i >= 0; --i) {
        out[i] = static_cast<uint8_t>(v);
        v >>= 8;
    }
}

} // namespace

std::string_view id_prefix(IdKind kind) {
    return kFormats[static_cast<size_t>(kind)].prefix;
}

std::string make_id(IdKind kind, uint64_t random) {
    const IdFormat& format = kFormats[static_cast<size_t>(kind)];
    const uint64_t a = splitmix64(random);
    const uint64_t b = splitmix64(a ^ random);
    std::array<uint8_t, 16> bytes;
    put_big_endian(a, bytes.data());
    put_big_endian(b, bytes.data() + 8);
    // A shorter id keeps b's low bytes, as the queue's ids always have.
    const size_t n_bytes = format.digits / 2;
    std::string id;
    id.reserve(format.prefix.size() + format.digits);
    id.append(format.prefix);
    append_hex(id, std::span<const uint8_t>(bytes.data(), 8));
    append_hex(id, std::span<const uint8_t>(bytes.data() + 16 - (n_bytes - 8), n_bytes - 8));
    return id;
}

} // namespace edgeai::core
