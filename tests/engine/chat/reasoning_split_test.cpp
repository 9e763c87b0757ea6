#include "engine/chat/reasoning_split.h"

#include <gtest/gtest.h>

#include <string>

namespace edgeai::engine::chat {
namespace {

struct Split {
    std::string reasoning, content;
};

// `text` pushed `piece` bytes at a time.
Split run(bool thinking, std::string_view text, size_t piece) {
    ReasoningSplit s(thinking);
    Split out;
    for (size_t at = 0; at < text.size(); at += piece)
        s.push(text.substr(at, piece), out.reasoning, out.content);
    s.finish(out.reasoning, out.content);
    return out;
}

TEST(ReasoningSplit, ThinkingThenAnswerAtAnyPieceSize) {
    for (size_t piece : {1, 2, 3, 7, 100}) {
        auto s = run(false, "\n<think>\nLet me see.\n  Two lines.\n</think>\n\nIt is 4.", piece);
        EXPECT_EQ(s.reasoning, "Let me see.\n  Two lines.") << piece;
        EXPECT_EQ(s.content, "It is 4.") << piece;
    }
}

TEST(ReasoningSplit, NoThinkingIsAllAnswer) {
    for (size_t piece : {1, 4, 100}) {
        auto s = run(false, "  <thin but not a tag", piece);
        EXPECT_EQ(s.reasoning, "");
        EXPECT_EQ(s.content, "  <thin but not a tag");
    }
    EXPECT_EQ(run(false, "<thi", 1).content, "<thi"); // ended while undecided
}

TEST(ReasoningSplit, PromptOpenedTheThinking) {
    auto s = run(true, "hmm </thin still </think> yes", 3);
    EXPECT_EQ(s.reasoning, "hmm </thin still");
    EXPECT_EQ(s.content, "yes");
    // Cut off while thinking: all of it is reasoning.
    auto cut = run(true, "thinking on and </th", 2);
    EXPECT_EQ(cut.reasoning, "thinking on and </th");
    EXPECT_EQ(cut.content, "");
}

TEST(ReasoningSplit, TemplatesAndPrompts) {
    EXPECT_TRUE(template_reasons("{{ '<think>' }}...{{ '</think>' }}"));
    EXPECT_FALSE(template_reasons("<|im_start|>assistant"));
    EXPECT_TRUE(prompt_opens_thinking("<|im_start|>assistant\n<think>\n"));
    EXPECT_FALSE(prompt_opens_thinking("<|im_start|>assistant\n<think>\n\n</think>\n\n"));
}

} // namespace
} // namespace edgeai::engine::chat
