#include "engine/grammar/json_schema.h"

#include "codec/json/json_document.h"
#include "codec/json/json_writer.h"
#include "engine/grammar/grammar.h"
#include "engine/grammar/regex_gbnf.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <vector>

namespace edgeai::engine::grammar {
namespace {

using codec::JsonValue;

// Shared by every translated schema: compact JSON with bounded numbers.
constexpr std::string_view kBaseRules = R"(ws ::= " "?
json-char ::= [^"\\\x00-\x1F] | "\\" (["\\/bfnrt] | "u" [0-9a-fA-F]{4})
json-string ::= "\"" json-char* "\""
json-int ::= "-"? ([0-9] | [1-9] [0-9]{1,15})
json-number ::= json-int ("." [0-9]{1,16})? ([eE] [-+]? [0-9]{1,3})?
json-bool ::= "true" | "false"
json-null ::= "null"
json-value ::= json-object | json-array | json-string | json-number | json-bool | json-null
json-member ::= json-string ws ":" ws json-value
json-object ::= "{" ws (json-member (ws "," ws json-member)*)? ws "}"
json-array ::= "[" ws (json-value (ws "," ws json-value)*)? ws "]"
)";

constexpr std::string_view kFormats[][2] = {
    {"date", R"("\"" fmt-date "\"")"},
    {"time", R"("\"" fmt-time "\"")"},
    {"date-time", R"("\"" fmt-date "T" fmt-time "\"")"},
    {"uuid",
     R"("\"" [0-9a-fA-F]{8} "-" [0-9a-fA-F]{4} "-" [0-9a-fA-F]{4} "-" [0-9a-fA-F]{4} "-" [0-9a-fA-F]{12} "\"")"},
};
constexpr std::string_view kFormatRules =
    R"(fmt-date ::= [0-9]{4} "-" ("0" [1-9] | "1" [0-2]) "-" ("0" [1-9] | [12] [0-9] | "3" [01])
fmt-time ::= ([01] [0-9] | "2" [0-3]) ":" [0-5] [0-9] ":" [0-5] [0-9] ("." [0-9]{1,6})? ("Z" | [+-] ([01] [0-9] | "2" [0-3]) ":" [0-5] [0-9])
)";

constexpr std::string_view kAnnotations[] = {"$schema",     "$id",       "$comment", "title",
                                             "description", "default",   "examples", "deprecated",
                                             "readOnly",    "writeOnly", "$defs",    "definitions"};
constexpr std::string_view kKeywords[] = {"type",
                                          "enum",
                                          "const",
                                          "anyOf",
                                          "oneOf",
                                          "$ref",
                                          "properties",
                                          "required",
                                          "additionalProperties",
                                          "items",
                                          "prefixItems",
                                          "minItems",
                                          "maxItems",
                                          "uniqueItems",
                                          "minLength",
                                          "maxLength",
                                          "pattern",
                                          "format",
                                          "minimum",
                                          "maximum",
                                          "exclusiveMinimum",
                                          "exclusiveMaximum"};

template <size_t N> bool listed(const std::string_view (&list)[N], std::string_view k) {
    return std::find(std::begin(list), std::end(list), k) != std::end(list);
}

// The canonical JSON text of a value (for const and enum).
std::string json_text(JsonValue v) {
    codec::JsonWriter w;
    codec::write_json_value(w, v);
    return w.take();
}

constexpr int64_t kIntBound = 9999999999999999; // 16 digits

std::string digits_class(char lo, char hi) {
    if (lo == hi) return std::string("\"") + lo + "\"";
    return std::string("[") + lo + "-" + hi + "]";
}

