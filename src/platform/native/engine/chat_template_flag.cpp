#include "platform/native/engine/chat_template_flag.h"

#include "platform/native/system/files.h"

namespace edgeai::platform::native {

core::Result<ChatTemplateChoice> read_chat_template_flag(const std::string& flag) {
    return engine::chat::chat_template_choice(flag, read_text_file);
}

} // namespace edgeai::platform::native
