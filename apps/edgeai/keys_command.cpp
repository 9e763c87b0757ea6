#include "keys_command.h"

#include "cli_output.h"
#include "core/duration.h"
#include "platform/native/storage/sqlite_key_store.h"
#include "platform/native/storage/sqlite_util.h"
#include "platform/native/system/files.h"
#include "platform/native/system/randomness.h"
#include "platform/native/system/system_clock.h"
#include "security/key_admin.h"

#include <cstdio>

namespace edgeai::cli {
namespace {

constexpr const char* kNoKeysText =
    "no keys: the gateway serves loopback clients only; make one with "
    "'edgeai keys create --name NAME'\n";

constexpr const char* kFirstKeyText =
    "this is the first key: from now on every client needs a key, loopback ones included "
    "(Authorization: Bearer KEY, or x-api-key); give local tools a key of their own with "
    "'edgeai keys create --name NAME --scopes ...'. Revoking or deleting keys never turns "
    "authentication off again; 'edgeai keys unlock' does, once no key is left.\n";

namespace native = platform::native;

int fail(const core::Status& status) {
    print_error(status.message());
    return exit_code_for(status);
}

std::string limits_text(const security::ApiKey& k) {
    std::string out;
    auto add = [&](int64_t v, const char* what) {
        if (v > 0) out += (out.empty() ? "" : ", ") + std::to_string(v) + " " + what;
    };
    add(k.limits.requests_per_minute, "requests/min");
    add(k.limits.tokens_per_minute, "tokens/min");
    add(k.limits.concurrent_requests, "at once");
    add(k.budget.tokens_per_day, "tokens/day");
    add(k.budget.tokens_per_month, "tokens/month");
    auto cost = [&](double v, const char* what) {
        if (v > 0) {
            char buf[64];
            std::snprintf(buf, sizeof buf, "%g %s", v, what);
            out += (out.empty() ? "" : ", ") + std::string(buf);
        }
    };
    cost(k.budget.cost_per_day, "cost/day");
    cost(k.budget.cost_per_month, "cost/month");
    return out.empty() ? "none" : out;
}

std::string models_text(const security::ApiKey& k) {
    if (k.models.empty()) return "any";
    std::string out;
    for (const std::string& m : k.models)
        out += (out.empty() ? "" : ",") + m;
    return out;
}

void print_key(const security::ApiKey& k, int64_t now_ms, bool json) {
    if (json) {
        std::string body = security::key_json(k);
        body.pop_back();
        std::printf("%s,\"state\":\"%s\"}\n", body.c_str(),
                    std::string(security::key_state(k, now_ms)).c_str());
        return;
    }
    std::printf("id:       %s\nname:     %s\nstate:    %s\nscopes:   %s\nmodels:   %s\n"
                "limits:   %s\ncreated:  %s UTC\nexpires:  %s\n",
                k.id.c_str(), k.name.c_str(), std::string(security::key_state(k, now_ms)).c_str(),
                security::scope_names(k.scopes).c_str(), models_text(k).c_str(),
                limits_text(k).c_str(), utc_time(k.created_ms).c_str(),
                k.expires_ms > 0 ? (utc_time(k.expires_ms) + " UTC").c_str() : "never");
    if (k.revoked_ms > 0) std::printf("revoked:  %s UTC\n", utc_time(k.revoked_ms).c_str());
    if (!k.replaced_by.empty()) std::printf("replaced: by %s\n", k.replaced_by.c_str());
    std::printf("signing:  %s\n", k.sealed_signing_key.empty() ? "no" : "yes");
}

// The secret goes to stdout alone on its line (easy to capture in a
// script); the advice goes to stderr.
void print_new_key(const security::NewKey& made, int64_t now_ms, bool json) {
    if (json) {
        std::string body = security::key_json(made.record);
        body.pop_back();
        std::printf("%s,\"key\":\"%s\"}\n", body.c_str(), made.key.c_str());
        return;
    }
    std::fprintf(stderr, "created key %s ('%s'): scopes %s; models %s; limits %s\n",
                 made.record.id.c_str(), made.record.name.c_str(),
                 security::scope_names(made.record.scopes).c_str(),
                 models_text(made.record).c_str(), limits_text(made.record).c_str());
    (void)now_ms;
    std::printf("%s\n", made.key.c_str());
    std::fprintf(stderr, "store it now: the key is not shown again\n");
}

core::Result<std::string> key_random() {
    return native::random_bytes(security::kKeyRandomBytes);
}

} // namespace

Command* add_keys_command(Command& app, KeysFlags& flags,
                          const std::function<void(Command*)>& add_common) {
    Command* k = app.add_subcommand("keys", "Create and manage API keys (keys.db)");
    k->require_subcommand();
    flags.create = k->add_subcommand("create", "Make a key; its secret is printed once");
    flags.create->add_option("--name", flags.name, "A unique name (letters, digits, - _ .)")
        .required();
    flags.create->add_option("--scopes", flags.scopes,
                             "Comma-separated: chat, completions, embeddings, models, jobs, "
                             "batches, mcp, admin, or all (default: all but admin)");
    flags.create
        ->add_option("--models", flags.models,
                     "Model names or globs it may use (repeat or comma-separate; "
                     "default any)")
        .delimiter(',');
    flags.create
        ->add_option("--mcp-tools", flags.mcp_tools,
                     "MCP tools it may call (repeat or comma-separate: chat, embed, list_models, "
                     "submit_job, get_job; default all)")
        .delimiter(',');
    flags.create->add_option("--rpm", flags.rpm, "Requests per minute (default unlimited)");
    flags.create->add_option("--tpm", flags.tpm, "Tokens per minute (default unlimited)");
    flags.create->add_option("--concurrency", flags.concurrency, "Requests in flight at once");
    flags.create->add_option("--budget-tokens-day", flags.budget_tokens_day, "Tokens per UTC day");
    flags.create->add_option("--budget-tokens-month", flags.budget_tokens_month,
                             "Tokens per UTC month");
    flags.create->add_option("--budget-cost-day", flags.budget_cost_day,
                             "Cost per UTC day (backends' price units)");
    flags.create->add_option("--budget-cost-month", flags.budget_cost_month, "Cost per UTC month");
    flags.create->add_option("--expires", flags.expires, "Valid for this long, e.g. 30d or 12h");
    flags.create->add_flag("--signing", flags.signing,
                           "May also sign requests (x-edgeai-signature, docs/security.md)");
    flags.create->add_flag("--json", flags.json, "Print the key and its settings as JSON");
    flags.list = k->add_subcommand("list", "List keys (never their secrets)");
    flags.list->add_flag("--json", flags.json, "One key's JSON per line");
    flags.show = k->add_subcommand("show", "Print one key's settings");
    flags.show->add_option("KEY", flags.id, "The key's id or name").required();
    flags.show->add_flag("--json", flags.json, "As JSON");
    flags.revoke = k->add_subcommand("revoke", "Stop a key at once");
    flags.revoke->add_option("KEY", flags.id, "The key's id or name").required();
    flags.rotate = k->add_subcommand("rotate", "Replace a key with a new secret, same settings");
    flags.rotate->add_option("KEY", flags.id, "The key's id or name").required();
    flags.rotate->add_option("--grace", flags.grace,
                             "How long the old key keeps working, e.g. 24h (default: stops now)");
    flags.rotate->add_flag("--json", flags.json, "Print the new key as JSON");
    flags.remove = k->add_subcommand(
        "delete", "Remove a key from keys.db (authentication stays on; see 'unlock')");
    flags.remove->add_option("KEY", flags.id, "The key's id or name").required();
    flags.unlock = k->add_subcommand(
        "unlock", "With no keys left, let loopback clients in without a key again");
    for (Command* sub : {flags.create, flags.list, flags.show, flags.revoke, flags.rotate,
                         flags.remove, flags.unlock})
        add_common(sub);
    return k;
}

int run_keys_command(const KeysFlags& flags, const std::string& data_dir) {
    // Reading keys never makes a keys.db, nor a data directory, where none was.
    const bool reads_only = flags.list->parsed() || flags.show->parsed();
    if (reads_only &&
        !native::file_exists(native::data_file(data_dir, native::SqliteKeyStore::kFileName))) {
        if (flags.show->parsed())
            return fail(core::not_found("no key with id or name '" + flags.id + "': " + data_dir +
                                        " has no keys.db"));
        if (!flags.json) std::printf("%s", kNoKeysText);
        return kExitOk;
    }
    auto store = native::SqliteKeyStore::open(data_dir);
    if (!store.ok()) return fail(store.status());
    native::SystemClock clock;
    const int64_t now = clock.unix_ms();

    if (flags.create->parsed()) {
        security::KeySpec spec;
        spec.name = flags.name;
        if (!flags.scopes.empty()) {
            auto scopes = security::parse_scopes(flags.scopes);
            if (!scopes.ok()) return fail(scopes.status());
            spec.scopes = *scopes;
        }
        spec.models = flags.models;
        spec.mcp_tools = flags.mcp_tools;
        for (auto [value, name] : {std::pair{flags.rpm, "--rpm"}, std::pair{flags.tpm, "--tpm"},
                                   std::pair{flags.concurrency, "--concurrency"},
                                   std::pair{flags.budget_tokens_day, "--budget-tokens-day"},
                                   std::pair{flags.budget_tokens_month, "--budget-tokens-month"}}) {
            if (value < 0)
                return fail(core::invalid_argument(std::string(name) + " must be 0 or more"));
        }
        if (flags.budget_cost_day < 0 || flags.budget_cost_month < 0)
            return fail(core::invalid_argument("budgets must be 0 or more"));
        spec.limits = {flags.rpm, flags.tpm, flags.concurrency};
        spec.budget = {flags.budget_tokens_day, flags.budget_tokens_month, flags.budget_cost_day,
                       flags.budget_cost_month};
        if (!flags.expires.empty()) {
            auto ms = core::parse_duration_ms(flags.expires);
            if (!ms.ok())
                return fail(core::invalid_argument("--expires: " + ms.status().message()));
            spec.expires_ms = now + *ms;
        }
        spec.signing = flags.signing;
        std::string secret;
        if (spec.signing) {
            auto s = native::load_or_create_server_secret(data_dir);
            if (!s.ok()) return fail(s.status());
            secret = std::move(s).value();
        }
        auto random = key_random();
        if (!random.ok()) return fail(random.status());
        auto locked = (*store)->locked();
        if (!locked.ok()) return fail(locked.status());
        auto made = security::create_key(**store, spec, *random, secret, now);
        if (!made.ok()) return fail(made.status());
        print_new_key(*made, now, flags.json);
        // The first key changes how the gateway treats everyone: say so.
        if (!*locked) std::fprintf(stderr, "%s", kFirstKeyText);
        return kExitOk;
    }
    if (flags.list->parsed()) {
        auto keys = (*store)->load_all();
        if (!keys.ok()) return fail(keys.status());
        if (flags.json) {
            for (const security::ApiKey& k : *keys)
                print_key(k, now, true);
            return kExitOk;
        }
        if (keys->empty()) {
            auto locked = (*store)->locked();
            if (locked.ok() && *locked)
                std::printf("no keys, and authentication is on (keys existed): every client is "
                            "refused; make a key, or 'edgeai keys unlock'\n");
            else
                std::printf("%s", kNoKeysText);
            return kExitOk;
        }
        std::printf("%-12s %-20s %-8s %-28s %-14s %s\n", "ID", "NAME", "STATE", "SCOPES", "MODELS",
                    "LIMITS");
        for (const security::ApiKey& k : *keys) {
            std::printf("%-12s %-20s %-8s %-28s %-14s %s\n", k.id.c_str(), k.name.c_str(),
                        std::string(security::key_state(k, now)).c_str(),
                        security::scope_names(k.scopes).c_str(), models_text(k).c_str(),
                        limits_text(k).c_str());
        }
        return kExitOk;
    }
    if (flags.show->parsed()) {
        auto key = security::find_key(**store, flags.id);
        if (!key.ok()) return fail(key.status());
        print_key(*key, now, flags.json);
        return kExitOk;
    }
    if (flags.remove->parsed()) {
        auto key = security::delete_key(**store, flags.id);
        if (!key.ok()) return fail(key.status());
        std::printf("deleted %s ('%s')\n", key->id.c_str(), key->name.c_str());
        auto left = (*store)->load_all();
        if (left.ok() && left->empty())
            std::fprintf(stderr, "no keys are left, and authentication stays on: every client "
                                 "is refused until a key is made, or 'edgeai keys unlock' lets "
                                 "loopback clients in without one\n");
        return kExitOk;
    }
    if (flags.unlock->parsed()) {
        if (auto st = (*store)->unlock(); !st.ok()) return fail(st);
        std::printf("unlocked: with no keys, the gateway serves loopback clients without one\n");
        return kExitOk;
    }
    if (flags.revoke->parsed()) {
        auto key = security::revoke_key(**store, flags.id, now);
        if (!key.ok()) return fail(key.status());
        std::printf("revoked %s ('%s')\n", key->id.c_str(), key->name.c_str());
        return kExitOk;
    }
    int64_t grace = 0;
    if (!flags.grace.empty()) {
        auto ms = core::parse_duration_ms(flags.grace);
        if (!ms.ok()) return fail(core::invalid_argument("--grace: " + ms.status().message()));
        grace = *ms;
    }
    std::string secret;
    auto existing = security::find_key(**store, flags.id);
    if (!existing.ok()) return fail(existing.status());
    if (!existing->sealed_signing_key.empty()) {
        auto s = native::load_or_create_server_secret(data_dir);
        if (!s.ok()) return fail(s.status());
        secret = std::move(s).value();
    }
    auto random = key_random();
    if (!random.ok()) return fail(random.status());
    auto made = security::rotate_key(**store, flags.id, *random, secret, now, grace);
    if (!made.ok()) return fail(made.status());
    print_new_key(*made, now, flags.json);
    return kExitOk;
}

} // namespace edgeai::cli
