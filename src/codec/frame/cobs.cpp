#include "codec/frame/cobs.h"

namespace edgeai::codec {

void cobs_encode(std::string_view bytes, std::string& out) {
    out.reserve(out.size() + cobs_max_encoded_size(bytes.size()));
    // Each block is a code byte (1 + the non-zero bytes that follow it) and
    // those bytes; a code below 0xFF also stands for a zero after the block,
    // except after the last one.
    size_t code_at = out.size();
    out.push_back('\x01');
    uint8_t code = 1;
    for (const char ch : bytes) {
        if (ch == 0) {
            out[code_at] = static_cast<char>(code);
            code_at = out.size();
            out.push_back('\x01');
            code = 1;
            continue;
        }
        out.push_back(ch);
        if (++code == 0xFF) {
            out[code_at] = static_cast<char>(code);
            code_at = out.size();
            out.push_back('\x01');
            code = 1;
        }
    }
    out[code_at] = static_cast<char>(code);
}

core::Result<std::string> cobs_decode(std::string_view encoded) {
    std::string out;
    out.reserve(encoded.size());
    size_t at = 0;
    while (at < encoded.size()) {
        const auto code = static_cast<uint8_t>(encoded[at]);
        if (code == 0)
            return core::invalid_argument("COBS: a zero byte inside a frame at byte " +
                                          std::to_string(at));
        const size_t block = code - 1;
        if (block > encoded.size() - at - 1)
            return core::invalid_argument("COBS: the block at byte " + std::to_string(at) +
                                          " runs past the end of the frame");
        for (size_t i = 1; i <= block; ++i) {
            if (encoded[at + i] == 0)
                return core::invalid_argument("COBS: a zero byte inside a frame at byte " +
                                              std::to_string(at + i));
        }
        out.append(encoded.substr(at + 1, block));
        at += 1 + block;
        if (code != 0xFF && at < encoded.size()) out.push_back('\0');
    }
    return out;
}

} // namespace edgeai::codec
