// The web page's files under /ui/: which paths reach the FileSource at all
// (traversal in every encoding is refused before any I/O), what a file is
// sent with, conditional requests, and 404s that say nothing about why.
#include "gateway/static_files.h"

#include "gateway_fakes.h"

#include "api/routes.h"
#include "codec/json/json_document.h"
#include "gateway/gateway.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

namespace edgeai::gateway {
namespace {

using namespace testing_fakes;

TEST(StaticFilePath, NamesTheFileAndIndexForDirectories) {
    EXPECT_EQ(static_file_path("app.js").value(), "app.js");
    EXPECT_EQ(static_file_path("").value(), "index.html");
    EXPECT_EQ(static_file_path("sub/").value(), "sub/index.html");
    EXPECT_EQ(static_file_path("assets/index-1a2b.css").value(), "assets/index-1a2b.css");
    // Percent-decoded once: a name may be sent escaped.
    EXPECT_EQ(static_file_path("app%2Ejs").value(), "app.js");
    EXPECT_EQ(static_file_path("%61pp.js").value(), "app.js");
}

TEST(StaticFilePath, RefusesTraversalHoweverItIsEncoded) {
    for (const char* tail : {"../edgeai.toml", "..", "../", "sub/../../x", "sub/..", "./index.html",
                             "%2e%2e/%2e%2e/etc/passwd", "%2E%2E/x", ".%2e/x", "%2e./x",
                             "/etc/passwd", "//etc/passwd", "a//b"})
        EXPECT_EQ(static_file_path(tail).status().code(), core::StatusCode::kNotFound) << tail;
}

TEST(StaticFilePath, RefusesEncodedSeparatorsAndBackslashes) {
    for (const char* tail : {"..%2fsecret", "a%2Fb", "%2e%2e%5c..", "a%5cb", "..\\..\\x", "\\x"})
        EXPECT_FALSE(static_file_path(tail).ok()) << tail;
}

TEST(StaticFilePath, RefusesDoubleEncodingAndControlBytes) {
    // A '%' left after one decoding is a second encoding some other layer
    // might undo; NUL would cut the name short in a C call.
    for (const char* tail : {"%252e%252e/x", "%25", "a%00b", "a%0ab", "a%7f"})
        EXPECT_FALSE(static_file_path(tail).ok()) << tail;
}

TEST(StaticFilePath, RefusesMalformedEscapes) {
    for (const char* tail : {"%", "%2", "%zz", "a%2", "%%32%65", "%g0"})
        EXPECT_FALSE(static_file_path(tail).ok()) << tail;
}

TEST(StaticFilePath, RefusesDotFilesAndDotDirectories) {
    for (const char* tail : {".env", "%2eenv", ".git/config", "sub/.htaccess", ".git/"})
        EXPECT_FALSE(static_file_path(tail).ok()) << tail;
}

TEST(StaticFilePath, RefusesAPathTooLongToNameAPageFile) {
    EXPECT_FALSE(static_file_path(std::string(core::kMaxRelativePathBytes * 3 + 1, 'a')).ok());
    EXPECT_FALSE(static_file_path(std::string(core::kMaxRelativePathBytes + 1, 'a')).ok());
}

TEST(StaticFilePath, GivesTheSameAnswerForEveryRefusal) {
    const std::string missing_style = static_file_path("../x").status().message();
    EXPECT_EQ(static_file_path(".env").status().message(), missing_style);
    EXPECT_EQ(static_file_path("%zz").status().message(), missing_style);
}

TEST(StaticContentType, FollowsTheExtension) {
    EXPECT_EQ(static_content_type("index.html"), "text/html; charset=utf-8");
    EXPECT_EQ(static_content_type("a/b.JS"), "text/javascript; charset=utf-8");
    EXPECT_EQ(static_content_type("m.mjs"), "text/javascript; charset=utf-8");
    EXPECT_EQ(static_content_type("s.css"), "text/css; charset=utf-8");
    EXPECT_EQ(static_content_type("d.json"), "application/json");
    EXPECT_EQ(static_content_type("app.js.map"), "application/json");
    EXPECT_EQ(static_content_type("i.svg"), "image/svg+xml");
    EXPECT_EQ(static_content_type("i.png"), "image/png");
    EXPECT_EQ(static_content_type("favicon.ico"), "image/x-icon");
    EXPECT_EQ(static_content_type("engine.wasm"), "application/wasm");
    EXPECT_EQ(static_content_type("robots.txt"), "text/plain; charset=utf-8");
    EXPECT_EQ(static_content_type("README"), "application/octet-stream");
    EXPECT_EQ(static_content_type("x.exe"), "application/octet-stream");
    EXPECT_EQ(static_content_type("dir.html/file"), "application/octet-stream");
}

TEST(EtagMatches, ComparesEachListedTagWeakly) {
    const std::string etag = "\"abc\"";
    EXPECT_TRUE(etag_matches("\"abc\"", etag));
    EXPECT_TRUE(etag_matches("W/\"abc\"", etag));
    EXPECT_TRUE(etag_matches("\"x\", \"abc\"", etag));
    EXPECT_TRUE(etag_matches(" * ", etag));
    EXPECT_FALSE(etag_matches("", etag));
    EXPECT_FALSE(etag_matches("abc", etag));
    EXPECT_FALSE(etag_matches("\"abcd\"", etag));
    EXPECT_FALSE(etag_matches(",,", etag));
}

TEST(StaticRoute, HasItsOwnEndpointName) {
    EXPECT_EQ(api::endpoint_name(api::Endpoint::kStatic), "static");
}

// Files in memory; every path asked for is kept, so a test can tell that a
// refused path never reached the source.
struct FakeFileSource : core::FileSource {
    std::map<std::string, std::string> files;
    std::map<std::string, core::Status> failures;
    std::vector<std::string> asked;
    std::string coding; // content_coding(): empty, or "gzip" as the built-in console's
    std::string_view content_coding() const override { return coding; }
    core::Result<std::string> read(std::string_view relative_path) override {
        asked.emplace_back(relative_path);
        const std::string key(relative_path);
        if (auto f = failures.find(key); f != failures.end()) return f->second;
        auto it = files.find(key);
        if (it == files.end()) return core::not_found("no such file");
        return it->second;
    }
};

class StaticFilesTest : public ::testing::Test {
  protected:
    StaticFilesTest() {
        files.files["index.html"] = "<!doctype html><title>edgeai</title>";
        files.files["app.js"] = "console.log(1)";
        files.files["sub/index.html"] = "sub";
        make_gateway(&files);
    }

