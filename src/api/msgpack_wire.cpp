#include "api/msgpack_wire.h"

#include "codec/msgpack/msgpack_json.h"
#include "core/http_types.h"

namespace edgeai::api {
namespace {

constexpr std::string_view kSpellings[] = {"application/msgpack", "application/vnd.msgpack",
                                           "application/x-msgpack"};

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
        s.remove_suffix(1);
    return s;
}

} // namespace

std::string_view msgpack_media_type(std::string_view content_type) {
    const std::string_view media = trim(content_type.substr(0, content_type.find(';')));
    for (std::string_view spelling : kSpellings)
        if (core::iequals(media, spelling)) return spelling;
    return {};
}

std::string_view accepted_msgpack_type(std::string_view accept) {
    while (!accept.empty()) {
        const size_t comma = accept.find(',');
        const std::string_view entry = accept.substr(0, comma);
        accept = comma == std::string_view::npos ? std::string_view() : accept.substr(comma + 1);
        const std::string_view spelling = msgpack_media_type(entry);
        if (spelling.empty()) continue;
        // "q=0" means "not this one".
        const size_t q = entry.find("q=");
        if (q != std::string_view::npos) {
            const std::string_view value = trim(entry.substr(q + 2));
            if (!value.empty() && value.find_first_not_of("0.") == std::string_view::npos) continue;
        }
        return spelling;
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
