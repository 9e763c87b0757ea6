#include "core/net/outbound_url.h"

#include <gtest/gtest.h>

namespace edgeai::core::net {
namespace {

// The normalised URL, or "error: <message>".
std::string parsed(std::string_view url) {
    auto u = parse_outbound_url(url);
    return u.ok() ? u->text() : "error: " + u.status().message();
}

TEST(OutboundUrl, TakesPlainUrlsApart) {
    auto u = parse_outbound_url("https://Hooks.Example.COM:8443/a/b?x=1&y=%2F");
    ASSERT_TRUE(u.ok());
    EXPECT_EQ(u->scheme, UrlScheme::kHttps);
    EXPECT_EQ(u->host, "hooks.example.com");
    EXPECT_FALSE(u->address);
    EXPECT_EQ(u->port, 8443);
    EXPECT_EQ(u->target, "/a/b?x=1&y=%2F");
    EXPECT_EQ(u->authority(), "hooks.example.com:8443");
}

TEST(OutboundUrl, DefaultsPortAndTarget) {
    EXPECT_EQ(parsed("http://example.com"), "http://example.com/");
    EXPECT_EQ(parsed("HTTP://example.com?q=1"), "http://example.com/?q=1");
    EXPECT_EQ(parsed("https://example.com:443/x"), "https://example.com/x");
    EXPECT_EQ(parsed("http://example.com./x"), "http://example.com/x");
}

TEST(OutboundUrl, NumericHostsBecomeDottedQuads) {
    for (std::string_view url :
         {"http://127.0.0.1/", "http://127.1/", "http://0x7f000001/", "http://017700000001/",
          "http://2130706433/", "http://0x7F.0.0.1/"}) {
        auto u = parse_outbound_url(url);
        ASSERT_TRUE(u.ok()) << url;
        EXPECT_EQ(u->host, "127.0.0.1") << url;
        ASSERT_TRUE(u->address) << url;
        EXPECT_TRUE(u->address->is_v4());
    }
}

TEST(OutboundUrl, ReadsBracketedIpv6) {
    auto u = parse_outbound_url("http://[0:0:0:0:0:0:0:1]:8080/hook");
    ASSERT_TRUE(u.ok());
    EXPECT_EQ(u->host, "::1");
    ASSERT_TRUE(u->address);
    EXPECT_FALSE(u->address->is_v4());
    EXPECT_EQ(u->authority(), "[::1]:8080");
    EXPECT_EQ(u->text(), "http://[::1]:8080/hook");
}

TEST(OutboundUrl, DropsTheFragment) {
    EXPECT_EQ(parsed("http://example.com/a?b#frag ment"), "error: the URL has a space, control "
                                                          "or non-ASCII byte at offset 27; "
                                                          "percent-encode it");
    EXPECT_EQ(parsed("http://example.com/a?b#frag"), "http://example.com/a?b");
    EXPECT_EQ(parsed("http://example.com#x"), "http://example.com/");
}

TEST(OutboundUrl, RefusesEveryMalformedForm) {
    for (std::string_view bad : {
             "ftp://example.com/",            // scheme
             "file:///etc/passwd",            // scheme
             "http:/example.com/",            // no //
             "example.com/hook",              // no scheme
             "http:///hook",                  // no host
             "http://user:pw@example.com/",   // credentials
             "http://example.com@127.0.0.1/", // credentials hiding the real host
             "http://example.com/a b",        // space in the path
             "http://example.com/a\r\nX: y",  // header injection
             "http://example.com/\x7f",       // control byte
             "http://ex\xc3\xa4mple.com/",    // non-ASCII host (IDN must be punycode)
             "http://example.com/%zz",        // broken escape
             "http://example.com/%4",         // broken escape at the end
             "http://example.com/a\\b",       // backslash (a '/' to some readers)
             "http://example.com/{x}",        // not an RFC 3986 character
             "http://example.com:/",          // empty port
             "http://example.com:0/",         // port 0
             "http://example.com:65536/",     // port out of range
             "http://example.com:80a/",       // port not a number
             "http://example.com:123456/",    // port too long
             "http://[::1/",                  // no ]
             "http://[::1]x/",                // text after ]
             "http://[fe80::1%25eth0]/",      // zone
             "http://[127.0.0.1]/",           // IPv4 in brackets
             "http://exa%6dple.com/",         // escaped host
             "http://a..b/",                  // empty label
             "http://.example.com/",          // empty label
             "http://256.1.1.1/",             // ends in a number, not an address
             "http://example.1/",             // ends in a number, not an address
             "http://4294967296/",            // over 32 bits
         }) {
        EXPECT_FALSE(parse_outbound_url(bad).ok()) << bad;
    }
}

TEST(OutboundUrl, RefusesOverlongUrlsAndNames) {
    const std::string path(kMaxOutboundUrlBytes, 'a');
    EXPECT_FALSE(parse_outbound_url("http://example.com/" + path).ok());
    EXPECT_FALSE(parse_outbound_url("http://" + std::string(64, 'a') + ".com/").ok());
    std::string long_name;
    for (int i = 0; i < 51; ++i)
        long_name += "abcd.";
    long_name += "com";
    EXPECT_FALSE(parse_outbound_url("http://" + long_name + "/").ok());
}

TEST(OutboundUrl, ErrorsSayWhatIsWrong) {
    auto u = parse_outbound_url("http://user:secret@example.com/");
    ASSERT_FALSE(u.ok());
    EXPECT_NE(u.status().message().find("credentials"), std::string::npos);
    EXPECT_EQ(u.status().message().find("secret"), std::string::npos); // never echoed
}

} // namespace
} // namespace edgeai::core::net
