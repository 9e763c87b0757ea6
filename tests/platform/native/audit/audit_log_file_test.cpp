// The audit log against real files and a real keys.db: lines reach the disk
// signed and chained, a reopened log continues its chain, rotation and
// retention keep it verifiable across files, the checkpoint follows the head,
// and the key file is made private and refused when it is not.
#include "platform/native/audit/audit_log_file.h"

#include "platform/native/audit/audit_files.h"
#include "platform/native/audit/audit_verify.h"
#include "platform/native/storage/sqlite_key_store.h"
#include "platform/native/storage/sqlite_util.h"
#include "platform/native/system/files.h"
#include "platform/native/system/secret_files.h"
#include "platform/native/system/system_clock.h"
#include "security/audit_chain.h"
#include "temp_dir.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <string>
#include <vector>

namespace edgeai::platform::native {
namespace {

namespace fs = std::filesystem;

class CapturingSink final : public core::LogSink {
  public:
    void write_line(std::string_view line) override {
        std::lock_guard<std::mutex> lock(mu_);
        lines_.emplace_back(line);
    }
    std::string all() const {
        std::lock_guard<std::mutex> lock(mu_);
        std::string out;
        for (const std::string& l : lines_)
            out += l + "\n";
        return out;
    }

  private:
    mutable std::mutex mu_;
    std::vector<std::string> lines_;
};

security::AuditRecord make_record(int i) {
    security::AuditRecord r;
    r.unix_ms = 1764684000000 + i;
    r.request_id = "req-" + std::to_string(i);
    r.client = "127.0.0.1:40000";
    r.method = "POST";
    r.path = "/v1/chat/completions";
    r.model = "gpt-test";
    r.backend = "cloud";
    r.prompt_tokens = i;
    r.completion_tokens = 2 * i;
    r.status = 200;
    r.latency_ms = 3;
    r.request_body = "the prompt";
    r.response_body = "the completion";
    return r;
}

std::vector<std::string> read_lines(const std::string& path) {
    std::ifstream in(path);
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);)
        lines.push_back(line);
    return lines;
}

std::vector<std::string> dir_names(const std::string& dir) {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(dir))
        names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
}

class AuditLogFileTest : public ::testing::Test {
  protected:
    AuditLogFileTest() : logger_(sink_, clock_, core::LogLevel::kInfo) {
        options_.flush_interval = std::chrono::milliseconds(5);
    }

    core::Result<std::unique_ptr<AuditLogFile>> open() {
        return AuditLogFile::open(settings_, dir_.path(), logger_, options_);
    }

    // Opens, records `count` records numbered from `first`, closes.
    void write(int first, int count) {
        auto log = open();
        ASSERT_TRUE(log.ok()) << log.status().to_string();
        for (int i = first; i < first + count; ++i)
            (*log)->record(make_record(i));
    }

    AuditVerification verify() {
        auto v = verify_audit_log(dir_.path(), audit_key_path(settings_, dir_.path()));
        EXPECT_TRUE(v.ok()) << v.status().to_string();
        return v.ok() ? *v : AuditVerification{};
    }

    std::optional<security::AuditCheckpoint> checkpoint() {
        auto cp = read_audit_checkpoint_file(dir_.path());
        EXPECT_TRUE(cp.ok()) << cp.status().to_string();
        return cp.ok() ? *cp : std::nullopt;
    }

    TempDir dir_;
    CapturingSink sink_;
    SystemClock clock_;
    telemetry::Logger logger_;
    core::AuditSettings settings_;
    AuditLogFile::Options options_;
};

