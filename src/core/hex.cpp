#include "core/hex.h"

namespace edgeai::core {
namespace {

std::span<const uint8_t> as_bytes(std::string_view s) {
    return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

} // namespace

void write_hex(std::span<const uint8_t> bytes, char* out) {
    for (uint8_t b : bytes) {
        write_hex_byte(b, out);
        out += 2;
    }
}

void write_hex(std::string_view bytes, char* out) {
    write_hex(as_bytes(bytes), out);
}

void append_hex(std::string& out, std::span<const uint8_t> bytes) {
    const size_t at = out.size();
    out.resize(at + 2 * bytes.size());
    write_hex(bytes, out.data() + at);
}

void append_hex(std::string& out, std::string_view bytes) {
    append_hex(out, as_bytes(bytes));
}

std::string hex_encode(std::span<const uint8_t> bytes) {
    std::string out;
    append_hex(out, bytes);
    return out;
}

std::string hex_encode(std::string_view bytes) {
    return hex_encode(as_bytes(bytes));
}

} // namespace edgeai::core
