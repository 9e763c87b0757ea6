#include "engine/chat/model_chat_format.h"

#include "engine/chat/template_family.h"

#include <optional>
#include <string_view>

namespace edgeai::engine::chat {

core::Result<ChatFormat> chat_format_for(const gguf::GgufFile& gguf,
                                         const tokenizer::Tokenizer& tokenizer,
                                         const ChatTemplateChoice& choice) {
    std::optional<std::string_view> own;
    if (gguf.find("tokenizer.chat_template") != nullptr) {
        auto text = gguf.get_string("tokenizer.chat_template");
        if (text.ok()) own = *text;
    }
    return ChatFormat::choose(own, choice.name, choice.source,
                              std::string(tokenizer.token_text(tokenizer.bos())),
                              std::string(tokenizer.token_text(tokenizer.eos())));
}

core::Result<ChatTemplateChoice> chat_template_choice(const std::string& flag,
                                                      const TextFileReader& read_text_file) {
    ChatTemplateChoice choice;
    if (flag.empty()) return choice;
    if (family_from_name(flag)) {
        choice.name = flag;
        return choice;
    }
    auto text = read_text_file(flag);
    if (!text.ok()) {
        std::string names;
        for (std::string_view n : family_names()) {
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

} // namespace edgeai::engine::chat
