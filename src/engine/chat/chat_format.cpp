#include "engine/chat/chat_format.h"

#include "engine/chat/chat_template.h"
#include "engine/chat/reasoning_split.h"

namespace edgeai::engine::chat {

namespace {

std::vector<std::string> markers_of(std::optional<TemplateFamily> family) {
    std::vector<std::string> out;
    if (family) {
        for (std::string_view m : end_of_turn_markers(*family))
            out.emplace_back(m);
    }
    return out;
}

std::string names_list() {
    std::string names;
    for (std::string_view n : family_names())
        names += (names.empty() ? "" : ", ") + std::string(n);
    return names;
}

} // namespace

core::Result<ChatFormat> ChatFormat::from_jinja(std::string_view source, std::string bos_text,
                                                std::string eos_text) {
    EDGEAI_ASSIGN_OR_RETURN(tmpl::ChatTemplate t, tmpl::ChatTemplate::parse(source));
    ChatFormat f;
    f.jinja_ = std::move(t);
    f.tool_syntax_ = tool_syntax_of_template(source);
    f.reasons_ = template_reasons(source);
    f.bos_ = std::move(bos_text);
    f.eos_ = std::move(eos_text);
    // The family, where recognisable, still names the turn's end markers.
    auto family = detect_family(source);
    f.markers_ = markers_of(family.ok() ? std::optional<TemplateFamily>(*family) : std::nullopt);
    return f;
}

ChatFormat ChatFormat::from_family(TemplateFamily family, std::string bos_text,
                                   std::string eos_text) {
    ChatFormat f;
    f.family_ = family;
    f.bos_ = std::move(bos_text);
    f.eos_ = std::move(eos_text);
    f.markers_ = markers_of(family);
    return f;
}

core::Result<ChatFormat> ChatFormat::choose(std::optional<std::string_view> model_template,
                                            std::string_view override_name,
                                            std::string_view override_source, std::string bos_text,
                                            std::string eos_text) {
    if (!override_name.empty()) {
        const auto family = family_from_name(override_name);
        if (!family) {
            return core::invalid_argument("unknown chat template name '" +
                                          std::string(override_name) + "'; known: " + names_list());
        }
        return from_family(*family, std::move(bos_text), std::move(eos_text));
    }
    if (!override_source.empty()) {
        return from_jinja(override_source, std::move(bos_text), std::move(eos_text));
    }
    if (!model_template || model_template->empty()) {
        return core::failed_precondition(
            "the model has no chat template (tokenizer.chat_template); use /v1/completions, or "
            "choose one with --chat-template NAME|FILE (names: " +
            names_list() + ")");
    }
    auto jinja = from_jinja(*model_template, bos_text, eos_text);
    if (jinja.ok()) return jinja;
    auto family = detect_family(*model_template);
    if (family.ok()) return from_family(*family, std::move(bos_text), std::move(eos_text));
    return core::failed_precondition(
        "the model's chat template cannot be run: " + jinja.status().message() +
        "; choose a format with --chat-template NAME|FILE");
}

core::Result<std::string> ChatFormat::render(const ChatVariables& v) const {
    if (jinja_) {
        tmpl::Dict globals = {
            {"messages", v.messages},
            {"tools", v.tools.is_undefined() ? tmpl::Value::none() : v.tools},
            {"add_generation_prompt", tmpl::Value::boolean(v.add_generation_prompt)},
            {"bos_token", tmpl::Value::string(bos_)},
            {"eos_token", tmpl::Value::string(eos_)},
        };
        for (const auto& entry : v.extra)
            globals.push_back(entry);
        tmpl::RenderOptions options;
        options.now = v.now;
        return jinja_->render(globals, options);
    }
    // The family formatters take role and text; other fields have no place there.
    std::vector<ChatMessage> messages;
    const tmpl::List& list = v.messages.as_list();
    for (size_t i = 0; i < list.size(); ++i) {
        const tmpl::Value* role = list[i].find("role");
        const tmpl::Value* content = list[i].find("content");
        if (role == nullptr || !role->is_string()) {
            return core::invalid_argument("messages[" + std::to_string(i) + "].role: missing");
        }
        messages.push_back({role->as_string(), content != nullptr && content->is_string()
                                                   ? std::string_view(content->as_string())
                                                   : std::string_view()});
    }
    EDGEAI_ASSIGN_OR_RETURN(
        std::string text, apply_template(*family_, messages, v.add_generation_prompt, bos_, eos_));
    return text;
}

core::Result<std::string> ChatFormat::render_for_tokenizer(const ChatVariables& v,
                                                           bool tokenizer_adds_bos) const {
    EDGEAI_ASSIGN_OR_RETURN(std::string text, render(v));
    if (jinja_ && tokenizer_adds_bos && !bos_.empty() && text.compare(0, bos_.size(), bos_) == 0) {
        text.erase(0, bos_.size());
    }
    return text;
}

std::string ChatFormat::describe() const {
    if (jinja_) return "jinja";
    return std::string(family_name(*family_));
}

tmpl::Value messages_value(std::span<const std::pair<std::string, std::string>> turns) {
    tmpl::List list;
    for (const auto& [role, content] : turns) {
        list.push_back(tmpl::Value::dict(
            {{"role", tmpl::Value::string(role)}, {"content", tmpl::Value::string(content)}}));
    }
    return tmpl::Value::list(std::move(list));
}

} // namespace edgeai::engine::chat
