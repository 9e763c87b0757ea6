// The Jinja interpreter construct by construct, with the outputs Python's
// jinja2 gives under Hugging Face's settings (checked by hand with
// /usr/bin/python3 when written), its errors and its limits. Real models'
// templates are compared with jinja2 itself by template_exactness.test.mjs.
#include "codec/json/json_document.h"
#include "engine/template/template.h"
#include "engine/template/value_json.h"

#include <gtest/gtest.h>

#include <string>

namespace edgeai::engine::tmpl {
namespace {

core::Result<std::string> render(std::string_view source, std::string_view variables_json = "{}",
                                 const RenderOptions& options = {}) {
    EDGEAI_ASSIGN_OR_RETURN(ChatTemplate t, ChatTemplate::parse(source, options.limits));
    EDGEAI_ASSIGN_OR_RETURN(codec::JsonDocument doc, codec::JsonDocument::parse(variables_json));
    const Value vars = value_from_json(doc.root());
    return t.render(vars.as_dict(), options);
}

std::string ok(std::string_view source, std::string_view variables_json = "{}") {
    core::Result<std::string> r = render(source, variables_json);
    if (!r.ok()) return "ERROR: " + r.status().message();
    return *r;
}

std::string error(std::string_view source, std::string_view variables_json = "{}",
                  const RenderOptions& options = {}) {
    core::Result<std::string> r = render(source, variables_json, options);
    if (r.ok()) return "rendered: " + *r;
    return r.status().message();
}

struct Case {
    const char* source;
    const char* variables;
    const char* expected;
};

// Each expected text is what jinja2 3.1 renders in Hugging Face's environment.
const Case kCases[] = {
    // whitespace control: trim_blocks, lstrip_blocks, - and +, trailing newline
    {"a\n  {% if true %}\n  b\n  {% endif %}\n{# c #}\n  {{ 1 }}\n", "{}", "a\n  b\n  1"},
    {"x  {%- if true -%}  y  {%- endif -%}  z", "{}", "xyz"},
    {"  {%+ if true %}a{% endif %}", "{}", "  a"},
    {"{% if true +%}\nb{% endif %}", "{}", "\nb"},
    {"a {{- ' b ' -}} c", "{}", "a b c"},
    {"{% raw %}{{ x }}{% endraw %}", "{}", "{{ x }}"},
    // literals and output of Python values
    {"{{ [1, 'a', none, true] }} {{ {'k': \"it's\"} }} {{ (1,) }}", "{}",
     "[1, 'a', None, True] {'k': \"it's\"} (1,)"},
    {"{{ 1.0 }} {{ 1e20 }} {{ 0.00001 }} {{ 0.0001 }} {{ 7 / 2 }} {{ -7 // 2 }} {{ -7 % 3 }}", "{}",
     "1.0 1e+20 1e-05 0.0001 3.5 -4 2"},
    {"{{ 'a\\tb\\n' ~ \"\\u00e9\" }}", "{}", "a\tb\n\xc3\xa9"},
    {"{{ 2 ** 10 }} {{ 1 + true }} {{ 'ab' * 2 }} {{ [1] * 2 }}", "{}", "1024 2 abab [1, 1]"},
    // precedence: filters bind tighter than arithmetic
    {"{{ xs|length - 1 }} {{ 'a' + ' b '|trim }} {{ -3|abs }}", "{\"xs\": [1, 2, 3]}", "2 ab 3"},
    {"{{ 1 if false }}|{{ 'y' if 1 < 2 < 3 else 'n' }}", "{}", "|y"},
    {"{{ not true or true }} {{ none or 'x' }} {{ 0 and 1 }}", "{}", "True x 0"},
    {"{{ 'b' in 'abc' }} {{ 2 not in [1] }} {{ 'k' in {'k': 1} }}", "{}", "True True True"},
    // attribute and item access, slicing
    {"{{ m.role }} {{ m['content'] }} {{ m.missing is defined }} {{ xs[-1] }} {{ xs[5] is "
     "defined }}",
     "{\"m\": {\"role\": \"user\", \"content\": \"hi\"}, \"xs\": [1, 2, 3]}",
     "user hi False 3 False"},
    {"{{ xs[::-1] }} {{ xs[1:] }} {{ xs[:-1] }} {{ 'h\xc3\xa9llo'[::-1] }} {{ 'abc'[1] }}",
     "{\"xs\": [1, 2, 3]}", "[3, 2, 1] [2, 3] [1, 2] oll\xc3\xa9h b"},
    {"{{ none.x }}|{{ (1).x }}|{{ m.items is defined }}", "{\"m\": {}}", "||True"},
    // for loops
    {"{% for x in xs %}{{ loop.index0 }}{{ loop.index }}{{ loop.first }}{{ loop.last }}"
     "{{ loop.length }}{{ loop.revindex }};{% endfor %}",
     "{\"xs\": [\"a\", \"b\"]}", "01TrueFalse22;12FalseTrue21;"},
    {"{% for x in xs if x > 1 %}{{ x }}{{ loop.length }}{% else %}none{% endfor %}",
     "{\"xs\": [1, 2, 3]}", "2232"},
    {"{% for x in [] %}{{ x }}{% else %}empty{% endfor %}", "{}", "empty"},
    {"{% for x in xs %}{{ loop.index0 + 1 }}{{ xs[loop.index0 - 1] }}{{ x * 3 - 1 }},{% endfor %}",
     "{\"xs\": [4, 5]}", "1511,2414,"},
    {"{% for x in xs %}{% if x == 2 %}{% continue %}{% endif %}{% if x == 4 %}{% break %}"
     "{% endif %}{{ x }}{% endfor %}",
     "{\"xs\": [1, 2, 3, 4, 5]}", "13"},
    {"{% for k, v in d.items() %}{{ k }}={{ v }},{% endfor %}{% for k in d %}{{ k }}{% endfor %}",
     "{\"d\": {\"a\": 1, \"b\": 2}}", "a=1,b=2,ab"},
    {"{% for x in 'ab' %}{{ loop.cycle('o', 'e') }}{{ x }}{% endfor %}", "{}", "oaeb"},
    // scoping: a loop's set stays in its iteration; namespaces carry out
    {"{% for x in [1,2,3] %}[{{ y }}]{% if loop.first %}{% set y = 5 %}{% endif %}{% endfor %}",
     "{}", "[][][]"},
    {"{% set y = 1 %}{% for x in [1,2] %}[{{ y }}]{% set y = 5 %}{% endfor %}{{ y }}", "{}",
     "[1][1]1"},
    {"{% set ns = namespace(n=0, s='') %}{% for x in [1,2,3] %}{% set ns.n = ns.n + x %}{% endfor "
     "%}{{ ns.n }}",
     "{}", "6"},
    {"{% if true %}{% set z = 'set in if' %}{% endif %}{{ z }}", "{}", "set in if"},
    {"{% set a, b = 1, 2 %}{{ a }}{{ b }}{% set t %}block {{ a }}{% endset %}{{ t }}", "{}",
     "12block 1"},
    // macros and call blocks
    {"{% macro m(a, b=2) %}{{ a }}{{ b }}{{ y }}{% endmacro %}{% set y = 3 %}{{ m(1) }}{{ m(4, "
     "b=5) }}",
     "{}", "123453"},
    {"{% macro wrap(tag) %}<{{ tag }}>{{ caller() }}</{{ tag }}>{% endmacro %}"
     "{% call wrap('b') %}bold{% endcall %}",
     "{}", "<b>bold</b>"},
    {"{% macro each(xs) %}{% for x in xs %}{{ caller(x) }}{% endfor %}{% endmacro %}"
     "{% call(item) each([1, 2]) %}({{ item }}){% endcall %}",
     "{}", "(1)(2)"},
    {"{% filter upper %}shout {{ 'this' }}{% endfilter %}", "{}", "SHOUT THIS"},
    // filters
    {"{{ '  x  '|trim }}|{{ 'Ab'|upper }}{{ 'Ab'|lower }}|{{ 'hello world'|title }}|"
     "{{ 'hello'|capitalize }}",
     "{}", "x|ABab|Hello World|Hello"},
    {"{{ xs|join(', ') }}|{{ xs|first }}{{ xs|last }}|{{ 'ab'|list }}|{{ xs|length }}",
     "{\"xs\": [1, 2, 3]}", "1, 2, 3|13|['a', 'b']|3"},
    {"{{ x|default('d') }} {{ none|default('d') }} {{ ''|default('d', true) }}", "{}", "d None d"},
    {"{{ ms|selectattr('role', 'equalto', 'user')|map(attribute='c')|list }}|"
     "{{ ms|rejectattr('role', 'eq', 'user')|list|length }}|{{ ms|selectattr('c')|list|length }}",
     "{\"ms\": [{\"role\": \"user\", \"c\": \"a\"}, {\"role\": \"bot\", \"c\": \"\"}]}",
     "['a']|1|1"},
    {"{{ ['a','b']|map('upper')|join }} {{ [3,1,2]|sort }} {{ [1,2,3]|select('odd')|list }}", "{}",
     "AB [1, 2, 3] [1, 3]"},
    {"{{ d|items|list }} {{ d|dictsort }}", "{\"d\": {\"b\": 1, \"a\": 2}}",
     "[('b', 1), ('a', 2)] [('a', 2), ('b', 1)]"},
    {"{{ '3'|int + 1 }} {{ 'x'|int }} {{ 2|string ~ 'a' }} {{ 'a-b'|replace('-', '+') }}", "{}",
     "4 0 2a a+b"},
    {"{{ [1, 2, 1]|unique|list }} {{ [1, 5, 2]|max }} {{ [1, 2]|sum }} {{ 'ab'|reverse }}", "{}",
     "[1, 2] 5 3 ba"},
    {"{{ '<&>'|e }} {{ 'a\\nb'|indent(2) }}", "{}", "&lt;&amp;&gt; a\n  b"},
    // tojson as Hugging Face defines it
    {"{{ t|tojson }}",
     "{\"t\": {\"name\": \"f\", \"n\": 1, \"x\": 1.5, \"ok\": true, \"z\": null, "
     "\"l\": [1, \"\\u00e9\\n\"]}}",
     "{\"name\": \"f\", \"n\": 1, \"x\": 1.5, \"ok\": true, \"z\": null, \"l\": [1, "
     "\"\xc3\xa9\\n\"]}"},
    {"{{ t|tojson(indent=2) }}", "{\"t\": {\"a\": [1, {}], \"b\": []}}",
     "{\n  \"a\": [\n    1,\n    {}\n  ],\n  \"b\": []\n}"},
    {"{{ t|tojson(sort_keys=true) }} {{ 2.0|tojson }} {{ 'a<b'|tojson }}",
     "{\"t\": {\"b\": 1, "
     "\"a\": 2}}",
     "{\"a\": 2, \"b\": 1} 2.0 \"a<b\""},
    // tests
    {"{{ x is defined }}{{ x is undefined }}{{ none is none }}{{ 'a' is string }}{{ 1 is number "
     "}}{{ true is number }}",
     "{}", "FalseTrueTrueTrueTrueTrue"},
    {"{{ {} is mapping }}{{ [] is sequence }}{{ {} is sequence }}{{ x is iterable }}{{ 1 is "
     "iterable }}{{ 4 is divisibleby 2 }}{{ 3 is odd }}{{ false is false }}{{ f is not none }}",
     "{\"f\": 0}", "TrueTrueTrueTrueFalseTrueTrueTrueTrue"},
    // string and dict methods
    {"{{ ' a '.strip() }}|{{ 'xxa'.lstrip('x') }}|{{ 'a\\n\\n'.rstrip('\\n') }}|"
     "{{ 'a b  c'.split() }}|{{ 'a,b'.split(',') }}|{{ 'a,b,c'.split(',', 1) }}",
     "{}", "a|a|a|['a', 'b', 'c']|['a', 'b']|['a', 'b,c']"},
    {"{{ 'abc'.startswith('ab') }}{{ 'abc'.endswith(('x', 'c')) }}{{ 'aXa'.replace('a', 'b') }}"
     "{{ 'ab'.upper() }}{{ 'hi there'.title() }}{{ '-'.join(['a', 'b']) }}",
     "{}", "TrueTruebXbABHi Therea-b"},
    {"{{ d.get('a') }} {{ d.get('z') }} {{ d.get('z', 0) }} {{ d.keys()|list }} {{ d.values()|list "
     "}}",
     "{\"d\": {\"a\": 1}}", "1 None 0 ['a'] [1]"},
    {"{% set parts = c.split('</think>') %}{{ parts[-1].lstrip('\\n') }}",
     "{\"c\": \"<think>r</think>\\n\\nanswer\"}", "answer"},
    {"{{ range(3)|list }} {{ range(1, 7, 2)|list }} {{ dict(a=1) }}", "{}",
     "[0, 1, 2] [1, 3, 5] {'a': 1}"},
};

TEST(ChatTemplate, RendersAsJinja) {
    for (const Case& c : kCases) {
        EXPECT_EQ(ok(c.source, c.variables), c.expected) << c.source;
    }
}

TEST(ChatTemplate, ErrorsNameTheConstructAndLine) {
    EXPECT_EQ(error("a\n{% include 'x' %}"),
              "chat template line 2: the 'include' statement is not supported in chat templates");
    EXPECT_EQ(error("{% if x %}\n{{ y }}"),
              "chat template line 2: the template ended inside a block: expected 'elif'");
    EXPECT_EQ(error("\n\n{{ x|frobnicate }}"), "chat template line 3: unknown filter 'frobnicate'");
    EXPECT_EQ(error("{{ x is shiny }}"), "chat template line 1: unknown test 'shiny'");
    EXPECT_EQ(error("{{ x + 1 }}"), "chat template line 1: 'x' is undefined");
    EXPECT_EQ(error("{{ 'a' + 1 }}"),
              "chat template line 1: unsupported operand types for +: 'str' and 'int'");
    EXPECT_EQ(error("{% for x in xs recursive %}{% endfor %}"),
              "chat template line 1: recursive 'for' loops are not supported");
    EXPECT_EQ(error("{% break %}"), "chat template line 1: 'break' outside a 'for' loop");
    EXPECT_EQ(error("{{ 'x' "), "chat template line 1: unterminated expression: '{{' without '}}'");
    EXPECT_EQ(error("\n{{ raise_exception('roles must alternate') }}"),
              "chat template line 2: the chat template refused the conversation: roles must "
              "alternate");
    EXPECT_EQ(error("{{ strftime_now('%d') }}"),
              "chat template line 1: strftime_now(): no clock was given to the renderer");
    EXPECT_EQ(error("{{ 1 / 0 }}"), "chat template line 1: division by zero");
    EXPECT_EQ(error("{% for x in none %}{% endfor %}"),
              "chat template line 1: 'NoneType' object is not iterable");
}

TEST(ChatTemplate, StrftimeNowFormatsTheGivenTime) {
    RenderOptions options;
    options.now = utc_from_unix_seconds(1'722'470'400); // 2024-08-01 00:00:00 UTC, a Thursday
    EXPECT_EQ(*render("{{ strftime_now('%d %b %Y') }}|{{ strftime_now('%A %B %e %H:%M %j') }}",
                      "{}", options),
              "01 Aug 2024|Thursday August  1 00:00 214");
}

TEST(ChatTemplate, HostileTemplatesStopAtTheirLimits) {
    RenderOptions options;
    options.limits.max_loop_iterations = 1000;
    EXPECT_EQ(error("{% for i in range(100) %}{% for j in range(100) %}{% endfor %}{% endfor %}",
                    "{}", options),
              "chat template line 1: the chat template ran more loop iterations than its limit of "
              "1000");
    options = {};
    options.limits.max_output_bytes = 1000;
    EXPECT_EQ(error("{% for i in range(100) %}0123456789ab{% endfor %}", "{}", options),
              "chat template line 1: the rendered chat template is larger than its limit of 1000 "
              "bytes");
    EXPECT_EQ(error("{% set ns = namespace(s='ab') %}{% for i in range(20) %}{% set ns.s = ns.s + "
                    "ns.s %}{% endfor %}",
                    "{}", options),
              "chat template line 1: the chat template built a string larger than its limit of "
              "1000 bytes");
    EXPECT_EQ(error("{{ 'x' * 100000 }}", "{}", options),
              "chat template line 1: the chat template built a string larger than its limit of "
              "1000 bytes");
    options = {};
    EXPECT_EQ(error("{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}", "{}", options),
              "chat template line 1: macro calls nested deeper than the limit of 16");
    EXPECT_EQ(error("{{ range(1000000000)|length }}", "{}", options),
              "chat template line 1: the chat template built a list or dict larger than its limit "
              "of 100000 items");
    EXPECT_EQ(
        error("{{ " + std::string(200, '(') + "1" + std::string(200, ')') + " }}").substr(0, 40),
        "chat template line 1: nested more than 6");
    options.limits.max_steps = 10'000;
    EXPECT_EQ(error("{% for i in range(5000) %}{{ i }}{% endfor %}", "{}", options),
              "chat template line 1: the chat template did more work than its limit of 10000 "
              "steps");
    EXPECT_EQ(error("{% set ns = namespace() %}{% set ns.me = ns %}"),
              "chat template line 1: a namespace cannot be stored in a namespace");
}

} // namespace
} // namespace edgeai::engine::tmpl
