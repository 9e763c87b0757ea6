#include "core/id_maker.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace edgeai::core {
namespace {

bool is_lower_hex(std::string_view s) {
    for (char c : s)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    return true;
}

void expect_format(const std::string& id, std::string_view prefix, size_t digits) {
    ASSERT_EQ(id.substr(0, prefix.size()), prefix) << id;
    EXPECT_EQ(id.size(), prefix.size() + digits) << id;
    EXPECT_TRUE(is_lower_hex(std::string_view(id).substr(prefix.size()))) << id;
}

TEST(IdMaker, EachKindHasTheFormatClientsAlreadySee) {
    expect_format(make_id(IdKind::kRequest, 1), "req_", 32);
    expect_format(make_id(IdKind::kJob, 1), "job_", 24);
    expect_format(make_id(IdKind::kFile, 1), "file-", 24);
    expect_format(make_id(IdKind::kBatch, 1), "batch_", 24);
    expect_format(make_id(IdKind::kResponse, 1), "resp_", 32);
    expect_format(make_id(IdKind::kMessage, 1), "msg_", 32);
}

// Pins the job id of a known value: ids already stored in jobs.db were made
// this way, and must keep their shape.
TEST(IdMaker, JobIdsAreTheQueuesFormerIds) {
    EXPECT_EQ(make_id(IdKind::kJob, 42), "job_bdd732262feb6e95ad80c49b");
}

TEST(IdMaker, KindsShareTheDigitsOfOneValue) {
    const std::string job = make_id(IdKind::kJob, 7);
    EXPECT_EQ(make_id(IdKind::kFile, 7), "file-" + job.substr(4));
    EXPECT_EQ(make_id(IdKind::kBatch, 7), "batch_" + job.substr(4));
    // The long form holds all of the second draw, the short one its low half.
    const std::string request = make_id(IdKind::kRequest, 7);
    EXPECT_EQ(request.substr(4, 16), job.substr(4, 16));
    EXPECT_EQ(request.substr(28), job.substr(20));
}

TEST(IdMaker, SameValueSameIdOtherValueOtherId) {
    EXPECT_EQ(make_id(IdKind::kResponse, 99), make_id(IdKind::kResponse, 99));
    EXPECT_NE(make_id(IdKind::kResponse, 99), make_id(IdKind::kResponse, 100));
}

TEST(IdMaker, MintsDistinctIdsFromOneSeed) {
    IdMaker maker(0x1234);
    std::set<std::string> seen;
    for (int i = 0; i < 10000; ++i)
        EXPECT_TRUE(seen.insert(maker.next(IdKind::kRequest)).second);
}

TEST(IdMaker, SameSeedSameSequence) {
    IdMaker a(5);
    IdMaker b(5);
    for (int i = 0; i < 3; ++i)
        EXPECT_EQ(a.next(IdKind::kMessage), b.next(IdKind::kMessage));
    EXPECT_NE(IdMaker(5).next(IdKind::kJob), IdMaker(6).next(IdKind::kJob));
}

} // namespace
} // namespace edgeai::core
