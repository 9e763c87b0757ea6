// The hub's names, file list and the choice of files, one case per way each
// can be right or wrong.
#include "engine/hub/hub_model.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace edgeai::engine::hub {
namespace {

std::vector<std::string> paths_of(const std::vector<HubFile>& files) {
    std::vector<std::string> out;
    for (const HubFile& f : files)
        out.push_back(f.path);
    return out;
}

std::vector<HubFile> files(std::vector<std::string> paths) {
    std::vector<HubFile> out;
    for (std::string& p : paths)
        out.push_back({std::move(p), 1, ""});
    return out;
}

TEST(HubReference, ReadsEveryUsualSpelling) {
    for (const char* text :
         {"Qwen/Qwen2.5-0.5B-Instruct-GGUF:Q4_K_M", "hf.co/Qwen/Qwen2.5-0.5B-Instruct-GGUF:Q4_K_M",
          "hf:Qwen/Qwen2.5-0.5B-Instruct-GGUF:Q4_K_M",
          "huggingface.co/Qwen/Qwen2.5-0.5B-Instruct-GGUF:Q4_K_M"}) {
        auto ref = parse_hub_reference(text);
        ASSERT_TRUE(ref.ok()) << text << ": " << ref.status().message();
        EXPECT_EQ(ref->org, "Qwen");
        EXPECT_EQ(ref->repo, "Qwen2.5-0.5B-Instruct-GGUF");
        EXPECT_EQ(ref->quant, "Q4_K_M");
        EXPECT_EQ(ref->display(), "Qwen/Qwen2.5-0.5B-Instruct-GGUF:Q4_K_M");
    }
    auto bare = parse_hub_reference("org/repo");
    ASSERT_TRUE(bare.ok());
    EXPECT_EQ(bare->quant, "");
    EXPECT_EQ(bare->display(), "org/repo");
    EXPECT_TRUE(has_hub_prefix("hf:a/b"));
    EXPECT_TRUE(has_hub_prefix("hf.co/a/b"));
    EXPECT_FALSE(has_hub_prefix("a/b"));
    EXPECT_FALSE(has_hub_prefix("./hf:a"));
}

TEST(HubReference, RefusesNamesThatAreNotSafeDirectoryNames) {
    for (const char* text :
         {"", "repo", "a/b/c", "../x", "org/..", "org/.hidden", "/org", "org/", "org/re po",
          "org/repo:", "org/repo:../x", "or\\g/repo", "org/repo:Q4 K"}) {
        auto ref = parse_hub_reference(text);
        EXPECT_FALSE(ref.ok()) << text;
        if (!ref.ok()) {
            EXPECT_EQ(ref.status().code(), core::StatusCode::kInvalidArgument) << text;
        }
    }
}

TEST(HubFileList, ReadsTheTreeApi) {
    const char* json = R"([
      {"type":"directory","oid":"d","size":0,"path":"Q8_0"},
      {"type":"file","oid":"a1","size":1519,"path":"README.md"},
      {"type":"file","oid":"b2","size":134,"path":"m-Q4_K_M.gguf",
       "lfs":{"oid":"ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef0123456789",
              "size":397807936,"pointerSize":134}},
      {"type":"file","size":5,"path":"Q8_0/m-Q8_0.gguf",
       "lfs":{"sha256":"0000000000000000000000000000000000000000000000000000000000000000",
              "size":7}}])";
    auto parsed = parse_file_list(json);
    ASSERT_TRUE(parsed.ok()) << parsed.status().message();
    ASSERT_EQ(parsed->size(), 3u);
    EXPECT_EQ((*parsed)[0].path, "README.md");
    EXPECT_EQ((*parsed)[0].size, 1519u);
    EXPECT_EQ((*parsed)[0].sha256, "");
    EXPECT_EQ((*parsed)[1].size, 397807936u) << "the LFS object's size, not the pointer's";
    EXPECT_EQ((*parsed)[1].sha256,
              "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789");
    EXPECT_EQ((*parsed)[2].path, "Q8_0/m-Q8_0.gguf");
    EXPECT_EQ((*parsed)[2].size, 7u);
}