TEST_F(AuditLogFileTest, WritesSignedChainedLinesAndACheckpoint) {
    auto log = open();
    ASSERT_TRUE(log.ok()) << log.status().to_string();
    for (int i = 1; i <= 3; ++i)
        (*log)->record(make_record(i));
    (*log)->flush();
    EXPECT_TRUE((*log)->last_write_error().ok());

    const std::vector<std::string> lines = read_lines(dir_.file("audit.log"));
    ASSERT_EQ(lines.size(), 3u);
    auto key = read_audit_key(dir_.file("audit.key"));
    ASSERT_TRUE(key.ok()) << key.status().to_string();
    for (size_t i = 0; i < lines.size(); ++i) {
        auto parsed = security::parse_audit_line(lines[i]);
        ASSERT_TRUE(parsed.ok()) << lines[i];
        EXPECT_EQ(parsed->seq, static_cast<int64_t>(i + 1));
        EXPECT_EQ(parsed->record.request_id, "req-" + std::to_string(i + 1));
        EXPECT_TRUE(security::audit_line_mac_matches(lines[i], core::HmacSha256(*key)));
        EXPECT_EQ(lines[i].find("the prompt"), std::string::npos) << "no bodies by default";
    }
    EXPECT_EQ((*log)->head().seq, 3);
    EXPECT_EQ((*log)->head().hash, security::audit_line_hash(lines[2]));

    auto cp = checkpoint();
    ASSERT_TRUE(cp.has_value());
    EXPECT_EQ(cp->seq, 3);
    EXPECT_EQ(cp->head, security::audit_line_hash(lines[2]));
    EXPECT_EQ(cp->file, "audit.log");
    EXPECT_TRUE(security::audit_checkpoint_mac_matches(core::HmacSha256(*key), *cp));

    const AuditVerification v = verify();
    EXPECT_FALSE(v.fault.has_value()) << v.fault->reason;
    EXPECT_EQ(v.lines, 3);
    EXPECT_EQ(v.files, 1);
}

TEST_F(AuditLogFileTest, ABatchLargerThanOneWriteStaysOneChain) {
    // A long flush interval and one flush: 1000 records (~400 KB) in one
    // batch, written in several pieces.
    options_.flush_interval = std::chrono::milliseconds(60000);
    options_.batch_size = 100000;
    auto log = open();
    ASSERT_TRUE(log.ok()) << log.status().to_string();
    for (int i = 1; i <= 1000; ++i)
        (*log)->record(make_record(i));
    (*log)->flush();
    EXPECT_TRUE((*log)->last_write_error().ok());
    EXPECT_EQ((*log)->head().seq, 1000);
    const std::vector<std::string> lines = read_lines(dir_.file("audit.log"));
    ASSERT_EQ(lines.size(), 1000u);
    EXPECT_GT(fs::file_size(dir_.file("audit.log")), 2u * 64 * 1024) << "more than one write";
    const AuditVerification v = verify();
    EXPECT_FALSE(v.fault.has_value()) << v.fault->reason;
    EXPECT_EQ(v.lines, 1000);
    auto cp = checkpoint();
    ASSERT_TRUE(cp.has_value());
    EXPECT_EQ(cp->seq, 1000);
}

TEST_F(AuditLogFileTest, BodiesOnlyWhenTurnedOn) {
    settings_.include_bodies = true;
    write(1, 1);
    const std::vector<std::string> lines = read_lines(dir_.file("audit.log"));
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_NE(lines[0].find("\"request_body\":\"the prompt\""), std::string::npos);
    EXPECT_NE(lines[0].find("\"response_body\":\"the completion\""), std::string::npos);
}

TEST_F(AuditLogFileTest, TheDestructorWritesWhatIsQueuedAndReopeningContinuesTheChain) {
    options_.flush_interval = std::chrono::seconds(30);
    write(1, 2);
    write(3, 2);
    const std::vector<std::string> lines = read_lines(dir_.file("audit.log"));
    ASSERT_EQ(lines.size(), 4u);
    auto third = security::parse_audit_line(lines[2]);
    ASSERT_TRUE(third.ok());
    EXPECT_EQ(third->seq, 3);
    EXPECT_EQ(third->prev, security::audit_line_hash(lines[1]));
    const AuditVerification v = verify();
    EXPECT_FALSE(v.fault.has_value()) << v.fault->reason;
    EXPECT_EQ(v.lines, 4);
    EXPECT_EQ(checkpoint()->seq, 4);
}

