// JSON Schema to grammar: for each schema, texts the grammar must accept and
// texts it must refuse; and schemas that must be refused, naming the path.
#include "engine/grammar/json_schema.h"
#include "engine/grammar/matcher.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace edgeai::engine::grammar {
namespace {

bool accepts(const std::shared_ptr<const Grammar>& g, std::string_view text) {
    auto m = Matcher::create(g);
    EXPECT_TRUE(m.ok());
    auto fits = m->advance(text);
    EXPECT_TRUE(fits.ok()) << fits.status().to_string();
    return fits.ok() && *fits && m->accepting();
}

struct Case {
    const char* schema;
    std::vector<std::string> good;
    std::vector<std::string> bad;
};

const std::vector<Case>& cases() {
    static const std::vector<Case> kCases = {
        {R"({"type":"string"})",
         {R"("")", R"("hi \"there\" \u00e9\n")", R"( "x")"},
         {R"(x)", R"("a)", "\"a\nb\"", R"("\q")"}},
        {R"({"type":"integer"})",
         {"0", "-12", "1234567890123456"},
         {"01", "1.5", "-", "12345678901234567"}},
        {R"({"type":"number"})", {"0", "-1.25", "3e10", "2.5E-3"}, {"1.", ".5", "+1", "1e"}},
        {R"({"type":"boolean"})", {"true", "false"}, {"True", "1"}},
        {R"({"type":"null"})", {"null"}, {"nul", "0"}},
        {R"({"type":["string","null"]})", {"null", R"("a")"}, {"1"}},
        {R"({"enum":["red","green",3,null]})",
         {R"("red")", R"("green")", "3", "null"},
         {R"("blue")", R"("Red")", "4"}},
        {R"({"type":"string","enum":["a","b"]})", {R"("a")"}, {R"("c")"}},
        {R"({"const":{"k":[1,2]}})", {R"({"k":[1,2]})"}, {R"({"k":[1,3]})", R"({"k": [1,2]})"}},
        {R"({"type":"integer","minimum":-5,"maximum":120})",
         {"-5", "-1", "0", "7", "99", "100", "120"},
         {"-6", "121", "200", "1000", "-10"}},
        {R"({"type":"integer","exclusiveMinimum":0,"exclusiveMaximum":10})",
         {"1", "9"},
         {"0", "10", "-1"}},
        {R"({"type":"integer","minimum":1000})", {"1000", "99999"}, {"999", "-1", "0"}},
        {R"({"type":"integer","maximum":-3})", {"-3", "-400"}, {"-2", "0", "5"}},
        {R"({"type":"string","minLength":2,"maxLength":3})",
         {R"("ab")", R"("a\"c")", R"("abc")"},
         {R"("a")", R"("abcd")"}},
        {R"({"type":"string","pattern":"^[a-z]+-[0-9]{2}$"})",
         {R"("ab-12")"},
         {R"("ab-1")", R"("Ab-12")", R"("ab-123")"}},
        {R"({"type":"string","pattern":"^(cat|dog)s?$"})",
         {R"("cat")", R"("dogs")"},
         {R"("cow")", R"("catss")"}},
        {R"({"type":"string","pattern":"x\\d"})", {R"("x1")", R"("aax9bb")"}, {R"("xa")"}},
        {R"({"type":"string","pattern":"^a\"b\\.$"})", {R"("a\"b.")"}, {R"("a\"bc")"}},
        {R"({"type":"string","format":"date"})",
         {R"("2024-02-29")"},
         {R"("2024-13-01")", R"("24-01-01")"}},
        {R"({"type":"string","format":"time"})",
         {R"("23:59:59Z")", R"("08:00:00.5+02:00")"},
         {R"("24:00:00Z")", R"("23:59:59")"}},
        {R"({"type":"string","format":"date-time"})",
         {R"("2024-01-02T03:04:05Z")"},
         {R"("2024-01-02 03:04:05Z")"}},
        {R"({"type":"string","format":"uuid"})",
         {R"("123e4567-e89b-12d3-a456-426614174000")"},
         {R"("123e4567e89b12d3a456426614174000")"}},
        {R"({"type":"object","properties":{"name":{"type":"string"},"age":{"type":"integer"}},
            "required":["name"],"additionalProperties":false})",
         {R"({"name":"x"})", R"({"name":"x","age":3})", R"({ "name": "x", "age": 3 })"},
         {R"({})", R"({"age":3})", R"({"name":"x","other":1})", R"({"age":3,"name":"x"})"}},
        {R"({"type":"object","properties":{"a":{"type":"integer"},"b":{"type":"integer"}}})",
         {"{}", R"({"a":1})", R"({"b":2})", R"({"a":1,"b":2})"},
         {R"({"c":1})", R"({,"b":2})"}},
        {R"({"type":"object","properties":{"a":{"type":"integer"}},
            "additionalProperties":{"type":"boolean"}})",
         {R"({"a":1,"z":true})", R"({"z":false})", "{}"},
         {R"({"z":1})"}},
        {R"({"type":"object"})", {"{}", R"({"any":[1,{"b":null}]})"}, {"[]"}},
        {R"({"type":"array","items":{"type":"integer"},"minItems":1,"maxItems":3})",
         {"[1]", "[1,2,3]", "[1, 2]"},
         {"[]", "[1,2,3,4]", R"(["a"])"}},
        {R"({"type":"array","items":{"type":"integer"},"maxItems":2})",
         {"[]", "[5]", "[5,6]"},
         {"[5,6,7]"}},
        {R"({"type":"array","prefixItems":[{"type":"string"},{"type":"integer"}],"items":false})",
         {R"(["a",1])"},
         {R"(["a"])", R"(["a",1,2])", R"([1,"a"])"}},
        {R"({"anyOf":[{"type":"integer"},{"type":"string","maxLength":1}]})",
         {"5", R"("a")"},
         {R"("ab")", "true"}},
        {R"({"oneOf":[{"const":1},{"const":2}]})", {"1", "2"}, {"3"}},
        {R"({"$defs":{"node":{"type":"object","properties":{"v":{"type":"integer"},
            "next":{"anyOf":[{"$ref":"#/$defs/node"},{"type":"null"}]}},"required":["v","next"]}},
            "$ref":"#/$defs/node"})",
         {R"({"v":1,"next":null})", R"({"v":1,"next":{"v":2,"next":null}})"},
         {R"({"v":1})", R"({"v":1,"next":{"v":2}})"}},
        {R"({"type":"object","properties":{"tags":{"type":"array","items":
            {"enum":["a","b"]},"maxItems":2},"n":{"type":"integer","minimum":0,"maximum":9}},
            "required":["tags","n"],"additionalProperties":false,"title":"T","$schema":"x"})",
         {R"({"tags":["a","b"],"n":9})", R"({"tags":[],"n":0})"},
         {R"({"tags":["c"],"n":1})", R"({"tags":[],"n":10})", R"({"n":1,"tags":[]})"}},
        {"true", {"1", R"({"a":[]})"}, {"x"}},
    };
    return kCases;
}

