// What a GGUF reader must accept and refuse, one case per way a file can be
// wrong (the list follows llama.cpp's tests/test-gguf.cpp), plus the reference
// models from ../shared/data when they are there.
#include "engine/gguf/gguf_file.h"
#include "engine/gguf/gguf_writer.h"

#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <iterator>
#include <string>

namespace edgeai::engine::gguf {
namespace {

std::span<const uint8_t> as_bytes(const std::string& s) {
    return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

std::string q4_0_row(size_t blocks) {
    return std::string(blocks * 18, '\x11');
}

// A small valid model-like file: metadata of several types and two tensors.
std::string sample_file() {
    GgufWriter w;
    w.add_string("general.architecture", "llama")
        .add_u32("llama.context_length", 256)
        .add_f32("llama.rope.freq_base", 10000.0f)
        .add_bool("tokenizer.ggml.add_bos_token", true)
        .add_string_array("tokenizer.ggml.tokens", {"<unk>", "<s>", "h\xC3\xA9llo"})
        .add_f32_array("tokenizer.ggml.scores", {0.0f, -1.0f, -2.5f})
        .add_i32_array("tokenizer.ggml.token_type", {2, 3, 1});
    w.add_tensor("token_embd.weight", {64, 3}, TensorType::kQ4_0, q4_0_row(2 * 3));
    w.add_tensor("output_norm.weight", {64}, TensorType::kF32, std::string(64 * 4, '\0'));
    return w.finish();
}

core::Status parse_error(const std::string& bytes) {
    auto f = GgufFile::parse(as_bytes(bytes));
    return f.ok() ? core::Status() : f.status();
}

void expect_refused(const std::string& bytes, std::string_view phrase) {
    core::Status s = parse_error(bytes);
    ASSERT_FALSE(s.ok()) << "accepted a file that should be refused (" << phrase << ")";
    EXPECT_EQ(s.code(), core::StatusCode::kDataLoss);
    EXPECT_NE(s.message().find(phrase), std::string::npos) << s.message();
}

// A header followed by raw bytes, for the cases the writer cannot produce.
std::string header(uint32_t version, uint64_t n_tensors, uint64_t n_kv) {
    std::string out = "GGUF";
    append_le(out, version);
    append_le(out, n_tensors);
    append_le(out, n_kv);
    return out;
}

TEST(GgufFile, ReadsMetadataOfEveryKindAndTensors) {
    std::string bytes = sample_file();
    auto f = GgufFile::parse(as_bytes(bytes));
    ASSERT_TRUE(f.ok()) << f.status().message();
    EXPECT_EQ(f->version(), 3u);
    EXPECT_EQ(*f->get_string("general.architecture"), "llama");
    EXPECT_EQ(*f->get_uint("llama.context_length"), 256u);
    EXPECT_EQ(*f->get_int("llama.context_length"), 256);
    EXPECT_DOUBLE_EQ(*f->get_float("llama.rope.freq_base"), 10000.0);
    EXPECT_TRUE(*f->get_bool("tokenizer.ggml.add_bos_token"));
    auto tokens = f->get_string_array("tokenizer.ggml.tokens");
    ASSERT_TRUE(tokens.ok());
    ASSERT_EQ(tokens->size(), 3u);
    EXPECT_EQ((*tokens)[2], "h\xC3\xA9llo");
    EXPECT_EQ(f->get_float_array("tokenizer.ggml.scores")->at(2), -2.5);
    EXPECT_EQ(f->get_int_array("tokenizer.ggml.token_type")->at(1), 3);
    // Each value's extent: elements start at offset and end at end.
    EXPECT_EQ(f->find("tokenizer.ggml.scores")->end - f->find("tokenizer.ggml.scores")->offset,
              3u * 4);
    const KeyValue* names = f->find("tokenizer.ggml.tokens");
    EXPECT_EQ(names->end - names->offset, 3u * 8 + 5 + 3 + 6); // length prefixes + bytes
    EXPECT_EQ(f->find("general.architecture")->end - f->find("general.architecture")->offset,
              8u + 5);

    ASSERT_EQ(f->tensors().size(), 2u);
    const TensorInfo* emb = f->find_tensor("token_embd.weight");
    ASSERT_NE(emb, nullptr);
    EXPECT_EQ(emb->type->type, TensorType::kQ4_0);
    EXPECT_EQ(emb->n_elements, 192u);
    EXPECT_EQ(emb->size, 6u * 18u);
    EXPECT_EQ(emb->offset % 32, 0u);
    EXPECT_EQ(f->tensor_data(*emb)[0], 0x11);
    EXPECT_EQ(f->tensor_data(*f->find_tensor("output_norm.weight")).size(), 256u);
}

TEST(GgufFile, TypedReadsNameTheKeyAndTheTypes) {
    std::string bytes = sample_file();
    auto f = GgufFile::parse(as_bytes(bytes));
    ASSERT_TRUE(f.ok());
    auto missing = f->get_string("general.name");
    EXPECT_EQ(missing.status().code(), core::StatusCode::kNotFound);
    EXPECT_NE(missing.status().message().find("general.name"), std::string::npos);
    auto wrong = f->get_string("llama.context_length");
    EXPECT_NE(wrong.status().message().find("is u32, expected string"), std::string::npos)
        << wrong.status().message();
    EXPECT_FALSE(f->get_int_array("tokenizer.ggml.scores").ok());
}

TEST(GgufFile, EveryTruncationIsRefusedNeverACrash) {
    std::string bytes = sample_file();
    for (size_t n = 0; n < bytes.size(); ++n) {
        std::string cut = bytes.substr(0, n);
        EXPECT_FALSE(GgufFile::parse(as_bytes(cut)).ok()) << "accepted the first " << n << " bytes";
    }
    expect_refused(bytes.substr(0, bytes.size() - 1), "the file is probably truncated");
}

TEST(GgufFile, RefusesBadMagicAndUnsupportedVersions) {
    expect_refused("GGML\x03\0\0\0", "bad magic: expected 'GGUF'");
    expect_refused("FUGG\0\0\0\x03", "big-endian");
    expect_refused(header(1, 0, 0), "version 1 is not supported");
    expect_refused(header(4, 0, 0), "version 4 is not supported");
    expect_refused(header(0x03000000, 0, 0), "byte-swapped");
    EXPECT_TRUE(GgufFile::parse(as_bytes(header(2, 0, 0))).ok());
}

TEST(GgufFile, RefusesCountsTheFileCannotHoldWithoutAllocatingThem) {
    expect_refused(header(3, uint64_t{1} << 60, 0), "tensors, more than the file could describe");
    expect_refused(header(3, 0, uint64_t{1} << 60), "metadata entries, more than the file");
    std::string big_string = header(3, 0, 1);
    append_le<uint64_t>(big_string, uint64_t{1} << 40); // key length
    big_string += std::string(64, 'a');
    expect_refused(big_string, "more than the limit");
    std::string big_array = header(3, 0, 1);
    append_gguf_string(big_array, "a");
    append_le<uint32_t>(big_array, static_cast<uint32_t>(ValueType::kArray));
    append_le<uint32_t>(big_array, static_cast<uint32_t>(ValueType::kU32));
    append_le<uint64_t>(big_array, uint64_t{1} << 61);
    big_array += std::string(64, '\0');
    expect_refused(big_array, "claims 2305843009213693952 elements");
    std::string many_strings = header(3, 0, 1);
    append_gguf_string(many_strings, "a");
    append_le<uint32_t>(many_strings, static_cast<uint32_t>(ValueType::kArray));
    append_le<uint32_t>(many_strings, static_cast<uint32_t>(ValueType::kString));
    append_le<uint64_t>(many_strings, uint64_t{1} << 40);
    many_strings += std::string(64, '\0');
    expect_refused(many_strings, "strings, more than the file holds");
}

TEST(GgufFile, RefusesBadMetadata) {
    std::string dup = GgufWriter().add_u32("a", 1).add_u32("a", 2).finish();
    expect_refused(dup, "'a' appears twice");
    std::string bad_utf8 = GgufWriter().add_u32("k\xFF", 1).finish();
    expect_refused(bad_utf8, "is not valid UTF-8");
    std::string bad_value = GgufWriter().add_string("k", "\xC3").finish();
    expect_refused(bad_value, "is not valid UTF-8");
    std::string unknown_type = header(3, 0, 1);
    append_gguf_string(unknown_type, "k");
    append_le<uint32_t>(unknown_type, 13);
    append_le<uint32_t>(unknown_type, 0);
    unknown_type += std::string(16, '\0');
    expect_refused(unknown_type, "unknown type 13");
    std::string nested = header(3, 0, 1);
    append_gguf_string(nested, "k");
    append_le<uint32_t>(nested, static_cast<uint32_t>(ValueType::kArray));
    append_le<uint32_t>(nested, static_cast<uint32_t>(ValueType::kArray));
    append_le<uint64_t>(nested, 1);
    nested += std::string(16, '\0');
    expect_refused(nested, "nested arrays are not supported");
    expect_refused(GgufWriter().add_u32("general.alignment", 24).finish(), "power of two");
    expect_refused(GgufWriter().add_string("general.alignment", "32").finish(), "power of two");
}

TEST(GgufFile, RefusesBadTensors) {
    auto one = [](std::vector<uint64_t> dims, TensorType type, size_t bytes) {
        return GgufWriter().add_tensor("t", dims, type, std::string(bytes, '\0')).finish();
    };
    expect_refused(one({64, 2}, TensorType::kQ4_0, 18), "probably truncated");
    expect_refused(one({33}, TensorType::kQ4_0, 64), "not a multiple of the q4_0 block of 32");
    expect_refused(one({0}, TensorType::kF32, 0), "invalid shape");
    expect_refused(one({uint64_t{1} << 40, uint64_t{1} << 40}, TensorType::kF32, 0),
                   "invalid shape");
    expect_refused(one({1, 1, 1, 1, 1}, TensorType::kF32, 4), "5 dimensions");
    expect_refused(one({4}, static_cast<TensorType>(99), 16), "tensor type 99");
    std::string long_name =
        GgufWriter().add_tensor(std::string(64, 'n'), {1}, TensorType::kF32, "abcd").finish();
    expect_refused(long_name, "must have 1 to 63 bytes");
    std::string dup = GgufWriter()
                          .add_tensor("t", {1}, TensorType::kF32, "abcd")
                          .add_tensor("t", {1}, TensorType::kF32, "abcd")
                          .finish();
    expect_refused(dup, "'t' appears twice");
}

// Offsets the writer would never produce: patch them into a valid file.
TEST(GgufFile, RefusesMisalignedAndOverlappingTensors) {
    std::string bytes = GgufWriter()
                            .add_tensor("a", {16}, TensorType::kF32, std::string(64, '\0'))
                            .add_tensor("b", {16}, TensorType::kF32, std::string(64, '\0'))
                            .finish();
    // The second tensor's offset field sits 8 bytes before the end of its info.
    size_t b_offset_at = bytes.find(std::string("\x01\0\0\0\0\0\0\0b", 9));
    ASSERT_NE(b_offset_at, std::string::npos);
    size_t field = b_offset_at + 9 + 4 + 8 + 4; // name, n_dims, dim, type
    std::string misaligned = bytes;
    uint64_t eight = 8;
    std::memcpy(misaligned.data() + field, &eight, 8);
    expect_refused(misaligned, "not a multiple of 32");
    std::string overlapping = bytes;
    uint64_t zero = 0;
    std::memcpy(overlapping.data() + field, &zero, 8);
    expect_refused(overlapping, "overlaps");
}

std::string shared_data(const std::string& relative) {
    return std::string(EDGEAI_SOURCE_DIR) + "/../shared/data/" + relative;
}

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return {};
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

TEST(GgufFile, ReadsTheReferenceModels) {
    std::string f32 = read_file(shared_data("ktiny/ktiny-f32.gguf"));
    if (f32.empty()) GTEST_SKIP() << "../shared/data/ktiny is absent; reference models not read";
    for (const char* name : {"f32", "f16", "q8_0", "q4_0", "q4_k", "q5_k", "q6_k"}) {
        std::string bytes = read_file(shared_data(std::string("ktiny/ktiny-") + name + ".gguf"));
        ASSERT_FALSE(bytes.empty()) << name;
        auto f = GgufFile::parse(as_bytes(bytes));
        ASSERT_TRUE(f.ok()) << name << ": " << f.status().message();
        EXPECT_EQ(*f->get_string("general.architecture"), "llama") << name;
        EXPECT_EQ(*f->get_uint("llama.embedding_length"), 256u) << name;
        EXPECT_EQ(*f->get_uint("llama.block_count"), 2u) << name;
        EXPECT_EQ(f->get_string_array("tokenizer.ggml.tokens")->size(), 512u) << name;
        const TensorInfo* out = f->find_tensor("output.weight");
        ASSERT_NE(out, nullptr) << name;
        EXPECT_EQ(out->dims[0], 256u);
        EXPECT_EQ(out->dims[1], 512u);
    }
    std::string q4k = read_file(shared_data("ktiny/ktiny-q4_k.gguf"));
    auto f = GgufFile::parse(as_bytes(q4k));
    ASSERT_TRUE(f.ok());
    EXPECT_EQ(f->find_tensor("blk.0.attn_q.weight")->type->type, TensorType::kQ4_K);
}

TEST(GgufFile, ReadsTheTokenizerVocabularies) {
    std::string spm = read_file(shared_data("tokenizer/ggml-vocab-llama-spm.gguf"));
    if (spm.empty()) GTEST_SKIP() << "../shared/data/tokenizer is absent; vocabularies not read";
    auto f = GgufFile::parse(as_bytes(spm));
    ASSERT_TRUE(f.ok()) << f.status().message();
    EXPECT_EQ(*f->get_string("tokenizer.ggml.model"), "llama");
    EXPECT_EQ(f->get_string_array("tokenizer.ggml.tokens")->size(), 32000u);
    std::string gpt2 = read_file(shared_data("tokenizer/ggml-vocab-gpt-2.gguf"));
    auto g = GgufFile::parse(as_bytes(gpt2));
    ASSERT_TRUE(g.ok()) << g.status().message();
    EXPECT_EQ(*g->get_string("tokenizer.ggml.model"), "gpt2");
    EXPECT_FALSE(g->get_string_array("tokenizer.ggml.merges")->empty());
}

} // namespace
} // namespace edgeai::engine::gguf