TEST(HubFileList, RefusesEachKindOfBadInput) {
    const struct {
        const char* json;
        const char* says;
    } cases[] = {
        {"{not json", "not JSON"},
        {R"({"error":"Repository not found"})", "not an array"},
        {"[1]", "entry 0 is not an object"},
        {R"([{"type":"file"}])", "lacks a string 'type' or 'path'"},
        {R"([{"type":"file","path":"a.gguf","size":-1}])", "size is not a non-negative integer"},
        {R"([{"type":"file","path":"a.gguf","size":1.5}])", "size is not"},
        {R"([{"type":"file","path":"a.gguf","size":"1"}])", "size is not"},
        {R"([{"type":"file","path":"../a.gguf","size":1}])", "not a plain relative path"},
        {R"([{"type":"file","path":"/etc/a.gguf","size":1}])", "not a plain relative path"},
        {R"([{"type":"file","path":"a//b.gguf","size":1}])", "not a plain relative path"},
        {R"([{"type":"file","path":"a\\b.gguf","size":1}])", "not a plain relative path"},
        {R"([{"type":"file","path":"a.gguf","size":1,"lfs":{"oid":"xyz","size":1}}])",
         "not a SHA-256"},
        {R"([{"type":"file","path":"a.gguf","size":1,"lfs":"x"}])", "lfs is not an object"},
    };
    for (const auto& c : cases) {
        auto parsed = parse_file_list(c.json);
        ASSERT_FALSE(parsed.ok()) << c.json;
        EXPECT_NE(parsed.status().message().find(c.says), std::string::npos)
            << c.json << " -> " << parsed.status().message();
    }
}

TEST(HubFileNames, SplitSuffixAndQuant) {
    auto split = parse_split_name("Model-Q4_K_M-00002-of-00003.gguf");
    ASSERT_TRUE(split.has_value());
    EXPECT_EQ(split->stem, "Model-Q4_K_M");
    EXPECT_EQ(split->index, 2u);
    EXPECT_EQ(split->count, 3u);
    EXPECT_FALSE(parse_split_name("m-00004-of-00003.gguf").has_value());
    EXPECT_FALSE(parse_split_name("m-00000-of-00003.gguf").has_value());
    EXPECT_FALSE(parse_split_name("m-0001-of-00003.gguf").has_value());
    EXPECT_FALSE(parse_split_name("m-00001-of-00003.bin").has_value());

    EXPECT_EQ(quant_of_file_name("qwen2.5-0.5b-instruct-q4_k_m.gguf"), "Q4_K_M");
    EXPECT_EQ(quant_of_file_name("tinyllama-1.1b-chat-v1.0.Q8_0.gguf"), "Q8_0");
    EXPECT_EQ(quant_of_file_name("Llama-3.2-1B-Instruct-IQ4_XS.gguf"), "IQ4_XS");
    EXPECT_EQ(quant_of_file_name("model-bf16-00001-of-00002.gguf"), "BF16");
    EXPECT_EQ(quant_of_file_name("stories260K.gguf"), "");
}

TEST(ChooseFiles, MatchesTheQuantAsAWholeWordInAnyCase) {
    const auto list = files({"README.md", "m-Q4_K.gguf", "m-Q4_K_M.gguf", "m-Q4_K_S.gguf",
                             "m-IQ4_XS.gguf", "mmproj-m-Q4_K_M.gguf"});
    auto chosen = choose_files(list, "q4_k_m", "o/r");
    ASSERT_TRUE(chosen.ok()) << chosen.status().message();
    EXPECT_EQ(paths_of(*chosen), std::vector<std::string>{"m-Q4_K_M.gguf"});
    chosen = choose_files(list, "Q4_K", "o/r");
    ASSERT_TRUE(chosen.ok()) << chosen.status().message();
    EXPECT_EQ(paths_of(*chosen), std::vector<std::string>{"m-Q4_K.gguf"});
    chosen = choose_files(list, "", "o/r");
    ASSERT_TRUE(chosen.ok()) << chosen.status().message();
    EXPECT_EQ(paths_of(*chosen), std::vector<std::string>{"m-Q4_K_M.gguf"}) << "the default";
    chosen = choose_files(list, "M-IQ4_XS.GGUF", "o/r");
    ASSERT_TRUE(chosen.ok()) << chosen.status().message();
    EXPECT_EQ(paths_of(*chosen), std::vector<std::string>{"m-IQ4_XS.gguf"}) << "a file name";
}

TEST(ChooseFiles, ExplainsWhatIsMissingOrAmbiguous) {
    auto none = choose_files(files({"m-Q8_0.gguf", "m-F16.gguf"}), "Q4_K_M", "o/r");
    ASSERT_FALSE(none.ok());
    EXPECT_EQ(none.status().code(), core::StatusCode::kNotFound);
    EXPECT_EQ(none.status().message(), "o/r has no GGUF file for 'Q4_K_M'; it has: F16, Q8_0");
    auto no_gguf = choose_files(files({"README.md", "model.safetensors"}), "", "o/r");
    ASSERT_FALSE(no_gguf.ok());
    EXPECT_EQ(no_gguf.status().message(), "o/r has no GGUF file");
    auto two = choose_files(files({"a-Q8_0.gguf", "b-Q8_0.gguf"}), "Q8_0", "o/r");
    ASSERT_FALSE(two.ok());
    EXPECT_NE(two.status().message().find("several files match 'Q8_0' (a-Q8_0.gguf, "
                                          "b-Q8_0.gguf)"),
              std::string::npos)
        << two.status().message();
    // Without a quant and without the default, the only model is taken.
    auto only = choose_files(files({"stories260K.gguf"}), "", "o/r");
    ASSERT_TRUE(only.ok());
    EXPECT_EQ(paths_of(*only), std::vector<std::string>{"stories260K.gguf"});
}

TEST(ChooseFiles, TakesEveryPartOfASplitModelInOrder) {
    const auto list =
        files({"Q4_K_M/m-Q4_K_M-00002-of-00003.gguf", "Q4_K_M/m-Q4_K_M-00003-of-00003.gguf",
               "Q4_K_M/m-Q4_K_M-00001-of-00003.gguf", "m-Q8_0.gguf"});
    auto chosen = choose_files(list, "Q4_K_M", "o/r");
    ASSERT_TRUE(chosen.ok()) << chosen.status().message();
    EXPECT_EQ(paths_of(*chosen), (std::vector<std::string>{"Q4_K_M/m-Q4_K_M-00001-of-00003.gguf",
                                                           "Q4_K_M/m-Q4_K_M-00002-of-00003.gguf",
                                                           "Q4_K_M/m-Q4_K_M-00003-of-00003.gguf"}));
    auto gap = choose_files(files({"m-Q4_K_M-00001-of-00003.gguf", "m-Q4_K_M-00003-of-00003.gguf"}),
                            "Q4_K_M", "o/r");
    ASSERT_FALSE(gap.ok());
    EXPECT_NE(gap.status().message().find("part 2 is missing"), std::string::npos)
        << gap.status().message();
}

} // namespace
} // namespace edgeai::engine::hub
