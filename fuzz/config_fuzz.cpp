// Configuration files: any text must load or give errors naming a line.
#include "core/config/config_loader.h"

#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    edgeai::core::ConfigBuilder builder;
    edgeai::core::Status s = builder.apply_toml(text, "fuzz.toml");
    if (s.ok()) (void)builder.render_effective();
    return 0;
}