// Equal-length digit strings a <= b: every string between them.
std::string same_length(const std::string& a, const std::string& b) {
    if (a.empty()) return "";
    if (a == b) return "\"" + a + "\"";
    const size_t n = a.size() - 1;
    if (a[0] == b[0])
        return "\"" + std::string(1, a[0]) + "\" " + same_length(a.substr(1), b.substr(1));
    const bool lo_zeros = a.find_first_not_of('0', 1) == std::string::npos;
    const bool hi_nines = b.find_first_not_of('9', 1) == std::string::npos;
    std::vector<std::string> alts;
    char first = a[0], last = b[0];
    if (!lo_zeros) {
        alts.push_back("\"" + std::string(1, a[0]) + "\" " +
                       same_length(a.substr(1), std::string(n, '9')));
        ++first;
    }
    if (!hi_nines) {
        alts.push_back("\"" + std::string(1, b[0]) + "\" " +
                       same_length(std::string(n, '0'), b.substr(1)));
        --last;
    }
    if (first <= last)
        alts.push_back(digits_class(first, last) + (n ? " [0-9]{" + std::to_string(n) + "}" : ""));
    std::string out = "(";
    for (size_t i = 0; i < alts.size(); ++i)
        out += (i ? " | " : "") + alts[i];
    return out + ")";
}

std::string nonnegative_range(int64_t lo, int64_t hi) {
    std::vector<std::string> alts;
    int64_t low_of_len = 0, high_of_len = 9;
    for (;;) {
        const int64_t a = std::max(lo, low_of_len), b = std::min(hi, high_of_len);
        if (a <= b) alts.push_back(same_length(std::to_string(a), std::to_string(b)));
        if (high_of_len >= hi) break;
        low_of_len = high_of_len + 1;
        high_of_len = high_of_len * 10 + 9;
    }
    std::string out = "(";
    for (size_t i = 0; i < alts.size(); ++i)
        out += (i ? " | " : "") + alts[i];
    return out + ")";
}

std::string integer_range(int64_t lo, int64_t hi) {
    std::vector<std::string> alts;
    if (lo < 0) alts.push_back("\"-\" " + nonnegative_range(-std::min<int64_t>(hi, -1), -lo));
    if (hi >= 0) alts.push_back(nonnegative_range(std::max<int64_t>(lo, 0), hi));
    std::string out = "(";
    for (size_t i = 0; i < alts.size(); ++i)
        out += (i ? " | " : "") + alts[i];
    return out + ")";
}

class Translator {
  public:
    Translator(JsonValue root, const SchemaLimits& limits, std::string_view prefix)
        : root_(root), limits_(limits), prefix_(prefix) {}

    core::Result<SchemaRules> run() {
        SchemaRules out;
        EDGEAI_ASSIGN_OR_RETURN(out.entry, expr(root_, "#", 0));
        out.rules = std::move(rules_);
        out.formats = formats_;
        if (out.rules.size() + out.entry.size() > limits_.max_grammar_bytes) return too_big();
        return out;
    }

  private:
    static core::Status at(const std::string& path, const std::string& message) {
        return core::invalid_argument("schema path " + path + ": " + message);
    }
    core::Status too_big() const {
        return core::invalid_argument("the schema's grammar would exceed " +
                                      std::to_string(limits_.max_grammar_bytes) +
                                      " bytes; simplify the schema");
    }

    std::string rule(const std::string& body) {
        std::string name = prefix_ + "s" + std::to_string(next_rule_++);
        rules_ += name + " ::= " + body + "\n";
        return name;
    }

