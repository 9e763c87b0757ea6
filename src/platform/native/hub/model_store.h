// models.dir on disk: GGUF files a user put there (NAME.gguf, served as
// `-m NAME`) and models pulled from the hub, one directory per repository
// (ORG/REPO/FILE.gguf, named ORG/REPO:QUANT). A download is FILE.gguf.part
// until it is whole and checked, and .FILE.gguf.lock is the advisory lock
// two pulls (or a pull and an rm) of the same file take.
#pragma once

#include "core/result.h"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace edgeai::platform::native {

struct StoredModel {
    std::string name;               // NAME, or ORG/REPO:QUANT
    std::vector<std::string> paths; // the file, or every part of a split one, in order
    uint64_t bytes = 0;
    int64_t modified_unix = 0; // the newest part's
    std::string quant;         // from the file name; empty when it shows none
};

// Every model in `models_dir`, sorted by name; a missing directory is empty.
std::vector<StoredModel> list_stored_models(const std::string& models_dir);

// The model `name` names in `models_dir`: NAME (NAME.gguf), NAME.gguf, or a
// hub name (ORG/REPO[:QUANT], hf:..., hf.co/...) chosen among the files
// pulled for that repository as a pull would choose on the hub.
core::Result<StoredModel> find_stored_model(const std::string& models_dir, const std::string& name);

// Deletes the model's files (refused while a pull of one holds its lock) and
// the repository's directories once empty.
core::Result<StoredModel> remove_stored_model(const std::string& models_dir,
                                              const std::string& name);

// An advisory lock (flock) on a model file's lock file, held while it lives.
class ModelFileLock {
  public:
    // Blocks until the lock is free; `on_wait` is called once if it is not.
    static core::Result<ModelFileLock> acquire(const std::string& model_path,
                                               const std::function<void()>& on_wait);
    // Fails with kFailedPrecondition when someone holds it.
    static core::Result<ModelFileLock> try_acquire(const std::string& model_path);
    ModelFileLock(ModelFileLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
    ModelFileLock& operator=(ModelFileLock&&) = delete;
    ~ModelFileLock();

  private:
    explicit ModelFileLock(int fd) : fd_(fd) {}
    int fd_ = -1;
};

// ".../.FILE.gguf.lock" beside ".../FILE.gguf".
std::string lock_path_for(const std::string& model_path);

} // namespace edgeai::platform::native
