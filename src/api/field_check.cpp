#include "api/field_check.h"

#include <cmath>

namespace edgeai::api {

core::Result<codec::JsonDocument> parse_request_body(std::string_view body) {
    auto doc = codec::JsonDocument::parse(body);
    if (!doc.ok()) {
        return core::invalid_argument("We could not parse the JSON body of your request: " +
                                      doc.status().message() + ". Send a JSON object as the body.");
    }
    if (!doc->root().is_object()) {
        return core::invalid_argument("The request body must be a JSON object, found " +
                                      std::string(codec::json_type_phrase(doc->root().type())));
    }
    return doc;
}

namespace {

std::string found(JsonValue v) {
    std::string s = "found ";
    s += codec::json_type_phrase(v.type());
    return s;
}

bool absent(JsonValue v) {
    return v.is_missing() || v.is_null();
}

std::string number_text(double d) {
    if (d == std::floor(d) && std::fabs(d) < 1e15) return std::to_string(static_cast<int64_t>(d));
    std::string s = std::to_string(d);
    while (!s.empty() && s.back() == '0')
        s.pop_back();
    return s;
}

} // namespace

core::Status field_error(std::string field, std::string message) {
    core::Status s = core::invalid_argument(field + ": " + message);
    s.with_field(std::move(field));
    return s;
}

std::string FieldPath::str() const {
    std::string out(prefix_);
    if (indexed_) out += "[" + std::to_string(index_) + "]" + std::string(suffix_);
    return out;
}

std::string indexed(const FieldPath& field, size_t index) {
    return field.str() + "[" + std::to_string(index) + "]";
}

core::Status require_string(JsonValue v, const FieldPath& field, bool allow_empty) {
    if (v.is_missing()) return field_error(field.str(), "is required");
    if (!v.is_string()) return field_error(field.str(), "expected a string, " + found(v));
    if (!allow_empty && v.as_string().empty()) {
        return field_error(field.str(), "must not be empty");
    }
    return {};
}

core::Status require_array(JsonValue v, const FieldPath& field, bool allow_empty) {
    if (v.is_missing()) return field_error(field.str(), "is required");
    if (!v.is_array()) return field_error(field.str(), "expected an array, " + found(v));
    if (!allow_empty && v.size() == 0) {
        return field_error(field.str(), "must not be empty");
    }
    return {};
}

core::Status require_object(JsonValue v, const FieldPath& field) {
    if (v.is_missing()) return field_error(field.str(), "is required");
    if (!v.is_object()) return field_error(field.str(), "expected an object, " + found(v));
    return {};
}

core::Status check_model_id(std::string_view id, const FieldPath& field) {
    size_t start = 0;
    while (start <= id.size()) {
        size_t end = id.find('/', start);
        if (end == std::string_view::npos) end = id.size();
        const std::string_view segment = id.substr(start, end - start);
        if (segment == "." || segment == "..")
            return field_error(field.str(), "a model id may not hold a '" + std::string(segment) +
                                                "' path segment");
        start = end + 1;
    }
    return {};
}

core::Status require_model(JsonValue v) {
    EDGEAI_TRY(require_string(v, "model"));
    return check_model_id(v.as_string(), "model");
}

core::Status optional_bool(JsonValue v, const FieldPath& field) {
    if (absent(v) || v.is_bool()) return {};
    return field_error(field.str(), "expected a boolean, " + found(v));
}

core::Status optional_string(JsonValue v, const FieldPath& field) {
    if (absent(v) || v.is_string()) return {};
    return field_error(field.str(), "expected a string, " + found(v));
}

core::Status optional_object(JsonValue v, const FieldPath& field) {
    if (absent(v) || v.is_object()) return {};
    return field_error(field.str(), "expected an object, " + found(v));
}

core::Status optional_number(JsonValue v, const FieldPath& field, double min, double max) {
    if (absent(v)) return {};
    if (!v.is_number() || v.as_double() < min || v.as_double() > max) {
        std::string msg =
            "expected a number between " + number_text(min) + " and " + number_text(max) + ", ";
        msg += v.is_number() ? "found " + number_text(v.as_double()) : found(v);
        return field_error(field.str(), msg);
    }
    return {};
}

core::Status optional_integer(JsonValue v, const FieldPath& field, int64_t min, int64_t max) {
    if (absent(v)) return {};
    if (!v.is_integer() || v.as_int64() < min || v.as_int64() > max) {
        std::string msg = "expected an integer between " + std::to_string(min) + " and " +
                          std::to_string(max) + ", ";
        msg += v.is_number() ? "found " + number_text(v.as_double()) : found(v);
        return field_error(field.str(), msg);
    }
    return {};
}

core::Status optional_enum(JsonValue v, const FieldPath& field,
                           std::initializer_list<std::string_view> allowed) {
    if (absent(v)) return {};
    if (v.is_string()) {
        for (std::string_view a : allowed) {
            if (v.as_string() == a) return {};
        }
    }
    std::string list;
    for (std::string_view a : allowed) {
        if (!list.empty()) list += ", ";
        list += a;
    }
    std::string what = v.is_string() ? "'" + std::string(v.as_string()) + "'" : found(v);
    return field_error(field.str(), "expected one of " + list + "; found " + what);
}

core::Status optional_string_or_strings(JsonValue v, const FieldPath& field, size_t max_count) {
    if (absent(v) || v.is_string()) return {};
    if (!v.is_array()) {
        return field_error(field.str(), "expected a string or an array of strings, " + found(v));
    }
    if (v.size() > max_count) {
        return field_error(field.str(), "at most " + std::to_string(max_count) +
                                            " entries are allowed, found " +
                                            std::to_string(v.size()));
    }
    for (size_t i = 0; i < v.size(); ++i) {
        if (!v.at(i).is_string()) {
            return field_error(indexed(field, i), "expected a string, " + found(v.at(i)));
        }
    }
    return {};
}

core::Status require_text_or_tokens(JsonValue v, const FieldPath& field) {
    constexpr std::string_view kShape =
        "expected a string, an array of strings, an array of token ids or an array of arrays "
        "of token ids, ";
    if (v.is_missing()) return field_error(field.str(), "is required");
    if (v.is_string()) return {};
    if (!v.is_array()) return field_error(field.str(), std::string(kShape) + found(v));
    if (v.size() == 0) return field_error(field.str(), "must not be empty");
    JsonValue first = v.at(0);
    for (size_t i = 0; i < v.size(); ++i) {
        JsonValue item = v.at(i);
        if (item.type() != first.type()) {
            return field_error(indexed(field, i),
                               "all entries must have the same type as the "
                               "first one (" +
                                   std::string(codec::json_type_phrase(first.type())) + "), " +
                                   found(item));
        }
        if (item.is_string()) continue;
        if (item.is_number()) {
            if (!item.is_integer() || item.as_int64() < 0) {
                return field_error(indexed(field, i), "token ids are non-negative integers");
            }
            continue;
        }
        if (item.is_array()) {
            for (size_t k = 0; k < item.size(); ++k) {
                JsonValue t = item.at(k);
                if (!t.is_integer() || t.as_int64() < 0) {
                    return field_error(indexed(indexed(field, i), k),
                                       "token ids are non-negative integers");
                }
            }
            continue;
        }
        return field_error(indexed(field, i), std::string(kShape) + found(item));
    }
    return {};
}

} // namespace edgeai::api
