// JSON Schema to GBNF, for response_format json_schema: the grammar accepts
// exactly JSON texts that conform to the schema, written compactly (at most
// one space where JSON allows whitespace) so that every bounded schema has
// bounded output. What the translation cannot enforce is refused with an
// error naming the schema path ("#/properties/when/format"), never ignored.
//
// Supported: type (one or a list), properties / required /
// additionalProperties (absent counts as false when properties are given:
// no extra members are produced), enum, const, anyOf / oneOf (oneOf as
// anyOf), $ref to "#" or a JSON pointer into the document ($defs,
// definitions; recursion allowed), items / prefixItems (every prefix item is
// produced) / minItems / maxItems, minLength / maxLength, pattern (regex
// subset below), minimum / maximum / exclusiveMinimum / exclusiveMaximum on
// integers, format date / time / date-time / uuid, uniqueItems false, and
// the annotations ($schema, $id, $comment, title, description, default,
// examples, deprecated, readOnly, writeOnly).
//
// Regex subset for pattern: literals, escapes \d \w \s \D \W \S and escaped
// punctuation, [classes] with ranges and ^, `.`, groups ( ) and (?: ),
// alternation, quantifiers * + ? {m} {m,} {m,n}; ^ and $ only at the ends
// (without them the match may sit anywhere in the string, as in JSON
// Schema). Classes never produce ", \ or control characters.
// Refused: backreferences, lookaround, lazy quantifiers, \b.
//
// Integers are written with at most 16 digits; unbounded strings and arrays
// stay unbounded (give maxLength / maxItems to bound the output).
#pragma once

#include "core/result.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace edgeai::engine::grammar {

struct SchemaLimits {
    uint32_t max_depth = 32;                      // nested subschemas
    size_t max_refs = 256;                        // distinct $ref targets translated
    size_t max_enum = 1024;                       // values in one enum
    size_t max_properties = 512;                  // properties of one object
    uint32_t max_count = 1000;                    // maxLength, maxItems, regex {m,n}
    size_t max_pattern_bytes = 1024;              // a pattern's length: bounds its regex states
    size_t max_grammar_bytes = size_t{256} << 10; // stands in for compile time
};

// The GBNF grammar for `schema_json` (a JSON Schema document).
core::Result<std::string> json_schema_to_gbnf(std::string_view schema_json,
                                              const SchemaLimits& limits = {});

// One schema's rules for a grammar that embeds several (tool calls): rule
// names start with `prefix`; `entry` is the expression that matches the
// schema's value; the shared rules (json_base_gbnf) are the caller's to add,
// once.
struct SchemaRules {
    std::string entry;
    std::string rules;
    bool formats = false; // the rules use fmt-date / fmt-time
};
core::Result<SchemaRules> json_schema_rules(std::string_view schema_json, std::string_view prefix,
                                            const SchemaLimits& limits = {});
// ws, json-value, json-object, ... (and fmt-date, fmt-time when `formats`).
std::string json_base_gbnf(bool formats);

// Any JSON object (response_format json_object).
std::string json_object_gbnf();

} // namespace edgeai::engine::grammar
