#include "engine/sampling/sampling_params.h"

#include <cmath>
#include <string>

namespace edgeai::engine::sampling {

namespace {

// "2", "0.5", "nan": short enough to read in an error.
std::string number_text(double d) {
    if (std::isnan(d)) return "nan";
    if (std::isinf(d)) return d > 0 ? "inf" : "-inf";
    if (d == std::floor(d) && std::fabs(d) < 1e15) return std::to_string(static_cast<int64_t>(d));
    std::string s = std::to_string(d);
    while (!s.empty() && s.back() == '0')
        s.pop_back();
    return s;
}

core::Status field_error(std::string field, const std::string& message) {
    core::Status s = core::invalid_argument(field + ": " + message);
    s.with_field(std::move(field));
    return s;
}

core::Status check_range(float value, const char* field, double min, double max,
                         const char* meaning) {
    // Written so that NaN fails too.
    if (value >= min && value <= max) return {};
    return field_error(field, "must be between " + number_text(min) + " and " + number_text(max) +
                                  " (" + meaning + "), found " + number_text(value));
}

} // namespace

core::Status validate(const SamplingParams& p, size_t vocab_size) {
    EDGEAI_TRY(
        check_range(p.temperature, "temperature", 0, 2, "0 always picks the most likely token"));
    EDGEAI_TRY(check_range(p.top_p, "top_p", 0, 1, "1 keeps every token"));
    EDGEAI_TRY(check_range(p.min_p, "min_p", 0, 1, "0 keeps every token"));
    EDGEAI_TRY(check_range(p.presence_penalty, "presence_penalty", -2, 2, "0 is off"));
    EDGEAI_TRY(check_range(p.frequency_penalty, "frequency_penalty", -2, 2, "0 is off"));
    if (p.top_k < 0) {
        return field_error("top_k", "must be 0 (keep every token) or a positive count, found " +
                                        std::to_string(p.top_k));
    }
    if (!(p.repeat_penalty > 0) || !std::isfinite(p.repeat_penalty)) {
        return field_error("repeat_penalty", "must be a positive number (1 is off), found " +
                                                 number_text(p.repeat_penalty));
    }
    if (p.repeat_last_n < 0 || p.repeat_last_n > kMaxRepeatLastN) {
        return field_error("repeat_last_n", "must be between 0 and " +
                                                std::to_string(kMaxRepeatLastN) +
                                                " tokens (0 turns the repeat penalty off), found " +
                                                std::to_string(p.repeat_last_n));
    }
    for (const LogitBias& b : p.logit_bias) {
        std::string field = "logit_bias[\"" + std::to_string(b.token) + "\"]";
        if (b.token < 0 || static_cast<size_t>(b.token) >= vocab_size) {
            return field_error(field, "token " + std::to_string(b.token) +
                                          " is not in the model's vocabulary (ids 0 to " +
                                          std::to_string(vocab_size - 1) + ")");
        }
        if (!(b.bias >= -100 && b.bias <= 100)) {
            return field_error(field, "bias must be between -100 (ban the token) and 100, found " +
                                          number_text(b.bias));
        }
    }
    return {};
}

} // namespace edgeai::engine::sampling