TEST_F(AuditLogFileTest, RotationContinuesTheChainAcrossFilesNamedByTheirFirstSeq) {
    settings_.max_file_bytes = 1200; // about three lines
    settings_.max_files = 0;
    write(1, 10);
    write(11, 5);
    const std::vector<std::string> names = dir_names(dir_.path());
    const int rotated =
        static_cast<int>(std::count_if(names.begin(), names.end(), [](const std::string& n) {
            return rotated_audit_file_seq(n).has_value();
        }));
    EXPECT_GE(rotated, 3) << ::testing::PrintToString(names);
    EXPECT_NE(std::find(names.begin(), names.end(), "audit-1.log"), names.end());

    auto files = list_audit_files(dir_.path());
    ASSERT_TRUE(files.ok());
    int64_t expected_seq = 1;
    for (const AuditFile& f : *files) {
        const std::vector<std::string> lines = read_lines(f.path);
        ASSERT_FALSE(lines.empty()) << f.name;
        EXPECT_LE(fs::file_size(f.path), 1200u) << f.name;
        auto first = security::parse_audit_line(lines.front());
        ASSERT_TRUE(first.ok());
        EXPECT_EQ(first->seq, expected_seq) << f.name;
        if (f.named_first_seq != 0) {
            EXPECT_EQ(f.named_first_seq, expected_seq);
        }
        EXPECT_EQ(first->notes.kept_from, 1) << "every file's first line says what is kept";
        expected_seq += static_cast<int64_t>(lines.size());
    }
    EXPECT_EQ(expected_seq, 16);

    const AuditVerification v = verify();
    EXPECT_FALSE(v.fault.has_value())
        << v.fault->file << ":" << v.fault->line << " " << v.fault->reason;
    EXPECT_EQ(v.lines, 15);
    EXPECT_EQ(v.files, static_cast<int64_t>(files->size()));

    // A rotated file in the middle removed: named at the next file's first line.
    fs::remove((*files)[1].path);
    const AuditVerification broken = verify();
    ASSERT_TRUE(broken.fault.has_value());
    EXPECT_EQ(broken.fault->file, (*files)[2].path);
    EXPECT_EQ(broken.fault->line, 1);
    EXPECT_NE(broken.fault->reason.find("missing"), std::string::npos) << broken.fault->reason;
}

TEST_F(AuditLogFileTest, RetentionKeepsMaxFilesAndTheChainStillVerifies) {
    settings_.max_file_bytes = 1200;
    settings_.max_files = 2;
    write(1, 20);
    auto files = list_audit_files(dir_.path());
    ASSERT_TRUE(files.ok());
    ASSERT_EQ(files->size(), 3u) << "two rotated files and audit.log";
    const std::vector<std::string> names = dir_names(dir_.path());
    EXPECT_EQ(std::find(names.begin(), names.end(), "audit-1.log"), names.end());
    const AuditVerification v = verify();
    EXPECT_FALSE(v.fault.has_value()) << v.fault->reason;
    EXPECT_GT(v.first_seq, 1);
    EXPECT_EQ(v.head.seq, 20);

    // Removing the oldest kept file is not retention: the live file's first
    // line says edgeai kept it.
    fs::remove(files->front().path);
    const AuditVerification broken = verify();
    ASSERT_TRUE(broken.fault.has_value());
    EXPECT_NE(broken.fault->reason.find("kept every line from seq"), std::string::npos)
        << broken.fault->reason;
}

TEST_F(AuditLogFileTest, ATornLastLineIsCutOffAtOpenAndTheChainGoesOn) {
    write(1, 3);
    {
        std::ofstream out(dir_.file("audit.log"), std::ios::app);
        out << "{\"seq\":4,\"unix_ms\":17646";
    }
    write(4, 1);
    EXPECT_NE(sink_.all().find("torn line"), std::string::npos) << sink_.all();
    const std::vector<std::string> lines = read_lines(dir_.file("audit.log"));
    ASSERT_EQ(lines.size(), 4u);
    const AuditVerification v = verify();
    EXPECT_FALSE(v.fault.has_value()) << v.fault->reason;
    EXPECT_EQ(v.lines, 4);
}

