#include "core/http_types.h"

#include <gtest/gtest.h>

namespace edgeai::core {
namespace {

TEST(Headers, LookupIgnoresCaseAndSetReplacesAll) {
    Headers h;
    h.add("Content-Type", "a");
    h.add("content-type", "b");
    EXPECT_EQ(h.get("CONTENT-TYPE"), "a");
    h.set("Content-type", "c");
    EXPECT_EQ(h.fields().size(), 1u);
    EXPECT_EQ(h.get("content-type"), "c");
    EXPECT_FALSE(h.has("x"));
    EXPECT_EQ(h.get("x"), "");
}

TEST(Headers, RemovePrefixedTakesEveryFieldStartingSoInAnyCase) {
    Headers h;
    h.add("X-RateLimit-Limit-Requests", "1");
    h.add("content-type", "a");
    h.add("x-ratelimit-remaining-tokens", "2");
    h.add("x-ratelimit", "short of the prefix");
    h.remove_prefixed("x-ratelimit-");
    ASSERT_EQ(h.fields().size(), 2u);
    EXPECT_EQ(h.fields()[0].name, "content-type");
    EXPECT_EQ(h.fields()[1].name, "x-ratelimit");
}

TEST(RedactUrlCredentials, HidesTheSecretOfTheUserinfoOnly) {
    EXPECT_EQ(redact_url_credentials("https://bob:s3cret@api.example/v1"),
              "https://bob:<redacted>@api.example/v1");
    EXPECT_EQ(redact_url_credentials("http://tok3n@host:8080"), "http://<redacted>@host:8080");
    EXPECT_EQ(redact_url_credentials("https://api.example/v1?to=a@b"),
              "https://api.example/v1?to=a@b");
    EXPECT_EQ(redact_url_credentials("https://api.example/v1"), "https://api.example/v1");
    EXPECT_EQ(redact_url_credentials("not a url"), "not a url");
}

TEST(HttpRequest, PathDropsTheQuery) {
    HttpRequest r;
    r.target = "/v1/models?limit=2";
    EXPECT_EQ(r.path(), "/v1/models");
    r.target = "/healthz";
    EXPECT_EQ(r.path(), "/healthz");
}

} // namespace
} // namespace edgeai::core

namespace edgeai::core {
namespace {

TEST(HeaderList, EntriesWithTheirValueAndWhetherTheirQValueIsAboveZero) {
    std::string_view list = " text/html;level=1 ;Q=0.5, gzip;q=0 ,*;q=0.000, br";
    HeaderListEntry e;
    ASSERT_TRUE(next_header_list_entry(list, e));
    EXPECT_EQ(e.value, "text/html");
    EXPECT_TRUE(e.accepted);
    ASSERT_TRUE(next_header_list_entry(list, e));
    EXPECT_EQ(e.value, "gzip");
    EXPECT_FALSE(e.accepted);
    ASSERT_TRUE(next_header_list_entry(list, e));
    EXPECT_EQ(e.value, "*");
    EXPECT_FALSE(e.accepted);
    ASSERT_TRUE(next_header_list_entry(list, e));
    EXPECT_EQ(e.value, "br");
    EXPECT_TRUE(e.accepted);
    EXPECT_FALSE(next_header_list_entry(list, e));
}

} // namespace
} // namespace edgeai::core