    void make_gateway(core::FileSource* source) {
        GatewayDeps deps;
        deps.settings = &settings;
        deps.clock = &clock;
        deps.logger = &logger;
        deps.metrics = &metrics;
        deps.router = &router;
        deps.executor = &executor;
        deps.static_files = source;
        deps.random = &random;
        gateway = std::make_unique<Gateway>(deps);
    }

    const core::HttpResponse& get(std::string target, std::string method = "GET",
                                  std::string if_none_match = "") {
        core::Headers headers;
        if (!if_none_match.empty()) headers.add("if-none-match", std::move(if_none_match));
        return send(std::move(target), std::move(headers), std::move(method));
    }

    const core::HttpResponse& send(std::string target, core::Headers headers,
                                   std::string method = "GET") {
        core::HttpRequest r;
        r.method = std::move(method);
        r.target = std::move(target);
        r.headers = std::move(headers);
        writer = FakeWriter{};
        EXPECT_EQ(gateway->handle(std::move(r), &writer), nullptr);
        EXPECT_TRUE(writer.was_sent);
        return writer.sent;
    }

    void expect_not_found(const core::HttpResponse& r, const std::string& target) {
        EXPECT_EQ(r.status, 404) << target;
        auto doc = codec::JsonDocument::parse(r.body);
        ASSERT_TRUE(doc.ok()) << target;
        EXPECT_EQ(doc->root()["error"]["message"].as_string(), "There is no such file under /ui/")
            << target;
        EXPECT_EQ(doc->root()["error"]["code"].as_string(), "not_found") << target;
    }

