#include "api/multipart.h"

#include "core/http_types.h"

namespace edgeai::api {
namespace {

constexpr size_t kMaxBoundary = 70; // RFC 2046
constexpr size_t kMaxParts = 64;
constexpr size_t kMaxHeaderLine = 8192;

// A parameter of a header value: name=token or name="quoted" (backslash
// escapes honoured).
bool header_param(std::string_view value, std::string_view name, std::string* out) {
    size_t pos = 0;
    while ((pos = value.find(';', pos)) != std::string_view::npos) {
        ++pos;
        size_t eq = value.find('=', pos);
        if (eq == std::string_view::npos) return false;
        std::string_view key = core::trim_spaces(value.substr(pos, eq - pos));
        size_t v = eq + 1;
        while (v < value.size() && value[v] == ' ')
            ++v;
        std::string parsed;
        size_t end = v;
        if (v < value.size() && value[v] == '"') {
            for (end = v + 1; end < value.size() && value[end] != '"'; ++end) {
                if (value[end] == '\\' && end + 1 < value.size()) ++end;
                parsed.push_back(value[end]);
            }
            if (end >= value.size()) return false; // unterminated quote
            ++end;
        } else {
            end = value.find(';', v);
            if (end == std::string_view::npos) end = value.size();
            parsed = std::string(core::trim_spaces(value.substr(v, end - v)));
        }
        if (core::iequals(key, name)) {
            *out = std::move(parsed);
            return true;
        }
        pos = end;
    }
    return false;
}

core::Status malformed(std::string what) {
    return core::invalid_argument("the multipart/form-data body is malformed: " + std::move(what));
}

} // namespace

core::Result<std::string> form_boundary(std::string_view content_type) {
    std::string_view media = core::trim_spaces(content_type.substr(0, content_type.find(';')));
    if (!core::iequals(media, "multipart/form-data")) {
        return core::invalid_argument("expected a multipart/form-data body (a file upload), got '" +
                                      std::string(media) + "'");
    }
    std::string boundary;
    if (!header_param(content_type, "boundary", &boundary) || boundary.empty() ||
        boundary.size() > kMaxBoundary) {
        return core::invalid_argument("the multipart/form-data content type has no usable "
                                      "boundary (1 to 70 characters)");
    }
    return boundary;
}

core::Result<std::vector<FormPart>> parse_form_data(std::string_view body,
                                                    std::string_view boundary) {
    const std::string delimiter = "--" + std::string(boundary);
    // The first delimiter may follow a preamble; parts follow CRLF delimiters.
    size_t pos = body.find(delimiter);
    if (pos == std::string_view::npos) return malformed("the boundary never appears");
    if (pos != 0 && (pos < 2 || body.substr(pos - 2, 2) != "\r\n"))
        return malformed("the first boundary is not at the start of a line");
    pos += delimiter.size();
    std::vector<FormPart> parts;
    for (;;) {
        if (body.substr(pos, 2) == "--") return parts; // the closing delimiter
        // Transport padding, then the line break that ends the delimiter line.
        while (pos < body.size() && (body[pos] == ' ' || body[pos] == '\t'))
            ++pos;
        if (body.substr(pos, 2) != "\r\n")
            return malformed("a boundary line does not end in CRLF (part " +
                             std::to_string(parts.size() + 1) + ")");
        pos += 2;
        if (parts.size() == kMaxParts)
            return malformed("more than " + std::to_string(kMaxParts) + " parts");
        FormPart part;
        bool has_disposition = false;
        // Header lines until an empty one.
        for (;;) {
            size_t eol = body.find("\r\n", pos);
            if (eol == std::string_view::npos)
                return malformed("part " + std::to_string(parts.size() + 1) +
                                 "'s headers never end");
            if (eol - pos > kMaxHeaderLine) return malformed("a part header line is too long");
            std::string_view line = body.substr(pos, eol - pos);
            pos = eol + 2;
            if (line.empty()) break;
            size_t colon = line.find(':');
            if (colon == std::string_view::npos) return malformed("a part header line has no ':'");
            std::string_view name = core::trim_spaces(line.substr(0, colon));
            std::string_view value = core::trim_spaces(line.substr(colon + 1));
            if (core::iequals(name, "content-disposition")) {
                std::string_view kind = core::trim_spaces(value.substr(0, value.find(';')));
                if (!core::iequals(kind, "form-data"))
                    return malformed("a part's Content-Disposition is not form-data");
                if (!header_param(value, "name", &part.name) || part.name.empty())
                    return malformed("a part has no name");
                header_param(value, "filename", &part.filename);
                has_disposition = true;
            } else if (core::iequals(name, "content-type")) {
                part.content_type = std::string(value);
            }
        }
        if (!has_disposition) return malformed("a part has no Content-Disposition");
        // The data runs to the next CRLF + delimiter.
        const std::string next = "\r\n" + delimiter;
        size_t end = body.find(next, pos);
        if (end == std::string_view::npos)
            return malformed("part '" + part.name + "' is cut off (no closing boundary)");
        part.data = body.substr(pos, end - pos);
        parts.push_back(std::move(part));
        pos = end + next.size();
    }
}

} // namespace edgeai::api
