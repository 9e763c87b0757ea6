#include "core/utf8.h"

namespace edgeai::core {

size_t decode_utf8(std::string_view text, size_t at, uint32_t* code_point) {
    auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
    unsigned char lead = byte(at);
    if (lead < 0x80) {
        *code_point = lead;
        return 1;
    }
    size_t length;
    uint32_t min_value;
    if ((lead & 0xE0) == 0xC0) {
        length = 2;
        min_value = 0x80;
    } else if ((lead & 0xF0) == 0xE0) {
        length = 3;
        min_value = 0x800;
    } else if ((lead & 0xF8) == 0xF0) {
        length = 4;
        min_value = 0x10000;
    } else {
        return 0;
    }
    if (at + length > text.size()) return 0;
    uint32_t value = lead & (0x7Fu >> length);
    for (size_t k = 1; k < length; ++k) {
        if ((byte(at + k) & 0xC0) != 0x80) return 0;
        value = (value << 6) | (byte(at + k) & 0x3Fu);
    }
    if (value < min_value || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) return 0;
    *code_point = value;
    return length;
}

bool is_valid_utf8(std::string_view text) {
    for (size_t at = 0; at < text.size();) {
        uint32_t cp = 0;
        const size_t n = decode_utf8(text, at, &cp);
        if (n == 0) return false;
        at += n;
    }
    return true;
}

void append_utf8(std::string& out, uint32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xc0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xe0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
        out += static_cast<char>(0x80 | (cp & 0x3f));
    } else {
        out += static_cast<char>(0xf0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
        out += static_cast<char>(0x80 | (cp & 0x3f));
    }
}

} // namespace edgeai::core
