#include "codec/json/json_document.h"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include <string>

namespace edgeai::codec {

namespace {

using RjValue = rapidjson::Value;

const RjValue* rj(const void* v) {
    return static_cast<const RjValue*>(v);
}

// Nesting depth of the text, counted outside strings. RapidJSON's iterative
// parser cannot overflow the stack, but walking a 100k-deep document later could,
// and no request needs more than a handful of levels.
core::Status check_depth(std::string_view text, int max_depth) {
    int depth = 0;
    bool in_string = false;
    bool escaped = false;
    for (size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (in_string) {
            if (escaped) {
                escaped = false;
            } else if (c == '\\') {
                escaped = true;
            } else if (c == '"') {
                in_string = false;
            }
            continue;
        }
        if (c == '"') {
            in_string = true;
        } else if (c == '{' || c == '[') {
            if (++depth > max_depth) {
                return core::invalid_argument("JSON nests deeper than " +
                                              std::to_string(max_depth) + " levels at byte " +
                                              std::to_string(i));
            }
        } else if (c == '}' || c == ']') {
            --depth;
        }
    }
    return {};
}

} // namespace

static bool check_depth_ok(std::string_view text) {
    return check_depth(text, JsonLimits{}.max_depth).ok();
}

struct JsonDocument::Impl {
    rapidjson::Document doc;
};

JsonDocument::JsonDocument(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
JsonDocument::JsonDocument(JsonDocument&&) noexcept = default;
JsonDocument& JsonDocument::operator=(JsonDocument&&) noexcept = default;
JsonDocument::~JsonDocument() = default;

core::Result<JsonDocument> JsonDocument::parse(std::string_view text, const JsonLimits& limits) {
    EDGEAI_TRY(check_depth(text, limits.max_depth));
    auto impl = std::make_unique<Impl>();
    // Not kParseFullPrecisionFlag: its big-number path in RapidJSON 1.1.0 shifts
    // by negative amounts on huge exponents (found by requests_fuzz), and the
    // gateway forwards the client's original bytes, so doubles are only checked.
    constexpr unsigned kFlags =
        rapidjson::kParseIterativeFlag | rapidjson::kParseValidateEncodingFlag;
    impl->doc.Parse<kFlags>(text.data(), text.size());
    if (impl->doc.HasParseError()) {
        return core::invalid_argument(std::string("invalid JSON at byte ") +
                                      std::to_string(impl->doc.GetErrorOffset()) + ": " +
                                      rapidjson::GetParseError_En(impl->doc.GetParseError()));
    }
    return JsonDocument(std::move(impl));
}

JsonValue JsonDocument::root() const {
    return JsonValue(&impl_->doc);
}

JsonValue::Type JsonValue::type() const {
    if (v_ == nullptr) return Type::kMissing;
    switch (rj(v_)->GetType()) {
    case rapidjson::kNullType:
        return Type::kNull;
    case rapidjson::kFalseType:
    case rapidjson::kTrueType:
        return Type::kBool;
    case rapidjson::kNumberType:
        return Type::kNumber;
    case rapidjson::kStringType:
        return Type::kString;
    case rapidjson::kArrayType:
        return Type::kArray;
    case rapidjson::kObjectType:
        return Type::kObject;
    }
    return Type::kMissing;
}

bool JsonValue::is_integer() const {
    if (!is_number()) return false;
    const RjValue* v = rj(v_);
    if (v->IsInt64()) return true;
    if (v->IsUint64()) return false; // above INT64_MAX
    double d = v->GetDouble();
    return d == static_cast<double>(static_cast<int64_t>(d)) && d > -9.2e18 && d < 9.2e18;
}

std::string_view JsonValue::as_string() const {
    if (!is_string()) return {};
    return {rj(v_)->GetString(), rj(v_)->GetStringLength()};
}

double JsonValue::as_double() const {
    return is_number() ? rj(v_)->GetDouble() : 0.0;
}

int64_t JsonValue::as_int64() const {
    if (!is_integer()) return 0;
    const RjValue* v = rj(v_);
    return v->IsInt64() ? v->GetInt64() : static_cast<int64_t>(v->GetDouble());
}

bool JsonValue::as_bool() const {
    return is_bool() && rj(v_)->GetBool();
}

JsonValue JsonValue::operator[](std::string_view key) const {
    if (!is_object()) return {};
    const RjValue* v = rj(v_);
    for (auto it = v->MemberBegin(); it != v->MemberEnd(); ++it) {
        if (std::string_view(it->name.GetString(), it->name.GetStringLength()) == key) {
            return JsonValue(&it->value);
        }
    }
    return {};
}

size_t JsonValue::size() const {
    if (is_array()) return rj(v_)->Size();
    if (is_object()) return rj(v_)->MemberCount();
    return 0;
}

JsonValue JsonValue::at(size_t index) const {
    if (!is_array() || index >= rj(v_)->Size()) return {};
    return JsonValue(&(*rj(v_))[static_cast<rapidjson::SizeType>(index)]);
}

std::string_view JsonValue::member_name(size_t index) const {
    if (!is_object() || index >= rj(v_)->MemberCount()) return {};
    const auto& m = *(rj(v_)->MemberBegin() + static_cast<std::ptrdiff_t>(index));
    return {m.name.GetString(), m.name.GetStringLength()};
}

JsonValue JsonValue::member_value(size_t index) const {
    if (!is_object() || index >= rj(v_)->MemberCount()) return {};
    return JsonValue(&(rj(v_)->MemberBegin() + static_cast<std::ptrdiff_t>(index))->value);
}

std::string_view json_type_phrase(JsonValue::Type type) {
    switch (type) {
    case JsonValue::Type::kMissing:
        return "nothing";
    case JsonValue::Type::kNull:
        return "null";
    case JsonValue::Type::kBool:
        return "a boolean";
    case JsonValue::Type::kNumber:
        return "a number";
    case JsonValue::Type::kString:
        return "a string";
    case JsonValue::Type::kArray:
        return "an array";
    case JsonValue::Type::kObject:
        return "an object";
    }
    return "something else";
}

} // namespace edgeai::codec

#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

namespace edgeai::codec {

bool is_valid_json(std::string_view text) {
    if (!check_depth_ok(text)) return false;
    rapidjson::Reader reader;
    rapidjson::MemoryStream stream(text.data(), text.size());
    rapidjson::BaseReaderHandler<> handler;
    constexpr unsigned kFlags =
        rapidjson::kParseIterativeFlag | rapidjson::kParseValidateEncodingFlag;
    return !reader.Parse<kFlags>(stream, handler).IsError();
}

} // namespace edgeai::codec
