// Request bodies from clients: the first byte picks the decoder, the rest is
// the body. Any input must give a value or an error, never a crash.
#include "api/openai_requests.h"
#include "codec/json/json_document.h"

#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);
    switch (data[0] % 4) {
    case 0:
        (void)edgeai::api::decode_chat_completion_request(body);
        break;
    case 1:
        (void)edgeai::api::decode_completion_request(body);
        break;
    case 2:
        (void)edgeai::api::decode_embedding_request(body);
        break;
    default:
        (void)edgeai::codec::is_valid_json(body);
        break;
    }
    return 0;
}