    core::Result<std::string> expr(JsonValue s, const std::string& path, uint32_t depth) {
        if (depth > limits_.max_depth)
            return at(path, "nested deeper than " + std::to_string(limits_.max_depth));
        if (rules_.size() > limits_.max_grammar_bytes) return too_big();
        if (s.is_bool()) {
            if (s.as_bool()) return std::string("json-value");
            return at(path, "the schema false allows no value");
        }
        if (!s.is_object()) return at(path, "a schema must be an object or a boolean");
        for (size_t i = 0; i < s.size(); ++i) {
            const std::string_view k = s.member_name(i);
            if (!listed(kAnnotations, k) && !listed(kKeywords, k))
                return at(path + "/" + std::string(k),
                          "keyword " + std::string(k) + " is not supported");
        }
        // Keywords that stand alone: other constraints beside them are refused.
        for (std::string_view k : {"$ref", "anyOf", "oneOf"}) {
            if (s[k].is_missing()) continue;
            for (size_t i = 0; i < s.size(); ++i) {
                const std::string_view o = s.member_name(i);
                if (o != k && listed(kKeywords, o))
                    return at(path + "/" + std::string(o),
                              std::string(o) + " beside " + std::string(k) + " is not supported");
            }
        }
        if (!s["$ref"].is_missing()) return ref(s["$ref"], path + "/$ref", depth);
        for (std::string_view k : {"anyOf", "oneOf"}) {
            const JsonValue list = s[k];
            if (list.is_missing()) continue;
            const std::string p = path + "/" + std::string(k);
            if (!list.is_array() || list.size() == 0) return at(p, "must be a non-empty array");
            std::string out = "(";
            for (size_t i = 0; i < list.size(); ++i) {
                EDGEAI_ASSIGN_OR_RETURN(std::string e,
                                        expr(list.at(i), p + "/" + std::to_string(i), depth + 1));
                out += (i ? " | " : "") + e;
            }
            return out + ")";
        }
        std::vector<std::string> types;
        EDGEAI_TRY(read_types(s, path, types));
        if (!s["const"].is_missing()) return values(s, path, types, false);
        if (!s["enum"].is_missing()) return values(s, path, types, true);
        if (types.empty()) return std::string("json-value");
        std::string out = "(";
        for (size_t i = 0; i < types.size(); ++i) {
            EDGEAI_ASSIGN_OR_RETURN(std::string e, typed(s, path, types[i], depth));
            out += (i ? " | " : "") + e;
        }
        return out + ")";
    }

    // The types the schema allows: its `type`, or those its keywords imply.
    core::Status read_types(JsonValue s, const std::string& path, std::vector<std::string>& out) {
        const JsonValue t = s["type"];
        static constexpr std::string_view kTypes[] = {"string", "number", "integer", "boolean",
                                                      "null",   "object", "array"};
        auto add = [&](JsonValue v) -> core::Status {
            if (!v.is_string() || !listed(kTypes, v.as_string()))
                return at(path + "/type", "unknown type " + json_text(v));
            out.emplace_back(v.as_string());
            return {};
        };
        if (t.is_array()) {
            for (size_t i = 0; i < t.size(); ++i)
                EDGEAI_TRY(add(t.at(i)));
            if (out.empty()) return at(path + "/type", "must name at least one type");
        } else if (!t.is_missing()) {
            EDGEAI_TRY(add(t));
        }
        // Each type-specific keyword must belong to an allowed type.
        static constexpr std::string_view kOwners[][2] = {{"properties", "object"},
                                                          {"required", "object"},
                                                          {"additionalProperties", "object"},
                                                          {"items", "array"},
                                                          {"prefixItems", "array"},
                                                          {"minItems", "array"},
                                                          {"maxItems", "array"},
                                                          {"uniqueItems", "array"},
                                                          {"minLength", "string"},
                                                          {"maxLength", "string"},
                                                          {"pattern", "string"},
                                                          {"format", "string"},
                                                          {"minimum", "integer"},
                                                          {"maximum", "integer"},
                                                          {"exclusiveMinimum", "integer"},
                                                          {"exclusiveMaximum", "integer"}};
        const bool inferred = out.empty();
        for (const auto& [k, owner] : kOwners) {
            if (s[k].is_missing()) continue;
            const bool number_bound =
                owner == "integer" && std::find(out.begin(), out.end(), "number") != out.end();
            if (number_bound)
                return at(path + "/" + std::string(k),
                          std::string(k) + " is supported for integers only");
            if (std::find(out.begin(), out.end(), owner) != out.end()) continue;
            if (!inferred)
                return at(path + "/" + std::string(k),
                          std::string(k) + " does not apply to the schema's type");
            out.emplace_back(owner);
        }
        return {};
    }

