// The native worker pool: every worker runs each task exactly once, run()
// returns only after all have finished, and workers that went to sleep wake
// for the next task.
#include "platform/native/engine/mapped_file.h"
#include "platform/native/engine/worker_threads.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <thread>
#include <vector>

namespace edgeai::platform::native {
namespace {

TEST(WorkerThreads, EveryWorkerRunsEachTaskOnceBeforeRunReturns) {
    for (int threads : {1, 2, 4}) {
        WorkerThreads pool(threads);
        EXPECT_EQ(pool.size(), threads);
        std::vector<std::atomic<int>> counts(static_cast<size_t>(threads));
        for (int round = 0; round < 2000; ++round) {
            pool.parallel([&](int worker, int workers) {
                EXPECT_EQ(workers, threads);
                counts[static_cast<size_t>(worker)].fetch_add(1);
            });
            for (auto& c : counts)
                ASSERT_EQ(c.load(), round + 1) << threads << " threads";
        }
    }
}

TEST(WorkerThreads, SleepingWorkersWakeForTheNextTask) {
    WorkerThreads pool(3);
    std::atomic<int> total{0};
    for (int round = 0; round < 3; ++round) {
        // Long enough for the workers to stop spinning and sleep on the futex.
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        pool.parallel([&](int, int) { total.fetch_add(1); });
        EXPECT_EQ(total.load(), 3 * (round + 1));
    }
}

TEST(WorkerThreads, SharesCoverTheRangeExactlyOnce) {
    WorkerThreads pool(3);
    std::vector<std::atomic<int>> hits(1000);
    pool.parallel([&](int worker, int workers) {
        const engine::Share s = engine::share_of(1000, worker, workers);
        for (unsigned i = s.begin; i < s.end; ++i)
            hits[i].fetch_add(1);
    });
    for (auto& h : hits)
        EXPECT_EQ(h.load(), 1);
}

TEST(MappedFile, MapsAFileAndNamesWhatIsWrong) {
    const std::string path = ::testing::TempDir() + "/edgeai_mapped_file_test.bin";
    {
        std::ofstream out(path, std::ios::binary);
        out << "GGUF and more";
    }
    auto f = MappedFile::open(path);
    ASSERT_TRUE(f.ok()) << f.status().message();
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(f->bytes().data()), f->bytes().size()),
              "GGUF and more");
    MappedFile moved = std::move(*f);
    EXPECT_EQ(moved.bytes().size(), 13u);
    std::remove(path.c_str());

    auto missing = MappedFile::open(path);
    ASSERT_FALSE(missing.ok());
    EXPECT_NE(missing.status().message().find("cannot open"), std::string::npos);
    auto dir = MappedFile::open(::testing::TempDir());
    ASSERT_FALSE(dir.ok());
    EXPECT_NE(dir.status().message().find("not a regular file"), std::string::npos);
}

} // namespace
} // namespace edgeai::platform::native
