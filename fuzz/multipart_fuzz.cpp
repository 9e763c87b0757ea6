// Hostile upload bodies (POST /v1/files): the first line is taken as the
// Content-Type, the rest as the body. Whatever comes in, the parser answers
// with parts that lie inside the body, or an error; never a read outside it.
#include "api/multipart.h"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view input(reinterpret_cast<const char*>(data), size);
    const size_t eol = input.find('\n');
    std::string_view content_type = input.substr(0, eol);
    std::string_view body = eol == std::string_view::npos ? "" : input.substr(eol + 1);
    auto boundary = edgeai::api::form_boundary(content_type);
    if (!boundary.ok()) return 0;
    auto parts = edgeai::api::parse_form_data(body, *boundary);
    if (!parts.ok()) return 0;
    for (const auto& p : *parts) {
        if (p.data.data() < body.data() ||
            p.data.data() + p.data.size() > body.data() + body.size())
            __builtin_trap();
        if (p.name.empty()) __builtin_trap();
    }
    return 0;
}