TEST(JsonSchema, TableOfSchemasAcceptsAndRefuses) {
    for (const Case& c : cases()) {
        auto gbnf = json_schema_to_gbnf(c.schema);
        ASSERT_TRUE(gbnf.ok()) << c.schema << ": " << gbnf.status().to_string();
        auto g = compile_gbnf(*gbnf);
        ASSERT_TRUE(g.ok()) << c.schema << ": " << g.status().to_string() << "\n" << *gbnf;
        for (const std::string& s : c.good)
            EXPECT_TRUE(accepts(*g, s)) << c.schema << " should accept " << s;
        for (const std::string& s : c.bad)
            EXPECT_FALSE(accepts(*g, s)) << c.schema << " should refuse " << s;
    }
}

TEST(JsonSchema, JsonObjectModeIsAnyObject) {
    auto g = compile_gbnf(json_object_gbnf());
    ASSERT_TRUE(g.ok()) << g.status().to_string();
    EXPECT_TRUE(accepts(*g, R"({"a":{"b":[1,2.5,"c",true,null]}})"));
    EXPECT_TRUE(accepts(*g, "{}"));
    EXPECT_FALSE(accepts(*g, "[1]"));
    EXPECT_FALSE(accepts(*g, R"("s")"));
}

std::string refusal(const std::string& schema, const SchemaLimits& limits = {}) {
    auto gbnf = json_schema_to_gbnf(schema, limits);
    return gbnf.ok() ? "" : gbnf.status().message();
}

