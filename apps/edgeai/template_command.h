// `edgeai model template FILE.gguf --messages JSON`: the prompt a model's
// chat format makes of a conversation, as the server would build it.
#pragma once

#include "cli/args.h"

#include <string>

namespace edgeai::cli {

struct TemplateFlags {
    std::string model;
    std::string messages;
    std::string tools;
    std::string kwargs;
    std::string chat_template;
    bool no_generation_prompt = false;
};

Command* add_template_command(Command& model, TemplateFlags& flags);
int run_template_command(const TemplateFlags& flags);

} // namespace edgeai::cli
