// The HTTP vocabulary shared by the gateway and its shells: plain structs with no
// server library behind them, so the core can be fed by Beast, WASI stdio or JS.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace edgeai::core {

// ASCII case-insensitive comparison, as HTTP field names require.
bool iequals(std::string_view a, std::string_view b);

// `s` without leading and trailing spaces and tabs (HTTP's optional whitespace).
std::string_view trim_spaces(std::string_view s);

// One entry of a comma-separated header list (Accept, Accept-Encoding): its
// value before any ';', trimmed, and whether its q-value is above zero ("q=0"
// means "not this one"; no q-value means yes).
struct HeaderListEntry {
    std::string_view value;
    bool accepted = true;
};
// Takes the next entry off the front of `list`; false when none is left.
bool next_header_list_entry(std::string_view& list, HeaderListEntry& entry);

// A URL as it may be shown (config show, logs): credentials in its userinfo
// ("https://user:secret@host/...") replaced by "<redacted>"; other text as is.
std::string redact_url_credentials(std::string_view url);

// The value of `name` in a request target's query string ("/v1/x?a=1&b=2"),
// as sent (not percent-decoded); nullopt when absent.
std::optional<std::string_view> query_param(std::string_view target, std::string_view name);

// %XX escapes decoded (either case); a broken escape stays as it is.
std::string percent_decode(std::string_view s);

// splitmix64: a well-mixed 64-bit value from any seed (ids, jitter).
inline uint64_t splitmix64(uint64_t x) {
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

struct Header {
    std::string name;
    std::string value;
};

// An ordered list of fields; lookups ignore case. Small enough that a linear scan
// beats any map.
class Headers {
  public:
    void add(std::string name, std::string value) {
        // Requests and answers carry a handful of fields: one allocation, not five.
        if (fields_.capacity() == 0) fields_.reserve(kTypicalFieldCount);
        fields_.push_back({std::move(name), std::move(value)});
    }
    // Replaces every field of that name with one.
    void set(std::string_view name, std::string value);
    void remove(std::string_view name);
    // Removes every field whose name starts with `prefix` (any case).
    void remove_prefixed(std::string_view prefix);
    // The first value of the field, or empty when absent.
    std::string_view get(std::string_view name) const;
    bool has(std::string_view name) const;

    const std::vector<Header>& fields() const { return fields_; }
    bool empty() const { return fields_.empty(); }

  private:
    static constexpr size_t kTypicalFieldCount = 12;
    std::vector<Header> fields_;
};

struct HttpRequest {
    std::string method; // "GET", "POST", ...
    std::string target; // path and query as sent: "/v1/models?limit=2"
    Headers headers;
    std::string body;
    std::string peer;       // client address "ip:port", for logs
    std::string request_id; // taken from x-request-id or made by the shell
    // The CN of a client certificate the TLS handshake verified against
    // tls.client_ca (mTLS); empty without one.
    std::string client_cert_cn;
    // Set only by in-process callers (job delivery), never from the wire:
    // the request was authorized when it was accepted, as `internal_key_id`.
    bool internal = false;
    std::string internal_key_id;
    // Arrived on the listener for Ollama's clients (ollama.listen).
    bool ollama_listener = false;

    // The target without its query string.
    std::string_view path() const;
};

struct HttpResponse {
    int status = 200;
    Headers headers;
    std::string body;
};

} // namespace edgeai::core
