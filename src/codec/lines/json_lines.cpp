#include "codec/lines/json_lines.h"

#include "codec/base64/base64.h"
#include "codec/json/json_document.h"
#include "codec/json/json_writer.h"

#include <cctype>

namespace edgeai::codec {

namespace {

LineDecode fail(LineDecode d, std::string_view code, std::string message) {
    d.error_code = code;
    d.status = core::invalid_argument(std::move(message));
    return d;
}

// The normalised text of an id value, or empty with `why` set.
std::string id_text(JsonValue v, std::string* why) {
    if (v.is_string()) {
        if (v.as_string().size() > kMaxLineIdBytes) {
            *why = "\"id\" is longer than " + std::to_string(kMaxLineIdBytes) + " bytes";
            return {};
        }
        std::string out;
        append_json_string(out, v.as_string());
        return out;
    }
    if (v.is_number() && v.is_integer() && v.written_as_integer())
        return std::to_string(v.as_int64());
    *why = "\"id\" must be a string or an integer, not " + std::string(json_type_phrase(v.type()));
    return {};
}

bool is_json_type(std::string_view content_type) {
    return content_type.find("json") != std::string_view::npos;
}

bool is_text_type(std::string_view content_type) {
    return content_type.rfind("text/", 0) == 0 || is_json_type(content_type) ||
           content_type.find("ndjson") != std::string_view::npos;
}

void open_line(std::string& out, std::string_view id, std::string_view type) {
    out += "{\"id\":";
    out += id.empty() ? std::string_view("null") : id;
    out += ",\"type\":\"";
    out += type;
    out += '"';
}

} // namespace

LineDecode decode_request_line(std::string_view line) {
    LineDecode d;
    auto doc = JsonDocument::parse(line);
    if (!doc.ok()) {
        d.id = find_line_id(line.substr(0, 4096));
        return fail(std::move(d), "bad_line", "the line is not JSON: " + doc.status().message());
    }
    const JsonValue root = doc->root();
    if (!root.is_object())
        return fail(std::move(d), "bad_line",
                    "a request line is a JSON object, not " +
                        std::string(json_type_phrase(root.type())));
    const JsonValue id = root["id"];
    if (id.is_missing() || id.is_null())
        return fail(std::move(d), "missing_id",
                    "the line has no \"id\": give each request a string or integer id, "
                    "its answer's lines carry it");
    std::string why;
    d.id = id_text(id, &why);
    if (d.id.empty()) return fail(std::move(d), "bad_line", why);
    if (root["cancel"].is_bool() && root["cancel"].as_bool()) {
        d.cancel = true;
        return d;
    }
    const JsonValue path = root["path"];
    if (!path.is_string() || path.as_string().empty() || path.as_string()[0] != '/')
        return fail(std::move(d), "bad_line",
                    "\"path\" must be a string starting with '/', such as "
                    "\"/v1/chat/completions\"");
    const JsonValue body = root["body"], body64 = root["body_base64"];
    const JsonValue method = root["method"];
    if (!method.is_missing() && (!method.is_string() || method.as_string().empty()))
        return fail(std::move(d), "bad_line", "\"method\" must be a string such as \"POST\"");
    d.request.method = method.is_string() ? std::string(method.as_string())
                       : (body.is_missing() && body64.is_missing()) ? "GET"
                                                                    : "POST";
    for (char& c : d.request.method)
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    d.request.target = std::string(path.as_string());
    const JsonValue headers = root["headers"];
    if (!headers.is_missing()) {
        if (!headers.is_object())
            return fail(std::move(d), "bad_line", "\"headers\" must be an object of strings");
        for (size_t i = 0; i < headers.size(); ++i) {
            if (!headers.member_value(i).is_string())
                return fail(std::move(d), "bad_line",
                            "header \"" + std::string(headers.member_name(i)) +
                                "\" must be a string");
            d.request.headers.add(std::string(headers.member_name(i)),
                                  std::string(headers.member_value(i).as_string()));
        }
    }
    if (!body.is_missing() && !body64.is_missing())
        return fail(std::move(d), "bad_line", "give \"body\" or \"body_base64\", not both");
    if (body.is_string()) {
        d.request.body = std::string(body.as_string());
    } else if (!body.is_missing()) {
        JsonWriter w(&d.request.body);
        write_json_value(w, body);
        if (!d.request.headers.has("content-type"))
            d.request.headers.add("content-type", "application/json");
    } else if (!body64.is_missing()) {
        auto bytes = body64.is_string()
                         ? decode_base64(body64.as_string())
                         : core::Result<std::string>(core::invalid_argument("it must be a string"));
        if (!bytes.ok())
            return fail(std::move(d), "bad_line",
                        "\"body_base64\" is not base64: " + bytes.status().message());
        d.request.body = std::move(bytes).value();
    }
    return d;
}

std::string find_line_id(std::string_view s) {
    size_t i = 0;
    auto skip_space = [&] {
        while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r'))
            ++i;
    };
    auto expect = [&](std::string_view word) {
        skip_space();
        if (s.substr(i, word.size()) != word) return false;
        i += word.size();
        return true;
    };
    if (!expect("{") || !expect("\"id\"") || !expect(":")) return {};
    skip_space();
    const size_t start = i;
    if (i < s.size() && s[i] == '"') {
        for (++i; i < s.size() && i - start <= kMaxLineIdBytes + 2; ++i) {
            const auto c = static_cast<unsigned char>(s[i]);
            if (c < 0x20) return {};
            if (c == '\\') {
                ++i;
                continue;
            }
            if (c == '"') {
                // Re-read as JSON so the text is the normalised one.
                auto doc = JsonDocument::parse(s.substr(start, i + 1 - start));
                std::string why;
                return doc.ok() ? id_text(doc->root(), &why) : std::string();
            }
        }
        return {};
    }
    if (i < s.size() && s[i] == '-') ++i;
    while (i < s.size() && i - start < 20 && std::isdigit(static_cast<unsigned char>(s[i])))
        ++i;
    if (i == start || i >= s.size() || (s[i] != ',' && s[i] != '}' && s[i] != ' ')) return {};
    auto doc = JsonDocument::parse(s.substr(start, i - start));
    std::string why;
    return doc.ok() ? id_text(doc->root(), &why) : std::string();
}

void append_head_line(std::string& out, std::string_view id, int status,
                      const core::Headers& headers) {
    open_line(out, id, "head");
    out += ",\"status\":";
    out += std::to_string(status);
    out += ",\"headers\":{";
    bool first = true;
    for (const core::Header& h : headers.fields()) {
        if (!first) out += ',';
        first = false;
        append_json_string(out, h.name);
        out += ':';
        append_json_string(out, h.value);
    }
    out += "}}\n";
}

// JSON written into a line as a value: as it is, unless whitespace in it
// holds a line break (valid JSON may), which would cut the line in two; then
// written again compactly. False when `v` is not JSON this gateway's own
// parser reads (a number past a double's range is valid syntax but not), so a
// client's parser can read every line this writes.
static bool append_inline_json(std::string& out, std::string_view v) {
    if (v.empty() || !is_valid_json(v)) return false;
    auto doc = JsonDocument::parse(v);
    if (!doc.ok()) return false;
    if (v.find_first_of("\r\n") == std::string_view::npos) {
        out += v;
        return true;
    }
    JsonWriter w;
    write_json_value(w, doc->root());
    out += w.str();
    return true;
}

void append_body_line(std::string& out, std::string_view id, std::string_view content_type,
                      std::string_view body) {
    open_line(out, id, "body");
    const size_t before = out.size();
    if (is_json_type(content_type)) {
        out += ",\"body\":";
        if (append_inline_json(out, body)) {
            out += "}\n";
            return;
        }
        out.resize(before);
    }
    if (is_text_type(content_type) || content_type.empty()) {
        out += ",\"body\":";
        append_json_string(out, body);
    } else {
        out += ",\"body_base64\":\"";
        append_base64(out, body);
        out += '"';
    }
    out += "}\n";
}

void append_event_line(std::string& out, std::string_view id, std::string_view event,
                       std::string_view data) {
    open_line(out, id, "event");
    if (!event.empty()) {
        out += ",\"event\":";
        append_json_string(out, event);
    }
    out += ",\"data\":";
    if (!append_inline_json(out, data)) append_json_string(out, data);
    out += "}\n";
}

void append_binary_event_line(std::string& out, std::string_view id, std::string_view bytes) {
    open_line(out, id, "event");
    out += ",\"data_base64\":\"";
    append_base64(out, bytes);
    out += "\"}\n";
}

void append_end_line(std::string& out, std::string_view id) {
    open_line(out, id, "end");
    out += "}\n";
}

void append_error_line(std::string& out, std::string_view id, std::string_view code,
                       std::string_view message) {
    open_line(out, id, "error");
    out += ",\"error\":{\"code\":";
    append_json_string(out, code);
    out += ",\"message\":";
    append_json_string(out, message);
    out += "}}\n";
}

} // namespace edgeai::codec