TEST_F(AuditLogFileTest, ALogCutBehindTheCheckpointIsRefusedNotContinued) {
    write(1, 3);
    std::vector<std::string> lines = read_lines(dir_.file("audit.log"));
    {
        std::ofstream out(dir_.file("audit.log"), std::ios::trunc);
        out << lines[0] << "\n" << lines[1] << "\n";
    }
    auto reopened = open();
    ASSERT_FALSE(reopened.ok());
    EXPECT_EQ(reopened.status().code(), core::StatusCode::kDataLoss);
    EXPECT_NE(reopened.status().message().find("the checkpoint says seq 3"), std::string::npos)
        << reopened.status().message();
    EXPECT_EQ(read_lines(dir_.file("audit.log")).size(), 2u) << "left as found";

    const AuditVerification v = verify();
    ASSERT_TRUE(v.fault.has_value());
    EXPECT_EQ(v.fault->line, 3);
    EXPECT_NE(v.fault->reason.find("truncated"), std::string::npos);

    // Every file gone is refused as well.
    fs::remove(dir_.file("audit.log"));
    EXPECT_FALSE(open().ok());
}

TEST_F(AuditLogFileTest, AnEditedCheckpointIsRefused) {
    write(1, 2);
    {
        auto db = open_wal_database(data_file(dir_.path(), SqliteKeyStore::kFileName),
                                    kSecurityDbSchema, kSecurityDbSchemaVersion);
        ASSERT_TRUE(db.ok()) << db.status().to_string();
        auto cp = read_audit_checkpoint(db->get(), "keys.db");
        ASSERT_TRUE(cp.ok() && cp->has_value());
        security::AuditCheckpoint edited = **cp;
        edited.seq = 1;
        ASSERT_TRUE(write_audit_checkpoint(db->get(), "keys.db", edited).ok());
    }
    auto reopened = open();
    ASSERT_FALSE(reopened.ok());
    EXPECT_NE(reopened.status().message().find("does not match its mac"), std::string::npos)
        << reopened.status().message();
    const AuditVerification v = verify();
    ASSERT_TRUE(v.fault.has_value());
    EXPECT_NE(v.fault->file.find("keys.db"), std::string::npos);
}