TEST(JsonSchema, UnsupportedSchemasAreRefusedNamingThePath) {
    struct Refused {
        const char* schema;
        const char* says;
    };
    const Refused kRefused[] = {
        {R"({"type":"object","properties":{"a":{"type":"string","format":"email"}}})",
         "#/properties/a/format"},
        {R"({"type":"object","properties":{"a":{"not":{}}}})", "#/properties/a/not"},
        {R"({"allOf":[{"type":"string"}]})", "#/allOf"},
        {R"({"type":"number","minimum":1.5})", "#/minimum"},
        {R"({"type":"array","uniqueItems":true})", "#/uniqueItems"},
        {R"({"type":"string","pattern":"(a)\\1"})", "#/pattern"},
        {R"({"type":"string","pattern":"a(?=b)c"})", "#/pattern"},
        {R"({"type":"string","pattern":"a*?"})", "#/pattern"},
        {R"({"$ref":"#/$defs/missing"})", "#/$ref"},
        {R"({"$ref":"http://example.com/s.json"})", "#/$ref"},
        {R"({"type":"integer","minLength":2})", "#/minLength"},
        {R"({"type":"strin"})", "#/type"},
        {R"({"type":"object","properties":{"a":{}},"required":["b"]})", "#/required/0"},
        {R"({"type":"integer","minimum":5,"maximum":1})", "no integer"},
        {R"({"enum":["a",1],"type":"string"})", "#/enum/1"},
        {R"({"items":{"type":"string"},"maxItems":5000})", "#/maxItems"},
        {"false", "allows no value"},
        {"[1]", "must be an object"},
        {"{", "not JSON"},
    };
    for (const Refused& r : kRefused) {
        const std::string msg = refusal(r.schema);
        EXPECT_NE(msg.find(r.says), std::string::npos) << r.schema << " -> " << msg;
    }
}

TEST(JsonSchema, HostileSchemasHitTheirCaps) {
    SchemaLimits limits;
    limits.max_depth = 4;
    EXPECT_NE(refusal(R"({"items":{"items":{"items":{"items":{"items":{"items":{}}}}}}})", limits)
                  .find("nested deeper"),
              std::string::npos);
    std::string big_enum = R"({"enum":[)";
    for (int i = 0; i < 2000; ++i)
        big_enum += (i ? "," : "") + std::to_string(i);
    big_enum += "]}";
    EXPECT_NE(refusal(big_enum).find("more than 1024 values"), std::string::npos);
    SchemaLimits few_refs;
    few_refs.max_refs = 2;
    EXPECT_NE(refusal(R"({"$defs":{"a":{"type":"integer"},"b":{"type":"string"},"c":{}},
        "type":"array","prefixItems":[{"$ref":"#/$defs/a"},{"$ref":"#/$defs/b"},
        {"$ref":"#/$defs/c"}]})",
                      few_refs)
                  .find("$ref targets"),
              std::string::npos);
    SchemaLimits small;
    small.max_grammar_bytes = 2000;
    std::string wide = R"({"type":"object","properties":{)";
    for (int i = 0; i < 100; ++i)
        wide +=
            (i ? "," : "") + std::string("\"p") + std::to_string(i) + "\":{\"type\":\"string\"}";
    wide += "}}";
    EXPECT_NE(refusal(wide, small).find("exceed"), std::string::npos);
    EXPECT_NE(refusal(R"({"type":"string","pattern":")" + std::string(2000, 'a') + "\"}")
                  .find("longer than"),
              std::string::npos);
}

} // namespace
} // namespace edgeai::engine::grammar
