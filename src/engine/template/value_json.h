// JSON in and out of template values: requests' messages and tools become
// values, and `tojson` writes values back as Hugging Face's filter does
// (Python's json.dumps with ensure_ascii=False), whose spacing differs from
// our JsonWriter's compact output.
#pragma once

#include "codec/json/json_document.h"
#include "core/result.h"
#include "engine/template/value.h"

#include <optional>
#include <string>

namespace edgeai::engine::tmpl {

// Objects keep their member order; numbers written as integers stay integers.
Value value_from_json(codec::JsonValue json);

struct JsonDumpOptions {
    std::optional<int> indent; // none: one line, items separated by ", "
    bool sort_keys = false;
    std::string item_separator; // empty: Python's default for the indent
    std::string key_separator;  // empty: ": "
    bool ensure_ascii = false;
};

// json.dumps(value, ...). Undefined values, namespaces and callables are not
// JSON: the error names the type. `max_bytes` bounds the output.
core::Result<std::string> dump_json(const Value& value, const JsonDumpOptions& options,
                                    size_t max_bytes);

} // namespace edgeai::engine::tmpl
