#include "engine/chat/template_family.h"

#include <array>
#include <string>

namespace edgeai::engine::chat {

namespace {

struct FamilyInfo {
    TemplateFamily family;
    std::string_view name;
};

constexpr std::array<FamilyInfo, 13> kFamilies = {{
    {TemplateFamily::kChatml, "chatml"},
    {TemplateFamily::kLlama2, "llama-2"},
    {TemplateFamily::kLlama3, "llama-3"},
    {TemplateFamily::kZephyr, "zephyr"},
    {TemplateFamily::kPhi3, "phi-3"},
    {TemplateFamily::kPhi4, "phi-4"},
    {TemplateFamily::kGemma, "gemma"},
    {TemplateFamily::kMistral, "mistral"},
    {TemplateFamily::kMistralV1, "mistral-v1"},
    {TemplateFamily::kMistralV3, "mistral-v3"},
    {TemplateFamily::kMistralV3Tekken, "mistral-v3-tekken"},
    {TemplateFamily::kMistralV7, "mistral-v7"},
    {TemplateFamily::kMistralV7Tekken, "mistral-v7-tekken"},
}};

constexpr std::array<std::string_view, kFamilies.size()> kNames = [] {
    std::array<std::string_view, kFamilies.size()> names{};
    for (size_t i = 0; i < kFamilies.size(); ++i)
        names[i] = kFamilies[i].name;
    return names;
}();

// llama.cpp's names for the same formats, so a --chat-template value that
// works there works here.
constexpr std::array<FamilyInfo, 4> kAliases = {{
    {TemplateFamily::kLlama2, "llama2"},
    {TemplateFamily::kLlama3, "llama3"},
    {TemplateFamily::kPhi3, "phi3"},
    {TemplateFamily::kPhi4, "phi4"},
}};

constexpr std::array<std::string_view, 1> kImEnd = {"<|im_end|>"};
constexpr std::array<std::string_view, 2> kEotId = {"<|eot_id|>", "<|eom_id|>"};
constexpr std::array<std::string_view, 1> kEnd = {"<|end|>"};
constexpr std::array<std::string_view, 1> kEndOfTurn = {"<end_of_turn>"};

core::Status unrecognised(std::string_view why) {
    std::string names;
    for (std::string_view name : kNames) {
        if (!names.empty()) names += ", ";
        names += name;
    }
    return core::failed_precondition(
        "the model has no recognisable chat template (" + std::string(why) +
        "), so chat requests cannot be formatted for it; start with --chat-template NAME to "
        "choose the format, one of: " +
        names);
}

} // namespace

std::string_view family_name(TemplateFamily family) {
    for (const FamilyInfo& info : kFamilies) {
        if (info.family == family) return info.name;
    }
    return "unknown";
}

std::optional<TemplateFamily> family_from_name(std::string_view name) {
    for (const FamilyInfo& info : kFamilies) {
        if (info.name == name) return info.family;
    }
    for (const FamilyInfo& info : kAliases) {
        if (info.name == name) return info.family;
    }
    return std::nullopt;
}

std::span<const std::string_view> family_names() {
    return kNames;
}

// The checks run in llama.cpp's order; where two families share a marker the
// earlier, more specific test decides (phi-4 and ChatML both use <|im_start|>;
// phi-3 and Zephyr both use <|user|>, only phi-3 ends turns with <|end|>).
core::Result<TemplateFamily> detect_family(std::string_view t) {
    if (t.empty()) return unrecognised("tokenizer.chat_template is missing or empty");
    // A metadata value that is itself a family name (some converters store one).
    if (std::optional<TemplateFamily> named = family_from_name(t)) return *named;

    auto has = [t](std::string_view part) { return t.find(part) != std::string_view::npos; };
    if (has("<|im_start|>")) {
        if (has("<|im_sep|>")) return TemplateFamily::kPhi4;
        // SmolVLM uses <|im_start|> as BOS but its turns are not ChatML's.
        if (has("<end_of_utterance>")) return unrecognised("a SmolVLM-style template");
        return TemplateFamily::kChatml;
    }
    if (t.starts_with("mistral") || has("[INST]")) {
        if (has("[SYSTEM_PROMPT]")) {
            // v7 writes "[SYSTEM_PROMPT] " + content; tekken has no space.
            return has("[SYSTEM_PROMPT] ") ? TemplateFamily::kMistralV7
                                           : TemplateFamily::kMistralV7Tekken;
        }
        // Mistral's official v1/v3 templates: v1 puts the system message in
        // the first turn with a leading space, v3 carries tool markup.
        if (has("' [INST] ' + system_message") || has("[AVAILABLE_TOOLS]")) {
            if (has(" [INST]")) return TemplateFamily::kMistralV1;
            if (has("[INST] ")) return TemplateFamily::kMistralV3;
            return TemplateFamily::kMistralV3Tekken;
        }
        if (has("<<SYS>>")) return TemplateFamily::kLlama2;
        return TemplateFamily::kMistral;
    }
    if (has("<|user|>") || has("<|assistant|>")) {
        if (has("<|assistant|>") && has("<|end|>")) return TemplateFamily::kPhi3;
        // ChatGLM and GLM-Edge share the role markers but not the turn format.
        if (has("[gMASK]") || has("<|begin_of_image|>")) {
            return unrecognised("a ChatGLM-style template");
        }
        if (has("eos_token") || has("<|endoftext|>") || has("</s>")) return TemplateFamily::kZephyr;
        return unrecognised("<|user|> turns with no end-of-turn marker");
    }
    if (has("<start_of_turn>")) return TemplateFamily::kGemma;
    if (has("<|start_header_id|>") && has("<|end_header_id|>")) return TemplateFamily::kLlama3;
    return unrecognised("tokenizer.chat_template matches none of the built-in formats");
}

std::span<const std::string_view> end_of_turn_markers(TemplateFamily family) {
    switch (family) {
    case TemplateFamily::kChatml:
    case TemplateFamily::kPhi4:
        return kImEnd;
    case TemplateFamily::kLlama3:
        return kEotId;
    case TemplateFamily::kPhi3:
        return kEnd;
    case TemplateFamily::kGemma:
        return kEndOfTurn;
    case TemplateFamily::kLlama2:
    case TemplateFamily::kZephyr:
    case TemplateFamily::kMistral:
    case TemplateFamily::kMistralV1:
    case TemplateFamily::kMistralV3:
    case TemplateFamily::kMistralV3Tekken:
    case TemplateFamily::kMistralV7:
    case TemplateFamily::kMistralV7Tekken:
        break;
    }
    return {};
}

} // namespace edgeai::engine::chat
