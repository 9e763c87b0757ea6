// Models on the Hugging Face hub, without any I/O: how a user names one
// (`ORG/REPO[:QUANT]`, Ollama's `hf.co/ORG/REPO:QUANT`, `hf:ORG/REPO:QUANT`),
// the hub's file list (`GET /api/models/{repo}/tree/{revision}`), and which of
// its GGUF files a quant names. The same choice runs on a local directory's
// listing, so `-m ORG/REPO:QUANT` finds what `edgeai pull` put there.
#pragma once

#include "core/result.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace edgeai::engine::hub {

// The quant taken when a name has none: the one llama.cpp's `-hf` and Ollama
// default to, the usual balance of size and quality.
inline constexpr std::string_view kDefaultQuant = "Q4_K_M";

struct HubReference {
    std::string org;
    std::string repo;
    // As written ("q4_k_m" and "Q4_K_M" choose the same file), a file name
    // ending in ".gguf", or empty for the default.
    std::string quant;

    std::string repo_id() const { return org + "/" + repo; }
    // "ORG/REPO:QUANT" (or "ORG/REPO" without a quant): the name `edgeai ls` shows.
    std::string display() const;
};

// Parses a model name. The org and repo must be what the hub allows (letters,
// digits, '-', '_', '.'; not "." or ".."), so they are safe as directory names.
core::Result<HubReference> parse_hub_reference(std::string_view text);

// True for "hf:..." and "hf.co/..." (and "huggingface.co/..."): names that can
// only mean the hub.
bool has_hub_prefix(std::string_view text);

struct HubFile {
    std::string path;   // in the repository, e.g. "Q4_K_M/model-Q4_K_M-00001-of-00002.gguf"
    uint64_t size = 0;  // bytes of the file itself (the LFS object's, not the pointer's)
    std::string sha256; // lower-case hex of the LFS object, or empty when the hub gave none
};

// Caps on what the hub's answer may hold: a repository's tree is thousands of
// entries at most; more is not a file list.
inline constexpr size_t kMaxListBytes = size_t{32} << 20;
inline constexpr size_t kMaxListEntries = 100000;

// Reads one page of `GET /api/models/{repo}/tree/{revision}`: a JSON array of
// {"type": "file"|"directory", "path", "size", "oid", "lfs": {"oid", "size"}}.
// Directories are skipped; an entry whose fields have the wrong type, a path
// that is not a plain relative path, or a malformed checksum is an error that
// names the entry.
core::Result<std::vector<HubFile>> parse_file_list(std::string_view json);

// The last path component.
std::string_view base_name(std::string_view path);

// "-00001-of-00003" before ".gguf": the part's number and the count.
struct SplitPart {
    std::string_view stem; // the name before the split suffix
    uint32_t index = 0;    // 1-based
    uint32_t count = 0;
};
std::optional<SplitPart> parse_split_name(std::string_view file_name);

// The quant a GGUF file name carries ("qwen2.5-0.5b-instruct-q4_k_m.gguf" ->
// "Q4_K_M"), upper case; empty when the name shows none.
std::string quant_of_file_name(std::string_view file_name);

// The files to fetch for `quant` (empty: kDefaultQuant, else the repository's
// only model), in order: one file, or every part of a split one. A quant is
// matched case-insensitively as a whole word of the file name; a quant ending
// in ".gguf" is a file name. Errors list the quants there are.
core::Result<std::vector<HubFile>> choose_files(const std::vector<HubFile>& files,
                                                std::string_view quant, std::string_view repo_id);

} // namespace edgeai::engine::hub
