// Bytes from a serial line or a Unix socket: the frame reader never crashes
// or holds more than a frame, whatever arrives and however it is cut; each
// frame it hands out encodes back to bytes that read as the same frame; and
// a request message either decodes to a request or is refused.
#include "codec/frame/cobs.h"
#include "codec/frame/frame.h"
#include "codec/frame/frame_message.h"

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace {

using namespace edgeai::codec;

void check(bool ok) {
    if (!ok) std::abort();
}

constexpr size_t kMaxFrame = 1024;

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    // The first byte picks how the bytes are cut into reads.
    const size_t step = 1 + data[0] % 64;
    const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);

    FrameReader reader(kMaxFrame);
    std::vector<Frame> frames;
    FrameResult r;
    for (size_t at = 0; at < input.size(); at += step) {
        reader.feed(input.substr(at, step));
        while (reader.next(r)) {
            if (r.fault == FrameFault::kNone) {
                check(r.frame.payload.size() + kFrameOverheadBytes <= kMaxFrame);
                frames.push_back(r.frame);
            }
        }
    }

    for (const Frame& f : frames) {
        std::string wire;
        append_frame(wire, f.type, f.flags, f.id, f.payload);
        FrameReader again(kMaxFrame);
        again.feed(wire);
        FrameResult back;
        check(again.next(back));
        check(back.fault == FrameFault::kNone);
        check(back.frame.type == f.type && back.frame.flags == f.flags && back.frame.id == f.id &&
              back.frame.payload == f.payload);
        check(!again.next(back));
        auto request = decode_request_message(f.payload);
        if (request.ok()) {
            check(!request->method.empty());
            check(!request->target.empty() && request->target.front() == '/');
        }
    }

    // COBS of the raw input round-trips and holds no zero.
    std::string encoded;
    cobs_encode(input, encoded);
    check(encoded.find('\0') == std::string::npos);
    auto decoded = cobs_decode(encoded);
    check(decoded.ok() && *decoded == input);
    return 0;
}
