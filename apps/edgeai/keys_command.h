// `edgeai keys create|list|show|revoke|rotate|delete|unlock`: API keys in
// <data dir>/keys.db,
// changed directly (a running server re-reads them within a second). The
// secret of a new key is printed once and never stored.
#pragma once

#include "cli/args.h"

#include <functional>
#include <string>
#include <vector>

namespace edgeai::cli {

struct KeysFlags {
    Command* create = nullptr;
    Command* list = nullptr;
    Command* show = nullptr;
    Command* revoke = nullptr;
    Command* rotate = nullptr;
    Command* remove = nullptr;
    Command* unlock = nullptr;
    std::string id; // id or name
    std::string name;
    std::string scopes;
    std::vector<std::string> models;
    std::vector<std::string> mcp_tools;
    int64_t rpm = 0;
    int64_t tpm = 0;
    int64_t concurrency = 0;
    int64_t budget_tokens_day = 0;
    int64_t budget_tokens_month = 0;
    double budget_cost_day = 0;
    double budget_cost_month = 0;
    std::string expires;
    std::string grace;
    bool signing = false;
    bool json = false;
};

Command* add_keys_command(Command& app, KeysFlags& flags,
                          const std::function<void(Command*)>& add_common);

// Exit codes: 0, 1 (keys.db cannot be read or written), 2 (bad flags, an
// unknown key, a name taken).
int run_keys_command(const KeysFlags& flags, const std::string& data_dir);

} // namespace edgeai::cli
