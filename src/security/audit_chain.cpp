#include "security/audit_chain.h"

#include "codec/json/json_document.h"
#include "codec/json/json_writer.h"
#include "core/decimal.h"
#include "core/hex.h"
#include "core/sha256.h"

#include <string>

namespace edgeai::security {
namespace {

constexpr std::string_view kMacKey = ",\"mac\":\"";
constexpr size_t kHexDigits = 64;
// `,"mac":"` + 64 hex digits + `"}`
constexpr size_t kMacSuffixSize = kMacKey.size() + kHexDigits + 2;

bool is_lower_hex(std::string_view s) {
    for (char c : s) {
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    }
    return true;
}

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

// The signed part of a well-formed line and its mac digits; empty when the
// line does not end the way the writer ends every line.
struct SignedLine {
    std::string_view body;
    std::string_view mac;
};
SignedLine split_signed_line(std::string_view line) {
    if (line.size() < kMacSuffixSize + 1) return {};
    const std::string_view suffix = line.substr(line.size() - kMacSuffixSize);
    if (suffix.substr(0, kMacKey.size()) != kMacKey || suffix.substr(suffix.size() - 2) != "\"}")
        return {};
    const std::string_view mac = suffix.substr(kMacKey.size(), kHexDigits);
    if (!is_lower_hex(mac)) return {};
    return {line.substr(0, line.size() - kMacSuffixSize), mac};
}

std::string hmac_hex(const core::HmacSha256& key, std::string_view message) {
    return core::hex_encode(key.sign(message));
}

// Members other than seq, prev and mac: absent is the default, present must
// have the type the writer gives it.
struct FieldReader {
    codec::JsonValue object;
    std::string error;

