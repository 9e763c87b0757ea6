// Checks for request fields that name the field in every error, so a client
// reads "temperature: expected a number between 0 and 2, found a string" rather
// than "bad request". A field that is absent passes every optional check.
#pragma once

#include "codec/json/json_document.h"
#include "core/result.h"
#include "core/status.h"

#include <initializer_list>
#include <string>
#include <string_view>

namespace edgeai::api {

using codec::JsonValue;

// A request body as a JSON object, or an error a client can act on.
core::Result<codec::JsonDocument> parse_request_body(std::string_view body);

core::Status field_error(std::string field, std::string message);

// A field's name as errors spell it ("messages[2].content"), put together only
// when an error is made: every request is checked field by field, and building
// each name up front cost several allocations per message on requests that
// pass. Holds views: it lives as long as the statement that makes it.
class FieldPath {
  public:
    FieldPath(const char* name) : prefix_(name) {}
    FieldPath(std::string_view name) : prefix_(name) {}
    FieldPath(const std::string& name) : prefix_(name) {}
    // prefix[index] followed by suffix (".role"), as in "messages[2].role".
    FieldPath(std::string_view prefix, size_t index, std::string_view suffix = {})
        : prefix_(prefix), suffix_(suffix), index_(index), indexed_(true) {}

    std::string str() const;

  private:
    std::string_view prefix_;
    std::string_view suffix_;
    size_t index_ = 0;
    bool indexed_ = false;
};

// Required: present and of the type.
core::Status require_string(JsonValue v, const FieldPath& field, bool allow_empty = false);
core::Status require_array(JsonValue v, const FieldPath& field, bool allow_empty = false);
core::Status require_object(JsonValue v, const FieldPath& field);

// Optional: absent or null passes; otherwise the type and range must hold.
core::Status optional_bool(JsonValue v, const FieldPath& field);
core::Status optional_string(JsonValue v, const FieldPath& field);
core::Status optional_object(JsonValue v, const FieldPath& field);
core::Status optional_number(JsonValue v, const FieldPath& field, double min, double max);
core::Status optional_integer(JsonValue v, const FieldPath& field, int64_t min, int64_t max);
core::Status optional_enum(JsonValue v, const FieldPath& field,
                           std::initializer_list<std::string_view> allowed);

// A model id: a non-empty string with no "." or ".." between slashes (ids
// travel in upstream paths, /v1/models/{id}, where such a segment would
// climb out of the path).
core::Status require_model(JsonValue v);
core::Status check_model_id(std::string_view id, const FieldPath& field);

// "a string or an array of strings" (stop sequences, with a count cap).
core::Status optional_string_or_strings(JsonValue v, const FieldPath& field, size_t max_count);

// The inputs of completions and embeddings: a string, an array of strings, an
// array of token ids, or an array of arrays of token ids.
core::Status require_text_or_tokens(JsonValue v, const FieldPath& field);

std::string indexed(const FieldPath& field, size_t index);

} // namespace edgeai::api
