// llama.cpp's mixes, type by type against llama_model_quantize itself (the
// libllama node-llama-cpp ships in bench/llamacpp, opened with dlopen): for
// every mix edgeai names, the same f32 models are quantized by llama.cpp, and
// each tensor of its file must have the type choose_tensor_types gives (where
// llama.cpp refuses a mix, edgeai must refuse it too), and edgeai reports as
// many fallbacks as llama.cpp warns about; for two of the models, edgeai's
// whole file has llama.cpp's bytes in every tensor. The models
// are small and chosen to reach the rules: 16 layers (use_more_bits, the
// first sixteenth), grouped-query attention of 4 and 7 (the n_gqa rules),
// tied and separate output matrices, phi3's fused QKV, rows of 64, 96, 172
// and 896 (the fallbacks). Skipped with a message when the library is absent.
#include "engine/convert/llama2c.h"
#include "engine/convert/quant_mix.h"
#include "engine/convert/quantize_model.h"
#include "engine/convert/synth.h"
#include "engine/gguf/gguf_file.h"
#include "engine/test_data.h"

#include <gtest/gtest.h>

#include <dlfcn.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

namespace edgeai::engine::convert {
namespace {

using testing::as_bytes;
using testing::read_file;
using testing::shared_data;

constexpr int32_t kFtypeQ8_0 = 7, kFtypeQ5_1 = 9;

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

struct Library {
    DefaultParamsFn defaults = nullptr;
    QuantizeFn quantize = nullptr;
    LogSetFn log_set = nullptr;
};

// How many "not divisible" warnings llama.cpp's log carried: one per fallback.
int g_llama_fallbacks = 0;
void count_fallbacks(int, const char* text, void*) {
    if (text != nullptr && std::strstr(text, "not divisible") != nullptr) ++g_llama_fallbacks;
}

struct Input {
    std::string label;
    std::string f32;         // the model's bytes
    bool same_bytes = false; // also quantize it here and compare every tensor's bytes
};

SynthShape mix_shape(const char* name, const char* arch) {
    SynthShape s;
    s.name = name;
    s.arch = arch;
    s.n_ctx = 128;
    s.n_vocab = 400;
    s.vocab = SynthVocab::kByteLevelBpe;
    return s;
}

std::vector<Input> inputs() {
    std::vector<Input> out;
    {
        // 16 layers with GQA 4, rows of 256 and ffn_down's 96, its own output.
        SynthShape s = mix_shape("mix-llama", "llama");
        s.n_layer = 16;
        s.n_embd = 256;
        s.n_head = 8;
        s.n_head_kv = 2;
        s.n_ff = 96;
        s.tied_output = false;
        s.vocab = SynthVocab::kSentencePiece;
        auto bytes = synth_model(s, TensorType::kF32, 5);
        EXPECT_TRUE(bytes.ok()) << bytes.status().message();
        if (bytes.ok()) out.push_back({"llama-16x256", std::move(*bytes), true});
    }
    {
        // qwen2.5-0.5b's 896-wide rows and its GQA of 7, tied embeddings.
        SynthShape s = mix_shape("mix-qwen2", "qwen2");
        s.n_layer = 3;
        s.n_embd = 896;
        s.n_head = 14;
        s.n_head_kv = 2;
        s.n_ff = 256;
        s.qkv_bias = true;
        auto bytes = synth_model(s, TensorType::kF32, 6);
        EXPECT_TRUE(bytes.ok()) << bytes.status().message();
        if (bytes.ok()) out.push_back({"qwen2-3x896", std::move(*bytes)});
    }
    {
        // phi3: fused attn_qkv (an attn_v for the rules), no GQA.
        SynthShape s = mix_shape("mix-phi", "phi3");
        s.n_layer = 8;
        s.n_embd = 256;
        s.n_head = 4;
        s.n_head_kv = 4;
        s.n_ff = 512;
        s.vocab = SynthVocab::kSentencePiece;
        auto bytes = synth_model(s, TensorType::kF32, 7);
        EXPECT_TRUE(bytes.ok()) << bytes.status().message();
        if (bytes.ok()) out.push_back({"phi3-8x256", std::move(*bytes)});
    }
    // stories260K: rows of 64 and 172 (which no 32-value type divides).
    const std::string checkpoint = read_file(shared_data("stories260K/stories260K.bin"));
    const std::string tokenizer = read_file(shared_data("stories260K/tok512.bin"));
    if (!checkpoint.empty() && !tokenizer.empty()) {
        auto bytes = convert_llama2c(as_bytes(checkpoint), as_bytes(tokenizer), "stories260K");
        EXPECT_TRUE(bytes.ok());
        if (bytes.ok()) out.push_back({"stories260K", std::move(*bytes), true});
    }
    return out;
}

std::string temp_path(const std::string& stem) {
    return ::testing::TempDir() + stem + "-" + std::to_string(getpid()) + ".gguf";
}

TEST(LlamaCppMixes, EveryTensorGetsLlamaCppsTypeInEveryMix) {
    const std::string lib_path = testing::llamacpp_library();
    void* lib = dlopen(lib_path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (lib == nullptr)
        GTEST_SKIP() << "llama.cpp's libllama is absent (" << lib_path
                     << "); run `npm install --omit=optional --ignore-scripts` in bench/llamacpp";
    Library l;
    l.defaults =
        reinterpret_cast<DefaultParamsFn>(dlsym(lib, "llama_model_quantize_default_params"));
    l.quantize = reinterpret_cast<QuantizeFn>(dlsym(lib, "llama_model_quantize"));
    l.log_set = reinterpret_cast<LogSetFn>(dlsym(lib, "llama_log_set"));
    ASSERT_TRUE(l.defaults != nullptr && l.quantize != nullptr && l.log_set != nullptr);
    QuantizeParams params = l.defaults();
    if (params.nthread != 0 || (params.ftype != kFtypeQ8_0 && params.ftype != kFtypeQ5_1))
        GTEST_SKIP() << "libllama's llama_model_quantize_params has another layout than expected";
    l.log_set(count_fallbacks, nullptr);

    const char* kMixNames[] = {"F16",    "BF16",   "Q8_0",   "Q6_K",   "Q5_K_M", "Q5_K_S",
                               "Q5_1",   "Q5_0",   "Q4_K_M", "Q4_K_S", "Q4_1",   "Q4_0",
                               "IQ4_NL", "IQ4_XS", "Q3_K_L", "Q3_K_M", "Q3_K_S", "Q2_K"};
    int compared = 0, refused = 0, fallbacks = 0, same_files = 0;
    for (const Input& input : inputs()) {
        const std::string in_path = temp_path("mix-in-" + input.label);
        std::ofstream(in_path, std::ios::binary)
            .write(input.f32.data(), static_cast<std::streamsize>(input.f32.size()));
        auto in = gguf::GgufFile::parse(as_bytes(input.f32));
        ASSERT_TRUE(in.ok()) << in.status().message();
        for (const char* name : kMixNames) {
            SCOPED_TRACE(input.label + " " + name);
            const QuantMix* mix = find_quant_mix(name);
            ASSERT_NE(mix, nullptr);
            int ours_reported = 0;
            auto ours =
                choose_tensor_types(*in, *mix, false, [&](const std::string&) { ++ours_reported; });
            const std::string out_path = temp_path("mix-out-" + input.label);
            params = l.defaults();
            params.ftype = static_cast<int32_t>(mix->ftype);
            params.nthread = 2;
            g_llama_fallbacks = 0;
            const uint32_t failed = l.quantize(in_path.c_str(), out_path.c_str(), &params);
            if (failed != 0) {
                EXPECT_FALSE(ours.ok()) << "llama.cpp refused this mix, edgeai did not";
                ++refused;
                std::remove(out_path.c_str());
                continue;
            }
            ASSERT_TRUE(ours.ok()) << ours.status().message();
            EXPECT_EQ(ours_reported, g_llama_fallbacks) << "fallbacks reported";
            fallbacks += ours_reported;
            const std::string out_bytes = read_file(out_path);
            std::remove(out_path.c_str());
            auto theirs = gguf::GgufFile::parse(as_bytes(out_bytes));
            ASSERT_TRUE(theirs.ok()) << theirs.status().message();
            ASSERT_EQ(theirs->tensors().size(), in->tensors().size());
            std::string differ;
            for (size_t i = 0; i < in->tensors().size(); ++i) {
                const gguf::TensorInfo& t = in->tensors()[i];
                const gguf::TensorInfo* their = theirs->find_tensor(t.name);
                ASSERT_NE(their, nullptr) << t.name;
                const std::string_view our_name =
                    find_tensor_type(static_cast<uint32_t>((*ours)[i]))->name;
                if (their->type->name != our_name)
                    differ += " " + std::string(t.name) + " (llama.cpp " +
                              std::string(their->type->name) + ", edgeai " + std::string(our_name) +
                              ")";
            }
            EXPECT_TRUE(differ.empty()) << "types differ:" << differ;
            EXPECT_EQ(theirs->get_uint("general.file_type").value(), mix->ftype);
            ++compared;
            if (!input.same_bytes) continue;
            // The whole of edgeai's file, tensor by tensor: llama.cpp's bytes.
            auto mine = quantize_model(*in, *mix, false);
            ASSERT_TRUE(mine.ok()) << mine.status().message();
            auto ours_file = gguf::GgufFile::parse(as_bytes(*mine));
            ASSERT_TRUE(ours_file.ok()) << ours_file.status().message();
            std::string bytes_differ;
            for (const gguf::TensorInfo& t : ours_file->tensors()) {
                const auto a = ours_file->tensor_data(t);
                const auto b = theirs->tensor_data(*theirs->find_tensor(t.name));
                if (a.size() != b.size() || std::memcmp(a.data(), b.data(), a.size()) != 0)
                    bytes_differ += " " + std::string(t.name);
            }
            EXPECT_TRUE(bytes_differ.empty()) << "bytes differ:" << bytes_differ;
            EXPECT_EQ(ours_file->get_uint("general.file_type").value(), mix->ftype);
            ++same_files;
        }
        std::remove(in_path.c_str());
    }
    l.log_set([](int, const char*, void*) {}, nullptr);
    std::printf("compared %d files with llama.cpp's (%d of them byte for byte), %d refused by "
                "both, %d fallbacks\n",
                compared, same_files, refused, fallbacks);
    EXPECT_GE(compared, 3 * 18);
    EXPECT_EQ(refused, 0);
}

} // namespace
} // namespace edgeai::engine::convert