TEST_F(AuditLogFileTest, TheKeyIsCreatedPrivateAndAPublicKeyFileIsRefused) {
    write(1, 1);
    struct stat st {};
    ASSERT_EQ(::stat(dir_.file("audit.key").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    auto text = read_text_file(dir_.file("audit.key"));
    ASSERT_TRUE(text.ok());
    EXPECT_EQ(text->size(), 65u);
    EXPECT_TRUE(security::parse_audit_key(*text).ok());

    ASSERT_EQ(::chmod(dir_.file("audit.key").c_str(), 0644), 0);
    auto refused = open();
    ASSERT_FALSE(refused.ok());
    EXPECT_NE(refused.status().message().find("chmod 600"), std::string::npos)
        << refused.status().message();
}

TEST_F(AuditLogFileTest, AnExplicitKeyFileIsUsedAndNeverMadeUp) {
    TempDir keys;
    settings_.key_file = keys.file("audit.key");
    auto missing = open();
    ASSERT_FALSE(missing.ok());
    EXPECT_NE(missing.status().message().find("does not exist"), std::string::npos);

    ASSERT_TRUE(write_secret_file(settings_.key_file, std::string(64, 'c') + "\n").ok());
    write(1, 2);
    EXPECT_FALSE(fs::exists(dir_.file("audit.key")));
    auto key = read_audit_key(settings_.key_file);
    ASSERT_TRUE(key.ok());
    const std::vector<std::string> lines = read_lines(dir_.file("audit.log"));
    ASSERT_EQ(lines.size(), 2u);
    EXPECT_TRUE(security::audit_line_mac_matches(lines[1], core::HmacSha256(*key)));
    EXPECT_FALSE(verify().fault.has_value());
}

TEST_F(AuditLogFileTest, ALogWithoutItsKeyIsNotContinuedWithANewOne) {
    write(1, 2);
    fs::remove(dir_.file("audit.key"));
    auto reopened = open();
    ASSERT_FALSE(reopened.ok());
    EXPECT_NE(reopened.status().message().find("is missing"), std::string::npos)
        << reopened.status().message();
    EXPECT_FALSE(fs::exists(dir_.file("audit.key")));

    // Moving the log and its key away together starts a new chain.
    fs::remove(dir_.file("audit.log"));
    write(1, 1);
    const AuditVerification v = verify();
    EXPECT_FALSE(v.fault.has_value()) << v.fault->reason;
    EXPECT_EQ(v.lines, 1);
    EXPECT_NE(sink_.all().find("starting a new audit chain"), std::string::npos);
}

TEST_F(AuditLogFileTest, AFullQueueDropsAndTheChainSaysSo) {
    options_.flush_interval = std::chrono::seconds(30);
    options_.batch_size = 1000;
    options_.max_queued = 2;
    auto log = open();
    ASSERT_TRUE(log.ok()) << log.status().to_string();
    for (int i = 1; i <= 5; ++i)
        (*log)->record(make_record(i));
    EXPECT_EQ((*log)->dropped_records(), 3u);
    (*log)->flush();
    const std::vector<std::string> lines = read_lines(dir_.file("audit.log"));
    ASSERT_EQ(lines.size(), 2u);
    auto first = security::parse_audit_line(lines[0]);
    ASSERT_TRUE(first.ok());
    EXPECT_EQ(first->notes.dropped_before, 3);
    EXPECT_NE(sink_.all().find("audit records dropped"), std::string::npos);
}

TEST_F(AuditLogFileTest, VerifyNeedsTheKeyAndALog) {
    auto no_key = verify_audit_log(dir_.path(), dir_.file("audit.key"));
    ASSERT_FALSE(no_key.ok());
    EXPECT_NE(no_key.status().message().find("does not exist"), std::string::npos);
    ASSERT_TRUE(write_secret_file(dir_.file("audit.key"), std::string(64, 'c')).ok());
    auto no_log = verify_audit_log(dir_.path(), dir_.file("audit.key"));
    ASSERT_FALSE(no_log.ok());
    EXPECT_EQ(no_log.status().code(), core::StatusCode::kNotFound);
}

TEST(AuditFiles, RotatedNamesRoundTripAndNothingElseMatches) {
    EXPECT_EQ(rotated_audit_file_name(42), "audit-42.log");
    EXPECT_EQ(rotated_audit_file_seq("audit-42.log"), 42);
    for (const char* other : {"audit.log", "audit.key", "audit-.log", "audit-042.log",
                              "audit-4x.log", "audit-1.log.bak", "xaudit-1.log"}) {
        EXPECT_FALSE(rotated_audit_file_seq(other).has_value()) << other;
    }
}

TEST(AuditFiles, LastLinesAreReadFromTheEnd) {
    TempDir dir;
    const std::string path = dir.file("f");
    std::string text;
    for (int i = 0; i < 5000; ++i)
        text += "line " + std::to_string(i) + "\n";
    text += "torn";
    { std::ofstream(path) << text; }
    auto last = read_last_line(path);
    ASSERT_TRUE(last.ok());
    EXPECT_EQ(last->line, "line 4999");
    EXPECT_EQ(last->torn_bytes, 4);
    EXPECT_EQ(last->complete_bytes, static_cast<int64_t>(text.size() - 4));
    auto lines = read_last_lines(path, 3);
    ASSERT_TRUE(lines.ok());
    EXPECT_EQ(*lines, (std::vector<std::string>{"line 4997", "line 4998", "line 4999"}));
    auto all = read_last_lines(path, 10000);
    ASSERT_TRUE(all.ok());
    EXPECT_EQ(all->size(), 5000u);
    EXPECT_EQ(all->front(), "line 0");
    auto first = read_first_line(path);
    ASSERT_TRUE(first.ok());
    EXPECT_EQ(*first, "line 0");
}

} // namespace
} // namespace edgeai::platform::native
