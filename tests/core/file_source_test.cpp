// The one check every FileSource applies before touching the file system:
// which relative paths may be looked up at all.
#include "core/file_source.h"

#include <gtest/gtest.h>

#include <string>

namespace edgeai::core {
namespace {

TEST(SafeRelativePath, AcceptsThePathsAPageLinks) {
    for (const char* path : {"index.html", "app.js", "assets/index-4f3a2b.js", "a/b/c/d.css",
                             "favicon.ico", "font@2x.png", "v1.2~beta+x/file_name-1.wasm"})
        EXPECT_TRUE(is_safe_relative_path(path)) << path;
}

TEST(SafeRelativePath, RefusesTraversalInEveryPosition) {
    for (const char* path : {"..", "../x", "x/..", "x/../y", "x/../../y", ".", "./x", "x/./y"})
        EXPECT_FALSE(is_safe_relative_path(path)) << path;
}

TEST(SafeRelativePath, RefusesDotFilesAndDotDirectories) {
    for (const char* path : {".env", ".git/config", "sub/.htpasswd", ".well-known/x", "a/.b/c"})
        EXPECT_FALSE(is_safe_relative_path(path)) << path;
}

TEST(SafeRelativePath, RefusesAbsoluteEmptyAndDoubledSeparators) {
    for (const char* path : {"", "/", "/etc/passwd", "a//b", "a/", "//a"})
        EXPECT_FALSE(is_safe_relative_path(path)) << path;
}

TEST(SafeRelativePath, RefusesBytesOutsideTheAllowList) {
    // A backslash is a separator elsewhere; '%' means something was not decoded
    // (or was encoded twice); ':' names streams and drives; the rest are
    // controls, spaces, quotes and non-ASCII.
    for (std::string path :
         {std::string("..\\x"), std::string("a\\b"), std::string("%2e%2e"), std::string("a%2fb"),
          std::string("c:x"), std::string("a b"), std::string("a\"b"), std::string("a\nb"),
          std::string("caf\xc3\xa9.html"), std::string("a\x7f")})
        EXPECT_FALSE(is_safe_relative_path(path)) << path;
    EXPECT_FALSE(is_safe_relative_path(std::string("a\0b", 3)));
}

TEST(SafeRelativePath, RefusesPathsAndSegmentsBeyondTheirLimits) {
    EXPECT_TRUE(is_safe_relative_path(std::string(255, 'a')));
    EXPECT_FALSE(is_safe_relative_path(std::string(256, 'a')));
    std::string deep;
    while (deep.size() + 2 <= kMaxRelativePathBytes)
        deep += deep.empty() ? "a" : "/a";
    EXPECT_TRUE(is_safe_relative_path(deep));
    EXPECT_FALSE(is_safe_relative_path(deep + "/a"));
}

} // namespace
} // namespace edgeai::core
