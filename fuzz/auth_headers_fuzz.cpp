// What a caller controls in authentication: Authorization and x-api-key
// values, x-edgeai-signature, the admin API's key body, scope lists and peer
// strings. The first byte picks the parser; the rest is its input. Each must
// answer with a value or an error, and what it returns must lie inside the
// input (views) or be well-formed.
#include "security/api_key.h"
#include "security/failure_limiter.h"
#include "security/key_admin.h"
#include "security/request_signature.h"

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace {

bool inside(std::string_view part, std::string_view whole) {
    return part.empty() || (part.data() >= whole.data() &&
                            part.data() + part.size() <= whole.data() + whole.size());
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    namespace security = edgeai::security;
    const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
    switch (data[0] % 5) {
    case 0: {
        const std::string_view token = security::bearer_token(input);
        if (!inside(token, input)) __builtin_trap();
        if (auto id = security::presented_key_id(token)) {
            if (id->size() != security::kKeyIdLength || !inside(*id, input)) __builtin_trap();
        }
        break;
    }
    case 1: {
        auto h = security::parse_signature_header(input);
        if (!h.ok()) break;
        if (!inside(h->key_id, input) || !inside(h->nonce, input) ||
            h->signature_hex.size() != 64 || !inside(h->signature_hex, input))
            __builtin_trap();
        const std::string canonical = security::canonical_request("POST", "/v1/chat/completions",
                                                                  h->timestamp_s, h->nonce, "");
        if (security::request_signature("k", canonical).size() != 64) __builtin_trap();
        break;
    }
    case 2: {
        auto spec = security::key_spec_from_json(input, 1796212800000);
        if (spec.ok() && !security::is_valid_key_name(spec->name)) __builtin_trap();
        break;
    }
    case 3: {
        auto scopes = security::parse_scopes(input);
        if (scopes.ok() && (*scopes == 0 || (*scopes & ~security::kAllScopes) != 0))
            __builtin_trap();
        break;
    }
    default: {
        if (!inside(security::peer_address(input), input)) __builtin_trap();
        break;
    }
    }
    return 0;
}
