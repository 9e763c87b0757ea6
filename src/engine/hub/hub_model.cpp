#include "engine/hub/hub_model.h"

#include "codec/json/json_document.h"

#include <algorithm>

namespace edgeai::engine::hub {
namespace {

// The hub's own limit on a repository or organisation name.
constexpr size_t kMaxNameChars = 96;
constexpr size_t kMaxPathChars = 1024;
constexpr std::string_view kGguf = ".gguf";

char lower(char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}
char upper(char c) {
    return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
}
std::string lowered(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        c = lower(c);
    return out;
}
bool iequal(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
        if (lower(a[i]) != lower(b[i])) return false;
    return true;
}
bool iends_with(std::string_view s, std::string_view suffix) {
    return s.size() >= suffix.size() && iequal(s.substr(s.size() - suffix.size()), suffix);
}
bool is_digit(char c) {
    return c >= '0' && c <= '9';
}
bool is_name_char(char c) {
    return is_digit(c) || (lower(c) >= 'a' && lower(c) <= 'z') || c == '-' || c == '_' || c == '.';
}

core::Status check_name(std::string_view name, std::string_view what, std::string_view text) {
    const bool ok = !name.empty() && name.size() <= kMaxNameChars && name.front() != '.' &&
                    std::all_of(name.begin(), name.end(), is_name_char);
    if (ok) return core::Status();
    return core::invalid_argument(
        "'" + std::string(text) + "' is not a hub model name: the " + std::string(what) +
        " must be letters, digits, '-', '_' or '.' (ORG/REPO or ORG/REPO:QUANT, e.g. "
        "Qwen/Qwen2.5-0.5B-Instruct-GGUF:Q4_K_M)");
}

// A path inside a repository that is safe to join to a directory: relative,
// no empty, "." or ".." component, no backslash or control character.
bool is_plain_relative_path(std::string_view path) {
    if (path.empty() || path.size() > kMaxPathChars) return false;
    size_t start = 0;
    while (start <= path.size()) {
        size_t end = path.find('/', start);
        if (end == std::string_view::npos) end = path.size();
        const std::string_view part = path.substr(start, end - start);
        if (part.empty() || part == "." || part == "..") return false;
        start = end + 1;
    }
    return std::none_of(path.begin(), path.end(), [](char c) {
        return static_cast<unsigned char>(c) < 0x20 || c == '\\' || c == 0x7f;
    });
}

bool is_sha256_hex(std::string_view s) {
    return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) {
               return is_digit(c) || (lower(c) >= 'a' && lower(c) <= 'f');
           });
}

// The name without ".gguf" and without a split suffix.
std::string_view model_stem(std::string_view file_name) {
    if (auto split = parse_split_name(file_name)) return split->stem;
    if (iends_with(file_name, kGguf)) file_name.remove_suffix(kGguf.size());
    return file_name;
}

// The quant as a whole word of the stem: after its start or '-', '.', '_';
// before its end or '-', '.' (not '_', so "Q4_K" does not match "Q4_K_M").
bool quant_matches(std::string_view file_name, std::string_view quant) {
    const std::string stem = lowered(model_stem(file_name));
    const std::string q = lowered(quant);
    if (q.empty()) return false;
    for (size_t at = stem.find(q); at != std::string::npos; at = stem.find(q, at + 1)) {
        const char before = at == 0 ? '-' : stem[at - 1];
        const size_t after_at = at + q.size();
        const char after = after_at == stem.size() ? '-' : stem[after_at];
        if ((before == '-' || before == '.' || before == '_') && (after == '-' || after == '.'))
            return true;
    }
    return false;
}

bool is_model_file(const HubFile& f) {
    const std::string_view name = base_name(f.path);
    // A vision projector rides along in many repositories; it is not a model.
    return iends_with(name, kGguf) && lowered(name).find("mmproj") == std::string::npos;
}

// Files that are one model: a split set (same directory, stem and count) or
// one file.
std::string group_key(const HubFile& f) {
    const std::string_view name = base_name(f.path);
    const std::string_view dir = std::string_view(f.path).substr(0, f.path.size() - name.size());
    if (auto split = parse_split_name(name))
        return std::string(dir) + std::string(split->stem) + "#" + std::to_string(split->count);
    return f.path;
}

std::string available_quants(const std::vector<const HubFile*>& models) {
    std::vector<std::string> names;
    for (const HubFile* f : models) {
        std::string q = quant_of_file_name(base_name(f->path));
        if (q.empty()) q = std::string(base_name(f->path));
        if (std::find(names.begin(), names.end(), q) == names.end()) names.push_back(q);
    }
    std::sort(names.begin(), names.end());
    std::string out;
    for (const std::string& n : names)
        out += (out.empty() ? "" : ", ") + n;
    return out;
}

