// The frame protocol of links without HTTP (a Unix socket, a serial line):
// docs/protocol.md is its specification for device authors. On the wire each
// frame is COBS-encoded (codec/frame/cobs.h) and ends with a zero byte;
// decoded, it is a fixed little-endian header, the payload, and a CRC-32
// (core/crc32.h) of both:
//
//   0  magic   2 bytes  'E' 'A'
//   2  version 1 byte   1
//   3  type    1 byte   FrameType
//   4  flags   1 byte   bit 0: kFrameMore (the message goes on in the next frame)
//   5  (zero)  1 byte
//   6  id      u32 LE   the request this frame belongs to (never 0)
//  10  length  u32 LE   payload bytes
//  14  payload
//  14+length   u32 LE   CRC-32 of bytes 0 .. 14+length
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace edgeai::codec {

inline constexpr uint8_t kFrameVersion = 1;
inline constexpr size_t kFrameHeaderBytes = 14;
inline constexpr size_t kFrameOverheadBytes = kFrameHeaderBytes + 4; // header + CRC
inline constexpr size_t kDefaultMaxFrameBytes = 64 * 1024;
inline constexpr uint8_t kFrameMore = 0x01;

enum class FrameType : uint8_t {
    kRequest = 1, // client: a MessagePack map {method, path, headers, body}
    kCancel = 2,  // client: abandon request `id`; no payload
    kPing = 3,    // either side: answered by kPong with the same id and payload
    kPong = 4,
    kHead = 5,  // server: MessagePack map {status, headers}
    kData = 6,  // server: body bytes; a streamed answer sends one event per message
    kEnd = 7,   // server: the answer to `id` is complete; no payload
    kError = 8, // server: MessagePack map {code, message}; no answer follows
};

struct Frame {
    FrameType type = FrameType::kRequest;
    uint8_t flags = 0;
    uint32_t id = 0;
    std::string payload;
};

// Appends `frame` to `out` as it goes on the wire (encoded, then a zero).
// The caller keeps payloads within the link's max_frame_bytes.
void append_frame(std::string& out, FrameType type, uint8_t flags, uint32_t id,
                  std::string_view payload);

// Appends one message: `payload` split over as many frames as the
// max_frame_bytes allows, each but the last flagged kFrameMore.
void append_message(std::string& out, FrameType type, uint32_t id, std::string_view payload,
                    size_t max_frame_bytes);

// Why a received frame was dropped.
enum class FrameFault : uint8_t {
    kNone,
    kOversize, // no zero within the largest encoded frame: skipped to the next zero
    kEncoding, // not valid COBS
    kShort,    // shorter than a header and a CRC
    kMagic,    // not 'E' 'A'
    kLength,   // the length field does not match the bytes that came
    kChecksum, // the CRC does not match
    kVersion,  // a version this reader does not speak
};
std::string_view frame_fault_name(FrameFault fault);

struct FrameResult {
    FrameFault fault = FrameFault::kNone;
    // With kLength, kChecksum and kVersion the header was read, so `id`
    // names the request the sender meant (a checksum error may have hit the
    // id itself: a client ignores errors for ids it has not in flight).
    bool id_known = false;
    Frame frame;
};

// Splits a byte stream into frames. Bytes are fed as they arrive; next()
// hands out each whole frame or fault in order. The buffer never holds more
// than one encoded frame of max_frame_bytes plus what one feed() brought.
class FrameReader {
  public:
    explicit FrameReader(size_t max_frame_bytes = kDefaultMaxFrameBytes);

    void feed(std::string_view bytes);
    // False when no whole frame is buffered yet.
    bool next(FrameResult& out);

  private:
    void decode(std::string_view encoded, FrameResult& out) const;

    size_t max_frame_bytes_;
    size_t max_encoded_bytes_;
    std::string buffer_;
    size_t scanned_ = 0;    // bytes of buffer_ known to hold no zero
    bool skipping_ = false; // in an oversize frame, until the next zero
};

} // namespace edgeai::codec
