#include "gateway/static_files.h"

#include "api/api_error.h"
#include "core/hex.h"
#include "core/sha256.h"
#include "gateway/exchange.h"
#include "gateway/gateway.h"
#include "gateway/route_context.h"

#include <algorithm>

namespace edgeai::gateway {

namespace {

// 128 bits of the content's SHA-256: a collision between two versions of a
// page file is out of reach, and the header stays short.
constexpr size_t kEtagHexChars = 32;

// Percent-encoding at most triples a path; anything longer cannot decode to a
// path is_safe_relative_path accepts, so it is refused before any work.
constexpr size_t kMaxEncodedPathBytes = core::kMaxRelativePathBytes * 3;

constexpr std::string_view kIndexFile = "index.html";

// A page's own resources only: no inline script or style, no plug-ins, no
// framing by other sites (clickjacking), no <base> or form posts elsewhere.
constexpr std::string_view kContentSecurityPolicy =
    "default-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'";

struct ContentType {
    std::string_view extension;
    std::string_view media_type;
    // Documents that can run script (HTML, and SVG opened on its own) get the CSP.
    bool document;
};

constexpr ContentType kContentTypes[] = {
    {"html", "text/html; charset=utf-8", true},
    {"js", "text/javascript; charset=utf-8", false},
    {"mjs", "text/javascript; charset=utf-8", false},
    {"css", "text/css; charset=utf-8", false},
    {"json", "application/json", false},
    {"map", "application/json", false},
    {"svg", "image/svg+xml", true},
    {"png", "image/png", false},
    {"ico", "image/x-icon", false},
    {"wasm", "application/wasm", false},
    {"txt", "text/plain; charset=utf-8", false},
};

constexpr std::string_view kDefaultContentType = "application/octet-stream";

const ContentType* content_type_for(std::string_view relative_path) {
    const size_t slash = relative_path.rfind('/');
    const std::string_view name =
        slash == std::string_view::npos ? relative_path : relative_path.substr(slash + 1);
    const size_t dot = name.rfind('.');
    if (dot == std::string_view::npos) return nullptr;
    const std::string_view extension = name.substr(dot + 1);
    for (const ContentType& t : kContentTypes)
        if (core::iequals(extension, t.extension)) return &t;
    return nullptr;
}

// One message for a refused path and a missing file, so a client cannot probe
// which paths exist outside what is served.
core::Status no_such_file() {
    return core::not_found("There is no such file under /ui/");
}

// A client that cannot decode the stored coding: the server holds no other
// form of the file, and sending bytes the client cannot read would show it
// garbage.
api::ApiError not_acceptable(std::string_view coding) {
    return {406,
            "invalid_request_error",
            "not_acceptable",
            "",
            "The web console's files are stored " + std::string(coding) +
                "-compressed and Accept-Encoding refuses " + std::string(coding) +
                "; accept it (every browser does) or send no Accept-Encoding",
            0};
}

} // namespace

core::Result<std::string> static_file_path(std::string_view tail) {
    if (tail.size() > kMaxEncodedPathBytes) return no_such_file();
    std::string decoded;
    decoded.reserve(tail.size() + kIndexFile.size());
    for (size_t i = 0; i < tail.size(); ++i) {
        char c = tail[i];
        if (c == '%') {
            // Unlike the API routes' lenient decoding, a broken escape here is
            // refused: a path that means different things to different
            // decoders is how traversal slips past a check.
            if (tail.size() - i < 3) return no_such_file();
            const int hi = core::hex_digit_value(tail[i + 1]);
            const int lo = core::hex_digit_value(tail[i + 2]);
            if (hi < 0 || lo < 0) return no_such_file();
            c = static_cast<char>(hi * 16 + lo);
            i += 2;
            // An encoded separator would hide a segment boundary from anything
            // that reads the path undecoded; no page links its files that way.
            const auto byte = static_cast<unsigned char>(c);
            if (c == '/' || c == '\\' || byte < 0x20 || byte == 0x7f) return no_such_file();
        }
        decoded.push_back(c);
    }
    if (decoded.empty() || decoded.back() == '/') decoded.append(kIndexFile);
    if (!core::is_safe_relative_path(decoded)) return no_such_file();
    return decoded;
}

std::string_view static_content_type(std::string_view relative_path) {
    const ContentType* t = content_type_for(relative_path);
    return t != nullptr ? t->media_type : kDefaultContentType;
}

bool etag_matches(std::string_view if_none_match, std::string_view etag) {
    while (!if_none_match.empty()) {
        const size_t comma = if_none_match.find(',');
        std::string_view tag = core::trim_spaces(if_none_match.substr(0, comma));
        if_none_match =
            comma == std::string_view::npos ? std::string_view() : if_none_match.substr(comma + 1);
        if (tag == "*") return true;
        if (tag.substr(0, 2) == "W/") tag.remove_prefix(2);
        if (tag == etag) return true;
    }
    return false;
}

bool accepts_content_coding(const core::Headers& headers, std::string_view coding) {
    if (!headers.has("accept-encoding")) return true;
    std::string_view list = headers.get("accept-encoding");
    int own = -1; // the coding's own entry: -1 absent, 0 refused, 1 accepted
    int any = -1; // "*"
    core::HeaderListEntry entry;
    while (core::next_header_list_entry(list, entry)) {
        const std::string_view name = entry.value;
        const bool accepted = entry.accepted;
        const bool is_own = core::iequals(name, coding) ||
                            (core::iequals(coding, "gzip") && core::iequals(name, "x-gzip"));
        if (is_own) {
            own = std::max(own, accepted ? 1 : 0);
        } else if (name == "*") {
            any = std::max(any, accepted ? 1 : 0);
        }
    }
    return own >= 0 ? own == 1 : any == 1;
}

void serve_static_file(Exchange& exchange, const GatewayDeps& deps,
                       const core::HttpRequest& request, std::string_view raw_tail) {
    if (deps.static_files == nullptr) {
        exchange.respond_error(api::api_error_from_status(no_such_file()));
        return;
    }
    if (raw_tail.empty()) {
        // The page's relative links resolve against /ui/, not against /.
        core::HttpResponse r;
        r.status = 301;
        r.headers.add("location", "/ui/");
        exchange.respond(std::move(r));
        return;
    }
    auto path = static_file_path(raw_tail.substr(1));
    if (!path.ok()) {
        exchange.respond_error(api::api_error_from_status(path.status()));
        return;
    }
    const std::string_view coding = deps.static_files->content_coding();
    if (!coding.empty() && !accepts_content_coding(request.headers, coding)) {
        exchange.respond_error(not_acceptable(coding));
        return;
    }
    auto content = deps.static_files->read(*path);
    if (!content.ok()) {
        // A file too large or unreadable is the operator's to fix; the client
        // learns no more than for a missing one.
        if (content.status().code() != core::StatusCode::kNotFound && deps.logger != nullptr) {
            deps.logger->warn("static file not served",
                              {{"path", *path}, {"error", content.status().message()}});
        }
        exchange.respond_error(api::api_error_from_status(no_such_file()));
        return;
    }
    const std::string etag =
        "\"" + core::hex_encode(core::sha256(*content)).substr(0, kEtagHexChars) + "\"";

    core::HttpResponse r;
    r.headers.add("etag", etag);
    // Kept, but checked with the server on every use: a new version of the
    // page is seen at once, an unchanged file costs a 304.
    r.headers.add("cache-control", "no-cache");
    r.headers.add("x-content-type-options", "nosniff");
    if (!coding.empty()) {
        // Caches must not hand the compressed bytes to a client that refused them.
        r.headers.add("vary", "accept-encoding");
        r.headers.add("content-encoding", std::string(coding));
    }
    if (etag_matches(request.headers.get("if-none-match"), etag)) {
        r.status = 304;
        exchange.respond(std::move(r));
        return;
    }
    const ContentType* type = content_type_for(*path);
    r.headers.add("content-type",
                  std::string(type != nullptr ? type->media_type : kDefaultContentType));
    if (type != nullptr && type->document)
        r.headers.add("content-security-policy", std::string(kContentSecurityPolicy));
    r.body = std::move(content).value();
    exchange.respond(std::move(r));
}

std::unique_ptr<RequestTask> handle_static(RouteContext& ctx) {
    serve_static_file(*ctx.exchange, ctx.deps(), ctx.request, ctx.id);
    return nullptr;
}

} // namespace edgeai::gateway