    core::Settings settings;
    core::ManualClock clock;
    core::SeededRandom random{3};
    NullSink sink;
    telemetry::Logger logger{sink, clock, core::LogLevel::kInfo};
    telemetry::MetricsRegistry metrics;
    core::Settings routing; // no backends: static files need none
    router::Router router{routing, {}, clock};
    ManualExecutor executor{&clock};
    FakeFileSource files;
    FakeWriter writer;
    std::unique_ptr<Gateway> gateway;
};

TEST_F(StaticFilesTest, UiIsRedirectedToUiSlash) {
    const core::HttpResponse& r = get("/ui");
    EXPECT_EQ(r.status, 301);
    EXPECT_EQ(r.headers.get("location"), "/ui/");
    EXPECT_TRUE(files.asked.empty());
}

TEST_F(StaticFilesTest, ServesIndexWithTypeSecurityHeadersAndEtag) {
    const core::HttpResponse& r = get("/ui/");
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, files.files["index.html"]);
    EXPECT_EQ(r.headers.get("content-type"), "text/html; charset=utf-8");
    EXPECT_EQ(r.headers.get("x-content-type-options"), "nosniff");
    EXPECT_EQ(r.headers.get("cache-control"), "no-cache");
    EXPECT_NE(r.headers.get("content-security-policy").find("default-src 'self'"),
              std::string_view::npos);
    const std::string_view etag = r.headers.get("etag");
    ASSERT_EQ(etag.size(), 34u);
    EXPECT_EQ(etag.front(), '"');
    EXPECT_EQ(etag.back(), '"');
}

TEST_F(StaticFilesTest, ScriptsGetTheirTypeAndNoPolicyOfTheirOwn) {
    const core::HttpResponse& r = get("/ui/app.js?v=3");
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, "console.log(1)");
    EXPECT_EQ(r.headers.get("content-type"), "text/javascript; charset=utf-8");
    EXPECT_FALSE(r.headers.has("content-security-policy"));
    EXPECT_EQ(r.headers.get("x-content-type-options"), "nosniff");
}

TEST_F(StaticFilesTest, ADirectoryPathServesItsIndex) {
    EXPECT_EQ(get("/ui/sub/").body, "sub");
    EXPECT_EQ(files.asked.back(), "sub/index.html");
}

TEST_F(StaticFilesTest, AMatchingIfNoneMatchIs304WithoutABody) {
    const std::string etag(get("/ui/app.js").headers.get("etag"));
    const core::HttpResponse& r = get("/ui/app.js", "GET", "\"other\", " + etag);
    EXPECT_EQ(r.status, 304);
    EXPECT_TRUE(r.body.empty());
    EXPECT_EQ(r.headers.get("etag"), etag);
    EXPECT_EQ(get("/ui/app.js", "GET", "\"other\"").status, 200);
    files.files["app.js"] = "console.log(2)";
    EXPECT_EQ(get("/ui/app.js", "GET", etag).status, 200);
    EXPECT_NE(writer.sent.headers.get("etag"), etag);
}

TEST_F(StaticFilesTest, HeadIsAnsweredLikeGet) {
    const core::HttpResponse& r = get("/ui/app.js", "HEAD");
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.headers.get("content-type"), "text/javascript; charset=utf-8");
}

TEST_F(StaticFilesTest, OtherMethodsAre405) {
    const core::HttpResponse& r = get("/ui/app.js", "POST");
    EXPECT_EQ(r.status, 405);
    EXPECT_EQ(r.headers.get("allow"), "GET, HEAD, OPTIONS");
}

TEST_F(StaticFilesTest, RefusedPathsNeverReachTheSourceAndLookMissing) {
    for (const char* target :
         {"/ui/../edgeai.toml", "/ui/%2e%2e/%2e%2e/etc/passwd", "/ui/..%2fsecret",
          "/ui/%2e%2e%5c..", "/ui/.env", "/ui/sub/../../x", "/ui/a%00b", "/ui/%252e%252e/x",
          "/ui//etc/passwd", "/ui/.git/config"}) {
        expect_not_found(get(target), target);
    }
    EXPECT_TRUE(files.asked.empty());
    expect_not_found(get("/ui/missing.js"), "/ui/missing.js");
}

TEST_F(StaticFilesTest, AFileTheSourceCannotServeIsA404AndALogLine) {
    files.failures["big.bin"] = core::resource_exhausted("'big.bin' is too large");
    expect_not_found(get("/ui/big.bin"), "/ui/big.bin");
    bool logged = false;
    for (const std::string& line : sink.lines)
        logged |= line.find("static file not served") != std::string::npos &&
                  line.find("too large") != std::string::npos;
    EXPECT_TRUE(logged);
}

TEST_F(StaticFilesTest, WithoutAStaticDirEveryUiPathIs404) {
    make_gateway(nullptr);
    expect_not_found(get("/ui/"), "/ui/");
    expect_not_found(get("/ui"), "/ui");
    expect_not_found(get("/ui/index.html"), "/ui/index.html");
}

