// A small streaming JSON writer: appends to a string, escapes per RFC 8259 and
// inserts commas itself, so building a response is a straight line of calls.
// Misnested calls are programmer errors; the output is then not valid JSON.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace edgeai::codec {

class JsonWriter {
  public:
    JsonWriter() = default;
    explicit JsonWriter(std::string* out) : out_(out) {}

    JsonWriter& begin_object();
    JsonWriter& end_object();
    JsonWriter& begin_array();
    JsonWriter& end_array();
    JsonWriter& key(std::string_view name);

    JsonWriter& value(std::string_view s);
    JsonWriter& value(const char* s) { return value(std::string_view(s)); }
    JsonWriter& value(int64_t n);
    JsonWriter& value(int n) { return value(static_cast<int64_t>(n)); }
    JsonWriter& value(uint64_t n);
    JsonWriter& value(double d);
    JsonWriter& value(bool b);
    JsonWriter& null();
    // Already-serialised JSON, inserted as one value.
    JsonWriter& raw(std::string_view json);

    // key + value in one call.
    template <typename T> JsonWriter& field(std::string_view name, T v) {
        key(name);
        return value(v);
    }

    const std::string& str() const { return *out_; }
    std::string take() { return std::move(*out_); }

  private:
    void before_value();

    std::string own_;
    std::string* out_ = &own_;
    // One bit per nesting level: does the current container already hold an item?
    uint64_t has_item_ = 0;
    int depth_ = 0;
    bool after_key_ = false;
};

// Appends `s` as a quoted JSON string; invalid UTF-8 bytes become U+FFFD so the
// output is always valid JSON whatever bytes came in.
void append_json_string(std::string& out, std::string_view s);

} // namespace edgeai::codec
