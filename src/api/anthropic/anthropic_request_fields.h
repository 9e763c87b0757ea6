// Field checks both directions of the request translation share. Internal to
// api/anthropic: the gateway and the router use anthropic_requests.h.
#pragma once

#include "api/field_check.h"
#include "codec/json/json_document.h"
#include "core/result.h"

#include <string>
#include <string_view>

namespace edgeai::api::anthropic::detail {

inline bool absent(codec::JsonValue v) {
    return v.is_missing() || v.is_null();
}

inline std::string found(codec::JsonValue v) {
    return "found " + std::string(codec::json_type_phrase(v.type()));
}

inline std::string quoted(std::string_view s) {
    return "'" + std::string(s) + "'";
}

// The field and type of one content block, checked before its type is read.
inline core::Status require_block(codec::JsonValue block, const std::string& field) {
    EDGEAI_TRY(require_object(block, field));
    return require_string(block["type"], field + ".type");
}

} // namespace edgeai::api::anthropic::detail
