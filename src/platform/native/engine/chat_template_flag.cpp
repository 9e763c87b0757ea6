#include "platform/native/engine/chat_template_flag.h"

#include "engine/chat/template_family.h"
#include "platform/native/system/files.h"

namespace edgeai::platform::native {

core::Result<ChatTemplateChoice> read_chat_template_flag(const std::string& flag) {
    ChatTemplateChoice choice;
    if (flag.empty()) return choice;
    if (engine::chat::family_from_name(flag)) {
        choice.name = flag;
        return choice;
    }
    auto text = read_text_file(flag);
    if (!text.ok()) {
        std::string names;
        for (std::string_view n : engine::chat::family_names()) {
            names += (names.empty() ? "" : ", ") + std::string(n);
        }
        return core::invalid_argument("--chat-template '" + flag + "' is neither a format name (" +
                                      names +
                                      ") nor a readable Jinja file: " + text.status().message());
    }
    if (text->empty())
        return core::invalid_argument("--chat-template file '" + flag + "' is empty");
    choice.source = std::move(*text);
    return choice;
}

core::Result<engine::chat::ChatFormat>
chat_format_for(const engine::gguf::GgufFile& gguf, const engine::tokenizer::Tokenizer& tokenizer,
                const ChatTemplateChoice& choice) {
    std::optional<std::string_view> own;
    if (gguf.find("tokenizer.chat_template") != nullptr) {
        auto text = gguf.get_string("tokenizer.chat_template");
        if (text.ok()) own = *text;
    }
    return engine::chat::ChatFormat::choose(own, choice.name, choice.source,
                                            std::string(tokenizer.token_text(tokenizer.bos())),
                                            std::string(tokenizer.token_text(tokenizer.eos())));
}

} // namespace edgeai::platform::native
