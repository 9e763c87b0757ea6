// The web page's files under /ui/: which file a request path names, the
// headers it is sent with, and conditional requests (ETag, If-None-Match).
// The bytes come through the FileSource port; this side only decides what
// may be asked for, so a path is refused here before any I/O and again by
// the source, which knows the file system.
#pragma once

#include "core/file_source.h"
#include "core/http_types.h"
#include "core/result.h"

#include <memory>
#include <string>
#include <string_view>

namespace edgeai::gateway {

class Exchange;
struct RouteContext;
class RequestTask;
struct GatewayDeps;

// The file a request under /ui/ names, relative to the static root. `tail` is
// the raw path after "/ui/", still percent-encoded. It is decoded once: an
// escape that is malformed, or stands for '/', '\' or a control byte, is
// refused, and the decoded path must pass core::is_safe_relative_path, so
// "..", "%2e%2e", "..%2f", dot-files and "%252e" (it leaves a '%') all fail.
// An empty tail, or one ending in '/', names that directory's index.html.
// kNotFound for anything refused, with the same message whatever the reason.
core::Result<std::string> static_file_path(std::string_view tail);

// The content-type of a page file from its extension (html, js, mjs, css,
// json, map, svg, png, ico, wasm, txt); application/octet-stream otherwise.
std::string_view static_content_type(std::string_view relative_path);

// Whether an If-None-Match value lists `etag` or is "*". A weak tag (W/"...")
// counts as its strong form: RFC 9110 compares If-None-Match weakly.
bool etag_matches(std::string_view if_none_match, std::string_view etag);

// Whether a request with these headers accepts `coding` (RFC 9110, 12.5.3):
// no Accept-Encoding accepts any coding; otherwise the coding (or "x-gzip"
// for "gzip") or "*" must be listed with a q above 0, and the coding's own
// entry wins over "*". An empty Accept-Encoding asks for no coding at all.
bool accepts_content_coding(const core::Headers& headers, std::string_view coding);

// Answers GET and HEAD on /ui and /ui/...; `raw_tail` is what followed "/ui"
// in the path: empty (redirected to /ui/) or starting with '/'. Without a
// FileSource in `deps`, and for every path missing or refused, a 404 that
// does not tell which of the two it was. Files of a source stored in a
// content-coding go out as they are, with Content-Encoding; a client whose
// Accept-Encoding refuses that coding gets 406.
void serve_static_file(Exchange& exchange, const GatewayDeps& deps,
                       const core::HttpRequest& request, std::string_view raw_tail);

// The /ui route's handler (route_table.cpp).
std::unique_ptr<RequestTask> handle_static(RouteContext& ctx);

} // namespace edgeai::gateway
