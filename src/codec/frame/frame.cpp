#include "codec/frame/frame.h"

#include "codec/frame/cobs.h"
#include "core/crc32.h"

#include <algorithm>
#include <cstring>

namespace edgeai::codec {
namespace {

constexpr uint8_t kMagic0 = 'E';
constexpr uint8_t kMagic1 = 'A';

void put_u32(char* at, uint32_t v) {
    for (int i = 0; i < 4; ++i)
        at[i] = static_cast<char>((v >> (8 * i)) & 0xFF);
}

uint32_t get_u32(const char* at) {
    uint32_t v = 0;
    for (int i = 3; i >= 0; --i)
        v = (v << 8) | static_cast<uint8_t>(at[i]);
    return v;
}

} // namespace

void append_frame(std::string& out, FrameType type, uint8_t flags, uint32_t id,
                  std::string_view payload) {
    std::string raw(kFrameHeaderBytes, '\0');
    raw[0] = static_cast<char>(kMagic0);
    raw[1] = static_cast<char>(kMagic1);
    raw[2] = static_cast<char>(kFrameVersion);
    raw[3] = static_cast<char>(type);
    raw[4] = static_cast<char>(flags);
    put_u32(&raw[6], id);
    put_u32(&raw[10], static_cast<uint32_t>(payload.size()));
    raw.append(payload);
    char crc[4];
    put_u32(crc, core::crc32(raw));
    raw.append(crc, 4);
    cobs_encode(raw, out);
    out.push_back('\0');
}

void append_message(std::string& out, FrameType type, uint32_t id, std::string_view payload,
                    size_t max_frame_bytes) {
    const size_t room =
        max_frame_bytes > kFrameOverheadBytes ? max_frame_bytes - kFrameOverheadBytes : 1;
    do {
        const size_t n = std::min(room, payload.size());
        const bool more = n < payload.size();
        append_frame(out, type, more ? kFrameMore : 0, id, payload.substr(0, n));
        payload.remove_prefix(n);
    } while (!payload.empty());
}

std::string_view frame_fault_name(FrameFault fault) {
    switch (fault) {
    case FrameFault::kNone:
        return "none";
    case FrameFault::kOversize:
        return "oversize";
    case FrameFault::kEncoding:
        return "encoding";
    case FrameFault::kShort:
        return "short";
    case FrameFault::kMagic:
        return "magic";
    case FrameFault::kLength:
        return "length";
    case FrameFault::kChecksum:
        return "checksum";
    case FrameFault::kVersion:
        return "version";
    }
    return "unknown";
}

FrameReader::FrameReader(size_t max_frame_bytes)
    : max_frame_bytes_(std::max(max_frame_bytes, kFrameOverheadBytes)),
      max_encoded_bytes_(cobs_max_encoded_size(max_frame_bytes_)) {}

void FrameReader::feed(std::string_view bytes) {
    buffer_.append(bytes);
}

bool FrameReader::next(FrameResult& out) {
    while (true) {
        const size_t zero = buffer_.find('\0', scanned_);
        if (zero == std::string::npos) {
            scanned_ = buffer_.size();
            if (!skipping_ && buffer_.size() > max_encoded_bytes_) {
                // No frame is this long: drop it now, not when its zero comes.
                skipping_ = true;
                buffer_.clear();
                scanned_ = 0;
                out = FrameResult{};
                out.fault = FrameFault::kOversize;
                return true;
            }
            if (skipping_) {
                buffer_.clear();
                scanned_ = 0;
            }
            return false;
        }
        const std::string_view encoded(buffer_.data(), zero);
        const bool was_skipping = skipping_;
        skipping_ = false;
        bool produced = false;
        if (!was_skipping && !encoded.empty()) {
            out = FrameResult{};
            decode(encoded, out);
            produced = true;
        }
        buffer_.erase(0, zero + 1);
        scanned_ = 0;
        // Zeros in a row (a sender flushing the line) are no frame.
        if (produced) return true;
    }
}

void FrameReader::decode(std::string_view encoded, FrameResult& out) const {
    if (encoded.size() > max_encoded_bytes_) {
        out.fault = FrameFault::kOversize;
        return;
    }
    auto raw = cobs_decode(encoded);
    if (!raw.ok()) {
        out.fault = FrameFault::kEncoding;
        return;
    }
    const std::string& bytes = *raw;
    if (bytes.size() < kFrameOverheadBytes || bytes.size() > max_frame_bytes_) {
        out.fault = bytes.size() < kFrameOverheadBytes ? FrameFault::kShort : FrameFault::kOversize;
        return;
    }
    if (static_cast<uint8_t>(bytes[0]) != kMagic0 || static_cast<uint8_t>(bytes[1]) != kMagic1) {
        out.fault = FrameFault::kMagic;
        return;
    }
    out.frame.id = get_u32(&bytes[6]);
    out.id_known = true;
    const uint32_t length = get_u32(&bytes[10]);
    if (length != bytes.size() - kFrameOverheadBytes) {
        out.fault = FrameFault::kLength;
        return;
    }
    const size_t body_end = kFrameHeaderBytes + length;
    if (core::crc32(std::string_view(bytes).substr(0, body_end)) != get_u32(&bytes[body_end])) {
        out.fault = FrameFault::kChecksum;
        return;
    }
    if (static_cast<uint8_t>(bytes[2]) != kFrameVersion) {
        out.fault = FrameFault::kVersion;
        return;
    }
    out.frame.type = static_cast<FrameType>(static_cast<uint8_t>(bytes[3]));
    out.frame.flags = static_cast<uint8_t>(bytes[4]);
    out.frame.payload.assign(bytes, kFrameHeaderBytes, length);
}

} // namespace edgeai::codec
