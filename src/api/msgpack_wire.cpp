#include "api/msgpack_wire.h"

#include "codec/msgpack/msgpack_json.h"
#include "core/http_types.h"

namespace edgeai::api {
namespace {

constexpr std::string_view kSpellings[] = {"application/msgpack", "application/vnd.msgpack",
                                           "application/x-msgpack"};

} // namespace

std::string_view msgpack_media_type(std::string_view content_type) {
    const std::string_view media =
        core::trim_spaces(content_type.substr(0, content_type.find(';')));
    for (std::string_view spelling : kSpellings)
        if (core::iequals(media, spelling)) return spelling;
    return {};
}

std::string_view accepted_msgpack_type(std::string_view accept) {
    core::HeaderListEntry entry;
    while (core::next_header_list_entry(accept, entry)) {
        const std::string_view spelling = msgpack_media_type(entry.value);
        if (!spelling.empty() && entry.accepted) return spelling;
    }
    return {};
}

core::Result<std::string> msgpack_body_to_json(std::string_view body, size_t max_bytes) {
    codec::MsgpackToJsonOptions options;
    options.limits.max_bytes = max_bytes;
    auto json = codec::msgpack_to_json(body, options);
    if (!json.ok())
        return core::invalid_argument("the MessagePack body cannot be read: " +
                                      std::string(json.status().message()));
    return json;
}

core::Result<std::string> json_answer_to_msgpack(std::string_view json) {
    codec::JsonToMsgpackOptions options;
    options.float32_arrays_of = "embedding";
    return codec::json_to_msgpack(json, options);
}

std::string MsgpackStream::feed(std::string_view sse) {
    std::string out;
    if (!parser_.feed(sse).ok()) return out; // an event past a megabyte: dropped
    codec::SseEvent event;
    while (parser_.next(event)) {
        if (event.data == "[DONE]" || event.data.empty()) continue;
        auto packed = json_answer_to_msgpack(event.data);
        if (packed.ok()) out += *packed;
    }
    return out;
}

} // namespace edgeai::api
