#include "core/net/destination_policy.h"

#include <gtest/gtest.h>

namespace edgeai::core::net {
namespace {

IpAddress ip(std::string_view text) {
    auto a = parse_ip_literal(text);
    EXPECT_TRUE(a) << text;
    return a ? *a : IpAddress{};
}

std::string_view class_of(std::string_view text) {
    return address_class_name(classify_address(ip(text)));
}

DestinationPolicy policy(std::vector<std::string> allow) {
    auto p = DestinationPolicy::from_allow_list(allow);
    EXPECT_TRUE(p.ok()) << p.status().message();
    return p.ok() ? std::move(p).value() : DestinationPolicy();
}

TEST(ClassifyAddress, Ipv4Blocks) {
    EXPECT_EQ(class_of("8.8.8.8"), "public");
    EXPECT_EQ(class_of("127.0.0.1"), "loopback");
    EXPECT_EQ(class_of("127.255.255.254"), "loopback");
    EXPECT_EQ(class_of("169.254.169.254"), "link-local");
    EXPECT_EQ(class_of("10.1.2.3"), "private");
    EXPECT_EQ(class_of("172.16.0.1"), "private");
    EXPECT_EQ(class_of("172.31.255.255"), "private");
    EXPECT_EQ(class_of("172.32.0.1"), "public");
    EXPECT_EQ(class_of("192.168.1.1"), "private");
    EXPECT_EQ(class_of("100.64.0.1"), "shared address space");
    EXPECT_EQ(class_of("100.127.255.255"), "shared address space");
    EXPECT_EQ(class_of("100.128.0.1"), "public");
    EXPECT_EQ(class_of("224.0.0.1"), "multicast");
    EXPECT_EQ(class_of("0.0.0.0"), "unspecified");
    EXPECT_EQ(class_of("0.1.2.3"), "unspecified");
    EXPECT_EQ(class_of("255.255.255.255"), "broadcast");
    EXPECT_EQ(class_of("240.0.0.1"), "reserved");
    EXPECT_EQ(class_of("192.0.2.1"), "reserved");
    EXPECT_EQ(class_of("198.18.0.1"), "reserved");
}

TEST(ClassifyAddress, Ipv6Blocks) {
    EXPECT_EQ(class_of("2606:4700::1111"), "public");
    EXPECT_EQ(class_of("::1"), "loopback");
    EXPECT_EQ(class_of("::"), "unspecified");
    EXPECT_EQ(class_of("fe80::1"), "link-local");
    EXPECT_EQ(class_of("fc00::1"), "private");
    EXPECT_EQ(class_of("fd12:3456::1"), "private");
    EXPECT_EQ(class_of("fec0::1"), "private");
    EXPECT_EQ(class_of("ff02::1"), "multicast");
    EXPECT_EQ(class_of("2001:db8::1"), "reserved");
    EXPECT_EQ(class_of("2001::1"), "reserved"); // Teredo
    EXPECT_EQ(class_of("64:ff9b:1::1"), "private");
}

TEST(ClassifyAddress, LooksThroughIpv6FormsOfIpv4) {
    EXPECT_EQ(class_of("::ffff:127.0.0.1"), "loopback"); // mapped
    EXPECT_EQ(class_of("::ffff:7f00:1"), "loopback");    // mapped, hex
    EXPECT_EQ(class_of("::ffff:169.254.169.254"), "link-local");
    EXPECT_EQ(class_of("::ffff:8.8.8.8"), "public");
    EXPECT_EQ(class_of("::127.0.0.1"), "loopback");        // compatible
    EXPECT_EQ(class_of("::8.8.8.8"), "reserved");          // compatible, never real
    EXPECT_EQ(class_of("::ffff:0:10.0.0.1"), "private");   // translated
    EXPECT_EQ(class_of("64:ff9b::127.0.0.1"), "loopback"); // NAT64
    EXPECT_EQ(class_of("64:ff9b::a9fe:a9fe"), "link-local");
    EXPECT_EQ(class_of("64:ff9b::8.8.8.8"), "public");
    EXPECT_EQ(class_of("2002:7f00:1::"), "loopback"); // 6to4
    EXPECT_EQ(class_of("2002:c0a8:101::1"), "private");
    EXPECT_EQ(class_of("2002:808:808::1"), "public");
}

TEST(DestinationPolicy, AdmitsOnlyPublicAddressesByDefault) {
    DestinationPolicy p;
    EXPECT_TRUE(p.admits(ip("8.8.8.8"), 443, ""));
    EXPECT_TRUE(p.admits(ip("2606:4700::1111"), 443, "example.com"));
    for (std::string_view refused : {"127.0.0.1", "10.0.0.1", "169.254.169.254", "::1",
                                     "::ffff:127.0.0.1", "0.0.0.0", "fd00::1", "100.64.1.1"}) {
        EXPECT_FALSE(p.admits(ip(refused), 80, "")) << refused;
    }
}

TEST(DestinationPolicy, AllowListCidrsAdmitTheirAddresses) {
    DestinationPolicy p = policy({"127.0.0.1/32", "10.0.0.0/8", "fd00::/8"});
    EXPECT_TRUE(p.admits(ip("127.0.0.1"), 9000, ""));
    EXPECT_TRUE(p.admits(ip("::ffff:127.0.0.1"), 9000, "")); // the same socket
    EXPECT_FALSE(p.admits(ip("127.0.0.2"), 9000, ""));
    EXPECT_TRUE(p.admits(ip("10.200.1.1"), 80, ""));
    EXPECT_TRUE(p.admits(ip("fdab::1"), 80, ""));
    EXPECT_FALSE(p.admits(ip("fc00::1"), 80, ""));
    EXPECT_FALSE(p.admits(ip("169.254.169.254"), 80, ""));
}

TEST(DestinationPolicy, BareAddressesAndHostBitsAreAccepted) {
    DestinationPolicy p = policy({"192.168.1.5", "::1", "10.1.2.3/8"});
    EXPECT_TRUE(p.admits(ip("192.168.1.5"), 80, ""));
    EXPECT_FALSE(p.admits(ip("192.168.1.6"), 80, ""));
    EXPECT_TRUE(p.admits(ip("::1"), 80, ""));
    EXPECT_TRUE(p.admits(ip("10.9.9.9"), 80, ""));
}

TEST(DestinationPolicy, HostNamesAdmitWhatTheyResolveTo) {
    DestinationPolicy p = policy({"hooks.lan", "*.internal.example"});
    EXPECT_TRUE(p.admits(ip("10.0.0.7"), 80, "hooks.lan"));
    EXPECT_TRUE(p.admits(ip("10.0.0.7"), 80, "a.internal.example"));
    EXPECT_FALSE(p.admits(ip("10.0.0.7"), 80, "internal.example"));
    EXPECT_FALSE(p.admits(ip("10.0.0.7"), 80, "evil-hooks.lan"));
    EXPECT_FALSE(p.admits(ip("10.0.0.7"), 80, ""));
}

TEST(DestinationPolicy, PortsNarrowAnEntry) {
    DestinationPolicy p = policy({"127.0.0.1:9000", "[::1]:9001", "hooks.lan:8443"});
    EXPECT_TRUE(p.admits(ip("127.0.0.1"), 9000, ""));
    EXPECT_FALSE(p.admits(ip("127.0.0.1"), 9001, ""));
    EXPECT_TRUE(p.admits(ip("::1"), 9001, ""));
    EXPECT_TRUE(p.admits(ip("10.0.0.1"), 8443, "hooks.lan"));
    EXPECT_FALSE(p.admits(ip("10.0.0.1"), 443, "hooks.lan"));
}

TEST(DestinationPolicy, TheGatewayItselfNeedsAnEntryWithItsPort) {
    DestinationPolicy wide = policy({"127.0.0.0/8"});
    wide.add_self(ip("127.0.0.1"), 8080);
    EXPECT_TRUE(wide.admits(ip("127.0.0.1"), 9000, ""));
    EXPECT_FALSE(wide.admits(ip("127.0.0.1"), 8080, ""));
    EXPECT_FALSE(wide.admits(ip("::ffff:127.0.0.1"), 8080, ""));
    DestinationPolicy exact = policy({"127.0.0.1:8080"});
    exact.add_self(ip("127.0.0.1"), 8080);
    EXPECT_TRUE(exact.admits(ip("127.0.0.1"), 8080, ""));
    DestinationPolicy pub;
    pub.add_self(ip("203.0.114.9"), 443);
    EXPECT_FALSE(pub.admits(ip("203.0.114.9"), 443, "gw.example.com"));
    EXPECT_TRUE(pub.admits(ip("203.0.114.9"), 8443, ""));
}

TEST(DestinationPolicy, BadEntriesNameThemselves) {
    for (std::string bad : {"", "10.0.0.0/33", "10.0.0.0/", "fd00::/129", "not a host",
                            "*.10.0.0.1", "host:0", "user@host", "10.0.0.0/8x", "[::1"}) {
        std::vector<std::string> list{bad};
        auto p = DestinationPolicy::from_allow_list(list);
        ASSERT_FALSE(p.ok()) << bad;
        EXPECT_NE(p.status().message().find("queue.webhook_allow"), std::string::npos);
    }
}

} // namespace
} // namespace edgeai::core::net