// The whole model `first` belongs to, parts in order.
core::Result<std::vector<HubFile>> whole_model(const std::vector<const HubFile*>& models,
                                               const HubFile& first, std::string_view repo_id) {
    const auto split = parse_split_name(base_name(first.path));
    if (!split) return std::vector<HubFile>{first};
    const std::string key = group_key(first);
    std::vector<HubFile> parts(split->count);
    std::vector<bool> seen(split->count, false);
    for (const HubFile* f : models) {
        if (group_key(*f) != key) continue;
        const uint32_t i = parse_split_name(base_name(f->path))->index - 1;
        parts[i] = *f;
        seen[i] = true;
    }
    for (uint32_t i = 0; i < split->count; ++i)
        if (!seen[i])
            return core::not_found(std::string(repo_id) + ": " +
                                   std::string(base_name(first.path)) + " is split in " +
                                   std::to_string(split->count) + " parts, and part " +
                                   std::to_string(i + 1) + " is missing");
    return parts;
}

} // namespace

std::string HubReference::display() const {
    return repo_id() + (quant.empty() ? "" : ":" + quant);
}

bool has_hub_prefix(std::string_view text) {
    for (std::string_view p : {"hf:", "hf.co/", "huggingface.co/"})
        if (text.substr(0, p.size()) == p) return true;
    return false;
}

core::Result<HubReference> parse_hub_reference(std::string_view text) {
    std::string_view rest = text;
    if (rest.substr(0, 3) == "hf:") rest.remove_prefix(3);
    for (std::string_view host : {"hf.co/", "huggingface.co/"})
        if (rest.substr(0, host.size()) == host) rest.remove_prefix(host.size());
    HubReference ref;
    if (const size_t colon = rest.rfind(':'); colon != std::string_view::npos) {
        const std::string_view quant = rest.substr(colon + 1);
        if (quant.empty() || quant.size() > kMaxNameChars || quant.front() == '.' ||
            !std::all_of(quant.begin(), quant.end(), is_name_char))
            return core::invalid_argument("'" + std::string(text) +
                                          "': the quant after ':' must be a name such as "
                                          "Q4_K_M or a file name ending in .gguf");
        ref.quant = std::string(quant);
        rest = rest.substr(0, colon);
    }
    const size_t slash = rest.find('/');
    if (slash == std::string_view::npos)
        return core::invalid_argument("'" + std::string(text) +
                                      "' is not a hub model name: expected ORG/REPO[:QUANT]");
    const std::string_view org = rest.substr(0, slash), repo = rest.substr(slash + 1);
    if (core::Status st = check_name(org, "organisation", text); !st.ok()) return st;
    if (core::Status st = check_name(repo, "repository", text); !st.ok()) return st;
    ref.org = std::string(org);
    ref.repo = std::string(repo);
    return ref;
}

core::Result<std::vector<HubFile>> parse_file_list(std::string_view json) {
    if (json.size() > kMaxListBytes)
        return core::invalid_argument("the hub's file list is larger than " +
                                      std::to_string(kMaxListBytes >> 20) + " MiB");
    auto doc = codec::JsonDocument::parse(json);
    if (!doc.ok())
        return core::invalid_argument("the hub's file list is not JSON: " + doc.status().message());
    const codec::JsonValue root = doc->root();
    if (!root.is_array())
        return core::invalid_argument("the hub's file list is " +
                                      std::string(codec::json_type_phrase(root.type())) +
                                      ", not an array of files");
    if (root.size() > kMaxListEntries)
        return core::invalid_argument("the hub's file list has more than " +
                                      std::to_string(kMaxListEntries) + " entries");
    std::vector<HubFile> files;
    for (size_t i = 0; i < root.size(); ++i) {
        const codec::JsonValue e = root.at(i);
        const std::string where = "the hub's file list, entry " + std::to_string(i);
        if (!e.is_object()) return core::invalid_argument(where + " is not an object");
        const codec::JsonValue type = e["type"], path = e["path"];
        if (!type.is_string() || !path.is_string())
            return core::invalid_argument(where + " lacks a string 'type' or 'path'");
        if (type.as_string() != "file") continue;
        HubFile f;
        f.path = std::string(path.as_string());
        if (!is_plain_relative_path(f.path))
            return core::invalid_argument(where + ": '" + f.path +
                                          "' is not a plain relative path");
        codec::JsonValue size = e["size"];
        const codec::JsonValue lfs = e["lfs"];
        if (lfs.is_object()) {
            // The tree API names the LFS object's SHA-256 "oid"; the model
            // info API's siblings name it "sha256".
            codec::JsonValue oid = lfs["oid"];
            if (oid.is_missing()) oid = lfs["sha256"];
            if (!oid.is_string() || !is_sha256_hex(oid.as_string()))
                return core::invalid_argument(where + " ('" + f.path +
                                              "'): lfs.oid is not a SHA-256 in hex");
            f.sha256 = lowered(oid.as_string());
            if (!lfs["size"].is_missing()) size = lfs["size"];
        } else if (!lfs.is_missing() && !lfs.is_null()) {
            return core::invalid_argument(where + " ('" + f.path + "'): lfs is not an object");
        }
        if (!size.is_integer() || size.as_int64() < 0)
            return core::invalid_argument(where + " ('" + f.path +
                                          "'): size is not a non-negative integer");
        f.size = static_cast<uint64_t>(size.as_int64());
        files.push_back(std::move(f));
    }
    return files;
}

