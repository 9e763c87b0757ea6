// The FileSource over files compiled into the program (the web console):
// exact lookups in its table, the same refusals as a directory, and the
// stored bytes handed back untouched with the source's content-coding.
#include "core/embedded_file_source.h"

#include <gtest/gtest.h>

#include <string>

namespace edgeai::core {
namespace {

constexpr unsigned char kIndex[] = {'<', 'p', '>', 0, 0xff};
constexpr unsigned char kScript[] = {'j', 's'};
constexpr EmbeddedFile kFiles[] = {
    {"index.html", kIndex, sizeof kIndex},
    {"js/app.js", kScript, sizeof kScript},
};

TEST(EmbeddedFileSource, ReturnsTheStoredBytesIncludingNulAndHighBytes) {
    EmbeddedFileSource source(kFiles, "gzip");
    auto index = source.read("index.html");
    ASSERT_TRUE(index.ok());
    EXPECT_EQ(*index, std::string("<p>\0\xff", 5));
    EXPECT_EQ(source.read("js/app.js").value(), "js");
    EXPECT_EQ(source.content_coding(), "gzip");
}

TEST(EmbeddedFileSource, AnythingNotInTheTableIsNotFound) {
    EmbeddedFileSource source(kFiles, "");
    for (const char* path :
         {"missing.html", "INDEX.HTML", "index.htm", "js", "js/", "app.js", "index.html/", ""}) {
        EXPECT_EQ(source.read(path).status().code(), StatusCode::kNotFound) << path;
    }
    EXPECT_TRUE(source.content_coding().empty());
}

TEST(EmbeddedFileSource, RefusesUnsafePathsEvenWhenTheyWouldMatch) {
    // A table entry with an unsafe name can never be reached: the same check
    // as the directory source, so the two cannot disagree.
    constexpr EmbeddedFile kOdd[] = {{"../secret", kScript, sizeof kScript},
                                     {".env", kScript, sizeof kScript}};
    EmbeddedFileSource source(kOdd, "");
    EXPECT_FALSE(source.read("../secret").ok());
    EXPECT_FALSE(source.read(".env").ok());
}

TEST(EmbeddedFileSource, AnEmptyTableServesNothing) {
    EmbeddedFileSource source({}, "gzip");
    EXPECT_FALSE(source.read("index.html").ok());
}

} // namespace
} // namespace edgeai::core
