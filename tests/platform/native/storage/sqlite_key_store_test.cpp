// keys.db as the CLI and the server share it: rows round-trip, every change
// bumps the generation another handle polls, and a rotation is all or
// nothing even when two processes race.
#include "platform/native/storage/sqlite_key_store.h"

#include "security/key_admin.h"
#include "temp_dir.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <string>

namespace edgeai::platform::native {
namespace {

std::string random_of(char seed) {
    std::string r(security::kKeyRandomBytes, '\0');
    for (size_t i = 0; i < r.size(); ++i)
        r[i] = static_cast<char>(seed * 31 + static_cast<int>(i) * 7);
    return r;
}

security::KeySpec spec_named(const char* name) {
    security::KeySpec spec;
    spec.name = name;
    spec.models = {"qwen*", "llama-3"};
    spec.limits.requests_per_minute = 30;
    spec.budget.tokens_per_day = 200000;
    spec.budget.cost_per_month = 12.5;
    return spec;
}

TEST(SqliteKeyStore, KeysRoundTripAndEveryChangeMovesTheGeneration) {
    TempDir dir;
    auto store = SqliteKeyStore::open(dir.path());
    ASSERT_TRUE(store.ok()) << store.status().to_string();
    struct stat st {};
    ASSERT_EQ(::stat(dir.file(SqliteKeyStore::kFileName).c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0077, 0u) << "keys.db is the owner's only";
    auto watcher = SqliteKeyStore::open(dir.path()); // the server, beside the CLI
    ASSERT_TRUE(watcher.ok());
    const uint64_t g0 = (*watcher)->generation().value();

    auto made = security::create_key(**store, spec_named("kiosk"), random_of(1), "", 1000);
    ASSERT_TRUE(made.ok()) << made.status().to_string();
    const uint64_t g1 = (*watcher)->generation().value();
    EXPECT_GT(g1, g0);
    auto keys = (*watcher)->load_all();
    ASSERT_TRUE(keys.ok());
    ASSERT_EQ(keys->size(), 1u);
    const security::ApiKey& k = keys->front();
    EXPECT_EQ(k.id, made->record.id);
    EXPECT_EQ(k.name, "kiosk");
    EXPECT_EQ(k.hash, security::hash_key(made->key));
    EXPECT_EQ(k.models, (std::vector<std::string>{"qwen*", "llama-3"}));
    EXPECT_EQ(k.limits.requests_per_minute, 30);
    EXPECT_EQ(k.budget.tokens_per_day, 200000);
    EXPECT_EQ(k.budget.cost_per_month, 12.5);
    EXPECT_EQ(k.created_ms, 1000);

    ASSERT_TRUE(security::revoke_key(**store, "kiosk", 2000).ok());
    EXPECT_GT((*watcher)->generation().value(), g1);
    EXPECT_EQ((*watcher)->load_all()->front().revoked_ms, 2000);

    security::ApiKey ghost = k;
    ghost.id = "zzzzzzzzzz";
    EXPECT_EQ((*store)->update(ghost).code(), core::StatusCode::kNotFound);
}

TEST(SqliteKeyStore, OfTwoRacingRotationsOnlyOneLands) {
    TempDir dir;
    auto cli = SqliteKeyStore::open(dir.path());
    auto api = SqliteKeyStore::open(dir.path());
    ASSERT_TRUE(cli.ok() && api.ok());
    auto made = security::create_key(**cli, spec_named("kiosk"), random_of(1), "", 1000);
    ASSERT_TRUE(made.ok());
    const security::ApiKey before = (*api)->load_all()->front();

    auto first = security::rotate_key(**cli, "kiosk", random_of(2), "", 2000, 60000);
    ASSERT_TRUE(first.ok()) << first.status().to_string();
    const uint64_t generation = (*api)->generation().value();

    // The admin API decided on the key as it was before the CLI's rotation.
    security::ApiKey stale = before;
    security::ApiKey successor = before;
    successor.id = "bbbbbbbbbb";
    successor.hash = std::string(64, 'b');
    stale.replaced_by = successor.id;
    const core::Status second = (*api)->rotate(stale, successor);
    EXPECT_EQ(second.code(), core::StatusCode::kFailedPrecondition) << second.to_string();
    EXPECT_NE(second.message().find("meanwhile"), std::string::npos);

    auto keys = (*cli)->load_all();
    ASSERT_TRUE(keys.ok());
    ASSERT_EQ(keys->size(), 2u) << "the losing rotation added no key";
    for (const security::ApiKey& k : *keys) {
        if (k.id == before.id)
            EXPECT_EQ(k.replaced_by, first->record.id);
        else
            EXPECT_EQ(k.id, first->record.id);
    }
    EXPECT_EQ((*api)->generation().value(), generation) << "nothing changed, nothing to reload";
}

} // namespace
} // namespace edgeai::platform::native