    core::Result<std::string> values(JsonValue s, const std::string& path,
                                     const std::vector<std::string>& types, bool is_enum) {
        const JsonValue list = is_enum ? s["enum"] : s["const"];
        const std::string p = path + (is_enum ? "/enum" : "/const");
        if (is_enum && (!list.is_array() || list.size() == 0))
            return at(p, "must be a non-empty array");
        if (is_enum && list.size() > limits_.max_enum)
            return at(p, "more than " + std::to_string(limits_.max_enum) + " values");
        auto type_of = [](JsonValue v) -> std::string_view {
            switch (v.type()) {
            case JsonValue::Type::kString:
                return "string";
            case JsonValue::Type::kNumber:
                return v.is_integer() ? "integer" : "number";
            case JsonValue::Type::kBool:
                return "boolean";
            case JsonValue::Type::kArray:
                return "array";
            case JsonValue::Type::kObject:
                return "object";
            default:
                return "null";
            }
        };
        std::string out = "(";
        const size_t n = is_enum ? list.size() : 1;
        for (size_t i = 0; i < n; ++i) {
            const JsonValue v = is_enum ? list.at(i) : list;
            const std::string_view t = type_of(v);
            const bool fits =
                types.empty() || std::find(types.begin(), types.end(), t) != types.end() ||
                (t == "integer" && std::find(types.begin(), types.end(), "number") != types.end());
            if (!fits)
                return at(is_enum ? p + "/" + std::to_string(i) : p,
                          json_text(v) + " is not of the schema's type");
            out += (i ? " | " : "") + gbnf_literal(json_text(v));
        }
        return out + ")";
    }

    core::Result<std::string> ref(JsonValue r, const std::string& path, uint32_t depth) {
        if (!r.is_string()) return at(path, "must be a string");
        const std::string target(r.as_string());
        auto known = refs_.find(target);
        if (known != refs_.end()) return known->second;
        if (refs_.size() >= limits_.max_refs)
            return at(path, "more than " + std::to_string(limits_.max_refs) + " $ref targets");
        if (target.empty() || target[0] != '#')
            return at(path, "only references into this document (#...) are supported");
        // A JSON pointer: /-separated, ~1 is / and ~0 is ~.
        JsonValue v = root_;
        size_t at_pos = 1;
        while (at_pos < target.size()) {
            if (target[at_pos] != '/') return at(path, "malformed reference " + target);
            const size_t end = std::min(target.find('/', at_pos + 1), target.size());
            std::string token = target.substr(at_pos + 1, end - at_pos - 1);
            for (size_t i = 0; (i = token.find('~', i)) != std::string::npos; ++i)
                token.replace(i, 2, i + 1 < token.size() && token[i + 1] == '1' ? "/" : "~");
            if (v.is_array()) {
                size_t idx = 0;
                for (char c : token)
                    idx =
                        (c >= '0' && c <= '9') ? idx * 10 + static_cast<size_t>(c - '0') : SIZE_MAX;
                v = idx < v.size() ? v.at(idx) : JsonValue();
            } else {
                v = v[token];
            }
            if (v.is_missing()) return at(path, "reference " + target + " points at nothing");
            at_pos = end;
        }
        const std::string name = prefix_ + "ref" + std::to_string(refs_.size());
        refs_.emplace(target, name);
        EDGEAI_ASSIGN_OR_RETURN(std::string body, expr(v, target, depth + 1));
        rules_ += name + " ::= " + body + "\n";
        return name;
    }

    core::Result<uint32_t> count(JsonValue v, const std::string& path) {
        if (!v.is_integer() || v.as_int64() < 0) return at(path, "must be a non-negative integer");
        if (v.as_int64() > limits_.max_count)
            return at(path, "above " + std::to_string(limits_.max_count));
        return static_cast<uint32_t>(v.as_int64());
    }

