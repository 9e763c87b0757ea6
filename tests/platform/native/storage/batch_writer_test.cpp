// The writer thread behind the stores: batching by count and by flush, the
// bounds and their refusals, and stop() writing everything queued. Each test
// waits on flush(), stop() or its own condition variable, never on a sleep,
// so none depends on the machine's speed.
#include "platform/native/storage/batch_writer.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace edgeai::platform::native {
namespace {

using namespace std::chrono_literals;

// What the writer thread was handed, for the test thread to read.
struct Seen {
    std::mutex mu;
    std::condition_variable changed;
    std::vector<std::vector<int>> batches;
    std::vector<uint64_t> refused_before;
    std::thread::id writer;

    BatchWriter<int>::Write write() {
        return [this](std::vector<int>& batch, uint64_t refused) {
            std::lock_guard<std::mutex> lock(mu);
            batches.push_back(batch);
            refused_before.push_back(refused);
            writer = std::this_thread::get_id();
            changed.notify_all();
        };
    }
    std::vector<int> all() {
        std::lock_guard<std::mutex> lock(mu);
        std::vector<int> out;
        for (const auto& b : batches)
            out.insert(out.end(), b.begin(), b.end());
        return out;
    }
};

TEST(BatchWriter, StopWritesEverythingQueuedInOrder) {
    Seen seen;
    BatchWriter<int>::Options options;
    options.max_delay = std::chrono::hours(1); // only stop() can take the batch
    BatchWriter<int> writer(options, seen.write());
    for (int i = 0; i < 100; ++i) {
        int item = i;
        ASSERT_TRUE(writer.push(std::move(item)));
    }
    writer.stop();
    std::vector<int> expected(100);
    for (int i = 0; i < 100; ++i)
        expected[static_cast<size_t>(i)] = i;
    EXPECT_EQ(seen.all(), expected);
    EXPECT_NE(seen.writer, std::this_thread::get_id());
}

TEST(BatchWriter, FlushReturnsOnceEarlierItemsAreWritten) {
    Seen seen;
    BatchWriter<int>::Options options;
    options.max_delay = std::chrono::hours(1);
    BatchWriter<int> writer(options, seen.write());
    int a = 1, b = 2;
    ASSERT_TRUE(writer.push(std::move(a)));
    ASSERT_TRUE(writer.push(std::move(b)));
    writer.flush();
    EXPECT_EQ(seen.all(), (std::vector<int>{1, 2}));
    writer.flush(); // nothing queued: returns at once
}

TEST(BatchWriter, AFullBatchIsWrittenWithoutWaitingForTheDelay) {
    Seen seen;
    BatchWriter<int>::Options options;
    options.max_delay = std::chrono::hours(1);
    options.batch_size = 3;
    BatchWriter<int> writer(options, seen.write());
    for (int i = 0; i < 3; ++i) {
        int item = i;
        ASSERT_TRUE(writer.push(std::move(item)));
    }
    std::unique_lock<std::mutex> lock(seen.mu);
    // Bounded only so a broken writer fails the test instead of hanging it.
    ASSERT_TRUE(seen.changed.wait_for(lock, 60s, [&] { return !seen.batches.empty(); }));
    EXPECT_EQ(seen.batches.front(), (std::vector<int>{0, 1, 2}));
}

TEST(BatchWriter, WithoutADelayEachPushIsWrittenPromptly) {
    Seen seen;
    BatchWriter<int> writer(BatchWriter<int>::Options{}, seen.write());
    int item = 7;
    ASSERT_TRUE(writer.push(std::move(item)));
    std::unique_lock<std::mutex> lock(seen.mu);
    ASSERT_TRUE(seen.changed.wait_for(lock, 60s, [&] { return !seen.batches.empty(); }));
    EXPECT_EQ(seen.batches.front(), std::vector<int>{7});
}

TEST(BatchWriter, RefusesPastItsBoundsAndTellsTheNextBatch) {
    Seen seen;
    BatchWriter<int>::Options options;
    options.max_delay = std::chrono::hours(1);
    options.max_queued = 2;
    BatchWriter<int> writer(options, seen.write());
    for (int i = 0; i < 5; ++i) {
        int item = i;
        EXPECT_EQ(writer.push(std::move(item)), i < 2);
    }
    EXPECT_EQ(writer.refused(), 3u);
    writer.flush();
    int more = 9;
    ASSERT_TRUE(writer.push(std::move(more)));
    writer.flush();
    ASSERT_EQ(seen.refused_before.size(), 2u);
    EXPECT_EQ(seen.refused_before[0], 3u);
    EXPECT_EQ(seen.refused_before[1], 0u);
}

TEST(BatchWriter, RefusesByBytesToo) {
    Seen seen;
    BatchWriter<int>::Options options;
    options.max_delay = std::chrono::hours(1);
    options.max_queued_bytes = 100;
    BatchWriter<int> writer(options, seen.write());
    int a = 1, b = 2, c = 3;
    EXPECT_TRUE(writer.push(std::move(a), 60));
    EXPECT_FALSE(writer.push(std::move(b), 60));
    EXPECT_TRUE(writer.push(std::move(c), 40));
    writer.flush();
    // Written bytes no longer count.
    int d = 4;
    EXPECT_TRUE(writer.push(std::move(d), 100));
    writer.stop();
    EXPECT_EQ(seen.all(), (std::vector<int>{1, 3, 4}));
}

TEST(BatchWriter, ARefusedItemStaysWithItsOwner) {
    BatchWriter<std::unique_ptr<int>>::Options options;
    options.max_queued = 0;
    BatchWriter<std::unique_ptr<int>> writer(options, [](auto&, uint64_t) {});
    auto item = std::make_unique<int>(5);
    EXPECT_FALSE(writer.push(std::move(item)));
    ASSERT_NE(item, nullptr);
    EXPECT_EQ(*item, 5);
}

TEST(BatchWriter, AfterStopPushesAreRefusedAndFlushDoesNotWait) {
    Seen seen;
    BatchWriter<int> writer(BatchWriter<int>::Options{}, seen.write());
    writer.stop();
    int item = 1;
    EXPECT_FALSE(writer.push(std::move(item)));
    writer.flush();
    writer.stop();
    EXPECT_TRUE(seen.all().empty());
}

TEST(BatchWriter, ManyProducersLoseNothing) {
    std::atomic<int> written{0};
    BatchWriter<int>::Options options;
    options.max_delay = 1ms;
    options.batch_size = 64;
    options.release_after_burst = true;
    BatchWriter<int> writer(options, [&](std::vector<int>& batch, uint64_t) {
        written.fetch_add(static_cast<int>(batch.size()));
    });
    std::vector<std::thread> producers;
    for (int t = 0; t < 4; ++t) {
        producers.emplace_back([&] {
            for (int i = 0; i < 5000; ++i) {
                int item = i;
                EXPECT_TRUE(writer.push(std::move(item)));
            }
        });
    }
    for (auto& p : producers)
        p.join();
    writer.flush();
    EXPECT_EQ(written.load(), 20000);
}

} // namespace
} // namespace edgeai::platform::native
