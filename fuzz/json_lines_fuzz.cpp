// Lines from edgeai.wasm's stdin: the line decoder never crashes, whatever
// arrives; a line it accepts has an id and a path; the id it finds in an
// overlong line's first bytes is one the decoder would give; and every line
// written back (an event, a body, an error carrying these bytes) is one JSON
// object on one line, so a client's reader cannot be broken by what a model
// or a client sent.
#include "codec/json/json_document.h"
#include "codec/lines/json_lines.h"

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

using namespace edgeai::codec;

void check(bool ok) {
    if (!ok) std::abort();
}

void check_line(const std::string& out) {
    check(!out.empty() && out.back() == '\n');
    const std::string_view line(out.data(), out.size() - 1);
    check(line.find('\n') == std::string_view::npos);
    // Inlined data keeps the client's nesting; inputs are at most 8 KiB.
    auto doc = JsonDocument::parse(line, JsonLimits{8200});
    check(doc.ok() && doc->root().is_object());
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    LineDecode d = decode_request_line(input);
    if (d.status.ok()) {
        check(!d.id.empty());
        if (!d.cancel) check(!d.request.target.empty() && d.request.target.front() == '/');
    } else {
        check(!d.error_code.empty());
    }
    const std::string found = find_line_id(input);
    if (!found.empty()) {
        auto doc = JsonDocument::parse(found);
        check(doc.ok() && (doc->root().is_string() || doc->root().is_integer()));
    }

    const std::string id = d.id.empty() ? std::string("1") : d.id;
    std::string out;
    append_event_line(out, id, input.substr(0, 16), input);
    check_line(out);
    for (std::string_view type : {"application/json", "text/plain", "application/msgpack", ""}) {
        out.clear();
        append_body_line(out, id, type, input);
        check_line(out);
    }
    out.clear();
    append_binary_event_line(out, id, input);
    check_line(out);
    out.clear();
    append_error_line(out, d.id, "bad_line", input);
    check_line(out);
    edgeai::core::Headers headers;
    headers.add(std::string(input.substr(0, 8)), std::string(input));
    out.clear();
    append_head_line(out, id, 200, headers);
    check_line(out);
    return 0;
}