std::string_view base_name(std::string_view path) {
    const size_t slash = path.rfind('/');
    return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

std::optional<SplitPart> parse_split_name(std::string_view name) {
    // llama.cpp's gguf-split writes "%s-%05d-of-%05d.gguf".
    constexpr std::string_view kOf = "-of-";
    constexpr size_t kDigits = 5, kSuffix = 1 + kDigits + 4 + kDigits; // "-00001-of-00003"
    if (!iends_with(name, kGguf)) return std::nullopt;
    const std::string_view stem = name.substr(0, name.size() - kGguf.size());
    if (stem.size() <= kSuffix) return std::nullopt;
    const std::string_view suffix = stem.substr(stem.size() - kSuffix);
    if (suffix[0] != '-' || suffix.substr(1 + kDigits, kOf.size()) != kOf) return std::nullopt;
    auto number = [](std::string_view digits) -> std::optional<uint32_t> {
        uint32_t v = 0;
        for (char c : digits) {
            if (!is_digit(c)) return std::nullopt;
            v = v * 10 + static_cast<uint32_t>(c - '0');
        }
        return v;
    };
    const auto index = number(suffix.substr(1, kDigits));
    const auto count = number(suffix.substr(1 + kDigits + kOf.size()));
    if (!index || !count || *index == 0 || *index > *count) return std::nullopt;
    return SplitPart{stem.substr(0, stem.size() - kSuffix), *index, *count};
}

std::string quant_of_file_name(std::string_view file_name) {
    std::string_view stem = model_stem(file_name);
    // Words are separated by '-' and '.'; the quant is the last that looks
    // like one: F16, F32, BF16, Q<digit>..., IQ<digit>..., TQ<digit>...
    while (!stem.empty()) {
        const size_t cut = stem.find_last_of("-.");
        const std::string_view word = cut == std::string_view::npos ? stem : stem.substr(cut + 1);
        const std::string w = lowered(word);
        const bool quant =
            w == "f16" || w == "f32" || w == "bf16" ||
            (w.size() >= 2 && w[0] == 'q' && is_digit(w[1])) ||
            (w.size() >= 3 && (w[0] == 'i' || w[0] == 't') && w[1] == 'q' && is_digit(w[2]));
        if (quant) {
            std::string out(word);
            for (char& c : out)
                c = upper(c);
            return out;
        }
        if (cut == std::string_view::npos) break;
        stem = stem.substr(0, cut);
    }
    return std::string();
}

core::Result<std::vector<HubFile>> choose_files(const std::vector<HubFile>& files,
                                                std::string_view quant, std::string_view repo_id) {
    std::vector<const HubFile*> models;
    for (const HubFile& f : files)
        if (is_model_file(f)) models.push_back(&f);
    if (models.empty()) return core::not_found(std::string(repo_id) + " has no GGUF file");
    const bool by_name = iends_with(quant, kGguf);
    const std::string_view wanted = quant.empty() ? kDefaultQuant : quant;
    std::vector<const HubFile*> matches;
    for (const HubFile* f : models) {
        const std::string_view name = base_name(f->path);
        if (by_name ? iequal(name, wanted) : quant_matches(name, wanted)) matches.push_back(f);
    }
    // No quant asked and no default: the repository's only model, if it has one.
    if (matches.empty() && quant.empty()) {
        const std::string key = group_key(*models.front());
        if (std::all_of(models.begin(), models.end(),
                        [&](const HubFile* f) { return group_key(*f) == key; }))
            matches = models;
    }
    if (matches.empty())
        return core::not_found(std::string(repo_id) + " has no GGUF file for " +
                               (quant.empty() ? "the default quant " + std::string(kDefaultQuant)
                                              : "'" + std::string(quant) + "'") +
                               "; it has: " + available_quants(models));
    std::vector<std::string> keys;
    std::string names;
    for (const HubFile* f : matches) {
        std::string key = group_key(*f);
        if (std::find(keys.begin(), keys.end(), key) != keys.end()) continue;
        keys.push_back(std::move(key));
        names += (names.empty() ? "" : ", ") + std::string(base_name(f->path));
    }
    if (keys.size() > 1)
        return core::invalid_argument(std::string(repo_id) + ": several files match '" +
                                      std::string(wanted) + "' (" + names + "); name one as " +
                                      std::string(repo_id) + ":FILE.gguf");
    return whole_model(models, *matches.front(), repo_id);
}

} // namespace edgeai::engine::hub
