#include "platform/native/hub/hub_http.h"

#include "core/hex.h"
#include "core/net/outbound_url.h"
#include "platform/native/http/curl_library.h"

#include <curl/curl.h>

#include <algorithm>
#include <vector>

namespace edgeai::platform::native {
namespace {

constexpr long kConnectTimeoutMs = 30000;
// A transfer slower than 1 byte/s for this long is cut and resumed.
constexpr long kStallSeconds = 60;
constexpr size_t kMaxErrorBody = 2048;

const CurlLibrary* g_curl = nullptr;

char lower(char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

bool starts_with_nocase(std::string_view s, std::string_view prefix) {
    if (s.size() < prefix.size()) return false;
    for (size_t i = 0; i < prefix.size(); ++i)
        if (lower(s[i]) != prefix[i]) return false;
    return true;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' ||
                          s.back() == '\n' || s.back() == '"'))
        s.remove_suffix(1);
    while (!s.empty() && s.front() == '"')
        s.remove_prefix(1);
    return s;
}

// One hop: the easy handle's callbacks write here.
struct Hop {
    const HubSink* sink = nullptr;
    core::Status* sink_error = nullptr;
    CURL* easy = nullptr;
    HubResponse response;
    bool body_is_payload = false;
    bool decided = false;
    bool sink_refused = false;

    static size_t on_header(char* data, size_t size, size_t n, void* user) {
        auto* hop = static_cast<Hop*>(user);
        const std::string_view line(data, size * n);
        const size_t colon = line.find(':');
        if (line.rfind("HTTP/", 0) == 0) {
            // A new response (after a 100 Continue): forget the last one's.
            hop->response.linked_etag.clear();
            hop->response.next_page.clear();
        } else if (colon != std::string_view::npos) {
            const std::string_view name = line.substr(0, colon);
            const std::string_view value = trim(line.substr(colon + 1));
            if (starts_with_nocase(name, "x-linked-etag") && name.size() == 13) {
                hop->response.linked_etag = std::string(value);
            } else if (starts_with_nocase(name, "content-range") && name.size() == 13) {
                // "bytes START-END/TOTAL"
                const size_t space = value.find(' ');
                if (space != std::string_view::npos) {
                    uint64_t start = 0;
                    for (size_t i = space + 1; i < value.size() && value[i] >= '0' &&
                                               value[i] <= '9' && start < (UINT64_MAX / 10);
                         ++i)
                        start = start * 10 + static_cast<uint64_t>(value[i] - '0');
                    hop->response.range_start = start;
                }
            } else if (starts_with_nocase(name, "link") && name.size() == 4 &&
                       value.find("rel=\"next\"") != std::string_view::npos) {
                const size_t open = value.find('<'), close = value.find('>');
                if (open != std::string_view::npos && close != std::string_view::npos &&
                    close > open)
                    hop->response.next_page = std::string(value.substr(open + 1, close - open - 1));
            }
        }
        return size * n;
    }

    static size_t on_body(char* data, size_t size, size_t n, void* user) {
        auto* hop = static_cast<Hop*>(user);
        const std::string_view bytes(data, size * n);
        if (!hop->decided) {
            g_curl->easy_getinfo(hop->easy, CURLINFO_RESPONSE_CODE, &hop->response.status);
            hop->body_is_payload = hop->response.status == 200 || hop->response.status == 206;
            hop->decided = true;
        }
        if (!hop->body_is_payload) {
            const size_t room =
                kMaxErrorBody - std::min(kMaxErrorBody, hop->response.error_body.size());
            hop->response.error_body.append(bytes.substr(0, room));
            return bytes.size();
        }
        if (!(*hop->sink)(hop->response, bytes)) {
            hop->sink_refused = true;
            return 0; // curl ends the transfer with CURLE_WRITE_ERROR
        }
        return bytes.size();
    }
};

struct EasyHandle {
    CURL* easy = nullptr;
    curl_slist* headers = nullptr;
    ~EasyHandle() {
        if (easy != nullptr) g_curl->easy_cleanup(easy);
        if (headers != nullptr) g_curl->slist_free_all(headers);
    }
};

} // namespace

std::string url_origin(std::string_view url) {
    auto parsed = core::net::parse_outbound_url(url);
    if (!parsed.ok()) return std::string();
    return std::string(parsed->scheme == core::net::UrlScheme::kHttps ? "https://" : "http://") +
           parsed->host + ":" + std::to_string(parsed->port);
}

