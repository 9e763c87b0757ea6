// llama2.c checkpoints and tokenizers from anywhere: the converter must refuse
// anything that is not what its header claims, never read past the buffer or
// allocate what a hostile header asks for. The input is split in two: the
// first four bytes (little-endian) give the checkpoint's length, clamped.
#include "engine/convert/llama2c.h"
#include "engine/gguf/gguf_file.h"

#include <cstdint>
#include <cstdlib>
#include <span>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 4) return 0;
    const uint32_t claimed = uint32_t{data[0]} | uint32_t{data[1]} << 8 | uint32_t{data[2]} << 16 |
                             uint32_t{data[3]} << 24;
    std::span<const uint8_t> rest(data + 4, size - 4);
    const size_t split = claimed < rest.size() ? claimed : rest.size();
    auto out =
        edgeai::engine::convert::convert_llama2c(rest.first(split), rest.subspan(split), "fuzz");
    if (!out.ok()) return 0;
    // What the converter writes must be a GGUF file we read back.
    auto file = edgeai::engine::gguf::GgufFile::parse(
        {reinterpret_cast<const uint8_t*>(out->data()), out->size()});
    if (!file.ok()) std::abort();
    return 0;
}
