#include "core/sha256.h"

#include <cstring>

namespace edgeai::core {
namespace {

uint32_t rotr(uint32_t x, int n) {
    return (x >> n) | (x << (32 - n));
}

} // namespace

void sha256_blocks_portable(uint32_t state[8], const uint8_t* data, size_t blocks) {
    for (; blocks > 0; --blocks, data += 64) {
        uint32_t w[64];
        for (int i = 0; i < 16; ++i)
            w[i] = uint32_t{data[4 * i]} << 24 | uint32_t{data[4 * i + 1]} << 16 |
                   uint32_t{data[4 * i + 2]} << 8 | uint32_t{data[4 * i + 3]};
        for (int i = 16; i < 64; ++i) {
            const uint32_t s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
            const uint32_t s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
            w[i] = w[i - 16] + s0 + w[i - 7] + s1;
        }
        uint32_t a = state[0], b = state[1], c = state[2], d = state[3], e = state[4], f = state[5],
                 g = state[6], h = state[7];
        for (int i = 0; i < 64; ++i) {
            const uint32_t t1 = h + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) +
                                ((e & f) ^ (~e & g)) + kSha256Round[i] + w[i];
            const uint32_t t2 =
                (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
            h = g;
            g = f;
            f = e;
            e = d + t1;
            d = c;
            c = b;
            b = a;
            a = t1 + t2;
        }
        state[0] += a;
        state[1] += b;
        state[2] += c;
        state[3] += d;
        state[4] += e;
        state[5] += f;
        state[6] += g;
        state[7] += h;
    }
}

Sha256BlocksFn sha256_blocks() {
    static const Sha256BlocksFn chosen = [] {
        const Sha256BlocksFn x86 = sha256_blocks_x86();
        return x86 != nullptr ? x86 : &sha256_blocks_portable;
    }();
    return chosen;
}

Sha256::Sha256()
    : h_{0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
         0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19},
      blocks_(sha256_blocks()) {}

void Sha256::update(std::string_view bytes) {
    const auto* p = reinterpret_cast<const uint8_t*>(bytes.data());
    size_t n = bytes.size();
    length_ += n;
    if (buffered_ > 0) {
        const size_t take = std::min(n, sizeof buffer_ - buffered_);
        std::memcpy(buffer_ + buffered_, p, take);
        buffered_ += take;
        p += take;
        n -= take;
        if (buffered_ < sizeof buffer_) return;
        blocks_(h_, buffer_, 1);
        buffered_ = 0;
    }
    if (n >= 64) {
        blocks_(h_, p, n / 64);
        p += n / 64 * 64;
        n %= 64;
    }
    if (n > 0) std::memcpy(buffer_, p, n);
    buffered_ = n;
}

Sha256Digest Sha256::finish() {
    // 0x80, zeros up to 8 bytes before a block's end, the length in bits.
    const uint64_t bits = length_ * 8;
    uint8_t tail[128] = {0x80};
    const size_t pad = (buffered_ < 56 ? 56 : 120) - buffered_;
    for (int i = 0; i < 8; ++i)
        tail[pad + static_cast<size_t>(i)] = static_cast<uint8_t>(bits >> (56 - 8 * i));
    update(std::string_view(reinterpret_cast<const char*>(tail), pad + 8));
    Sha256Digest out;
    for (int i = 0; i < 8; ++i) {
        out[4 * i] = static_cast<uint8_t>(h_[i] >> 24);
        out[4 * i + 1] = static_cast<uint8_t>(h_[i] >> 16);
        out[4 * i + 2] = static_cast<uint8_t>(h_[i] >> 8);
        out[4 * i + 3] = static_cast<uint8_t>(h_[i]);
    }
    return out;
}

Sha256Digest sha256(std::string_view bytes) {
    Sha256 s;
    s.update(bytes);
    return s.finish();
}

HmacSha256::HmacSha256(std::string_view key) {
    uint8_t k[64] = {};
    if (key.size() > 64) {
        const Sha256Digest d = sha256(key);
        std::memcpy(k, d.data(), d.size());
    } else {
        std::memcpy(k, key.data(), key.size());
    }
    uint8_t pad[64];
    for (int i = 0; i < 64; ++i)
        pad[i] = static_cast<uint8_t>(k[i] ^ 0x36);
    inner_.update(std::string_view(reinterpret_cast<const char*>(pad), 64));
    for (int i = 0; i < 64; ++i)
        pad[i] = static_cast<uint8_t>(k[i] ^ 0x5c);
    outer_.update(std::string_view(reinterpret_cast<const char*>(pad), 64));
}

Sha256Digest HmacSha256::sign(std::string_view message) const {
    Sha256 inner = inner_;
    inner.update(message);
    const Sha256Digest inner_digest = inner.finish();
    Sha256 outer = outer_;
    outer.update(std::string_view(reinterpret_cast<const char*>(inner_digest.data()), 32));
    return outer.finish();
}

Sha256Digest hmac_sha256(std::string_view key, std::string_view message) {
    return HmacSha256(key).sign(message);
}

bool constant_time_equal(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    unsigned char diff = 0;
    for (size_t i = 0; i < a.size(); ++i)
        diff |= static_cast<unsigned char>(a[i] ^ b[i]);
    return diff == 0;
}

} // namespace edgeai::core
