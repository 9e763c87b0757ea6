// An open-addressing hash index over entries the caller stores elsewhere (the
// vocabulary's texts, the BPE merges): each slot holds an entry's number or
// -1, and a lookup probes linearly from the key's hash, asking the caller
// whether an entry matches. A 150k-token vocabulary indexes in 2 MB here
// against about 8 MB of std::unordered_map nodes, which matters on a device
// where the model's weights take most of the memory.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace edgeai::engine::tokenizer {

class FlatIndex {
  public:
    // Room for n entries at most half the slots full. Must precede insert().
    void reserve(size_t n) {
        size_t slots = 16;
        while (slots < 2 * n)
            slots *= 2;
        slots_.assign(slots, kEmpty);
        capacity_ = n;
        count_ = 0;
    }

    // The entry stored under hash h that same(entry) accepts, or -1.
    template <class Same> int32_t find(uint64_t h, Same&& same) const {
        if (slots_.empty()) return kEmpty;
        const size_t mask = slots_.size() - 1;
        for (size_t i = h & mask;; i = (i + 1) & mask) {
            const int32_t e = slots_[i];
            if (e == kEmpty || same(e)) return e;
        }
    }

    // Stores entry under hash h unless an entry that same() accepts is there:
    // returns that entry, or -1 once stored. Inserting more entries than
    // reserve() made room for is refused with -2.
    template <class Same> int32_t insert(uint64_t h, int32_t entry, Same&& same) {
        if (count_ >= capacity_) return -2;
        const size_t mask = slots_.size() - 1;
        for (size_t i = h & mask;; i = (i + 1) & mask) {
            const int32_t e = slots_[i];
            if (e == kEmpty) {
                slots_[i] = entry;
                ++count_;
                return kEmpty;
            }
            if (same(e)) return e;
        }
    }

    size_t size() const { return count_; }

  private:
    static constexpr int32_t kEmpty = -1;
    std::vector<int32_t> slots_;
    size_t capacity_ = 0;
    size_t count_ = 0;
};

// FNV-1a over the bytes, then a multiply to spread the low bits (the index
// takes the hash's low bits).
inline uint64_t hash_text(std::string_view s) {
    uint64_t h = 14695981039346656037ull;
    for (char c : s)
        h = (h ^ static_cast<uint8_t>(c)) * 1099511628211ull;
    return h * 0x9E3779B97F4A7C15ull >> 16;
}

inline uint64_t hash_pair(int32_t a, int32_t b) {
    const uint64_t key = (uint64_t{static_cast<uint32_t>(a)} << 32) | static_cast<uint32_t>(b);
    return (key * 0x9E3779B97F4A7C15ull) >> 20;
}

} // namespace edgeai::engine::tokenizer
