#include "codec/json/json_document.h"

#include "codec/json/json_validator.h"
#include "codec/json/json_writer.h"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include <string>

namespace edgeai::codec {

namespace {

using RjValue = rapidjson::Value;

const RjValue* rj(const void* v) {
    return static_cast<const RjValue*>(v);
}

} // namespace

// The document's nodes and the parser's stack live in buffers inside Impl for
// request-sized JSON, so a parse costs one allocation instead of RapidJSON's
// default 64 KiB chunk plus a stack; larger documents spill to the heap.
struct JsonDocument::Impl {
    static constexpr size_t kInlineNodeBytes = 4096;
    static constexpr size_t kInlineStackBytes = 1024;
    using Allocator = rapidjson::MemoryPoolAllocator<rapidjson::CrtAllocator>;
    using Document = rapidjson::GenericDocument<rapidjson::UTF8<>, Allocator, Allocator>;

    alignas(8) char node_buffer[kInlineNodeBytes];
    alignas(8) char stack_buffer[kInlineStackBytes];
    Allocator node_allocator{node_buffer, sizeof node_buffer};
    Allocator stack_allocator{stack_buffer, sizeof stack_buffer};
    Document doc{&node_allocator, kInlineStackBytes / 2, &stack_allocator};
};

JsonDocument::JsonDocument(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
JsonDocument::JsonDocument(JsonDocument&&) noexcept = default;
JsonDocument& JsonDocument::operator=(JsonDocument&&) noexcept = default;
JsonDocument::~JsonDocument() = default;

core::Result<JsonDocument> JsonDocument::parse(std::string_view text, const JsonLimits& limits) {
    // One fast pass checks the depth (RapidJSON's iterative parser cannot
    // overflow the stack, but walking a 100k-deep tree later could); RapidJSON
    // then builds the tree and reports any syntax error precisely.
    JsonCheck check = check_json(text, limits.max_depth);
    if (check.too_deep) {
        return core::invalid_argument("JSON nests deeper than " + std::to_string(limits.max_depth) +
                                      " levels at byte " + std::to_string(check.error_offset));
    }
    auto impl = std::make_unique<Impl>();
    // Not kParseFullPrecisionFlag: its big-number path in RapidJSON 1.1.0 shifts
    // by negative amounts on huge exponents (found by requests_fuzz), and the
    // gateway forwards the client's original bytes, so doubles are only checked.
    // Text the validator passed is valid UTF-8 already; RapidJSON checks the
    // encoding again only to word the error for text that failed.
    constexpr unsigned kFlags = rapidjson::kParseIterativeFlag;
    if (check.valid) {
        impl->doc.Parse<kFlags>(text.data(), text.size());
    } else {
        impl->doc.Parse<kFlags | rapidjson::kParseValidateEncodingFlag>(text.data(), text.size());
    }
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

bool JsonValue::written_as_integer() const {
    return is_number() && rj(v_)->IsInt64();
}

bool JsonValue::is_integer() const {
    if (!is_number()) return false;
    const RjValue* v = rj(v_);
    if (v->IsInt64()) return true;
    if (v->IsUint64()) return false; // above INT64_MAX
    double d = v->GetDouble();
    // Range first: converting a double outside int64_t's range is undefined.
    if (!(d > -9.2e18 && d < 9.2e18)) return false;
    return d == static_cast<double>(static_cast<int64_t>(d));
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

namespace {

// JsonWriter remembers "this container has an item" in one bit per level for
// 64 levels, so values nested deeper than that would lose commas; every
// kLevelsPerWriter levels a fresh writer takes over and its text is spliced in.
constexpr int kLevelsPerWriter = 32;

void write_rj_value(JsonWriter& w, const RjValue& v, int level) {
    if (level == kLevelsPerWriter && (v.IsObject() || v.IsArray())) {
        JsonWriter inner;
        write_rj_value(inner, v, 0);
        w.raw(inner.str());
        return;
    }
    switch (v.GetType()) {
    case rapidjson::kNullType:
        w.null();
        break;
    case rapidjson::kFalseType:
        w.value(false);
        break;
    case rapidjson::kTrueType:
        w.value(true);
        break;
    case rapidjson::kNumberType:
        if (v.IsInt64()) {
            w.value(static_cast<int64_t>(v.GetInt64()));
        } else if (v.IsUint64()) {
            w.value(static_cast<uint64_t>(v.GetUint64()));
        } else {
            w.value(v.GetDouble());
        }
        break;
    case rapidjson::kStringType:
        w.value(std::string_view(v.GetString(), v.GetStringLength()));
        break;
    case rapidjson::kArrayType:
        w.begin_array();
        for (auto it = v.Begin(); it != v.End(); ++it)
            write_rj_value(w, *it, level + 1);
        w.end_array();
        break;
    case rapidjson::kObjectType:
        w.begin_object();
        for (auto it = v.MemberBegin(); it != v.MemberEnd(); ++it) {
            w.key(std::string_view(it->name.GetString(), it->name.GetStringLength()));
            write_rj_value(w, it->value, level + 1);
        }
        w.end_object();
        break;
    }
}

} // namespace

void write_json_value(JsonWriter& w, JsonValue v) {
    if (v.v_ == nullptr) {
        // A missing value has no text; null keeps the output well-formed.
        w.null();
        return;
    }
    write_rj_value(w, *rj(v.v_), 0);
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

namespace edgeai::codec {

bool is_valid_json(std::string_view text) {
    return check_json(text, JsonLimits{}.max_depth).valid;
}

} // namespace edgeai::codec
