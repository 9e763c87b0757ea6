#include "codec/frame/frame_message.h"

#include "codec/msgpack/msgpack_reader.h"
#include "codec/msgpack/msgpack_writer.h"

namespace edgeai::codec {
namespace {

core::Status bad(std::string message) {
    return core::invalid_argument("request message: " + std::move(message));
}

bool is_token_char(char c) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
    return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool is_token(std::string_view s) {
    if (s.empty()) return false;
    for (const char c : s)
        if (!is_token_char(c)) return false;
    return true;
}

// A field value may hold visible bytes, spaces and tabs: no CR, LF or NUL
// that could split it into more fields on the way upstream.
bool is_field_value(std::string_view s) {
    for (const char c : s) {
        const auto u = static_cast<uint8_t>(c);
        if ((u < 0x20 && c != '\t') || u == 0x7F) return false;
    }
    return true;
}

bool is_path(std::string_view s) {
    if (s.empty() || s.front() != '/') return false;
    for (const char c : s) {
        const auto u = static_cast<uint8_t>(c);
        if (u <= 0x20 || u == 0x7F) return false;
    }
    return true;
}

core::Status expect_str(MsgpackReader& reader, std::string_view what, std::string_view* out) {
    MsgpackItem item;
    if (core::Status st = reader.next(item); !st.ok()) return st;
    if (item.type != MsgpackType::kStr) return bad(std::string(what) + " must be a string");
    *out = item.bytes;
    return {};
}

// Reads one whole value; `bytes` is the span it took in the input.
core::Status take_value(MsgpackReader& reader, std::string_view input, MsgpackItem& first,
                        std::string_view* bytes) {
    const size_t start = reader.offset();
    if (core::Status st = reader.skip_value(first); !st.ok()) return st;
    *bytes = input.substr(start, reader.offset() - start);
    return {};
}

core::Status read_headers(MsgpackReader& reader, core::Headers& headers) {
    MsgpackItem map;
    if (core::Status st = reader.next(map); !st.ok()) return st;
    if (map.type == MsgpackType::kNil) return {};
    if (map.type != MsgpackType::kMap) return bad("\"headers\" must be a map of strings");
    for (uint32_t i = 0; i < map.count; ++i) {
        std::string_view name, value;
        if (core::Status st = expect_str(reader, "a header name", &name); !st.ok()) return st;
        if (core::Status st = expect_str(reader, "the header '" + std::string(name) + "'", &value);
            !st.ok())
            return st;
        if (!is_token(name)) return bad("'" + std::string(name) + "' is not a header name");
        if (!is_field_value(value))
            return bad("the header '" + std::string(name) + "' holds a control character");
        headers.add(std::string(name), std::string(value));
    }
    return {};
}

} // namespace

core::Result<core::HttpRequest> decode_request_message(std::string_view payload) {
    MsgpackLimits limits;
    limits.max_bytes = payload.size();
    MsgpackReader reader(payload, limits);
    MsgpackItem top;
    if (core::Status st = reader.next(top); !st.ok()) return st;
    if (top.type != MsgpackType::kMap)
        return bad("must be a map with \"method\", \"path\", \"headers\" and \"body\"");
    core::HttpRequest request;
    bool has_method = false, has_path = false;
    enum class Body { kNone, kText, kBytes, kMsgpack } body_kind = Body::kNone;
    for (uint32_t i = 0; i < top.count; ++i) {
        std::string_view key;
        if (core::Status st = expect_str(reader, "a key", &key); !st.ok()) return st;
        if (key == "method") {
            std::string_view method;
            if (core::Status st = expect_str(reader, "\"method\"", &method); !st.ok()) return st;
            if (!is_token(method)) return bad("\"method\" is not an HTTP method");
            request.method = std::string(method);
            has_method = true;
        } else if (key == "path") {
            std::string_view path;
            if (core::Status st = expect_str(reader, "\"path\"", &path); !st.ok()) return st;
            if (!is_path(path))
                return bad("\"path\" must start with '/' and hold no spaces or control "
                           "characters");
            request.target = std::string(path);
            has_path = true;
        } else if (key == "headers") {
            if (core::Status st = read_headers(reader, request.headers); !st.ok()) return st;
        } else {
            MsgpackItem first;
            std::string_view bytes;
            if (core::Status st = take_value(reader, payload, first, &bytes); !st.ok()) return st;
            if (key != "body") continue;
            switch (first.type) {
            case MsgpackType::kNil:
                body_kind = Body::kNone;
                break;
            case MsgpackType::kStr:
                request.body = std::string(first.bytes);
                body_kind = Body::kText;
                break;
            case MsgpackType::kBin:
                request.body = std::string(first.bytes);
                body_kind = Body::kBytes;
                break;
            default:
                request.body = std::string(bytes);
                body_kind = Body::kMsgpack;
                break;
            }
        }
    }
    if (reader.remaining() != 0) return bad("bytes follow the message's map");
    if (!has_method) return bad("\"method\" is missing");
    if (!has_path) return bad("\"path\" is missing");
    if (!request.headers.has("content-type")) {
        if (body_kind == Body::kMsgpack) request.headers.add("content-type", "application/msgpack");
        if (body_kind == Body::kText) request.headers.add("content-type", "application/json");
    }
    if (!request.headers.has("accept")) request.headers.add("accept", "application/msgpack");
    return request;
}

std::string encode_request_message(std::string_view method, std::string_view path,
                                   const core::Headers& headers, std::string_view msgpack_body) {
    std::string out;
    MsgpackWriter w(&out);
    w.map(msgpack_body.empty() ? 3 : 4);
    w.str("method").str(method);
    w.str("path").str(path);
    w.str("headers").map(static_cast<uint32_t>(headers.fields().size()));
    for (const core::Header& h : headers.fields())
        w.str(h.name).str(h.value);
    if (!msgpack_body.empty()) {
        w.str("body");
        out.append(msgpack_body);
    }
    return out;
}

std::string encode_head_message(int status, const core::Headers& headers) {
    std::string out;
    MsgpackWriter w(&out);
    w.map(2);
    w.str("status").integer(status);
    w.str("headers").map(static_cast<uint32_t>(headers.fields().size()));
    for (const core::Header& h : headers.fields())
        w.str(h.name).str(h.value);
    return out;
}

std::string encode_error_message(std::string_view code, std::string_view message) {
    std::string out;
    MsgpackWriter w(&out);
    w.map(2);
    w.str("code").str(code);
    w.str("message").str(message);
    return out;
}

} // namespace edgeai::codec
