// Where the connectivity monitor knocks: each backend URL's host and port.
#include "platform/native/http/connectivity_monitor.h"

#include <gtest/gtest.h>

namespace edgeai::platform::native {
namespace {

std::string knock(const std::string& url) {
    ConnectivityMonitor::Endpoint e;
    if (!ConnectivityMonitor::endpoint_of(url, &e)) return "none";
    return e.host + " " + e.port;
}

TEST(ConnectivityMonitor, ProbesEachUrlsHostAndPort) {
    EXPECT_EQ(knock("https://api.example.com/v1"), "api.example.com 443");
    EXPECT_EQ(knock("http://10.0.0.2:8000/v1"), "10.0.0.2 8000");
    EXPECT_EQ(knock("http://user:pw@host:81"), "host 81");
    EXPECT_EQ(knock("https://[::1]:9443/v1?x=1"), "::1 9443");
    EXPECT_EQ(knock("https://[fe80::2]/v1"), "fe80::2 443");
    EXPECT_EQ(knock("ftp://host/"), "none");
    EXPECT_EQ(knock("http://"), "none");
    EXPECT_EQ(knock("http://host:/v1"), "none");
}

} // namespace
} // namespace edgeai::platform::native