    core::Result<std::string> typed(JsonValue s, const std::string& path, const std::string& type,
                                    uint32_t depth) {
        if (type == "null") return std::string("json-null");
        if (type == "boolean") return std::string("json-bool");
        if (type == "number") return std::string("json-number");
        if (type == "integer") return integer(s, path);
        if (type == "string") return string(s, path);
        if (type == "array") return array(s, path, depth);
        return object(s, path, depth);
    }

    core::Result<std::string> integer(JsonValue s, const std::string& path) {
        int64_t lo = -kIntBound, hi = kIntBound;
        bool bounded = false;
        for (std::string_view k : {"minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum"}) {
            const JsonValue v = s[k];
            if (v.is_missing()) continue;
            const std::string p = path + "/" + std::string(k);
            if (!v.is_number()) return at(p, "must be a number");
            // Bounds beyond 16 digits are clamped: output never reaches them.
            const double d = std::clamp(v.as_double(), -1e17, 1e17);
            const bool lower = k == "minimum" || k == "exclusiveMinimum";
            const bool exclusive = k[0] == 'e';
            int64_t b = static_cast<int64_t>(lower ? std::ceil(d) : std::floor(d));
            if (exclusive && static_cast<double>(b) == d) b += lower ? 1 : -1;
            if (lower)
                lo = std::max(lo, b);
            else
                hi = std::min(hi, b);
            bounded = true;
        }
        if (!bounded) return std::string("json-int");
        lo = std::max(lo, -kIntBound);
        hi = std::min(hi, kIntBound);
        if (lo > hi) return at(path, "minimum is above maximum: no integer fits");
        return integer_range(lo, hi);
    }

    core::Result<std::string> string(JsonValue s, const std::string& path) {
        const JsonValue format = s["format"], pattern = s["pattern"];
        const bool lengths = !s["minLength"].is_missing() || !s["maxLength"].is_missing();
        if (!format.is_missing()) {
            if (!pattern.is_missing() || lengths)
                return at(path + "/format", "format with pattern or lengths is not supported");
            for (const auto& [name, body] : kFormats)
                if (format.as_string() == name) {
                    formats_ = true;
                    return "(" + std::string(body) + ")";
                }
            return at(path + "/format", "format " + json_text(format) +
                                            " is not supported (date, time, date-time, uuid are)");
        }
        if (!pattern.is_missing()) {
            if (lengths)
                return at(path + "/pattern", "pattern with minLength/maxLength is not supported");
            if (!pattern.is_string()) return at(path + "/pattern", "must be a string");
            RegexLimits rl;
            rl.max_pattern_bytes = limits_.max_pattern_bytes;
            rl.max_count = limits_.max_count;
            auto body = regex_to_gbnf(pattern.as_string(), "json-char", rl);
            if (!body.ok()) return at(path + "/pattern", body.status().message());
            return "(\"\\\"\" " + *body + " \"\\\"\")";
        }
        if (!lengths) return std::string("json-string");
        uint32_t min = 0;
        if (!s["minLength"].is_missing()) {
            EDGEAI_ASSIGN_OR_RETURN(min, count(s["minLength"], path + "/minLength"));
        }
        std::string reps = "{" + std::to_string(min) + ",";
        if (!s["maxLength"].is_missing()) {
            EDGEAI_ASSIGN_OR_RETURN(uint32_t max, count(s["maxLength"], path + "/maxLength"));
            if (max < min) return at(path + "/maxLength", "below minLength");
            reps += std::to_string(max);
        }
        return "(\"\\\"\" json-char" + reps + "} \"\\\"\")";
    }

