// Reading the reference data in ../shared/data from tests. Tests that need it
// skip with a message when it is absent (a clone without the shared folder).
#pragma once

#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <span>
#include <string>
#include <vector>

namespace edgeai::engine::testing {

inline std::string shared_data(const std::string& relative) {
    return std::string(EDGEAI_SOURCE_DIR) + "/../shared/data/" + relative;
}

// The whole file, or empty when it cannot be read.
inline std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return {};
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

inline std::span<const uint8_t> as_bytes(const std::string& s) {
    return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

inline std::vector<float> as_floats(const std::string& s) {
    std::vector<float> out(s.size() / sizeof(float));
    if (!out.empty()) std::memcpy(out.data(), s.data(), out.size() * sizeof(float));
    return out;
}

} // namespace edgeai::engine::testing
