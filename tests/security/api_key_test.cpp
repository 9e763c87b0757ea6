#include "security/api_key.h"

#include "security/key_admin.h"
#include "security/key_store.h"
#include "security/memory_key_store.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

namespace edgeai::security {
namespace {

std::string random_of(char seed) {
    std::string r(kKeyRandomBytes, '\0');
    for (size_t i = 0; i < r.size(); ++i)
        r[i] = static_cast<char>(seed * 31 + static_cast<int>(i) * 7);
    return r;
}

TEST(ApiKey, MaterialHasThePublicIdAndOnlyTheHashIsKept) {
    KeyMaterial m = new_key_material(random_of(1));
    EXPECT_EQ(m.id.size(), kKeyIdLength);
    EXPECT_EQ(m.key.substr(0, 4), "eai_");
    EXPECT_EQ(m.key.size(), 4 + kKeyIdLength + 1 + kKeySecretLength);
    auto id = presented_key_id(m.key);
    ASSERT_TRUE(id.has_value());
    EXPECT_EQ(*id, m.id);
    EXPECT_EQ(m.hash, hash_key(m.key));
    EXPECT_TRUE(key_hash_matches(m.key, m.hash));
    EXPECT_FALSE(key_hash_matches(m.key + "x", m.hash));
    EXPECT_FALSE(key_hash_matches(m.key, ""));
    EXPECT_EQ(m.hash.find(m.key.substr(15)), std::string::npos);
    EXPECT_NE(new_key_material(random_of(2)).key, m.key);
}

TEST(ApiKey, PresentedKeysOfAnotherShapeHaveNoId) {
    KeyMaterial m = new_key_material(random_of(3));
    for (std::string bad :
         {std::string(""), std::string("sk-abc"), m.key.substr(1), m.key + "a",
          "EAI_" + m.key.substr(4), m.key.substr(0, 20) + "!" + m.key.substr(21)}) {
        EXPECT_FALSE(presented_key_id(bad).has_value()) << bad;
    }
}

TEST(ApiKey, ScopesParseAndAdminImpliesEverything) {
    auto mask = parse_scopes("chat, models");
    ASSERT_TRUE(mask.ok());
    EXPECT_EQ(*mask, kScopeChat | kScopeModels);
    EXPECT_EQ(scope_names(*mask), "chat,models");
    auto bad = parse_scopes("chat,root");
    ASSERT_FALSE(bad.ok());
    EXPECT_NE(bad.status().message().find("root"), std::string::npos);
    EXPECT_FALSE(parse_scopes("").ok());
    EXPECT_EQ(*parse_scopes("all"), kDefaultScopes);
    ApiKey k;
    k.scopes = kScopeAdmin;
    EXPECT_TRUE(k.has_scope(kScopeEmbeddings));
    k.scopes = kScopeChat;
    EXPECT_FALSE(k.has_scope(kScopeEmbeddings));
    EXPECT_FALSE(k.has_scope(kScopeAdmin));
}

TEST(ApiKey, ModelGlobs) {
    ApiKey k;
    EXPECT_TRUE(k.allows_model("anything"));
    k.models = {"qwen*", "gpt-4o-mini"};
    EXPECT_TRUE(k.allows_model("qwen2.5-0.5b"));
    EXPECT_TRUE(k.allows_model("gpt-4o-mini"));
    EXPECT_FALSE(k.allows_model("gpt-4o"));
    EXPECT_FALSE(k.allows_model("my-qwen"));
}

TEST(KeyAdmin, CreateRevokeRotateAndNamesAreUnique) {
    MemoryKeyStore store;
    KeySpec spec;
    spec.name = "kiosk";
    spec.scopes = kScopeChat;
    spec.models = {"qwen*"};
    spec.limits.requests_per_minute = 30;
    auto made = create_key(store, spec, random_of(4), "", 1000);
    ASSERT_TRUE(made.ok()) << made.status().message();
    EXPECT_EQ(store.keys.at(made->record.id).hash, hash_key(made->key));
    EXPECT_EQ(store.keys.at(made->record.id).limits.requests_per_minute, 30);

    auto again = create_key(store, spec, random_of(5), "", 1000);
    ASSERT_FALSE(again.ok());
    EXPECT_NE(again.status().message().find("exists"), std::string::npos);

    KeySpec bad = spec;
    bad.name = "has space";
    EXPECT_FALSE(create_key(store, bad, random_of(6), "", 1000).ok());

    auto rotated = rotate_key(store, "kiosk", random_of(7), "", 2000, 3600000);
    ASSERT_TRUE(rotated.ok()) << rotated.status().message();
    const ApiKey& old = store.keys.at(made->record.id);
    EXPECT_EQ(old.replaced_by, rotated->record.id);
    EXPECT_EQ(old.expires_ms, 2000 + 3600000);
    EXPECT_EQ(key_state(old, 2001), "rotated");
    EXPECT_EQ(key_state(old, 2000 + 3600000), "expired");
    // The name now names the new key.
    auto found = find_key(store, "kiosk");
    ASSERT_TRUE(found.ok());
    EXPECT_EQ(found->id, rotated->record.id);
    EXPECT_EQ(found->limits.requests_per_minute, 30);

    auto revoked = revoke_key(store, rotated->record.id, 3000);
    ASSERT_TRUE(revoked.ok());
    EXPECT_EQ(key_state(store.keys.at(rotated->record.id), 3001), "revoked");
    EXPECT_FALSE(revoke_key(store, "nobody", 3000).ok());
    EXPECT_FALSE(rotate_key(store, rotated->record.id, random_of(8), "", 4000, 0).ok());
}

TEST(KeyAdmin, SpecFromJsonRefusesUnknownAndBadFields) {
    auto spec = key_spec_from_json(
        R"({"name":"k","scopes":["chat","models"],"models":["qwen*"],
            "limits":{"requests_per_minute":3,"concurrent_requests":1},
            "budget":{"tokens_per_day":100,"cost_per_month":2.5},"expires_in":"1h"})",
        1000);
    ASSERT_TRUE(spec.ok()) << spec.status().message();
    EXPECT_EQ(spec->scopes, kScopeChat | kScopeModels);
    EXPECT_EQ(spec->limits.requests_per_minute, 3);
    EXPECT_EQ(spec->budget.tokens_per_day, 100);
    EXPECT_DOUBLE_EQ(spec->budget.cost_per_month, 2.5);
    EXPECT_EQ(spec->expires_ms, 1000 + 3600000);
    for (const char* bad :
         {R"({"scopes":"chat"})", R"({"name":"k","limits":{"rpm":3}})", R"({"name":"k","x":1})",
          R"({"name":"k","limits":{"requests_per_minute":-1}})", R"({"name":"k","scopes":"god"})",
          R"({"name":"k","expires_at":1})", "[1]", "{"}) {
        EXPECT_FALSE(key_spec_from_json(bad, 5000000).ok()) << bad;
    }
}

TEST(KeyRing, FindsByIdOrCurrentName) {
    KeyRing ring;
    ApiKey a;
    a.id = "aaaaaaaaaa";
    a.name = "dev";
    a.replaced_by = "bbbbbbbbbb";
    ApiKey b;
    b.id = "bbbbbbbbbb";
    b.name = "dev";
    ring.replace({a, b});
    EXPECT_EQ(ring.find("dev")->id, "bbbbbbbbbb");
    EXPECT_EQ(ring.find("aaaaaaaaaa")->id, "aaaaaaaaaa");
    EXPECT_EQ(ring.find("nobody"), nullptr);
}

} // namespace
} // namespace edgeai::security
