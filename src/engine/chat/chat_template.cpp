#include "engine/chat/chat_template.h"

#include <string>
#include <vector>

namespace edgeai::engine::chat {

namespace {

enum class Role { kSystem, kUser, kAssistant };

struct Turn {
    Role role;
    std::string_view content;
};

std::string message_field(size_t index, std::string_view part) {
    return "messages[" + std::to_string(index) + "]." + std::string(part);
}

core::Status field_error(std::string field, const std::string& message) {
    core::Status s = core::invalid_argument(field + ": " + message);
    s.with_field(std::move(field));
    return s;
}

core::Result<Role> parse_role(std::string_view role, size_t index, TemplateFamily family) {
    if (role == "system" || role == "developer") return Role::kSystem;
    if (role == "user") return Role::kUser;
    if (role == "assistant") return Role::kAssistant;
    std::string field = message_field(index, "role");
    if (role == "tool" || role == "function" || role == "ipython") {
        return field_error(std::move(field),
                           "'" + std::string(role) + "' messages cannot be formatted with the " +
                               std::string(family_name(family)) +
                               " chat template, which has no turn for tool results; send the "
                               "result as a user message instead");
    }
    return field_error(std::move(field), "unknown role '" + std::string(role) +
                                             "'; expected system, developer, user or assistant");
}

// Python's str.strip() for the templates that trim content (Jinja's | trim).
std::string_view trim(std::string_view s) {
    constexpr std::string_view kSpace = " \t\n\r\f\v";
    const size_t first = s.find_first_not_of(kSpace);
    if (first == std::string_view::npos) return {};
    return s.substr(first, s.find_last_not_of(kSpace) - first + 1);
}

std::string_view role_name(Role role) {
    switch (role) {
    case Role::kSystem:
        return "system";
    case Role::kUser:
        return "user";
    case Role::kAssistant:
        break;
    }
    return "assistant";
}

// System messages of the families that have no system turn are merged into a
// user turn; several are joined by a blank line.
void add_system(std::string& pending, std::string_view content) {
    if (!pending.empty()) pending += "\n\n";
    pending += content;
}

struct Context {
    TemplateFamily family;
    bool add_generation_prompt;
    std::string_view bos;
    std::string_view eos;
    std::string out;

