#include "security/audit_chain.h"
#include "security/audit_verifier.h"

#include "codec/json/json_document.h"
#include "core/hex.h"
#include "core/sha256.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace edgeai::security {
namespace {

const std::string kKey(32, '\x5a');
const core::HmacSha256 kSigner(kKey);
const std::string kOtherKey(32, '\x17');

AuditRecord sample_record(int64_t i) {
    AuditRecord r;
    r.unix_ms = 1764684000000 + i;
    r.request_id = "req-" + std::to_string(i);
    r.key_id = "key_abc";
    r.client = "127.0.0.1:5000" + std::to_string(i % 10);
    r.method = "POST";
    r.path = "/v1/chat/completions";
    r.model = "gpt-test";
    r.backend = "cloud";
    r.prompt_tokens = 10 + i;
    r.completion_tokens = 20 + i;
    r.cost = 0.25;
    r.status = 200;
    r.latency_ms = 12;
    r.request_body = "{\"messages\":\"secret prompt\"}";
    r.response_body = "secret completion";
    return r;
}

// Every line says it keeps the chain from seq 1, so a test may cut the
// chain into files anywhere (the writer notes it on each file's first line).
std::vector<std::string> make_chain(int count, AuditChainHead& head,
                                    const std::string& key = kKey) {
    const core::HmacSha256 signer(key);
    std::vector<std::string> lines;
    AuditLineNotes notes;
    notes.kept_from = 1;
    for (int i = 0; i < count; ++i)
        lines.push_back(next_audit_line(head, signer, sample_record(head.seq + 1), false, notes));
    return lines;
}

std::vector<std::string> make_chain(int count) {
    AuditChainHead head;
    return make_chain(count, head);
}

AuditCheckpoint checkpoint_at(const std::vector<std::string>& lines, size_t count) {
    AuditCheckpoint cp;
    cp.seq = static_cast<int64_t>(count);
    cp.head = count == 0 ? std::string(kAuditGenesisHash) : audit_line_hash(lines[count - 1]);
    cp.file = "audit.log";
    cp.unix_ms = 1764684001000;
    cp.mac = audit_checkpoint_mac(kSigner, cp);
    return cp;
}

struct FileLines {
    std::string name;
    int64_t named_first_seq = 0;
    std::vector<std::string> lines;
    std::string partial_tail;
};

std::optional<AuditFault> verify(const std::vector<FileLines>& files,
                                 const AuditCheckpoint* checkpoint = nullptr,
                                 const std::string& key = kKey) {
    AuditChainVerifier v(key, checkpoint);
    for (const FileLines& f : files) {
        v.begin_file(f.name, f.named_first_seq);
        for (const std::string& line : f.lines) {
            if (!v.add_line(line)) return v.fault();
        }
        if (!v.end_file(f.partial_tail)) return v.fault();
    }
    v.finish();
    return v.fault();
}

std::optional<AuditFault> verify(const std::vector<std::string>& lines,
                                 const AuditCheckpoint* checkpoint = nullptr) {
    return verify({FileLines{"audit.log", 0, lines, ""}}, checkpoint);
}

void expect_fault(const std::optional<AuditFault>& fault, int64_t line, const char* reason_part) {
    ASSERT_TRUE(fault.has_value()) << "expected a fault at line " << line;
    EXPECT_EQ(fault->line, line) << fault->reason;
    EXPECT_NE(fault->reason.find(reason_part), std::string::npos) << fault->reason;
}

TEST(AuditChain, ALineIsOneJsonObjectWithTheRecordPrevAndMacLast) {
    AuditChainHead head;
    const std::string line = next_audit_line(head, kSigner, sample_record(1), false);
    EXPECT_EQ(line.find('\n'), std::string::npos);
    auto doc = codec::JsonDocument::parse(line);
    ASSERT_TRUE(doc.ok()) << doc.status().to_string();
    const codec::JsonValue root = doc->root();
    EXPECT_EQ(root["seq"].as_int64(), 1);
    EXPECT_EQ(root["unix_ms"].as_int64(), 1764684000001);
    EXPECT_EQ(root["request_id"].as_string(), "req-1");
    EXPECT_EQ(root["key_id"].as_string(), "key_abc");
    EXPECT_EQ(root["client"].as_string(), "127.0.0.1:50001");
    EXPECT_EQ(root["path"].as_string(), "/v1/chat/completions");
    EXPECT_EQ(root["model"].as_string(), "gpt-test");
    EXPECT_EQ(root["backend"].as_string(), "cloud");
    EXPECT_EQ(root["prompt_tokens"].as_int64(), 11);
    EXPECT_EQ(root["completion_tokens"].as_int64(), 21);
    EXPECT_EQ(root["cost"].as_double(), 0.25);
    EXPECT_EQ(root["status"].as_int64(), 200);
    EXPECT_EQ(root["latency_ms"].as_int64(), 12);
    EXPECT_EQ(root["kept_from"].as_int64(), 0) << "only the writer adds it";
    EXPECT_EQ(root["prev"].as_string(), kAuditGenesisHash);
    EXPECT_EQ(root.member_name(root.size() - 1), "mac");
    EXPECT_TRUE(root["request_body"].is_missing()) << "bodies only when turned on";
    EXPECT_TRUE(root["response_body"].is_missing());
    EXPECT_EQ(line.find("secret"), std::string::npos);

    // The mac is HMAC-SHA256 over the bytes before ,"mac":
    const size_t mac_at = line.rfind(",\"mac\":\"");
    ASSERT_NE(mac_at, std::string::npos);
    // Byte for byte the format every earlier log was written in: a change
    // here would leave old chains unverifiable.
    EXPECT_EQ(
        line.substr(0, mac_at),
        "{\"seq\":1,\"unix_ms\":1764684000001,\"request_id\":\"req-1\",\"key_id\":\"key_abc\","
        "\"client\":\"127.0.0.1:50001\",\"method\":\"POST\",\"path\":\"/v1/chat/completions\","
        "\"model\":\"gpt-test\",\"backend\":\"cloud\",\"prompt_tokens\":11,"
        "\"completion_tokens\":21,\"cost\":0.25,\"status\":200,\"latency_ms\":12,\"prev\":\"" +
            std::string(kAuditGenesisHash) + "\"");
    EXPECT_EQ(root["mac"].as_string(),
              core::hex_encode(core::hmac_sha256(kKey, line.substr(0, mac_at))));
    EXPECT_EQ(head.seq, 1);
    EXPECT_EQ(head.hash, core::hex_encode(core::sha256(line)));
}

TEST(AuditChain, BodiesAndNotesAreWrittenOnlyWhenAskedAndReadBack) {
    AuditChainHead head;
    AuditLineNotes notes;
    notes.dropped_before = 7;
    notes.kept_from = 1;
    AuditRecord r = sample_record(1);
    r.request_id = "line\nbreak \"quoted\"";
    const std::string line = next_audit_line(head, kSigner, r, true, notes);
    EXPECT_EQ(line.find('\n'), std::string::npos) << "escaped, so one record stays one line";
    auto parsed = parse_audit_line(line);
    ASSERT_TRUE(parsed.ok()) << parsed.status().to_string();
    EXPECT_EQ(parsed->seq, 1);
    EXPECT_EQ(parsed->prev, kAuditGenesisHash);
    EXPECT_EQ(parsed->notes.dropped_before, 7);
    EXPECT_EQ(parsed->notes.kept_from, 1);
    EXPECT_EQ(parsed->record.request_id, r.request_id);
    EXPECT_EQ(parsed->record.request_body, r.request_body);
    EXPECT_EQ(parsed->record.response_body, "secret completion");
    EXPECT_EQ(parsed->record.status, 200);
    EXPECT_EQ(parsed->record.cost, 0.25);
    EXPECT_TRUE(audit_line_mac_matches(line, kSigner));
    EXPECT_FALSE(audit_line_mac_matches(line, core::HmacSha256(kOtherKey)));
}

TEST(AuditChain, EachLineCarriesTheHashOfTheLineBefore) {
    const std::vector<std::string> lines = make_chain(4);
    for (size_t i = 1; i < lines.size(); ++i) {
        auto parsed = parse_audit_line(lines[i]);
        ASSERT_TRUE(parsed.ok());
        EXPECT_EQ(parsed->seq, static_cast<int64_t>(i + 1));
        EXPECT_EQ(parsed->prev, audit_line_hash(lines[i - 1]));
    }
}

TEST(AuditChain, ParsingRefusesWhatTheWriterNeverWrites) {
    const std::string good = make_chain(1)[0];
    for (const std::string& bad : {
             std::string(""),
             std::string("{}"),
             std::string("not json at all"),
             good.substr(0, good.size() - 1),
             good + " ",
             std::string("{\"seq\":0,\"prev\":\"") + std::string(kAuditGenesisHash) +
                 "\",\"mac\":\"" + std::string(64, 'a') + "\"}",
             std::string("{\"seq\":1,\"prev\":\"xyz\",\"mac\":\"") + std::string(64, 'a') + "\"}",
             std::string("{\"seq\":1,\"status\":\"ok\",\"prev\":\"") +
                 std::string(kAuditGenesisHash) + "\",\"mac\":\"" + std::string(64, 'a') + "\"}",
         }) {
        EXPECT_FALSE(parse_audit_line(bad).ok()) << bad;
    }
}

TEST(AuditChain, KeysAreHexOfAtLeast32Bytes) {
    const std::string hex = format_audit_key(kKey);
    std::string expected;
    for (int i = 0; i < 32; ++i)
        expected += "5a";
    EXPECT_EQ(hex, expected + "\n");
    auto key = parse_audit_key(hex);
    ASSERT_TRUE(key.ok());
    EXPECT_EQ(*key, kKey);
    auto spaced = parse_audit_key("  \n" + hex.substr(0, 64) + "\r\n\n");
    ASSERT_TRUE(spaced.ok());
    EXPECT_EQ(*spaced, kKey);
    auto upper =
        parse_audit_key("5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A");
    ASSERT_TRUE(upper.ok());
    EXPECT_EQ(*upper, kKey);
    EXPECT_FALSE(parse_audit_key("").ok());
    EXPECT_FALSE(parse_audit_key(std::string(62, 'a')).ok()) << "too short";
    EXPECT_FALSE(parse_audit_key(std::string(65, 'a')).ok()) << "odd";
    EXPECT_FALSE(parse_audit_key(std::string(64, 'g')).ok()) << "not hex";
}

TEST(AuditVerifier, AnIntactChainVerifies) {
    AuditChainHead head;
    const std::vector<std::string> lines = make_chain(5, head);
    const AuditCheckpoint cp = checkpoint_at(lines, 5);
    AuditChainVerifier v(kKey, &cp);
    v.begin_file("audit.log", 0);
    for (const std::string& line : lines)
        EXPECT_TRUE(v.add_line(line));
    EXPECT_TRUE(v.end_file(""));
    EXPECT_TRUE(v.finish());
    EXPECT_FALSE(v.fault().has_value());
    EXPECT_EQ(v.lines(), 5);
    EXPECT_EQ(v.files(), 1);
    EXPECT_EQ(v.head().seq, 5);
    EXPECT_EQ(v.head().hash, head.hash);
    EXPECT_EQ(v.first_seq(), 1);
}

TEST(AuditVerifier, AnEditedFieldBreaksThatLinesMac) {
    std::vector<std::string> lines = make_chain(5);
    const size_t at = lines[2].find("\"status\":200");
    ASSERT_NE(at, std::string::npos);
    lines[2].replace(at, 12, "\"status\":500");
    expect_fault(verify(lines), 3, "mac does not match");
}

TEST(AuditVerifier, AnInsertedLineIsNamed) {
    // A forged line (without the key) fails its mac...
    std::vector<std::string> lines = make_chain(5);
    AuditChainHead forger;
    std::vector<std::string> forged = make_chain(3, forger, kOtherKey);
    std::vector<std::string> with_forged = lines;
    with_forged.insert(with_forged.begin() + 3, forged[2]);
    expect_fault(verify(with_forged), 4, "mac does not match");
    // ...and a genuine line copied elsewhere is out of turn.
    std::vector<std::string> with_copy = lines;
    with_copy.insert(with_copy.begin() + 4, lines[1]);
    expect_fault(verify(with_copy), 5, "seq 2 follows seq 4");
}

TEST(AuditVerifier, ADeletedLineLeavesAGapAtItsPlace) {
    std::vector<std::string> lines = make_chain(5);
    lines.erase(lines.begin() + 2);
    expect_fault(verify(lines), 3, "seq 3 is missing");
}

TEST(AuditVerifier, SwappedLinesAreNamedAtTheFirstOfThem) {
    std::vector<std::string> lines = make_chain(5);
    std::swap(lines[1], lines[2]);
    expect_fault(verify(lines), 2, "seq 3 follows seq 1");
}

TEST(AuditVerifier, ATruncatedTailIsFoundOnlyAgainstTheCheckpoint) {
    const std::vector<std::string> lines = make_chain(5);
    const AuditCheckpoint cp = checkpoint_at(lines, 5);
    std::vector<std::string> cut(lines.begin(), lines.begin() + 3);
    expect_fault(verify(cut, &cp), 4, "tail was truncated");
    EXPECT_FALSE(verify(cut).has_value()) << "without a checkpoint a shorter chain is whole";

    // Lines written after the last checkpoint (a crash before it was stored)
    // are fine.
    const AuditCheckpoint older = checkpoint_at(lines, 3);
    EXPECT_FALSE(verify(lines, &older).has_value());

    // Everything gone.
    expect_fault(verify(std::vector<std::string>{}, &cp), 1, "the log was deleted");
}

TEST(AuditVerifier, ALineCutShortIsNamed) {
    const std::vector<std::string> lines = make_chain(3);
    FileLines f{"audit.log", 0, {lines[0], lines[1]}, lines[2].substr(0, 40)};
    expect_fault(verify({f}), 3, "cut short");
}

TEST(AuditVerifier, AnotherKeyFailsAtTheFirstLine) {
    const std::vector<std::string> lines = make_chain(3);
    expect_fault(verify({FileLines{"audit.log", 0, lines, ""}}, nullptr, kOtherKey), 1,
                 "mac does not match");
}

TEST(AuditVerifier, AnEditedCheckpointIsRefusedBeforeAnyLine) {
    const std::vector<std::string> lines = make_chain(3);
    AuditCheckpoint cp = checkpoint_at(lines, 3);
    cp.seq = 2;
    auto fault = verify(lines, &cp);
    ASSERT_TRUE(fault.has_value());
    EXPECT_EQ(fault->line, 0);
    EXPECT_NE(fault->file.find("keys.db"), std::string::npos);
}

TEST(AuditVerifier, AChainRewrittenWithTheKeyStillDisagreesWithTheCheckpoint) {
    AuditChainHead head;
    std::vector<std::string> lines = make_chain(2, head);
    AuditChainHead fork = head;
    std::vector<std::string> tail = make_chain(3, head);
    lines.insert(lines.end(), tail.begin(), tail.end());
    const AuditCheckpoint cp = checkpoint_at(lines, 5);
    // Someone holding the key rewrites seq 3..5 but cannot move the checkpoint.
    lines.resize(2);
    AuditRecord changed = sample_record(3);
    changed.status = 403;
    AuditLineNotes notes;
    notes.kept_from = 1;
    lines.push_back(next_audit_line(fork, kSigner, changed, false, notes));
    for (int i = 4; i <= 5; ++i)
        lines.push_back(next_audit_line(fork, kSigner, sample_record(i), false, notes));
    expect_fault(verify(lines, &cp), 5, "not the line the checkpoint recorded");
}

TEST(AuditVerifier, TheChainRunsAcrossRotatedFiles) {
    const std::vector<std::string> lines = make_chain(7);
    FileLines first{"audit-1.log", 1, {lines.begin(), lines.begin() + 3}, ""};
    FileLines second{"audit-4.log", 4, {lines.begin() + 3, lines.begin() + 5}, ""};
    FileLines live{"audit.log", 0, {lines.begin() + 5, lines.end()}, ""};
    const AuditCheckpoint cp = checkpoint_at(lines, 7);
    EXPECT_FALSE(verify({first, second, live}, &cp).has_value());

    // A middle file deleted: the gap is at the next file's first line.
    auto fault = verify({first, live}, &cp);
    expect_fault(fault, 1, "seq 4..5 are missing");
    EXPECT_EQ(fault->file, "audit.log");

    // Lines cut from the start of a rotated file: its name no longer fits.
    FileLines headless = second;
    headless.lines.erase(headless.lines.begin());
    fault = verify({first, headless, live}, &cp);
    expect_fault(fault, 1, "name says it starts at seq 4");
    EXPECT_EQ(fault->file, "audit-4.log");

    FileLines emptied{"audit-4.log", 4, {}, ""};
    expect_fault(verify({first, emptied, live}, &cp), 1, "the file is empty");
}

TEST(AuditVerifier, DeletingTheOldestKeptFilesShowsThroughKeptFrom) {
    // As the writer does: each file's first line says what it keeps.
    AuditChainHead head;
    std::vector<std::string> lines;
    for (int i = 1; i <= 6; ++i) {
        AuditLineNotes notes;
        if (i == 1 || i == 4) notes.kept_from = 1;
        lines.push_back(next_audit_line(head, kSigner, sample_record(i), false, notes));
    }
    FileLines rotated{"audit-1.log", 1, {lines.begin(), lines.begin() + 3}, ""};
    FileLines live{"audit.log", 0, {lines.begin() + 3, lines.end()}, ""};
    EXPECT_FALSE(verify({rotated, live}).has_value());
    auto fault = verify({live});
    expect_fault(fault, 1, "kept every line from seq 1");
    EXPECT_EQ(fault->file, "audit.log");

    // The first lines of the only file removed: the new first line does not
    // say what is kept.
    FileLines headless{"audit.log", 0, {lines.begin() + 1, lines.end()}, ""};
    expect_fault(verify({headless}), 1, "removed from its start");
}

} // namespace
} // namespace edgeai::security
