#include "telemetry/human_log.h"

#include <cstdio>
#include <variant>

namespace edgeai::telemetry {

namespace {

// The message the gateway logs once it accepts connections, and the one it
// logs per request: both get their own layout.
constexpr std::string_view kStartMessage = "listening";
constexpr std::string_view kRequestMessage = "request";

bool is_empty(const LogField& f) {
    const auto* s = std::get_if<std::string_view>(&f.value);
    return s != nullptr && s->empty();
}

std::string number(double v, int decimals) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return buf;
}

// Control characters written visibly: a path or a model name from a client
// must not start a line of its own that reads like another record.
std::string printable(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (const char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if (u >= 0x20 && u != 0x7f) {
            out += c;
            continue;
        }
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\x%02x", u);
        out += buf;
    }
    return out;
}

std::string value_text(const LogField::Value& value) {
    if (const auto* s = std::get_if<std::string_view>(&value)) return printable(*s);
    if (const auto* i = std::get_if<int64_t>(&value)) return std::to_string(*i);
    if (const auto* b = std::get_if<bool>(&value)) return *b ? "true" : "false";
    const double d = *std::get_if<double>(&value);
    return number(d, d == static_cast<double>(static_cast<int64_t>(d)) ? 0 : 2);
}

// key=value, quoted when the value has a space, so a line still splits on
// spaces into its fields.
void append_pair(std::string& out, const LogField& f) {
    out += ' ';
    out.append(f.key);
    out += '=';
    const std::string v = value_text(f.value);
    if (v.find(' ') == std::string::npos && !v.empty()) {
        out += v;
        return;
    }
    out += '"';
    out += v;
    out += '"';
}

const LogField* find(std::initializer_list<LogField> fields, std::string_view key) {
    for (const LogField& f : fields)
        if (f.key == key) return &f;
    return nullptr;
}

std::string text_of(std::initializer_list<LogField> fields, std::string_view key) {
    const LogField* f = find(fields, key);
    return f == nullptr ? std::string() : value_text(f->value);
}

double number_of(std::initializer_list<LogField> fields, std::string_view key) {
    const LogField* f = find(fields, key);
    if (f == nullptr) return 0;
    if (const auto* i = std::get_if<int64_t>(&f->value)) return static_cast<double>(*i);
    if (const auto* d = std::get_if<double>(&f->value)) return *d;
    return 0;
}

// "POST /v1/chat/completions 200  qwen3 via local  12+48 tokens  31.5 tok/s  1520 ms"
void append_request(std::string& out, std::initializer_list<LogField> fields) {
    out += text_of(fields, "method");
    out += ' ';
    out += text_of(fields, "path");
    out += ' ';
    out += text_of(fields, "status");
    const std::string model = text_of(fields, "model");
    const std::string backend = text_of(fields, "backend");
    if (!model.empty() || !backend.empty()) out += "  ";
    out += model;
    if (!backend.empty()) {
        if (!model.empty()) out += " via ";
        out += backend;
        const std::string backend_status = text_of(fields, "backend_status");
        if (!backend_status.empty() && backend_status != "0" &&
            backend_status != text_of(fields, "status"))
            out += " (" + backend_status + ")";
    }
    const double prompt = number_of(fields, "prompt_tokens");
    const double completion = number_of(fields, "completion_tokens");
    if (prompt > 0 || completion > 0)
        out += "  " + number(prompt, 0) + "+" + number(completion, 0) + " tokens";
    const double rate = number_of(fields, "tokens_per_second");
    if (rate > 0) out += "  " + number(rate, 1) + " tok/s";
    out += "  " + number(number_of(fields, "duration_ms"), 0) + " ms";
    for (const LogField& f : fields) {
        if (f.key == "error" && !is_empty(f)) append_pair(out, f);
    }
}

// edgeai VERSION listening on ADDRESS, then one aligned row per field.
void append_banner(std::string& out, std::initializer_list<LogField> fields) {
    out += "edgeai ";
    out += text_of(fields, "version");
    out += " is listening on ";
    out += text_of(fields, "url").empty() ? text_of(fields, "address") : text_of(fields, "url");
    for (const LogField& f : fields) {
        // The backends row already names the upstreams.
        if (f.key == "version" || f.key == "address" || f.key == "url" || f.key == "upstream" ||
            is_empty(f))
            continue;
        std::string label(f.key);
        for (char& c : label)
            if (c == '_') c = ' ';
        out += "\n  ";
        out += label;
        if (label.size() < 12) out.append(12 - label.size(), ' ');
        out += ' ';
        out += value_text(f.value);
    }
}

} // namespace

std::string human_log_line(int64_t unix_ms, core::LogLevel level, std::string_view msg,
                           std::initializer_list<LogField> fields) {
    // Time of day only: a person at a terminal knows the date.
    std::string out = format_utc_timestamp(unix_ms).substr(11, 8);
    out += ' ';
    if (level != core::LogLevel::kInfo) {
        std::string name(core::log_level_name(level));
        for (char& c : name)
            c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
        out += name;
        out += ' ';
    }
    if (msg == kStartMessage && level == core::LogLevel::kInfo) {
        append_banner(out, fields);
        return out;
    }
    if (msg == kRequestMessage && level == core::LogLevel::kInfo) {
        append_request(out, fields);
        return out;
    }
    out += printable(msg);
    for (const LogField& f : fields)
        if (!is_empty(f)) append_pair(out, f);
    return out;
}

} // namespace edgeai::telemetry
