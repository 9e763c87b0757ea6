// A GGUF model loaded for inference: the file's bytes and everything the
// engine builds over them (parsed GGUF, weights, tokenizer). Views point into
// the bytes, so the bundle lives on the heap and never moves. The bytes come
// through the ModelBytes port: a mapping natively, a buffer read from a
// preopened directory on WASI.
#pragma once

#include "core/result.h"
#include "engine/gguf/gguf_file.h"
#include "engine/model/model.h"
#include "engine/tokenizer/tokenizer.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>

namespace edgeai::engine::model {

// Where a model's bytes live.
class ModelBytes {
  public:
    virtual ~ModelBytes() = default;
    virtual std::span<const uint8_t> bytes() const = 0;
    // The bytes in [data, data + size) were copied elsewhere: a platform that
    // can give their memory back (a mapping) does; others keep them.
    virtual void release(const uint8_t* data, size_t size) const {
        (void)data;
        (void)size;
    }
};

struct LoadedModel {
    // Declared first: destroyed after the views into it.
    std::unique_ptr<ModelBytes> file;
    gguf::GgufFile gguf;
    Model model;
    // Absent when the file has no usable vocabulary; `tokenizer_error` says why.
    std::optional<tokenizer::Tokenizer> tokenizer;
    std::string tokenizer_error;

    struct LoadOptions {
        // Repack the weights for this CPU's matrix kernels (what running the
        // model wants; `model info` only reads).
        bool pack = true;
        // Bytes repacked so far and in all, for a progress bar.
        std::function<void(uint64_t done, uint64_t total)> progress;
    };
    // Errors start with `name` (the file's path). The tokenizer is optional:
    // commands that need text check it, `model eval` does not.
    static core::Result<std::unique_ptr<LoadedModel>>
    load(std::unique_ptr<ModelBytes> file, const std::string& name, const LoadOptions& options);
};

// The model id a file is served under: its name without directories and the
// .gguf extension.
std::string model_id_from_path(const std::string& path);

} // namespace edgeai::engine::model
