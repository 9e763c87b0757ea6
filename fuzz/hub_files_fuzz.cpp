// The hub's file list comes from the network (or from whatever HF_ENDPOINT
// points at): any bytes must parse or be refused, and a parsed list must go
// through the choice of files, for any quant, without leaving its strings.
#include "engine/hub/hub_model.h"

#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    // The first line, when there is one, is a model name to parse and a quant
    // to choose with.
    const size_t newline = text.find('\n');
    const std::string_view name = newline == std::string_view::npos ? "" : text.substr(0, newline);
    const std::string_view list =
        newline == std::string_view::npos ? text : text.substr(newline + 1);
    auto ref = edgeai::engine::hub::parse_hub_reference(name);
    auto files = edgeai::engine::hub::parse_file_list(list);
    if (!files.ok()) return 0;
    for (const auto& f : *files) {
        (void)edgeai::engine::hub::quant_of_file_name(edgeai::engine::hub::base_name(f.path));
        (void)edgeai::engine::hub::parse_split_name(edgeai::engine::hub::base_name(f.path));
    }
    (void)edgeai::engine::hub::choose_files(*files, ref.ok() ? ref->quant : "", "o/r");
    (void)edgeai::engine::hub::choose_files(*files, "", "o/r");
    return 0;
}
