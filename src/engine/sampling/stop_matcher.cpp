#include "engine/sampling/stop_matcher.h"

#include <algorithm>

namespace edgeai::engine::sampling {

core::Result<StopMatcher> StopMatcher::create(std::span<const std::string> stops) {
    for (size_t i = 0; i < stops.size(); ++i) {
        if (stops[i].empty()) {
            std::string field = "stop[" + std::to_string(i) + "]";
            core::Status s = core::invalid_argument(
                field + ": must not be empty (an empty stop string would end every reply "
                        "before it starts); remove it");
            s.with_field(std::move(field));
            return s;
        }
    }
    return StopMatcher(std::vector<std::string>(stops.begin(), stops.end()));
}

StopMatcher::StopMatcher(std::vector<std::string> stops) : stops_(std::move(stops)) {
    for (const std::string& s : stops_)
        longest_ = std::max(longest_, s.size());
    held_.reserve(longest_ * 2);
}

std::string_view StopMatcher::matched() const {
    return stopped() ? std::string_view(stops_[stopped_index_]) : std::string_view();
}

bool StopMatcher::push(std::string_view text, std::string& out) {
    if (stopped()) return true;
    if (stops_.empty()) {
        out.append(text);
        return false;
    }
    // held_ holds no complete stop string, so a match must end in the new
    // text; searching from there keeps each call proportional to its input.
    const size_t from = held_.size() >= longest_ ? held_.size() - (longest_ - 1) : 0;
    held_.append(text);

    // The earliest match wins: text after its start is never sent, so a later
    // one cannot matter. Between matches at the same place the first listed wins.
    size_t first = std::string::npos;
    for (size_t i = 0; i < stops_.size(); ++i) {
        const size_t at = held_.find(stops_[i], from);
        if (at < first) {
            first = at;
            stopped_index_ = i;
        }
    }
    if (first != std::string::npos) {
        out.append(held_, 0, first);
        held_.clear();
        return true;
    }
    const size_t keep = undecided_tail();
    out.append(held_, 0, held_.size() - keep);
    held_.erase(0, held_.size() - keep);
    return false;
}

void StopMatcher::finish(std::string& out) {
    if (!stopped()) out.append(held_);
    held_.clear();
}

size_t StopMatcher::undecided_tail() const {
    const std::string_view held = held_;
    for (size_t length = std::min(held.size(), longest_ - 1); length > 0; --length) {
        const std::string_view tail = held.substr(held.size() - length);
        for (const std::string& stop : stops_) {
            if (std::string_view(stop).starts_with(tail)) return length;
        }
    }
    return 0;
}

} // namespace edgeai::engine::sampling
