#include "engine/chat/chat_variables.h"

#include "engine/template/value_json.h"

namespace edgeai::engine::chat {

namespace {

core::Status field_error(std::string field, const std::string& message) {
    core::Status s = core::invalid_argument(field + ": " + message);
    s.with_field(std::move(field));
    return s;
}

tmpl::Value content_text(codec::JsonValue content) {
    if (content.is_string()) return tmpl::Value::string(std::string(content.as_string()));
    std::string text;
    for (size_t i = 0; i < content.size(); ++i) {
        const codec::JsonValue part = content.at(i);
        if (part["type"].as_string() != "text") continue;
        if (!text.empty()) text += '\n';
        text += part["text"].as_string();
    }
    return tmpl::Value::string(std::move(text));
}

} // namespace

core::Result<ChatVariables> chat_variables_from_json(codec::JsonValue messages,
                                                     codec::JsonValue tools,
                                                     codec::JsonValue kwargs,
                                                     const ChatJsonOptions& options) {
    ChatVariables v;
    if (!messages.is_array()) return field_error("messages", "must be an array");
    tmpl::List list;
    for (size_t i = 0; i < messages.size(); ++i) {
        const codec::JsonValue m = messages.at(i);
        if (!m.is_object()) {
            return field_error("messages[" + std::to_string(i) + "]", "must be an object");
        }
        tmpl::Value message = tmpl::value_from_json(m);
        if (options.content_as_text) {
            tmpl::Dict entries = message.as_dict();
            bool has_content = false;
            for (auto& [key, value] : entries) {
                if (key == "content") {
                    value = content_text(m["content"]);
                    has_content = true;
                }
            }
            if (!has_content) entries.emplace_back("content", tmpl::Value::string(""));
            message = tmpl::Value::dict(std::move(entries));
        }
        list.push_back(std::move(message));
    }
    v.messages = tmpl::Value::list(std::move(list));
    if (tools.is_missing() || tools.is_null()) {
        v.tools = tmpl::Value::none();
    } else if (!tools.is_array()) {
        return field_error("tools", "must be an array");
    } else {
        v.tools = tmpl::value_from_json(tools);
    }
    if (!kwargs.is_missing() && !kwargs.is_null()) {
        if (!kwargs.is_object()) return field_error("chat_template_kwargs", "must be an object");
        for (size_t i = 0; i < kwargs.size(); ++i) {
            const std::string_view name = kwargs.member_name(i);
            if (name == "messages" || name == "tools" || name == "add_generation_prompt") {
                return field_error("chat_template_kwargs." + std::string(name),
                                   "is set by the request itself, not by chat_template_kwargs");
            }
            v.extra.emplace_back(std::string(name), tmpl::value_from_json(kwargs.member_value(i)));
        }
    }
    return v;
}

} // namespace edgeai::engine::chat
