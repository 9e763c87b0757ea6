#include "engine/template/value_json.h"

#include "codec/json/json_writer.h"
#include "core/utf8.h"

#include <algorithm>
#include <cstdio>

namespace edgeai::engine::tmpl {

Value value_from_json(codec::JsonValue json) {
    switch (json.type()) {
    case codec::JsonValue::Type::kMissing:
        return Value();
    case codec::JsonValue::Type::kNull:
        return Value::none();
    case codec::JsonValue::Type::kBool:
        return Value::boolean(json.as_bool());
    case codec::JsonValue::Type::kNumber:
        if (json.written_as_integer()) return Value::integer(json.as_int64());
        return Value::number(json.as_double());
    case codec::JsonValue::Type::kString:
        return Value::string(std::string(json.as_string()));
    case codec::JsonValue::Type::kArray: {
        List items;
        items.reserve(json.size());
        for (size_t i = 0; i < json.size(); ++i)
            items.push_back(value_from_json(json.at(i)));
        return Value::list(std::move(items));
    }
    case codec::JsonValue::Type::kObject:
        break;
    }
    Dict entries;
    entries.reserve(json.size());
    for (size_t i = 0; i < json.size(); ++i) {
        entries.emplace_back(std::string(json.member_name(i)),
                             value_from_json(json.member_value(i)));
    }
    return Value::dict(std::move(entries));
}

namespace {

void append_u_escape(std::string& out, uint32_t unit) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "\\u%04x", unit);
    out += buf;
}

// Python's json escapes exactly what our JSON writer escapes (quote,
// backslash, control characters, with lowercase hex); ensure_ascii also
// writes every non-ASCII code point as \\u escapes (surrogate pairs above
// U+FFFF).
void append_json_string_py(std::string& out, const std::string& s, bool ensure_ascii) {
    if (!ensure_ascii) {
        codec::append_json_string(out, s);
        return;
    }
    std::string escaped;
    codec::append_json_string(escaped, s);
    for (size_t i = 0; i < escaped.size();) {
        uint32_t cp = static_cast<unsigned char>(escaped[i]);
        size_t n = 1;
        if (cp >= 0x80) n = core::decode_utf8(escaped, i, &cp);
        if (cp < 0x80 || n == 0) {
            out += escaped[i++];
            continue;
        }
        if (cp >= 0x10000) {
            cp -= 0x10000;
            append_u_escape(out, 0xd800 + (cp >> 10));
            append_u_escape(out, 0xdc00 + (cp & 0x3ff));
        } else {
            append_u_escape(out, cp);
        }
        i += n;
    }
}

struct Dumper {
    const JsonDumpOptions& options;
    size_t max_bytes;
    std::string out;
    std::string item_separator;
    std::string key_separator;

    void newline(int depth) {
        out += '\n';
        out.append(static_cast<size_t>(*options.indent) * static_cast<size_t>(depth), ' ');
    }

    core::Status dump(const Value& v, int depth) {
        if (depth > kMaxValueDepth) {
            return core::invalid_argument("tojson: value nested deeper than " +
                                          std::to_string(kMaxValueDepth) + " levels");
        }
        if (out.size() > max_bytes) {
            return core::resource_exhausted("tojson output is larger than the template output "
                                            "limit of " +
                                            std::to_string(max_bytes) + " bytes");
        }
        switch (v.kind()) {
        case Value::Kind::kNone:
            out += "null";
            return {};
        case Value::Kind::kBool:
            out += v.as_bool() ? "true" : "false";
            return {};
        case Value::Kind::kInt:
            out += std::to_string(v.as_int());
            return {};
        case Value::Kind::kFloat: {
            const std::string repr = float_repr(v.as_float());
            // Python's json names the non-finite floats as JavaScript does.
            out += repr == "nan"    ? "NaN"
                   : repr == "inf"  ? "Infinity"
                   : repr == "-inf" ? "-Infinity"
                                    : repr;
            return {};
        }
        case Value::Kind::kString:
            append_json_string_py(out, v.as_string(), options.ensure_ascii);
            return {};
        case Value::Kind::kList:
            return dump_list(v.as_list(), depth);
        case Value::Kind::kDict:
            return dump_dict(v.as_dict(), depth);
        default:
            break;
        }
        return core::invalid_argument("Object of type " + std::string(type_name(v)) +
                                      " is not JSON serializable");
    }

    core::Status dump_list(const List& items, int depth) {
        if (items.empty()) {
            out += "[]";
            return {};
        }
        out += '[';
        for (size_t i = 0; i < items.size(); ++i) {
            if (i > 0) out += item_separator;
            if (options.indent) newline(depth + 1);
            EDGEAI_TRY(dump(items[i], depth + 1));
        }
        if (options.indent) newline(depth);
        out += ']';
        return {};
    }

    core::Status dump_dict(const Dict& entries, int depth) {
        if (entries.empty()) {
            out += "{}";
            return {};
        }
        std::vector<const std::pair<std::string, Value>*> order;
        order.reserve(entries.size());
        for (const auto& e : entries)
            order.push_back(&e);
        if (options.sort_keys) {
            std::stable_sort(order.begin(), order.end(),
                             [](const auto* a, const auto* b) { return a->first < b->first; });
        }
        out += '{';
        for (size_t i = 0; i < order.size(); ++i) {
            if (i > 0) out += item_separator;
            if (options.indent) newline(depth + 1);
            append_json_string_py(out, order[i]->first, options.ensure_ascii);
            out += key_separator;
            EDGEAI_TRY(dump(order[i]->second, depth + 1));
        }
        if (options.indent) newline(depth);
        out += '}';
        return {};
    }
};

} // namespace

core::Result<std::string> dump_json(const Value& value, const JsonDumpOptions& options,
                                    size_t max_bytes) {
    Dumper d{options, max_bytes, {}, options.item_separator, options.key_separator};
    if (d.item_separator.empty()) d.item_separator = options.indent ? "," : ", ";
    if (d.key_separator.empty()) d.key_separator = ": ";
    EDGEAI_TRY(d.dump(value, 0));
    if (d.out.size() > max_bytes) {
        return core::resource_exhausted("tojson output is larger than the template output limit "
                                        "of " +
                                        std::to_string(max_bytes) + " bytes");
    }
    return std::move(d.out);
}

} // namespace edgeai::engine::tmpl
