// A model held in the module's memory. The worker's script asks for a buffer
// of the file's size and writes the bytes into it as they stream in (from a
// File, an ArrayBuffer or a fetch), so a model is never held twice: not in
// JS and in wasm memory, not in a download buffer and a copy.
#pragma once

#include "engine/model/loaded_model.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

namespace edgeai::platform::browser {

class ModelBuffer final : public engine::model::ModelBytes {
  public:
    // Null when the module's memory cannot grow to hold `size` bytes.
    static std::unique_ptr<ModelBuffer> allocate(size_t size);
    ~ModelBuffer() override;
    ModelBuffer(const ModelBuffer&) = delete;
    ModelBuffer& operator=(const ModelBuffer&) = delete;

    // Where the script writes the file's bytes.
    uint8_t* data() { return data_; }
    std::span<const uint8_t> bytes() const override { return {data_, size_}; }

  private:
    ModelBuffer(uint8_t* data, size_t size) : data_(data), size_(size) {}
    uint8_t* data_;
    size_t size_;
};

} // namespace edgeai::platform::browser
