#include "core/net/ip_address.h"

#include <gtest/gtest.h>

namespace edgeai::core::net {
namespace {

// The dotted quad an inet_aton form stands for, or "name" / "invalid".
std::string numeric(std::string_view host) {
    IpAddress a;
    switch (parse_numeric_ipv4(host, &a)) {
    case NumericHost::kName:
        return "name";
    case NumericHost::kInvalid:
        return "invalid";
    case NumericHost::kAddress:
        return format_ip(a);
    }
    return "?";
}

TEST(NumericIpv4, ReadsEveryFormInetAtonAccepts) {
    EXPECT_EQ(numeric("127.0.0.1"), "127.0.0.1");
    EXPECT_EQ(numeric("127.1"), "127.0.0.1");
    EXPECT_EQ(numeric("127.0.1"), "127.0.0.1");
    EXPECT_EQ(numeric("0x7f000001"), "127.0.0.1");
    EXPECT_EQ(numeric("0X7F000001"), "127.0.0.1");
    EXPECT_EQ(numeric("017700000001"), "127.0.0.1");
    EXPECT_EQ(numeric("2130706433"), "127.0.0.1");
    EXPECT_EQ(numeric("0x7f.1"), "127.0.0.1");
    EXPECT_EQ(numeric("0177.0.0.01"), "127.0.0.1");
    EXPECT_EQ(numeric("169.254.43518"), "169.254.169.254");
    EXPECT_EQ(numeric("0"), "0.0.0.0");
    EXPECT_EQ(numeric("0x"), "0.0.0.0");
    EXPECT_EQ(numeric("127.0.0.1."), "127.0.0.1"); // one trailing dot, as in DNS
}

TEST(NumericIpv4, RefusesNumbersThatAreNotAddresses) {
    EXPECT_EQ(numeric("4294967296"), "invalid"); // 2^32
    EXPECT_EQ(numeric("256.0.0.1"), "invalid");
    EXPECT_EQ(numeric("1.2.3.4.5"), "invalid");
    EXPECT_EQ(numeric("1.2.65536"), "invalid");
    EXPECT_EQ(numeric("08.1.1.1"), "invalid"); // 8 is no octal digit
    EXPECT_EQ(numeric("1..1"), "invalid");
    EXPECT_EQ(numeric("example.123"), "invalid");
    EXPECT_EQ(numeric("0x1g"), "name"); // not a number: a (bad) name, judged elsewhere
    EXPECT_EQ(numeric("99999999999999999999999"), "invalid");
}

TEST(NumericIpv4, LeavesNamesAlone) {
    EXPECT_EQ(numeric("example.com"), "name");
    EXPECT_EQ(numeric("1.2.3.example"), "name");
    EXPECT_EQ(numeric("localhost"), "name");
}

TEST(DottedIpv4, IsStrict) {
    EXPECT_TRUE(parse_ipv4_dotted("10.0.0.1"));
    EXPECT_FALSE(parse_ipv4_dotted("10.0.1"));
    EXPECT_FALSE(parse_ipv4_dotted("010.0.0.1"));
    EXPECT_FALSE(parse_ipv4_dotted("10.0.0.256"));
    EXPECT_FALSE(parse_ipv4_dotted("10.0.0.1.2"));
    EXPECT_FALSE(parse_ipv4_dotted("10.0.0."));
}

TEST(Ipv6, ParsesAndFormatsRfc5952) {
    auto text = [](std::string_view s) {
        auto a = parse_ipv6(s);
        return a ? format_ip(*a) : std::string("invalid");
    };
    EXPECT_EQ(text("::1"), "::1");
    EXPECT_EQ(text("::"), "::");
    EXPECT_EQ(text("0:0:0:0:0:0:0:1"), "::1");
    EXPECT_EQ(text("2001:DB8:0:0:1:0:0:1"), "2001:db8::1:0:0:1");
    EXPECT_EQ(text("fe80::"), "fe80::");
    EXPECT_EQ(text("1::"), "1::");
    EXPECT_EQ(text("::ffff:127.0.0.1"), "::ffff:7f00:1");
    EXPECT_EQ(text("64:ff9b::10.0.0.1"), "64:ff9b::a00:1");
    EXPECT_EQ(text("1:2:3:4:5:6:7:8"), "1:2:3:4:5:6:7:8");
    EXPECT_EQ(text("1:0:0:4:0:0:0:8"), "1:0:0:4::8");
}

TEST(Ipv6, RefusesMalformedText) {
    for (std::string_view bad :
         {"", ":", ":::", "1:::2", "1::2::3", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7",
          "12345::", "1:", ":1", "::g", "::1%eth0", "::1.2.3", "::256.1.1.1",
          "1:2:3:4:5:6:7:1.2.3.4", "1::2:3:4:5:6:7:8"}) {
        EXPECT_FALSE(parse_ipv6(bad)) << bad;
    }
}

} // namespace
} // namespace edgeai::core::net
