// Signed requests, for devices that cannot do TLS (or send MessagePack): the
// client proves it holds an API key without sending it, and each signature
// is good once, within a clock-skew window.
//
//   x-edgeai-signature: v=2, key=<key id>, ts=<unix seconds>, nonce=<8-64 of
//                       [A-Za-z0-9_-]>, sig=<64 hex>
//   sig = hex HMAC-SHA256(signing key, canonical request)
//   signing key = HMAC-SHA256(the API key, "edgeai-request-signing-v1")
//   canonical request v2 = "EDGEAI-HMAC-SHA256-V2\n" METHOD "\n" target (path
//       and query as sent) "\n" ts "\n" nonce "\n", then for each header of
//       kSignedHeaders in order: name ":" value (several joined by ",", absent
//       empty) "\n", then hex SHA-256(body)
//   canonical request v1 (no v=) = the same without the "-V2" and without the
//       header lines; accepted only on a request that carries none of
//       kSignedHeaders, since it does not cover what they change.
//
// The gateway keeps no key in clear, so a key that may sign keeps its
// signing key sealed (XOR with HMAC-SHA256(server secret, key id)): the keys
// database alone cannot forge signatures.
#pragma once

#include "core/http_types.h"
#include "core/result.h"

#include <array>

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <unordered_set>

namespace edgeai::security {

// Request headers that change what a request does (run it later, call back,
// jump the queue, repeat an earlier answer, skip the cache): a version 2
// signature covers them.
inline constexpr std::array<std::string_view, 6> kSignedHeaders = {
    "prefer",          "x-edgeai-callback-url", "x-edgeai-priority",
    "idempotency-key", "cache-control",         "x-edgeai-cache"};

// The first of kSignedHeaders that `headers` carries, or empty.
std::string_view first_signed_header(const core::Headers& headers);

struct SignatureHeader {
    int version = 1;
    std::string_view key_id;
    int64_t timestamp_s = 0;
    std::string_view nonce;
    std::string_view signature_hex;
};

// Unauthenticated with a message saying what is malformed.
core::Result<SignatureHeader> parse_signature_header(std::string_view value);

std::string canonical_request(std::string_view method, std::string_view target, int64_t timestamp_s,
                              std::string_view nonce, std::string_view body);
std::string canonical_request_v2(std::string_view method, std::string_view target,
                                 int64_t timestamp_s, std::string_view nonce,
                                 const core::Headers& headers, std::string_view body);

// 32 raw bytes.
std::string signing_key_for(std::string_view api_key);
// Lower-case hex HMAC of the canonical request.
std::string request_signature(std::string_view signing_key, std::string_view canonical);

// Sealing is its own inverse: seal(seal(k)) == k. Both take and give hex.
std::string seal_signing_key(std::string_view server_secret, std::string_view key_id,
                             std::string_view signing_key_raw);
std::string unseal_signing_key(std::string_view server_secret, std::string_view key_id,
                               std::string_view sealed_hex);

// Nonces seen within the skew window. Bounded: when full of live nonces a
// new one is refused (the caller answers 429) rather than forgetting one
// that could then be replayed.
class NonceCache {
  public:
    explicit NonceCache(size_t max_entries = 100000) : max_entries_(max_entries) {}
    enum class Result { kFresh, kReplayed, kFull };
    // Remembers (key id, nonce) until `expires_ms`.
    Result remember(std::string_view key_id, std::string_view nonce, int64_t now_ms,
                    int64_t expires_ms);
    size_t size() const { return seen_.size(); }

  private:
    size_t max_entries_;
    std::unordered_set<std::string> seen_;
    std::deque<std::pair<int64_t, std::string>> by_expiry_; // oldest first
};

} // namespace edgeai::security