    core::Status need(std::string_view text, const char* what) const {
        if (!text.empty()) return {};
        return core::failed_precondition(
            "the " + std::string(family_name(family)) + " chat template needs the model's " + what +
            " token text, which the model does not define; choose another format with "
            "--chat-template NAME");
    }
};

void format_chatml(Context& c, std::span<const Turn> turns) {
    for (const Turn& t : turns) {
        c.out += "<|im_start|>";
        c.out += role_name(t.role);
        c.out += '\n';
        c.out += t.content;
        c.out += "<|im_end|>\n";
    }
    if (c.add_generation_prompt) c.out += "<|im_start|>assistant\n";
}

void format_phi4(Context& c, std::span<const Turn> turns) {
    for (const Turn& t : turns) {
        c.out += "<|im_start|>";
        c.out += role_name(t.role);
        c.out += "<|im_sep|>";
        c.out += t.content;
        c.out += "<|im_end|>";
    }
    if (c.add_generation_prompt) c.out += "<|im_start|>assistant<|im_sep|>";
}

void format_llama3(Context& c, std::span<const Turn> turns) {
    for (const Turn& t : turns) {
        c.out += "<|start_header_id|>";
        c.out += role_name(t.role);
        c.out += "<|end_header_id|>\n\n";
        c.out += trim(t.content);
        c.out += "<|eot_id|>";
    }
    if (c.add_generation_prompt) c.out += "<|start_header_id|>assistant<|end_header_id|>\n\n";
}

void format_phi3(Context& c, std::span<const Turn> turns) {
    for (const Turn& t : turns) {
        c.out += "<|";
        c.out += role_name(t.role);
        c.out += "|>\n";
        c.out += t.content;
        c.out += "<|end|>\n";
    }
    if (c.add_generation_prompt) c.out += "<|assistant|>\n";
}

// Zephyr's template writes eos_token after every turn, then a newline (the
// newline between Jinja blocks that trim_blocks keeps).
core::Status format_zephyr(Context& c, std::span<const Turn> turns) {
    EDGEAI_TRY(c.need(c.eos, "EOS"));
    for (const Turn& t : turns) {
        c.out += "<|";
        c.out += role_name(t.role);
        c.out += "|>\n";
        c.out += t.content;
        c.out += c.eos;
        c.out += '\n';
    }
    if (c.add_generation_prompt) c.out += "<|assistant|>\n";
    return {};
}

// Gemma has no system turn: system text opens the next user turn, as Gemma
// 3's own template does. System text with no user turn after it becomes a
// user turn of its own rather than being dropped.
void format_gemma(Context& c, std::span<const Turn> turns) {
    std::string system;
    for (const Turn& t : turns) {
        if (t.role == Role::kSystem) {
            add_system(system, trim(t.content));
            continue;
        }
        const bool user = t.role == Role::kUser;
        c.out += user ? "<start_of_turn>user\n" : "<start_of_turn>model\n";
        if (user && !system.empty()) {
            c.out += system;
            c.out += "\n\n";
            system.clear();
        }
        c.out += trim(t.content);
        c.out += "<end_of_turn>\n";
    }
    if (!system.empty()) {
        c.out += "<start_of_turn>user\n";
        c.out += system;
        c.out += "<end_of_turn>\n";
    }
    if (c.add_generation_prompt) c.out += "<start_of_turn>model\n";
}

// Meta's Llama-2-chat format (its reference code and HF template): every turn
// after the first starts with BOS, answers are " answer " + EOS, content is
// stripped, and the system prompt sits in <<SYS>> inside the next user turn.
core::Status format_llama2(Context& c, std::span<const Turn> turns) {
    std::string system;
    bool started = false;
    for (const Turn& t : turns) {
        switch (t.role) {
        case Role::kSystem:
            add_system(system, trim(t.content));
            break;
        case Role::kUser:
            if (started) {
                EDGEAI_TRY(c.need(c.bos, "BOS"));
                c.out += c.bos;
            }
            c.out += "[INST] ";
            if (!system.empty()) {
                c.out += "<<SYS>>\n";
                c.out += system;
                c.out += "\n<</SYS>>\n\n";
                system.clear();
            }
            c.out += trim(t.content);
            c.out += " [/INST]";
            started = true;
            break;
        case Role::kAssistant:
            EDGEAI_TRY(c.need(c.eos, "EOS"));
            c.out += ' ';
            c.out += trim(t.content);
            c.out += ' ';
            c.out += c.eos;
            started = true;
            break;
        }
    }
    return {};
}

// The [INST] formats of Mistral's models. They differ in spacing, in whether
// the answer is trimmed, and in where a system message goes.
struct MistralStyle {
    std::string_view open;  // before the user text
    std::string_view close; // after it
    std::string_view answer_prefix;
    bool trim_answer;
    std::string_view system_separator; // between system and user text
    // Mistral's v3 templates put the system message before the last user
    // message; the older ones before the next user message.
    bool system_with_last_user;
};

core::Status format_mistral_inst(Context& c, std::span<const Turn> turns, const MistralStyle& s) {
    std::string system;
    size_t last_user = turns.size();
    for (size_t i = 0; i < turns.size(); ++i) {
        if (turns[i].role == Role::kUser) last_user = i;
        if (s.system_with_last_user && turns[i].role == Role::kSystem) {
            add_system(system, turns[i].content);
        }
    }

    for (size_t i = 0; i < turns.size(); ++i) {
        const Turn& t = turns[i];
        switch (t.role) {
        case Role::kSystem:
            if (!s.system_with_last_user) add_system(system, t.content);
            break;
        case Role::kUser:
            c.out += s.open;
            if (!system.empty() && (!s.system_with_last_user || i == last_user)) {
                c.out += system;
                c.out += s.system_separator;
                system.clear();
            }
            c.out += t.content;
            c.out += s.close;
            break;
        case Role::kAssistant:
            EDGEAI_TRY(c.need(c.eos, "EOS"));
            c.out += s.answer_prefix;
            c.out += s.trim_answer ? trim(t.content) : t.content;
            c.out += c.eos;
            break;
        }
    }
    if (!system.empty()) { // no user message took it
        c.out += s.open;
        c.out += system;
        c.out += s.close;
    }
    return {};
}

// v7 has a system turn of its own, written where the message is.
core::Status format_mistral_v7(Context& c, std::span<const Turn> turns, bool tekken) {
    const std::string_view space = tekken ? "" : " ";
    for (const Turn& t : turns) {
        switch (t.role) {
        case Role::kSystem:
            c.out += "[SYSTEM_PROMPT]";
            c.out += space;
            c.out += t.content;
            c.out += "[/SYSTEM_PROMPT]";
            break;
        case Role::kUser:
            c.out += "[INST]";
            c.out += space;
            c.out += t.content;
            c.out += "[/INST]";
            break;
        case Role::kAssistant:
            EDGEAI_TRY(c.need(c.eos, "EOS"));
            c.out += space;
            c.out += t.content;
            c.out += c.eos;
            break;
        }
    }
    return {};
}

core::Status format(Context& c, std::span<const Turn> turns) {
    switch (c.family) {
    case TemplateFamily::kChatml:
        format_chatml(c, turns);
        return {};
    case TemplateFamily::kPhi4:
        format_phi4(c, turns);
        return {};
    case TemplateFamily::kLlama3:
        format_llama3(c, turns);
        return {};
    case TemplateFamily::kPhi3:
        format_phi3(c, turns);
        return {};
    case TemplateFamily::kGemma:
        format_gemma(c, turns);
        return {};
    case TemplateFamily::kZephyr:
        return format_zephyr(c, turns);
    case TemplateFamily::kLlama2:
        return format_llama2(c, turns);
    case TemplateFamily::kMistral:
        // llama.cpp's rendering of the v0.1/v0.2 template, which itself
        // refuses system messages: system text opens the next user turn.
        return format_mistral_inst(c, turns,
                                   {.open = "[INST] ",
                                    .close = " [/INST]",
                                    .answer_prefix = "",
                                    .trim_answer = false,
                                    .system_separator = "\n",
                                    .system_with_last_user = false});
    case TemplateFamily::kMistralV1:
        return format_mistral_inst(c, turns,
                                   {.open = " [INST] ",
                                    .close = " [/INST]",
                                    .answer_prefix = " ",
                                    .trim_answer = false,
                                    .system_separator = "\n\n",
                                    .system_with_last_user = false});
    case TemplateFamily::kMistralV3:
        return format_mistral_inst(c, turns,
                                   {.open = "[INST] ",
                                    .close = "[/INST]",
                                    .answer_prefix = " ",
                                    .trim_answer = true,
                                    .system_separator = "\n\n",
                                    .system_with_last_user = true});
    case TemplateFamily::kMistralV3Tekken:
        return format_mistral_inst(c, turns,
                                   {.open = "[INST]",
                                    .close = "[/INST]",
                                    .answer_prefix = "",
                                    .trim_answer = false,
                                    .system_separator = "\n\n",
                                    .system_with_last_user = true});
    case TemplateFamily::kMistralV7:
        return format_mistral_v7(c, turns, false);
    case TemplateFamily::kMistralV7Tekken:
        return format_mistral_v7(c, turns, true);
    }
    return core::internal_error("chat template: unhandled family");
}

} // namespace

core::Result<std::string> apply_template(TemplateFamily family,
                                         std::span<const ChatMessage> messages,
                                         bool add_generation_prompt, std::string_view bos_text,
                                         std::string_view eos_text) {
    if (messages.empty()) return field_error("messages", "must contain at least one message");
    std::vector<Turn> turns;
    turns.reserve(messages.size());
    size_t bytes = 0;
    for (size_t i = 0; i < messages.size(); ++i) {
        EDGEAI_ASSIGN_OR_RETURN(Role role, parse_role(messages[i].role, i, family));
        turns.push_back({role, messages[i].content});
        bytes += messages[i].content.size();
    }
    Context c{family, add_generation_prompt, bos_text, eos_text, {}};
    c.out.reserve(bytes + 64 * messages.size());
    EDGEAI_TRY(format(c, turns));
    return std::move(c.out);
}

} // namespace edgeai::engine::chat
