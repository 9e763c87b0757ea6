// GBNF: what parses, what is refused with which message, and what the
// matcher accepts byte by byte.
#include "engine/grammar/grammar.h"
#include "engine/grammar/matcher.h"

#include <gtest/gtest.h>

#include <string>

namespace edgeai::engine::grammar {
namespace {

// Whether `text` is a whole sentence of `gbnf`; -1 when it stops being a
// prefix of one.
int judge(std::string_view gbnf, std::string_view text) {
    auto g = compile_gbnf(gbnf);
    EXPECT_TRUE(g.ok()) << g.status().to_string();
    if (!g.ok()) return -2;
    auto m = Matcher::create(*g);
    EXPECT_TRUE(m.ok()) << m.status().to_string();
    auto fits = m->advance(text);
    EXPECT_TRUE(fits.ok());
    if (!*fits) return -1;
    return m->accepting() ? 1 : 0;
}

std::string error_of(std::string_view gbnf) {
    auto g = compile_gbnf(gbnf);
    return g.ok() ? "" : g.status().message();
}

TEST(Gbnf, LiteralsAlternativesAndSequences) {
    const char* g = R"(root ::= "yes" | "no" " way")";
    EXPECT_EQ(judge(g, "yes"), 1);
    EXPECT_EQ(judge(g, "no way"), 1);
    EXPECT_EQ(judge(g, "no"), 0);
    EXPECT_EQ(judge(g, "nope"), -1);
    EXPECT_EQ(judge(g, "yess"), -1);
}

TEST(Gbnf, RepetitionOperators) {
    EXPECT_EQ(judge(R"(root ::= "a"*)", ""), 1);
    EXPECT_EQ(judge(R"(root ::= "a"*)", "aaaa"), 1);
    EXPECT_EQ(judge(R"(root ::= "a"+)", ""), 0);
    EXPECT_EQ(judge(R"(root ::= "a"+ "b")", "aab"), 1);
    EXPECT_EQ(judge(R"(root ::= "a"? "b")", "b"), 1);
    EXPECT_EQ(judge(R"(root ::= "a"? "b")", "aab"), -1);
    const char* counted = R"(root ::= "x"{2,4})";
    EXPECT_EQ(judge(counted, "x"), 0);
    EXPECT_EQ(judge(counted, "xx"), 1);
    EXPECT_EQ(judge(counted, "xxxx"), 1);
    EXPECT_EQ(judge(counted, "xxxxx"), -1);
    EXPECT_EQ(judge(R"(root ::= "x"{3})", "xxx"), 1);
    EXPECT_EQ(judge(R"(root ::= "x"{3})", "xx"), 0);
    EXPECT_EQ(judge(R"(root ::= "x"{2,})", "xxxxxxx"), 1);
    EXPECT_EQ(judge(R"(root ::= ("ab" | "c"){2})", "abc"), 1);
}

TEST(Gbnf, CharacterClassesAndUtf8) {
    const char* g = R"(root ::= [a-c0-9]+)";
    EXPECT_EQ(judge(g, "ab09c"), 1);
    EXPECT_EQ(judge(g, "abd"), -1);
    const char* neg = R"(root ::= "\"" [^"\\]* "\"")";
    EXPECT_EQ(judge(neg, "\"h\xC3\xA9llo \xF0\x9F\x98\x80\""), 1);
    EXPECT_EQ(judge(neg, "\"a\"b"), -1);
    EXPECT_EQ(judge(neg, "\"\xFF"), -1);         // not UTF-8
    EXPECT_EQ(judge(neg, "\"\xED\xA0\x80"), -1); // a surrogate
    EXPECT_EQ(judge(R"(root ::= [é-ë])", "\xC3\xAA"), 1);
    EXPECT_EQ(judge(R"(root ::= [\u00e9])", "\xC3\xA9"), 1);
    EXPECT_EQ(judge(R"(root ::= .)", "\xE2\x82\xAC"), 1);
    EXPECT_EQ(judge(R"(root ::= . .)", "ab"), 1);
    EXPECT_EQ(judge(R"(root ::= "\x41\n\t")", "A\n\t"), 1);
}

TEST(Gbnf, RulesRecursionAndComments) {
    const char* g = R"g(# balanced parentheses
root ::= item+
item ::= "(" item* ")"   # nested
       | "x"
)g";
    EXPECT_EQ(judge(g, "(x(x))x"), 1);
    EXPECT_EQ(judge(g, "((x)"), 0);
    EXPECT_EQ(judge(g, "())"), -1);
    const char* multiline = "root ::=\n  a\n  | b\na ::= \"a\"\nb ::= \"b\"";
    EXPECT_EQ(judge(multiline, "b"), 1);
}

TEST(Gbnf, DeepRightRecursionKeepsWorking) {
    auto g = compile_gbnf(R"(root ::= "a" root | "b")");
    ASSERT_TRUE(g.ok());
    auto m = Matcher::create(*g);
    ASSERT_TRUE(m.ok());
    for (int i = 0; i < 100000; ++i)
        ASSERT_TRUE(*m->advance("a"));
    EXPECT_TRUE(*m->advance("b"));
    EXPECT_TRUE(m->accepting());
    EXPECT_FALSE(m->can_continue());
}

TEST(Gbnf, ErrorsNameTheProblemAndPlace) {
    EXPECT_NE(error_of(R"(start ::= "a")").find("no rule named root"), std::string::npos);
    EXPECT_NE(error_of("root ::= x").find("rule x is used but never defined"), std::string::npos);
    EXPECT_NE(error_of("root ::= \"a\"\nroot ::= \"b\"").find("line 2"), std::string::npos);
    EXPECT_NE(error_of("root ::= \"a\"\nroot ::= \"b\"").find("defined twice"), std::string::npos);
    EXPECT_NE(error_of(R"(root ::= "abc)").find("unterminated string"), std::string::npos);
    EXPECT_NE(error_of(R"(root ::= [abc)").find("unterminated character class"), std::string::npos);
    EXPECT_NE(error_of(R"(root ::= ("a" | "b")").find("expected )"), std::string::npos);
    EXPECT_NE(error_of(R"(root ::= [z-a])").find("out of order"), std::string::npos);
    EXPECT_NE(error_of(R"(root ::= "\q")").find("unknown escape"), std::string::npos);
    EXPECT_NE(error_of(R"(root ::= "a"{5,2})").find("n < m"), std::string::npos);
    EXPECT_NE(error_of(R"(root ::= "a"{5000})").find("repetition count"), std::string::npos);
    EXPECT_NE(error_of(R"(root ::= root "a" | "b")").find("left-recursive"), std::string::npos);
    EXPECT_NE(error_of("root ::= x\nx ::= y? root\ny ::= \"a\"").find("left-recursive"),
              std::string::npos);
    EXPECT_NE(error_of("root = \"a\"").find("expected ::="), std::string::npos);
    EXPECT_NE(error_of("root ::= \"a\" @").find("unexpected character"), std::string::npos);
    EXPECT_NE(error_of(R"(root ::= "\uD800")").find("no Unicode scalar"), std::string::npos);
    EXPECT_NE(error_of("root ::= []").find("empty character class"), std::string::npos);
}

TEST(Gbnf, HostileGrammarsHitLimits) {
    GrammarLimits small;
    small.max_elements = 1000;
    auto big = compile_gbnf(R"(root ::= "a"{600} "b"{600})", small);
    ASSERT_FALSE(big.ok());
    EXPECT_NE(big.status().message().find("elements"), std::string::npos);
    std::string deep = "root ::= ";
    for (int i = 0; i < 100; ++i)
        deep += "(";
    deep += "\"a\"";
    for (int i = 0; i < 100; ++i)
        deep += ")";
    auto nested = compile_gbnf(deep);
    ASSERT_FALSE(nested.ok());
    EXPECT_NE(nested.status().message().find("nested deeper"), std::string::npos);
    // Many ways to parse the same bytes at once: refused, not slow.
    auto ambiguous = compile_gbnf(R"(root ::= x*
x ::= "a" | "a" "a" | "a" "a" "a" | y
y ::= "a" z | "a" "a" z
z ::= "a"? "a"? "a"?)");
    ASSERT_TRUE(ambiguous.ok());
    MatcherLimits tight;
    tight.max_stacks = 8;
    auto m = Matcher::create(*ambiguous, tight);
    ASSERT_TRUE(m.ok());
    auto r = m->advance(std::string(64, 'a'));
    EXPECT_FALSE(r.ok());
}

TEST(Gbnf, LiteralHelperEscapes) {
    const std::string lit = gbnf_literal("say \"hi\"\\\n");
    EXPECT_EQ(judge("root ::= " + lit, "say \"hi\"\\\n"), 1);
}

} // namespace
} // namespace edgeai::engine::grammar
