// Upstream event streams, fed in pieces whose sizes come from the input, so
// every way of splitting lines and CRLFs across reads is tried. The parser must
// never fail on its own limit-free input; the framer must forward a prefix of
// the input, verbatim, cut only at event boundaries.
#include "codec/sse/sse_framer.h"
#include "codec/sse/sse_parser.h"

#include <cstdint>
#include <string>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    size_t piece = (data[0] % 17) + 1;
    std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
    edgeai::codec::SseParser parser(4096);
    edgeai::codec::SseFramer framer(4096);
    edgeai::codec::SseEvent event;
    std::string forwarded;
    bool parser_ok = true;
    for (size_t at = 0; at < bytes.size(); at += piece) {
        std::string_view chunk = bytes.substr(at, piece);
        if (parser_ok && !parser.feed(chunk).ok()) parser_ok = false;
        while (parser.next(event)) {
            std::string out;
            edgeai::codec::append_sse_event(out, event.event, event.data);
        }
        std::string_view events = framer.feed(chunk);
        // Each forwarded run ends on an event boundary.
        edgeai::codec::SseParser check(size_t{1} << 20);
        if (!check.feed(events).ok() || !check.at_boundary()) __builtin_trap();
        forwarded.append(events);
    }
    if (bytes.substr(0, forwarded.size()) != forwarded) __builtin_trap();
    return 0;
}