    core::Result<std::string> array(JsonValue s, const std::string& path, uint32_t depth) {
        if (!s["uniqueItems"].is_missing() && s["uniqueItems"].as_bool())
            return at(path + "/uniqueItems", "uniqueItems true is not supported");
        std::vector<std::string> prefix;
        const JsonValue pi = s["prefixItems"];
        if (!pi.is_missing()) {
            if (!pi.is_array()) return at(path + "/prefixItems", "must be an array");
            for (size_t i = 0; i < pi.size(); ++i) {
                EDGEAI_ASSIGN_OR_RETURN(
                    std::string e,
                    expr(pi.at(i), path + "/prefixItems/" + std::to_string(i), depth + 1));
                prefix.push_back(e);
            }
        }
        std::string item = "json-value";
        bool items_allowed = prefix.empty();
        const JsonValue items = s["items"];
        if (!items.is_missing()) {
            if (items.is_bool() && !items.as_bool()) {
                items_allowed = false;
            } else {
                EDGEAI_ASSIGN_OR_RETURN(item, expr(items, path + "/items", depth + 1));
                items_allowed = true;
            }
        }
        uint32_t min = 0, max = UINT32_MAX;
        if (!s["minItems"].is_missing()) {
            EDGEAI_ASSIGN_OR_RETURN(min, count(s["minItems"], path + "/minItems"));
        }
        if (!s["maxItems"].is_missing()) {
            EDGEAI_ASSIGN_OR_RETURN(max, count(s["maxItems"], path + "/maxItems"));
        }
        if (max < min) return at(path + "/maxItems", "below minItems");
        if (max < prefix.size())
            return at(path + "/maxItems", "below the number of prefixItems (all are produced)");
        const uint32_t k = static_cast<uint32_t>(prefix.size());
        uint32_t extra_min = min > k ? min - k : 0;
        uint32_t extra_max = max == UINT32_MAX ? UINT32_MAX : max - k;
        if (!items_allowed) {
            if (extra_min > 0) return at(path + "/minItems", "more items than the schema allows");
            extra_max = 0;
        }
        const std::string item_rule = extra_max > 0 ? rule(item) : "";
        auto reps = [](uint32_t lo, uint32_t hi) {
            return "{" + std::to_string(lo) + "," + (hi == UINT32_MAX ? "" : std::to_string(hi)) +
                   "}";
        };
        std::string out = "(\"[\" ws ";
        if (k > 0) {
            for (uint32_t i = 0; i < k; ++i)
                out += (i ? "ws \",\" ws " : "") + prefix[i] + " ";
            if (extra_max > 0)
                out += "(ws \",\" ws " + item_rule + ")" + reps(extra_min, extra_max) + " ";
        } else if (extra_max > 0) {
            const std::string tail = "(ws \",\" ws " + item_rule + ")" +
                                     reps(extra_min > 0 ? extra_min - 1 : 0,
                                          extra_max == UINT32_MAX ? UINT32_MAX : extra_max - 1);
            if (extra_min > 0)
                out += item_rule + " " + tail + " ";
            else
                out += "(" + item_rule + " " + tail + ")? ";
        }
        return out + "ws \"]\")";
    }

