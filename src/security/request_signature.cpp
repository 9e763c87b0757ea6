#include "security/request_signature.h"

#include "core/hex.h"
#include "core/http_types.h"
#include "core/sha256.h"

namespace edgeai::security {

namespace {

core::Status malformed(std::string what) {
    return core::Status(core::StatusCode::kUnauthenticated,
                        "malformed x-edgeai-signature header: " + std::move(what) +
                            "; expected v=2, key=ID, ts=UNIX_SECONDS, nonce=NONCE, sig=HEX");
}

bool is_hex(std::string_view s) {
    for (char c : s)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
            return false;
    return true;
}

} // namespace

core::Result<SignatureHeader> parse_signature_header(std::string_view value) {
    SignatureHeader h;
    bool have_ts = false;
    while (!value.empty()) {
        const size_t comma = value.find(',');
        const std::string_view part = core::trim_spaces(value.substr(0, comma));
        value = comma == std::string_view::npos ? std::string_view() : value.substr(comma + 1);
        if (part.empty()) continue;
        const size_t eq = part.find('=');
        if (eq == std::string_view::npos)
            return malformed("'" + std::string(part) + "' has no '='");
        const std::string_view name = part.substr(0, eq);
        const std::string_view v = part.substr(eq + 1);
        if (name == "v") {
            if (v != "1" && v != "2") return malformed("v must be 1 or 2");
            h.version = v[0] - '0';
        } else if (name == "key") {
            h.key_id = v;
        } else if (name == "ts") {
            if (v.empty() || v.size() > 12) return malformed("ts must be unix seconds");
            int64_t ts = 0;
            for (char c : v) {
                if (c < '0' || c > '9') return malformed("ts must be unix seconds");
                ts = ts * 10 + (c - '0');
            }
            h.timestamp_s = ts;
            have_ts = true;
        } else if (name == "nonce") {
            h.nonce = v;
        } else if (name == "sig") {
            h.signature_hex = v;
        } else {
            return malformed("unknown part '" + std::string(name.substr(0, 32)) + "'");
        }
    }
    if (h.key_id.empty() || h.key_id.size() > 64) return malformed("key is missing");
    if (!have_ts) return malformed("ts is missing");
    if (h.nonce.size() < 8 || h.nonce.size() > 64)
        return malformed("nonce must be 8 to 64 characters");
    for (char c : h.nonce) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '-' || c == '_';
        if (!ok) return malformed("nonce may hold letters, digits, '-' and '_' only");
    }
    if (h.signature_hex.size() != 64 || !is_hex(h.signature_hex))
        return malformed("sig must be 64 hex digits");
    return h;
}

std::string canonical_request(std::string_view method, std::string_view target, int64_t timestamp_s,
                              std::string_view nonce, std::string_view body) {
    std::string out = "EDGEAI-HMAC-SHA256\n";
    out.append(method).append("\n");
    out.append(target).append("\n");
    out.append(std::to_string(timestamp_s)).append("\n");
    out.append(nonce).append("\n");
    core::append_hex(out, core::sha256(body));
    return out;
}

std::string_view first_signed_header(const core::Headers& headers) {
    for (std::string_view name : kSignedHeaders)
        if (headers.has(name)) return name;
    return {};
}

std::string canonical_request_v2(std::string_view method, std::string_view target,
                                 int64_t timestamp_s, std::string_view nonce,
                                 const core::Headers& headers, std::string_view body) {
    std::string out = "EDGEAI-HMAC-SHA256-V2\n";
    out.append(method).append("\n");
    out.append(target).append("\n");
    out.append(std::to_string(timestamp_s)).append("\n");
    out.append(nonce).append("\n");
    for (std::string_view name : kSignedHeaders) {
        out.append(name).push_back(':');
        bool first = true;
        for (const core::Header& field : headers.fields()) {
            if (!core::iequals(field.name, name)) continue;
            if (!first) out.push_back(',');
            out.append(core::trim_spaces(field.value));
            first = false;
        }
        out.push_back('\n');
    }
    core::append_hex(out, core::sha256(body));
    return out;
}

std::string signing_key_for(std::string_view api_key) {
    const core::Sha256Digest d = core::hmac_sha256(api_key, "edgeai-request-signing-v1");
    return std::string(reinterpret_cast<const char*>(d.data()), d.size());
}

std::string request_signature(std::string_view signing_key, std::string_view canonical) {
    return core::hex_encode(core::hmac_sha256(signing_key, canonical));
}

std::string seal_signing_key(std::string_view server_secret, std::string_view key_id,
                             std::string_view signing_key_raw) {
    const core::Sha256Digest pad =
        core::hmac_sha256(server_secret, "edgeai-seal-v1:" + std::string(key_id));
    core::Sha256Digest sealed{};
    for (size_t i = 0; i < sealed.size() && i < signing_key_raw.size(); ++i)
        sealed[i] = static_cast<uint8_t>(static_cast<uint8_t>(signing_key_raw[i]) ^ pad[i]);
    return core::hex_encode(sealed);
}

std::string unseal_signing_key(std::string_view server_secret, std::string_view key_id,
                               std::string_view sealed_hex) {
    if (sealed_hex.size() != 64 || !is_hex(sealed_hex)) return {};
    const core::Sha256Digest pad =
        core::hmac_sha256(server_secret, "edgeai-seal-v1:" + std::string(key_id));
    std::string raw(32, '\0');
    for (size_t i = 0; i < 32; ++i) {
        const int byte = core::hex_digit_value(sealed_hex[2 * i]) * 16 +
                         core::hex_digit_value(sealed_hex[2 * i + 1]);
        raw[i] = static_cast<char>(static_cast<uint8_t>(byte) ^ pad[i]);
    }
    return raw;
}

NonceCache::Result NonceCache::remember(std::string_view key_id, std::string_view nonce,
                                        int64_t now_ms, int64_t expires_ms) {
    while (!by_expiry_.empty() && by_expiry_.front().first <= now_ms) {
        seen_.erase(by_expiry_.front().second);
        by_expiry_.pop_front();
    }
    std::string entry = std::string(key_id) + "\n" + std::string(nonce);
    if (seen_.count(entry) != 0) return Result::kReplayed;
    if (seen_.size() >= max_entries_) return Result::kFull;
    seen_.insert(entry);
    // Expiry times arrive nearly in order (now + window); a slightly early
    // one just lives a little longer behind a later one.
    by_expiry_.emplace_back(expires_ms, std::move(entry));
    return Result::kFresh;
}

} // namespace edgeai::security
