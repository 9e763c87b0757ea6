// `edgeai pull`: fetches a model's GGUF file (every part of a split one) from
// the Hugging Face hub into models.dir. The file list comes from the hub's
// tree API; each file downloads to FILE.part under its lock, resumes with
// Range after a cut (in this run or a later one), is checked against the
// hub's LFS SHA-256 and size, fsynced and renamed into place, so the final
// name never holds half a file.
#pragma once

#include "core/result.h"
#include "platform/native/hub/hub_http.h"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace edgeai::platform::native {

struct PullOptions {
    std::string models_dir;
    HubHttpOptions http;
    // A sentence for the person waiting ("resuming x at 12 MiB").
    std::function<void(const std::string&)> note;
    // Bytes of `file` on disk so far, of `total`; called as data arrives.
    std::function<void(const std::string& file, uint64_t done, uint64_t total)> progress;
    // Pauses between attempts after a cut; tests make it short.
    int retry_pause_ms = 1000;
};

struct PulledModel {
    std::string name;               // ORG/REPO:QUANT
    std::vector<std::string> paths; // in models.dir, parts in order
    uint64_t bytes = 0;
    bool downloaded = false; // false: every file was there already
};

core::Result<PulledModel> pull_model(const std::string& reference, const PullOptions& options);

// HF_ENDPOINT (default https://huggingface.co, trailing '/' dropped) and the
// token as the hub's clients find it: HF_TOKEN, else the file at
// HF_TOKEN_PATH, $HF_HOME/token or ~/.cache/huggingface/token.
HubHttpOptions hub_options_from_environment(const std::string& user_agent);

} // namespace edgeai::platform::native