    void text(std::string_view name, std::string* out) {
        const codec::JsonValue v = object[name];
        if (v.is_missing()) return;
        if (!v.is_string()) return fail(name, "a string");
        *out = std::string(v.as_string());
    }
    void integer(std::string_view name, int64_t* out) {
        const codec::JsonValue v = object[name];
        if (v.is_missing()) return;
        if (!v.is_integer()) return fail(name, "an integer");
        *out = v.as_int64();
    }
    void number(std::string_view name, double* out) {
        const codec::JsonValue v = object[name];
        if (v.is_missing()) return;
        if (!v.is_number()) return fail(name, "a number");
        *out = v.as_double();
    }
    void fail(std::string_view name, std::string_view expected) {
        if (error.empty()) error = std::string(name) + " must be " + std::string(expected);
    }
};

} // namespace

core::Result<std::string> parse_audit_key(std::string_view file_text) {
    while (!file_text.empty() && is_space(file_text.front()))
        file_text.remove_prefix(1);
    while (!file_text.empty() && is_space(file_text.back()))
        file_text.remove_suffix(1);
    if (file_text.size() < kHexDigits || file_text.size() % 2 != 0) {
        return core::invalid_argument(
            "an audit key is at least 64 hex digits (32 random bytes); this one has " +
            std::to_string(file_text.size()) + " characters");
    }
    std::string key;
    key.reserve(file_text.size() / 2);
    for (size_t i = 0; i < file_text.size(); i += 2) {
        const int hi = core::hex_digit_value(file_text[i]);
        const int lo = core::hex_digit_value(file_text[i + 1]);
        if (hi < 0 || lo < 0)
            return core::invalid_argument("an audit key holds hex digits only (0-9, a-f)");
        key.push_back(static_cast<char>(hi * 16 + lo));
    }
    return key;
}

std::string format_audit_key(std::string_view key_bytes) {
    std::string out;
    out.reserve(key_bytes.size() * 2 + 1);
    core::append_hex(out, key_bytes);
    out.push_back('\n');
    return out;
}

std::string next_audit_line(AuditChainHead& head, const core::HmacSha256& key,
                            const AuditRecord& record, bool include_bodies,
                            const AuditLineNotes& notes) {
    std::string line;
    append_audit_line(line, head, key, record, include_bodies, notes);
    return line;
}

size_t append_audit_line(std::string& out, AuditChainHead& head, const core::HmacSha256& key,
                         const AuditRecord& record, bool include_bodies,
                         const AuditLineNotes& notes) {
    // Written member by member rather than through JsonWriter: the writer
    // thread formats one line per request, and the names are constants.
    const size_t start = out.size();
    out.reserve(start + 512 +
                (include_bodies ? record.request_body.size() + record.response_body.size() : 0));
    const auto number = [&out](std::string_view member, int64_t value) {
        out += member;
        core::append_decimal(out, value);
    };
    const auto text = [&out](std::string_view member, std::string_view value) {
        out += member;
        codec::append_json_string(out, value);
    };
    number("{\"seq\":", head.seq + 1);
    number(",\"unix_ms\":", record.unix_ms);
    text(",\"request_id\":", record.request_id);
    text(",\"key_id\":", record.key_id);
    text(",\"client\":", record.client);
    text(",\"method\":", record.method);
    text(",\"path\":", record.path);
    text(",\"model\":", record.model);
    text(",\"backend\":", record.backend);
    number(",\"prompt_tokens\":", record.prompt_tokens);
    number(",\"completion_tokens\":", record.completion_tokens);
    out += ",\"cost\":";
    codec::JsonWriter(&out).value(record.cost);
    number(",\"status\":", record.status);
    number(",\"latency_ms\":", record.latency_ms);
    if (notes.dropped_before > 0) number(",\"dropped_before\":", notes.dropped_before);
    if (notes.kept_from > 0) number(",\"kept_from\":", notes.kept_from);
    if (include_bodies) {
        text(",\"request_body\":", record.request_body);
        text(",\"response_body\":", record.response_body);
    }
    text(",\"prev\":", head.hash);
    // The object stays open: the mac covers everything written so far, then
    // closes it.
    const core::Sha256Digest mac = key.sign(std::string_view(out).substr(start));
    out += kMacKey;
    core::append_hex(out, mac);
    out += "\"}";
    const std::string_view line = std::string_view(out).substr(start);
    char hash[kHexDigits];
    core::write_hex(core::sha256(line), hash);
    head.seq += 1;
    head.hash.assign(hash, sizeof hash);
    return line.size();
}

core::Result<AuditLine> parse_audit_line(std::string_view line) {
    const SignedLine signed_line = split_signed_line(line);
    if (signed_line.body.empty())
        return core::data_loss("the line does not end with its mac (,\"mac\":\"<64 hex>\"})");
    auto doc = codec::JsonDocument::parse(line);
    if (!doc.ok()) return core::data_loss("not JSON: " + doc.status().message());
    const codec::JsonValue root = doc->root();
    if (!root.is_object() || root.size() == 0 || root.member_name(root.size() - 1) != "mac" ||
        root.member_value(root.size() - 1).as_string() != signed_line.mac) {
        return core::data_loss("not an audit line: an object whose last member is mac");
    }
    AuditLine out;
    const codec::JsonValue seq = root["seq"];
    if (!seq.is_integer() || seq.as_int64() < 1)
        return core::data_loss("seq must be an integer from 1");
    out.seq = seq.as_int64();
    const codec::JsonValue prev = root["prev"];
    if (!prev.is_string() || prev.as_string().size() != kHexDigits ||
        !is_lower_hex(prev.as_string())) {
        return core::data_loss("prev must be 64 lower-case hex digits");
    }
    out.prev = std::string(prev.as_string());
    out.mac = std::string(signed_line.mac);

    FieldReader f{root, {}};
    AuditRecord& r = out.record;
    f.integer("unix_ms", &r.unix_ms);
    f.text("request_id", &r.request_id);
    f.text("key_id", &r.key_id);
    f.text("client", &r.client);
    f.text("method", &r.method);
    f.text("path", &r.path);
    f.text("model", &r.model);
    f.text("backend", &r.backend);
    f.integer("prompt_tokens", &r.prompt_tokens);
    f.integer("completion_tokens", &r.completion_tokens);
    f.number("cost", &r.cost);
    int64_t status = 0;
    f.integer("status", &status);
    f.integer("latency_ms", &r.latency_ms);
    f.integer("dropped_before", &out.notes.dropped_before);
    f.integer("kept_from", &out.notes.kept_from);
    f.text("request_body", &r.request_body);
    f.text("response_body", &r.response_body);
    if (status < 0 || status > 999) f.fail("status", "an HTTP status");
    if (out.notes.dropped_before < 0) f.fail("dropped_before", "a count");
    if (out.notes.kept_from < 0 || out.notes.kept_from > out.seq)
        f.fail("kept_from", "a seq no later than the line's own");
    if (!f.error.empty()) return core::data_loss(f.error);
    r.status = static_cast<int>(status);
    return out;
}

bool audit_line_mac_matches(std::string_view line, const core::HmacSha256& key) {
    const SignedLine signed_line = split_signed_line(line);
    if (signed_line.body.empty()) return false;
    return core::constant_time_equal(hmac_hex(key, signed_line.body), signed_line.mac);
}

std::string audit_line_hash(std::string_view line) {
    return core::hex_encode(core::sha256(line));
}

std::string audit_checkpoint_mac(const core::HmacSha256& key, const AuditCheckpoint& checkpoint) {
    // One field per line: none of them can hold a newline (numbers, hex and
    // file names edgeai chose).
    std::string message = "edgeai audit checkpoint\n";
    message += std::to_string(checkpoint.seq) + "\n";
    message += checkpoint.head + "\n";
    message += checkpoint.file + "\n";
    message += std::to_string(checkpoint.unix_ms);
    return hmac_hex(key, message);
}

bool audit_checkpoint_mac_matches(const core::HmacSha256& key, const AuditCheckpoint& checkpoint) {
    return core::constant_time_equal(audit_checkpoint_mac(key, checkpoint), checkpoint.mac);
}

} // namespace edgeai::security
