#include "engine/model/metadata_read.h"

#include <cmath>

namespace edgeai::engine::model {

core::Result<uint32_t> read_count(const gguf::GgufFile& file, const std::string& key) {
    EDGEAI_ASSIGN_OR_RETURN(uint64_t v, file.get_uint(key));
    if (v == 0 || v > (uint64_t{1} << 24))
        return core::invalid_argument(key + " = " + std::to_string(v) + " is out of range");
    return static_cast<uint32_t>(v);
}

core::Result<uint32_t> read_count_or(const gguf::GgufFile& file, const std::string& key,
                                     uint32_t fallback) {
    if (file.find(key) == nullptr) return fallback;
    return read_count(file, key);
}

core::Result<float> read_float_or(const gguf::GgufFile& file, const std::string& key,
                                  float fallback) {
    if (file.find(key) == nullptr) return fallback;
    EDGEAI_ASSIGN_OR_RETURN(double v, file.get_float(key));
    const auto f = static_cast<float>(v);
    if (!std::isfinite(f)) return core::invalid_argument(key + " is not a finite number");
    return f;
}

} // namespace edgeai::engine::model
