// Upstream event streams, fed in pieces whose sizes come from the input, so
// every way of splitting lines and CRLFs across reads is tried.
#include "codec/sse/sse_parser.h"

#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    size_t piece = (data[0] % 17) + 1;
    std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
    edgeai::codec::SseParser parser(4096);
    edgeai::codec::SseEvent event;
    for (size_t at = 0; at < bytes.size(); at += piece) {
        if (!parser.feed(bytes.substr(at, piece)).ok()) break;
        while (parser.next(event)) {
            std::string out;
            edgeai::codec::append_sse_event(out, event.event, event.data);
        }
    }
    return 0;
}
