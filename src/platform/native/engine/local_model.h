// A GGUF model loaded for local inference: the mapped file and everything the
// engine builds over it (parsed GGUF, weights, tokenizer). Views point into
// the mapping, so the whole bundle lives on the heap and never moves.
#pragma once

#include "core/result.h"
#include "engine/gguf/gguf_file.h"
#include "engine/model/model.h"
#include "engine/tokenizer/tokenizer.h"
#include "platform/native/engine/mapped_file.h"

#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace edgeai::platform::native {

struct LocalModel {
    MappedFile file;
    engine::gguf::GgufFile gguf;
    engine::model::Model model;
    // Absent when the file has no usable vocabulary; `tokenizer_error` says why.
    std::optional<engine::tokenizer::Tokenizer> tokenizer;
    std::string tokenizer_error;

    // Errors name the file. The tokenizer is optional: commands that need text
    // check it, `model eval` does not.
    struct LoadOptions {
        // Repack the weights for this CPU's matrix kernels (what running the
        // model wants; `model info` only reads).
        bool pack = true;
        // Bytes repacked so far and in all, for a progress bar.
        std::function<void(uint64_t done, uint64_t total)> progress;
    };
    static core::Result<std::unique_ptr<LocalModel>> load(const std::string& path,
                                                          const LoadOptions& options);
    static core::Result<std::unique_ptr<LocalModel>> load(const std::string& path) {
        return load(path, LoadOptions{});
    }
};

// The model id a file is served under: its name without directories and the
// .gguf extension.
std::string model_id_from_path(const std::string& path);

} // namespace edgeai::platform::native
