// The issue-17 reproduction, against llama.cpp itself: stories260K, converted
// to an f32 GGUF, is quantized to Q4_K_M by llama_model_quantize from the
// libllama node-llama-cpp ships in bench/llamacpp (its 64-wide rows cannot
// hold 256-value blocks, so llama.cpp falls back to q5_0, and to f16 for the
// 172-wide ones). edgeai must load and run that file, and write every tensor
// of it, from the same f32 rows, to the same bytes. Skipped with a message
// when the library or ../shared/data is absent.
#include "engine/convert/llama2c.h"
#include "engine/gguf/gguf_file.h"
#include "engine/kernels/kernel_table.h"
#include "engine/kernels/quantize.h"
#include "engine/model/forward.h"
#include "engine/model/model.h"
#include "engine/test_data.h"

#include <gtest/gtest.h>

#include <dlfcn.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <string>

namespace edgeai::engine::convert {
namespace {

using testing::as_bytes;
using testing::read_file;
using testing::shared_data;

// llama_model_quantize_default_params' ftype: Q8_0 today, Q5_1 in older releases.
constexpr int32_t kFtypeQ8_0 = 7, kFtypeQ5_1 = 9;
constexpr int32_t kFtypeQ4_K_M = 15; // LLAMA_FTYPE_MOSTLY_Q4_K_M

// llama_model_quantize_params begins with these two fields (llama.h); the rest
// is left as the defaults set it, in room larger than the struct.
struct QuantizeParams {
    int32_t nthread;
    int32_t ftype;
    unsigned char rest[1024];
};
using DefaultParamsFn = QuantizeParams (*)();
using QuantizeFn = uint32_t (*)(const char* in, const char* out, const QuantizeParams* params);
using LogSetFn = void (*)(void (*)(int, const char*, void*), void*);

// Writes `bytes` to a file that is removed when this goes away.
struct TempFile {
    explicit TempFile(const std::string& stem)
        : path(::testing::TempDir() + stem + "-" + std::to_string(getpid()) + ".gguf") {}
    ~TempFile() { std::remove(path.c_str()); }
    std::string path;
};

TEST(LlamaCppModelQuantize, Q4_K_MOfStories260KLoadsRunsAndHasOurBytes) {
    const std::string checkpoint = read_file(shared_data("stories260K/stories260K.bin"));
    const std::string tokenizer = read_file(shared_data("stories260K/tok512.bin"));
    if (checkpoint.empty() || tokenizer.empty())
        GTEST_SKIP() << "../shared/data/stories260K is absent";
    const std::string lib_path = testing::llamacpp_library();
    void* lib = dlopen(lib_path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (lib == nullptr)
        GTEST_SKIP() << "llama.cpp's libllama is absent (" << lib_path
                     << "); run `npm install --omit=optional --ignore-scripts` in bench/llamacpp";
    auto defaults =
        reinterpret_cast<DefaultParamsFn>(dlsym(lib, "llama_model_quantize_default_params"));
    auto quantize = reinterpret_cast<QuantizeFn>(dlsym(lib, "llama_model_quantize"));
    auto log_set = reinterpret_cast<LogSetFn>(dlsym(lib, "llama_log_set"));
    ASSERT_TRUE(defaults != nullptr && quantize != nullptr && log_set != nullptr);
    QuantizeParams params = defaults();
    if (params.nthread != 0 || (params.ftype != kFtypeQ8_0 && params.ftype != kFtypeQ5_1))
        GTEST_SKIP() << "libllama's llama_model_quantize_params has another layout than expected";
    log_set([](int, const char*, void*) {}, nullptr); // its per-tensor report is not ours

    auto f32 = convert_llama2c(as_bytes(checkpoint), as_bytes(tokenizer), "stories260K");
    ASSERT_TRUE(f32.ok()) << f32.status().message();
    TempFile in("stories260K-f32"), out("stories260K-q4_k_m");
    std::ofstream(in.path, std::ios::binary)
        .write(f32->data(), static_cast<std::streamsize>(f32->size()));
    params.ftype = kFtypeQ4_K_M;
    params.nthread = 1;
    ASSERT_EQ(quantize(in.path.c_str(), out.path.c_str(), &params), 0u);

    const std::string q_bytes = read_file(out.path);
    auto q_file = gguf::GgufFile::parse(as_bytes(q_bytes));
    ASSERT_TRUE(q_file.ok()) << q_file.status().message();
    auto f32_file = gguf::GgufFile::parse(as_bytes(*f32));
    ASSERT_TRUE(f32_file.ok());

    // Every tensor llama.cpp quantized, quantized here from the same rows.
    std::map<std::string, int> types;
    for (const gguf::TensorInfo& t : q_file->tensors()) {
        ++types[std::string(t.type->name)];
        const gguf::TensorInfo* src = f32_file->find_tensor(t.name);
        ASSERT_NE(src, nullptr) << t.name;
        ASSERT_EQ(src->type->type, TensorType::kF32);
        const auto* x = reinterpret_cast<const float*>(f32_file->tensor_data(*src).data());
        std::string ours(static_cast<size_t>(t.size), '\0');
        const size_t cols = static_cast<size_t>(t.dims[0]);
        const size_t rows = static_cast<size_t>(t.n_elements / t.dims[0]);
        const size_t row = kernels::row_bytes(t.type->type, cols);
        for (size_t r = 0; r < rows; ++r)
            ASSERT_TRUE(
                kernels::quantize_row(t.type->type, x + r * cols, ours.data() + r * row, cols));
        const auto theirs = q_file->tensor_data(t);
        EXPECT_EQ(0, std::memcmp(ours.data(), theirs.data(), ours.size()))
            << t.name << " (" << t.type->name << ") differs from llama.cpp's bytes";
    }
    EXPECT_GT(types["q5_0"], 0) << "llama.cpp's q4_K fallback for 64-wide rows";

    // It loads and runs, and stays near the f32 model, with every table.
    auto q_model = model::Model::load(*q_file);
    ASSERT_TRUE(q_model.ok()) << q_model.status().message();
    auto f32_model = model::Model::load(*f32_file);
    ASSERT_TRUE(f32_model.ok());
    const int32_t ids[] = {1, 403, 407, 261, 378, 432, 383, 286};
    const auto logits_of = [&](const model::Model& m, const kernels::KernelTable& table) {
        SerialPool pool;
        model::KvCache cache(m.config(), 16, model::KvType::kF32);
        model::Forward forward(m, pool, table, 8, 16);
        std::vector<model::BatchToken> batch;
        for (uint32_t i = 0; i < 8; ++i)
            batch.push_back({&cache, ids[i], i, true});
        std::vector<float> logits(8 * 512);
        EXPECT_TRUE(forward.decode(batch, logits.data()).ok());
        return logits;
    };
    const auto want = logits_of(*f32_model, kernels::scalar_kernels());
    for (const kernels::KernelTable* table : kernels::usable_kernels()) {
        const auto got = logits_of(*q_model, *table);
        double err = 0, ref = 0;
        for (size_t i = 0; i < want.size(); ++i) {
            err += (got[i] - want[i]) * double(got[i] - want[i]);
            ref += double(want[i]) * want[i];
        }
        // Mostly 5-bit weights and 8-bit activations: 0.072 here, every table.
        EXPECT_LT(std::sqrt(err / ref), 0.09) << table->name;
    }
}

} // namespace
} // namespace edgeai::engine::convert
