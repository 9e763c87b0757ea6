// Read-only JSON: parse bytes into a document, then walk it through JsonValue
// views. RapidJSON stays behind this interface (it does not build on every
// compiler we may meet later), and every parse is bounded in depth and size.
#pragma once

#include "core/result.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

namespace edgeai::codec {

class JsonWriter;
class JsonValue;

// Writes `v` (and everything under it) as JSON, e.g. to pass a client's tool
// schema on inside a body built with JsonWriter. Integers keep their integer
// form; other numbers are written in the shortest form that reads back equal.
void write_json_value(JsonWriter& w, JsonValue v);

struct JsonLimits {
    // Deeper nesting than any real request has; deep enough to refuse stack games.
    int max_depth = 128;
};

// A view into a JsonDocument, valid while the document lives. Asking for a key
// that is absent, or indexing a non-array, gives a missing value rather than an
// error, so validation code can ask first and complain precisely after.
class JsonValue {
  public:
    enum class Type { kMissing, kNull, kBool, kNumber, kString, kArray, kObject };

    JsonValue() = default;

    Type type() const;
    bool is_missing() const { return v_ == nullptr; }
    bool is_null() const { return type() == Type::kNull; }
    bool is_bool() const { return type() == Type::kBool; }
    bool is_number() const { return type() == Type::kNumber; }
    bool is_string() const { return type() == Type::kString; }
    bool is_array() const { return type() == Type::kArray; }
    bool is_object() const { return type() == Type::kObject; }
    // A number with no fractional part that fits int64_t.
    bool is_integer() const;
    // A number written without a fraction or exponent ("2", not "2.0"), as
    // Python's json module tells int from float.
    bool written_as_integer() const;

    // Each returns a neutral value when the type does not match.
    std::string_view as_string() const;
    double as_double() const;
    int64_t as_int64() const;
    bool as_bool() const;

    // Object member by name.
    JsonValue operator[](std::string_view key) const;
    // Number of array elements or object members; 0 for anything else.
    size_t size() const;
    // Array element.
    JsonValue at(size_t index) const;
    // Object member name and value by position.
    std::string_view member_name(size_t index) const;
    JsonValue member_value(size_t index) const;

  private:
    friend class JsonDocument;
    friend void write_json_value(JsonWriter& w, JsonValue v);
    explicit JsonValue(const void* v) : v_(v) {}
    const void* v_ = nullptr;
};

// "a string", "an array", ... for error messages.
std::string_view json_type_phrase(JsonValue::Type type);

class JsonDocument {
  public:
    // Parses UTF-8 JSON text; errors give the byte offset and what was wrong.
    static core::Result<JsonDocument> parse(std::string_view text, const JsonLimits& limits = {});

    JsonDocument(JsonDocument&&) noexcept;
    JsonDocument& operator=(JsonDocument&&) noexcept;
    ~JsonDocument();

    JsonValue root() const;

  private:
    struct Impl;
    explicit JsonDocument(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

} // namespace edgeai::codec

namespace edgeai::codec {
// True when `text` is one complete JSON value; checks without building a tree.
bool is_valid_json(std::string_view text);
} // namespace edgeai::codec