    core::Result<std::string> object(JsonValue s, const std::string& path, uint32_t depth) {
        const JsonValue props = s["properties"], req = s["required"],
                        extra = s["additionalProperties"];
        if (!props.is_missing() && !props.is_object())
            return at(path + "/properties", "must be an object");
        if (props.size() > limits_.max_properties)
            return at(path + "/properties",
                      "more than " + std::to_string(limits_.max_properties) + " properties");
        std::string extra_value;
        if (extra.is_missing()) {
            if (props.size() == 0) extra_value = "json-value";
        } else if (extra.is_bool()) {
            if (extra.as_bool()) extra_value = "json-value";
        } else {
            EDGEAI_ASSIGN_OR_RETURN(extra_value,
                                    expr(extra, path + "/additionalProperties", depth + 1));
        }
        std::vector<std::string> required;
        if (!req.is_missing()) {
            if (!req.is_array()) return at(path + "/required", "must be an array");
            for (size_t i = 0; i < req.size(); ++i) {
                if (!req.at(i).is_string())
                    return at(path + "/required/" + std::to_string(i), "must be a string");
                const std::string name(req.at(i).as_string());
                if (props[name].is_missing())
                    return at(path + "/required/" + std::to_string(i), "required property " +
                                                                           json_text(req.at(i)) +
                                                                           " is not in properties");
                required.push_back(name);
            }
        }
        const size_t n = props.size();
        std::vector<std::string> kv(n);
        std::vector<bool> is_required(n);
        for (size_t i = 0; i < n; ++i) {
            const std::string name(props.member_name(i));
            EDGEAI_ASSIGN_OR_RETURN(
                std::string value,
                expr(props.member_value(i), path + "/properties/" + name, depth + 1));
            codec::JsonWriter w;
            w.value(std::string_view(name));
            kv[i] = gbnf_literal(w.take()) + " ws \":\" ws " + value;
            is_required[i] = std::find(required.begin(), required.end(), name) != required.end();
        }
        // After the declared properties: extra members, if allowed.
        std::string extra_member, tail = "";
        if (!extra_value.empty()) {
            extra_member = rule("json-string ws \":\" ws " + extra_value);
            tail = "(ws \",\" ws " + extra_member + ")*";
        }
        // rest[i]: properties i.. after one was written (each after a comma);
        // first[i]: properties i.. when none was written yet.
        std::string rest = tail.empty() ? "" : rule(tail);
        std::string first =
            extra_member.empty() ? "" : rule("(" + extra_member + " " + tail + ")?");
        for (size_t i = n; i-- > 0;) {
            const std::string item = "ws \",\" ws " + kv[i];
            const std::string new_rest = rule((is_required[i] ? item : "(" + item + ")?") +
                                              (rest.empty() ? "" : " " + rest));
            const std::string with = kv[i] + (rest.empty() ? "" : " " + rest);
            if (is_required[i])
                first = rule(with);
            else if (first.empty())
                first = rule("(" + with + ")?");
            else
                first = rule("(" + with + ") | " + first);
            rest = new_rest;
        }
        return "(\"{\" ws " + (first.empty() ? "" : first + " ") + "ws \"}\")";
    }

    JsonValue root_;
    const SchemaLimits& limits_;
    std::string prefix_;
    std::string rules_;
    std::map<std::string, std::string> refs_;
    size_t next_rule_ = 0;
    bool formats_ = false;
};

} // namespace

core::Result<SchemaRules> json_schema_rules(std::string_view schema_json, std::string_view prefix,
                                            const SchemaLimits& limits) {
    codec::JsonLimits jl;
    jl.max_depth = static_cast<int>(limits.max_depth) * 2 + 8;
    auto doc = codec::JsonDocument::parse(schema_json, jl);
    if (!doc.ok())
        return core::invalid_argument("the schema is not JSON: " + doc.status().message());
    Translator t(doc->root(), limits, prefix);
    return t.run();
}

std::string json_base_gbnf(bool formats) {
    std::string out(kBaseRules);
    if (formats) out += kFormatRules;
    return out;
}

core::Result<std::string> json_schema_to_gbnf(std::string_view schema_json,
                                              const SchemaLimits& limits) {
    EDGEAI_ASSIGN_OR_RETURN(SchemaRules r, json_schema_rules(schema_json, "", limits));
    std::string out = "root ::= ws " + r.entry + "\n" + json_base_gbnf(r.formats) + r.rules;
    if (out.size() > limits.max_grammar_bytes)
        return core::invalid_argument("the schema's grammar would exceed " +
                                      std::to_string(limits.max_grammar_bytes) +
                                      " bytes; simplify the schema");
    return out;
}

std::string json_object_gbnf() {
    return "root ::= ws json-object\n" + std::string(kBaseRules);
}

} // namespace edgeai::engine::grammar
