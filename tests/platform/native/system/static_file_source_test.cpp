// The static file source against a real directory: files inside are read,
// and everything that is not a regular file inside the root is refused the
// same way: symlinks leading out, dot-files, FIFOs (which would block a
// reader), sockets, directories, devices, and files over the size limit.
#include "platform/native/system/static_file_source.h"

#include "temp_dir.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <string>

namespace edgeai::platform::native {
namespace {

void write_file(const std::string& path, const std::string& content) {
    std::ofstream out(path, std::ios::binary);
    out << content;
}

class StaticFileSourceTest : public ::testing::Test {
  protected:
    StaticFileSourceTest() : root(dir.file("www")) {
        EXPECT_EQ(::mkdir(root.c_str(), 0700), 0);
        EXPECT_EQ(::mkdir((root + "/sub").c_str(), 0700), 0);
        write_file(root + "/index.html", "<p>hi</p>");
        write_file(root + "/sub/app.js", "1");
        write_file(root + "/.env", "SECRET=1");
        write_file(dir.file("outside.txt"), "outside");
    }

    std::unique_ptr<StaticFileSource> open(size_t limit = core::kMaxStaticFileBytes) {
        auto opened = StaticFileSource::open(root, limit);
        EXPECT_TRUE(opened.ok()) << opened.status().to_string();
        return opened.ok() ? std::move(opened).value() : nullptr;
    }

    static void expect_refused(StaticFileSource& files, const std::string& path) {
        auto r = files.read(path);
        EXPECT_FALSE(r.ok()) << path;
        if (!r.ok()) {
            EXPECT_EQ(r.status().code(), core::StatusCode::kNotFound) << path;
        }
    }

    TempDir dir;
    std::string root;
};

TEST_F(StaticFileSourceTest, ReadsRegularFilesInsideTheRoot) {
    auto files = open();
    ASSERT_NE(files, nullptr);
    EXPECT_EQ(files->read("index.html").value(), "<p>hi</p>");
    EXPECT_EQ(files->read("sub/app.js").value(), "1");
    write_file(root + "/empty.txt", "");
    EXPECT_EQ(files->read("empty.txt").value(), "");
}

TEST_F(StaticFileSourceTest, RefusesTraversalDotFilesAndMissingFiles) {
    auto files = open();
    ASSERT_NE(files, nullptr);
    for (const char* path : {"../outside.txt", "sub/../../outside.txt", ".env", "/etc/passwd",
                             "sub/../index.html", "..\\outside.txt", "missing.html"})
        expect_refused(*files, path);
}

TEST_F(StaticFileSourceTest, RefusesASymlinkThatLeadsOutOfTheRoot) {
    ASSERT_EQ(::symlink("/etc/passwd", (root + "/passwd").c_str()), 0);
    ASSERT_EQ(::symlink(dir.file("outside.txt").c_str(), (root + "/out.txt").c_str()), 0);
    ASSERT_EQ(::symlink("..", (root + "/up").c_str()), 0);
    ASSERT_EQ(::symlink(dir.path().c_str(), (root + "/parent").c_str()), 0);
    auto files = open();
    ASSERT_NE(files, nullptr);
    expect_refused(*files, "passwd");
    expect_refused(*files, "out.txt");
    expect_refused(*files, "up/outside.txt");
    expect_refused(*files, "parent/outside.txt");
}

TEST_F(StaticFileSourceTest, FollowsASymlinkThatStaysInsideButNotIntoADotFile) {
    ASSERT_EQ(::symlink("sub/app.js", (root + "/latest.js").c_str()), 0);
    ASSERT_EQ(::symlink("sub", (root + "/current").c_str()), 0);
    ASSERT_EQ(::symlink(".env", (root + "/config.txt").c_str()), 0);
    auto files = open();
    ASSERT_NE(files, nullptr);
    EXPECT_EQ(files->read("latest.js").value(), "1");
    EXPECT_EQ(files->read("current/app.js").value(), "1");
    expect_refused(*files, "config.txt");
}

TEST_F(StaticFileSourceTest, RefusesWhatIsNotARegularFile) {
    ASSERT_EQ(::mkfifo((root + "/fifo").c_str(), 0600), 0);
    ASSERT_EQ(::symlink("/dev/null", (root + "/null").c_str()), 0);
    // A socket file: open(2) fails on it with ENXIO.
    const int s = ::socket(AF_UNIX, SOCK_STREAM, 0);
    ASSERT_GE(s, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    const std::string socket_path = root + "/sock";
    ASSERT_LT(socket_path.size(), sizeof address.sun_path);
    std::memcpy(address.sun_path, socket_path.c_str(), socket_path.size() + 1);
    ASSERT_EQ(::bind(s, reinterpret_cast<const sockaddr*>(&address), sizeof address), 0);
    auto files = open();
    ASSERT_NE(files, nullptr);
    // Would block for a writer if it were opened for reading without O_NONBLOCK.
    expect_refused(*files, "fifo");
    expect_refused(*files, "null");
    expect_refused(*files, "sock");
    expect_refused(*files, "sub");
    ::close(s);
}

TEST_F(StaticFileSourceTest, RefusesADeviceNodeInsideTheRoot) {
    // Making a device node needs privileges; without them the symlink to
    // /dev/null above covers devices reached from inside.
    if (::mknod((root + "/zero").c_str(), S_IFCHR | 0600, makedev(1, 5)) != 0)
        GTEST_SKIP() << "mknod: " << std::strerror(errno);
    auto files = open();
    ASSERT_NE(files, nullptr);
    expect_refused(*files, "zero");
}

TEST_F(StaticFileSourceTest, RefusesFilesOverTheSizeLimit) {
    write_file(root + "/exact.bin", std::string(1024, 'x'));
    write_file(root + "/big.bin", std::string(1025, 'x'));
    auto files = open(1024);
    ASSERT_NE(files, nullptr);
    EXPECT_EQ(files->read("exact.bin").value().size(), 1024u);
    auto big = files->read("big.bin");
    ASSERT_FALSE(big.ok());
    EXPECT_EQ(big.status().code(), core::StatusCode::kResourceExhausted);
    EXPECT_NE(big.status().message().find("1024"), std::string::npos);
}

TEST_F(StaticFileSourceTest, AMissingOrUnusableRootIsRefusedAtOpenWithTheReason) {
    auto missing = StaticFileSource::open(dir.file("nope"));
    ASSERT_FALSE(missing.ok());
    EXPECT_NE(missing.status().message().find("nope"), std::string::npos);
    EXPECT_NE(missing.status().message().find("No such file"), std::string::npos);
    auto file = StaticFileSource::open(dir.file("outside.txt"));
    ASSERT_FALSE(file.ok());
    EXPECT_NE(file.status().message().find("not a directory"), std::string::npos);
    EXPECT_FALSE(StaticFileSource::open("/").ok());
    EXPECT_FALSE(StaticFileSource::open("").ok());
}

TEST_F(StaticFileSourceTest, TheRootMayBeGivenThroughASymlinkOrWithDots) {
    ASSERT_EQ(::symlink(root.c_str(), dir.file("link").c_str()), 0);
    auto via_link = StaticFileSource::open(dir.file("link"));
    ASSERT_TRUE(via_link.ok());
    EXPECT_EQ((*via_link)->read("index.html").value(), "<p>hi</p>");
    auto with_dots = StaticFileSource::open(root + "/sub/..");
    ASSERT_TRUE(with_dots.ok());
    EXPECT_EQ((*with_dots)->read("sub/app.js").value(), "1");
}

} // namespace
} // namespace edgeai::platform::native
