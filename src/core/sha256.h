// SHA-256 (FIPS 180-4) and HMAC-SHA256 (RFC 2104), portable: webhook
// signatures and, later, key hashes and the audit chain need them on every
// target, including WASI, where no crypto library is linked. Whole blocks go through
// the CPU's SHA instructions where it has them (core/sha256_blocks.h).
#pragma once

#include "core/hex.h"
#include "core/sha256_blocks.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace edgeai::core {

using Sha256Digest = std::array<uint8_t, 32>;

class Sha256 {
  public:
    Sha256();
    void update(std::string_view bytes);
    Sha256Digest finish();

  private:
    uint32_t h_[8];
    uint8_t buffer_[64];
    size_t buffered_ = 0;
    uint64_t length_ = 0;
    Sha256BlocksFn blocks_;
};

Sha256Digest sha256(std::string_view bytes);
Sha256Digest hmac_sha256(std::string_view key, std::string_view message);

// HMAC-SHA256 with one key for many messages: the key's two padded blocks
// are hashed once, here, instead of for every message.
class HmacSha256 {
  public:
    explicit HmacSha256(std::string_view key);
    Sha256Digest sign(std::string_view message) const;

  private:
    Sha256 inner_; // after the key ^ ipad block
    Sha256 outer_; // after the key ^ opad block
};

// Equal contents, in a time that does not depend on where they differ.
bool constant_time_equal(std::string_view a, std::string_view b);

} // namespace edgeai::core