core::Headers with(std::string name, std::string value) {
    core::Headers h;
    h.add(std::move(name), std::move(value));
    return h;
}

TEST(AcceptsContentCoding, FollowsRfc9110) {
    EXPECT_TRUE(accepts_content_coding(core::Headers(), "gzip")) << "no field: any coding";
    for (const char* accepted :
         {"gzip", "gzip, deflate, br", "br;q=1.0, gzip;q=0.8", "*", "identity, *;q=0.5", "x-gzip",
          "GZIP", "deflate, gzip ; q=0.001", "*;q=0, gzip"}) {
        EXPECT_TRUE(accepts_content_coding(with("accept-encoding", accepted), "gzip")) << accepted;
    }
    for (const char* refused : {"", "identity", "br, deflate", "gzip;q=0", "gzip; q=0.000", "*;q=0",
                                "gzip;q=0, *", "identity;q=1, *;q=0", "gzip2"}) {
        EXPECT_FALSE(accepts_content_coding(with("accept-encoding", refused), "gzip")) << refused;
    }
}

TEST_F(StaticFilesTest, StoredGzipGoesOutAsItIsWithContentEncodingAndVary) {
    files.coding = "gzip";
    files.files["app.js"] = std::string("\x1f\x8b compressed", 13);
    const core::HttpResponse& r = send("/ui/app.js", with("accept-encoding", "gzip, br"));
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, files.files["app.js"]);
    EXPECT_EQ(r.headers.get("content-encoding"), "gzip");
    EXPECT_EQ(r.headers.get("vary"), "accept-encoding");
    EXPECT_EQ(r.headers.get("content-type"), "text/javascript; charset=utf-8");
    // No Accept-Encoding at all accepts any coding (curl without --compressed).
    EXPECT_EQ(send("/ui/app.js", core::Headers()).headers.get("content-encoding"), "gzip");
}

TEST_F(StaticFilesTest, AClientRefusingTheStoredCodingGets406BeforeAnyRead) {
    files.coding = "gzip";
    for (const char* refused : {"identity", "gzip;q=0", ""}) {
        const core::HttpResponse& r = send("/ui/app.js", with("accept-encoding", refused));
        EXPECT_EQ(r.status, 406) << refused;
        auto doc = codec::JsonDocument::parse(r.body);
        ASSERT_TRUE(doc.ok());
        EXPECT_EQ(doc->root()["error"]["code"].as_string(), "not_acceptable");
        EXPECT_NE(doc->root()["error"]["message"].as_string().find("gzip"), std::string::npos);
    }
    EXPECT_TRUE(files.asked.empty());
}

TEST_F(StaticFilesTest, UncodedFilesCarryNoContentEncoding) {
    const core::HttpResponse& r = send("/ui/app.js", with("accept-encoding", "identity"));
    EXPECT_EQ(r.status, 200);
    EXPECT_FALSE(r.headers.has("content-encoding"));
    EXPECT_FALSE(r.headers.has("vary"));
}

TEST_F(StaticFilesTest, ABrowserAskingForTheRootIsSentToTheConsole) {
    const char* browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
    const core::HttpResponse& r = send("/", with("accept", browser));
    EXPECT_EQ(r.status, 302);
    EXPECT_EQ(r.headers.get("location"), "/ui/");
}

TEST_F(StaticFilesTest, ApiClientsAskingForTheRootKeepTheJsonLine) {
    for (const char* accept : {"", "*/*", "application/json", "text/html;q=0", "text/plain"}) {
        const core::HttpResponse& r = send("/", with("accept", accept));
        EXPECT_EQ(r.status, 200) << accept;
        EXPECT_NE(r.body.find("\"name\":\"edgeai\""), std::string::npos) << accept;
    }
}

TEST_F(StaticFilesTest, WithoutAConsoleABrowserGetsTheJsonLine) {
    make_gateway(nullptr);
    EXPECT_EQ(send("/", with("accept", "text/html")).status, 200);
}

TEST_F(StaticFilesTest, RequestsAreCountedUnderTheStaticRoute) {
    get("/ui/app.js");
    EXPECT_NE(metrics.render().find("route=\"static\""), std::string::npos);
}

} // namespace
} // namespace edgeai::gateway
