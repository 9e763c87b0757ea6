#include "engine/sampling/utf8_assembler.h"

#include "core/utf8.h"

#include <algorithm>
#include <cstdint>

namespace edgeai::engine::sampling {

namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD"; // U+FFFD

// Whether `head` (1 to 3 bytes) is a proper prefix of some valid sequence. It
// asks the one decoder with the head padded by continuation bytes: every
// constraint UTF-8 puts on a second byte (E0: A0..BF, ED: 80..9F, F0: 90..BF,
// F4: 80..8F) admits 0x80 or 0xBF, so one of the two paddings decodes exactly
// when some completion does.
bool could_complete(std::string_view head) {
    for (char pad : {'\x80', '\xBF'}) {
        char bytes[4] = {pad, pad, pad, pad};
        std::copy(head.begin(), head.end(), bytes);
        uint32_t code_point = 0;
        if (core::decode_utf8(std::string_view(bytes, 4), 0, &code_point) > head.size())
            return true;
    }
    return false;
}

} // namespace

void Utf8Assembler::push(std::string_view bytes, std::string& out) {
    buffer_.append(bytes);
    const std::string_view text = buffer_;
    size_t at = 0;
    while (at < text.size()) {
        uint32_t code_point = 0;
        const size_t length = core::decode_utf8(text, at, &code_point);
        if (length > 0) {
            out.append(text.substr(at, length));
            at += length;
            continue;
        }
        const size_t rest = text.size() - at;
        if (rest < 4 && could_complete(text.substr(at))) break; // wait for more bytes
        // Ill-formed: replace the longest prefix that could have been the
        // start of a character (at least the one byte) and resume after it.
        size_t bad = 1;
        while (bad < 3 && bad < rest && could_complete(text.substr(at, bad + 1)))
            ++bad;
        out.append(kReplacement);
        at += bad;
    }
    buffer_.erase(0, at);
}

void Utf8Assembler::finish(std::string& out) {
    // What is held back is always one incomplete but well-started character.
    if (!buffer_.empty()) out.append(kReplacement);
    buffer_.clear();
}

} // namespace edgeai::engine::sampling
