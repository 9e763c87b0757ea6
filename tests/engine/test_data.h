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

// llama.cpp's libllama as node-llama-cpp ships it (bench/llamacpp), the
// independent implementation the quantizer is checked against; tests skip
// when it is not installed.
inline std::string llamacpp_library() {
    return std::string(EDGEAI_SOURCE_DIR) +
           "/bench/llamacpp/node_modules/@node-llama-cpp/linux-x64/bins/linux-x64/"
           "libllama.v0.5.0.so";
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
