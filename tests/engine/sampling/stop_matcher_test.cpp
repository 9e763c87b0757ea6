// Stop strings split across pieces, overlapping prefixes, several strings at
// once, and no text held back once it cannot start a stop string.
#include "engine/sampling/stop_matcher.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace edgeai::engine::sampling {
namespace {

StopMatcher make(std::vector<std::string> stops) {
    auto m = StopMatcher::create(stops);
    EXPECT_TRUE(m.ok()) << m.status().to_string();
    return std::move(m).value();
}

struct Outcome {
    std::string text;
    bool stopped;
    std::string matched;
};

Outcome run(std::vector<std::string> stops, const std::vector<std::string>& pieces) {
    StopMatcher m = make(std::move(stops));
    std::string out;
    bool stopped = false;
    for (const std::string& p : pieces) {
        const bool now = m.push(p, out);
        EXPECT_TRUE(!stopped || now) << "un-stopped after a match";
        stopped = now;
    }
    if (!stopped) m.finish(out);
    return {out, stopped, std::string(m.matched())};
}

std::vector<std::string> bytes_of(std::string_view s) {
    std::vector<std::string> out;
    for (char c : s)
        out.emplace_back(1, c);
    return out;
}

TEST(StopMatcher, StopSplitAtEveryPositionEmitsTheTextBeforeIt) {
    const std::string text = "hello STOP world";
    for (size_t cut = 0; cut <= text.size(); ++cut) {
        Outcome o = run({"STOP"}, {text.substr(0, cut), text.substr(cut)});
        EXPECT_TRUE(o.stopped) << "cut " << cut;
        EXPECT_EQ(o.text, "hello ") << "cut " << cut;
        EXPECT_EQ(o.matched, "STOP");
    }
    Outcome o = run({"STOP"}, bytes_of(text));
    EXPECT_EQ(o.text, "hello ");
}

TEST(StopMatcher, HoldsBackOnlyWhatCouldStartAStop) {
    StopMatcher m = make({"</s>"});
    std::string out;
    EXPECT_FALSE(m.push("abc", out));
    EXPECT_EQ(out, "abc"); // nothing here can begin "</s>"
    EXPECT_EQ(m.pending(), 0u);
    EXPECT_FALSE(m.push("d<", out));
    EXPECT_EQ(out, "abcd");
    EXPECT_EQ(m.pending(), 1u);
    EXPECT_FALSE(m.push("/x", out)); // "</x" is ruled out: released whole
    EXPECT_EQ(out, "abcd</x");
    EXPECT_EQ(m.pending(), 0u);
}

TEST(StopMatcher, HeldTextIsReleasedAtTheEnd) {
    Outcome o = run({"</s>"}, {"answer </"});
    EXPECT_FALSE(o.stopped);
    EXPECT_EQ(o.text, "answer </");
    EXPECT_EQ(o.matched, "");
}

TEST(StopMatcher, OverlappingPrefixes) {
    // "aab" inside "aaab": a naive matcher that drops its partial match on
    // the third 'a' misses it.
    Outcome o = run({"aab"}, bytes_of("xaaab!"));
    EXPECT_TRUE(o.stopped);
    EXPECT_EQ(o.text, "xa");
    // "ab" and "aab" both match; the one that starts first wins.
    o = run({"ab", "aab"}, {"xa", "a", "b"});
    EXPECT_TRUE(o.stopped);
    EXPECT_EQ(o.text, "x");
    EXPECT_EQ(o.matched, "aab");
}

TEST(StopMatcher, EarliestOfSeveralStopsWins) {
    Outcome o = run({"world", "lo", "\n\n"}, {"hel", "lo wor", "ld"});
    EXPECT_TRUE(o.stopped);
    EXPECT_EQ(o.text, "hel");
    EXPECT_EQ(o.matched, "lo");
    o = run({"world", "xyz"}, {"hello wo", "rld and more"});
    EXPECT_EQ(o.text, "hello ");
    EXPECT_EQ(o.matched, "world");
}

TEST(StopMatcher, NothingAfterTheStop) {
    StopMatcher m = make({"END"});
    std::string out;
    EXPECT_TRUE(m.push("done.END trailing", out));
    EXPECT_EQ(out, "done.");
    EXPECT_TRUE(m.push("more text", out));
    m.finish(out);
    EXPECT_EQ(out, "done.");
}

TEST(StopMatcher, NoStopsPassesThrough) {
    Outcome o = run({}, {"a", "b\xC3\xA9"});
    EXPECT_FALSE(o.stopped);
    EXPECT_EQ(o.text, "ab\xC3\xA9");
}

TEST(StopMatcher, MultibyteStopStrings) {
    Outcome o = run({"\xC2\xBB"}, {"quote \xC2\xAB"
                                   "x",
                                   "\xC2\xBB after"});
    EXPECT_TRUE(o.stopped);
    EXPECT_EQ(o.text, "quote \xC2\xAB"
                      "x");
}

TEST(StopMatcher, EmptyStopStringIsRefused) {
    std::vector<std::string> stops = {"ok", ""};
    auto m = StopMatcher::create(stops);
    ASSERT_FALSE(m.ok());
    EXPECT_EQ(m.status().code(), core::StatusCode::kInvalidArgument);
    EXPECT_EQ(m.status().field(), "stop[1]");
}

} // namespace
} // namespace edgeai::engine::sampling
