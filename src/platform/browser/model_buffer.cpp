#include "platform/browser/model_buffer.h"

#include <cstdlib>

namespace edgeai::platform::browser {

namespace {
// A mapping's start is page-aligned; the GGUF reader and the kernels want at
// least the file's 32-byte alignment, so the buffer starts on 64.
constexpr size_t kAlignment = 64;
} // namespace

std::unique_ptr<ModelBuffer> ModelBuffer::allocate(size_t size) {
    const size_t rounded = (size + kAlignment - 1) / kAlignment * kAlignment + kAlignment;
    auto* data = static_cast<uint8_t*>(std::aligned_alloc(kAlignment, rounded));
    if (data == nullptr) return nullptr;
    return std::unique_ptr<ModelBuffer>(new ModelBuffer(data, size));
}

ModelBuffer::~ModelBuffer() {
    std::free(data_);
}

} // namespace edgeai::platform::browser
