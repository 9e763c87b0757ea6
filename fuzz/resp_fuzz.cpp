// Bytes from a Redis server (or whatever answers on its port): the reply
// reader never crashes, never holds a reply past its limits, and reads the
// same replies however the bytes are cut into reads.
#include "codec/resp/resp.h"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace {

using namespace edgeai::codec::resp;

void check(bool ok) {
    if (!ok) std::abort();
}

bool same(const Reply& a, const Reply& b) {
    if (a.type != b.type || a.text != b.text || a.integer != b.integer ||
        a.elements.size() != b.elements.size())
        return false;
    for (size_t i = 0; i < a.elements.size(); ++i)
        if (!same(a.elements[i], b.elements[i])) return false;
    return true;
}

int depth_of(const Reply& r) {
    int deepest = 0;
    for (const Reply& e : r.elements)
        deepest = std::max(deepest, depth_of(e) + 1);
    return deepest;
}

// Every reply until the first error or the end; `error` tells which.
std::vector<Reply> read_all(std::string_view input, size_t step, const ReplyLimits& limits,
                            bool& error) {
    ReplyReader reader(limits);
    std::vector<Reply> replies;
    error = false;
    for (size_t at = 0; at < input.size() && !error; at += step) {
        reader.feed(input.substr(at, step));
        Reply r;
        while (true) {
            auto got = reader.next(r);
            if (!got.ok()) {
                error = true;
                break;
            }
            if (!*got) break;
            replies.push_back(r);
        }
    }
    return replies;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    const size_t step = 1 + data[0] % 32;
    const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
    ReplyLimits limits;
    limits.max_bulk_bytes = 256;
    limits.max_elements = 16;
    limits.max_line_bytes = 64;
    bool whole_error = false;
    bool cut_error = false;
    const std::vector<Reply> whole = read_all(input, input.size() + 1, limits, whole_error);
    const std::vector<Reply> cut = read_all(input, step, limits, cut_error);
    // Cut into pieces, the reader sees the same replies before any error.
    const size_t n = std::min(whole.size(), cut.size());
    for (size_t i = 0; i < n; ++i)
        check(same(whole[i], cut[i]));
    if (!whole_error && !cut_error) check(whole.size() == cut.size());
    for (const Reply& r : whole) {
        check(r.text.size() <= std::max(limits.max_bulk_bytes, limits.max_line_bytes));
        check(r.elements.size() <= limits.max_elements);
        check(depth_of(r) <= limits.max_depth);
    }
    return 0;
}
