#include "ps_command.h"

#include "cli_output.h"
#include "codec/json/json_document.h"
#include "core/byte_size.h"
#include "core/keep_alive.h"
#include "platform/native/http/event_loop.h"
#include "platform/native/http/upstream_http_client.h"
#include "platform/native/system/system_clock.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace edgeai::cli {

namespace {

namespace native = platform::native;

constexpr int64_t kAskTimeoutMs = 10000;

// Collects one whole answer, then stops the loop.
class Collect final : public core::HttpResponseObserver {
  public:
    explicit Collect(native::EventLoop& loop) : loop_(loop) {}
    void on_head(int status, const core::Headers&) override { status_ = status; }
    core::BodyAction on_data(std::string_view bytes) override {
        body_.append(bytes);
        return core::BodyAction::kContinue;
    }
    void on_complete(const core::Status& status) override {
        result_ = status;
        loop_.stop();
    }
    int status_ = 0;
    std::string body_;
    core::Status result_;

  private:
    native::EventLoop& loop_;
};

// Unix milliseconds of an RFC 3339 UTC time ("2026-12-07T22:13:34.000Z");
// -1 when it is not one.
int64_t unix_ms_of(std::string_view t) {
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
    if (std::sscanf(std::string(t).c_str(), "%4d-%2d-%2dT%2d:%2d:%2d", &y, &mo, &d, &h, &mi, &s) !=
        6)
        return -1;
    // Days from 1970-01-01 to the date (Howard Hinnant's days_from_civil).
    y -= mo <= 2;
    const int era = (y >= 0 ? y : y - 399) / 400;
    const int yoe = y - era * 400;
    const int doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    const int64_t days = int64_t{era} * 146097 + doe - 719468;
    return ((days * 24 + h) * 60 + mi) * 60000 + int64_t{s} * 1000;
}

// "forever", "now", "in 4m59s".
std::string until_text(std::string_view expires_at, int64_t now_ms) {
    if (expires_at.substr(0, 4) == "9999") return "forever";
    const int64_t at = unix_ms_of(expires_at);
    if (at < 0) return std::string(expires_at);
    if (at <= now_ms) return "now";
    return "in " + core::format_keep_alive((at - now_ms + 999) / 1000 * 1000);
}

} // namespace

int run_ps_command(const std::string& listen) {
    std::string address = listen;
    // A server listening on every address is asked on loopback.
    for (const char* any : {"0.0.0.0:", "[::]:"})
        if (address.rfind(any, 0) == 0)
            address = (any[0] == '[' ? "[::1]:" : "127.0.0.1:") + address.substr(std::strlen(any));
    native::EventLoop loop;
    native::UpstreamHttpClient client(loop, native::CurlHttpClientOptions{});
    core::HttpClientRequest request;
    request.url = "http://" + address + "/api/ps";
    request.first_byte_timeout_ms = kAskTimeoutMs;
    if (const char* key = std::getenv("EDGEAI_API_KEY"); key != nullptr && *key != '\0')
        request.headers.add("authorization", std::string("Bearer ") + key);
    Collect answer(loop);
    auto call = client.start(std::move(request), &answer);
    if (!call.ok()) {
        print_error("cannot ask the server at " + address + ": " + call.status().message());
        return 1;
    }
    loop.run();
    if (!answer.result_.ok()) {
        print_error("cannot ask the server at " + address +
                    " (is edgeai serve running? --listen, "
                    "--host and --port say where): " +
                    answer.result_.message());
        return 1;
    }
    auto doc = codec::JsonDocument::parse(answer.body_);
    if (answer.status_ != 200 || !doc.ok()) {
        std::string why = doc.ok() ? std::string(doc->root()["error"]["message"].as_string()) : "";
        if (why.empty()) why = doc.ok() ? std::string(doc->root()["error"].as_string()) : "";
        print_error("the server answered " + std::to_string(answer.status_) +
                    (why.empty() ? std::string() : ": " + why) +
                    (answer.status_ == 401 ? " (set EDGEAI_API_KEY)" : ""));
        return 1;
    }
    const int64_t now = native::SystemClock().unix_ms();
    const codec::JsonValue models = doc->root()["models"];
    std::printf("%-40s %-10s %s\n", "NAME", "SIZE", "UNTIL");
    for (size_t i = 0; i < models.size(); ++i) {
        const codec::JsonValue m = models.at(i);
        const int64_t size = m["size"].as_int64();
        std::printf("%-40s %-10s %s\n", std::string(m["name"].as_string()).c_str(),
                    size > 0 ? core::format_byte_size(static_cast<uint64_t>(size)).c_str() : "-",
                    until_text(m["expires_at"].as_string(), now).c_str());
    }
    return 0;
}

} // namespace edgeai::cli