std::string encode_url_path(std::string_view path) {
    std::string out;
    for (char c : path) {
        const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                           (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' || c == '~' ||
                           c == '/';
        if (plain) {
            out.push_back(c);
        } else {
            out.push_back('%');
            char hex[2];
            core::write_hex_byte_upper(static_cast<uint8_t>(c), hex);
            out.append(hex, 2);
        }
    }
    return out;
}

core::Result<HubHttp> HubHttp::create(HubHttpOptions options) {
    auto lib = load_curl_library();
    if (!lib.ok()) return lib.status();
    g_curl = *lib;
    if (url_origin(options.endpoint).empty())
        return core::invalid_argument("HF_ENDPOINT '" + options.endpoint +
                                      "' is not an http or https URL");
    return HubHttp(std::move(options));
}

bool HubHttp::same_origin_as_endpoint(std::string_view url) const {
    const std::string origin = url_origin(url);
    return !origin.empty() && origin == url_origin(options_.endpoint);
}

core::Result<HubResponse> HubHttp::get(const std::string& first_url, uint64_t range_from,
                                       const HubSink& sink, core::Status* sink_error) const {
    std::string url = first_url;
    std::vector<std::string> visited;
    std::string linked_etag;
    for (int hop_count = 0;; ++hop_count) {
        if (!starts_with_nocase(url, "http://") && !starts_with_nocase(url, "https://"))
            return core::failed_precondition("the hub redirected to '" + url +
                                             "', which is not an http or https URL");
        if (std::find(visited.begin(), visited.end(), url) != visited.end())
            return core::failed_precondition("the hub's redirects loop back to " + url);
        if (hop_count > kMaxRedirects)
            return core::failed_precondition("the hub redirected more than " +
                                             std::to_string(kMaxRedirects) + " times (last to " +
                                             url + ")");
        visited.push_back(url);

        EasyHandle h;
        h.easy = g_curl->easy_init();
        if (h.easy == nullptr) return core::internal_error("curl_easy_init failed");
        Hop hop;
        hop.sink = &sink;
        hop.sink_error = sink_error;
        hop.easy = h.easy;
        char error[CURL_ERROR_SIZE] = {0};
        const CurlLibrary& c = *g_curl;
        c.easy_setopt(h.easy, CURLOPT_URL, url.c_str());
        c.easy_setopt(h.easy, CURLOPT_NOSIGNAL, 1L);
        c.easy_setopt(h.easy, CURLOPT_FOLLOWLOCATION, 0L);
        c.easy_setopt(h.easy, CURLOPT_ERRORBUFFER, error);
        c.easy_setopt(h.easy, CURLOPT_CONNECTTIMEOUT_MS, kConnectTimeoutMs);
        c.easy_setopt(h.easy, CURLOPT_LOW_SPEED_LIMIT, 1L);
        c.easy_setopt(h.easy, CURLOPT_LOW_SPEED_TIME, kStallSeconds);
        c.easy_setopt(h.easy, CURLOPT_HEADERFUNCTION, &Hop::on_header);
        c.easy_setopt(h.easy, CURLOPT_HEADERDATA, &hop);
        c.easy_setopt(h.easy, CURLOPT_WRITEFUNCTION, &Hop::on_body);
        c.easy_setopt(h.easy, CURLOPT_WRITEDATA, &hop);
        if (!options_.user_agent.empty())
            c.easy_setopt(h.easy, CURLOPT_USERAGENT, options_.user_agent.c_str());
        // The token only to the hub itself: a CDN, another mirror, or a
        // redirect an attacker planted never sees it.
        if (!options_.token.empty() && same_origin_as_endpoint(url)) {
            const std::string auth = "Authorization: Bearer " + options_.token;
            h.headers = c.slist_append(h.headers, auth.c_str());
            c.easy_setopt(h.easy, CURLOPT_HTTPHEADER, h.headers);
        }
        const std::string range = std::to_string(range_from) + "-";
        if (range_from > 0) c.easy_setopt(h.easy, CURLOPT_RANGE, range.c_str());

        const CURLcode code = c.easy_perform(h.easy);
        if (hop.sink_refused) {
            return sink_error != nullptr && !sink_error->ok()
                       ? *sink_error
                       : core::internal_error("the download was aborted");
        }
        c.easy_getinfo(h.easy, CURLINFO_RESPONSE_CODE, &hop.response.status);
        if (code != CURLE_OK) {
            const std::string what = error[0] != '\0' ? error : c.easy_strerror(code);
            if (code == CURLE_OPERATION_TIMEDOUT || code == CURLE_PARTIAL_FILE ||
                code == CURLE_RECV_ERROR || code == CURLE_GOT_NOTHING)
                return core::data_loss("the transfer from " + url_origin(url) + " broke: " + what);
            return core::unavailable("cannot reach " + url_origin(url) + ": " + what);
        }
        // The hub's own answer carries the file's checksum; keep it across
        // the hop to its CDN.
        if (!hop.response.linked_etag.empty()) linked_etag = hop.response.linked_etag;
        const long status = hop.response.status;
        if (status == 301 || status == 302 || status == 303 || status == 307 || status == 308) {
            char* location = nullptr;
            c.easy_getinfo(h.easy, CURLINFO_REDIRECT_URL, &location);
            if (location == nullptr || location[0] == '\0')
                return core::failed_precondition("the hub answered " + std::to_string(status) +
                                                 " without a Location");
            url = location;
            continue;
        }
        hop.response.url = url;
        hop.response.linked_etag = linked_etag;
        return hop.response;
    }
}

} // namespace edgeai::platform::native
