#include "gateway/api_responses.h"

#include "codec/json/json_writer.h"

#include <charconv>

namespace edgeai::gateway {

core::HttpResponse json_response(int status, std::string body) {
    core::HttpResponse r;
    r.status = status;
    r.headers.add("content-type", "application/json");
    r.body = std::move(body);
    return r;
}

std::string list_page_json(const std::vector<std::string>& items,
                           const std::vector<std::string>& ids, bool has_more) {
    codec::JsonWriter w;
    w.begin_object().field("object", "list").key("data").begin_array();
    for (const std::string& item : items)
        w.raw(item);
    w.end_array();
    for (const auto& [key, id] : {std::pair{"first_id", ids.empty() ? nullptr : &ids.front()},
                                  std::pair{"last_id", ids.empty() ? nullptr : &ids.back()}}) {
        w.key(key);
        if (id == nullptr)
            w.null();
        else
            w.value(std::string_view(*id));
    }
    w.field("has_more", has_more).end_object();
    return w.take();
}

core::Result<size_t> page_limit(std::string_view target, size_t fallback) {
    auto limit = core::query_param(target, "limit");
    if (!limit) return fallback;
    int64_t n = 0;
    auto [end, ec] = std::from_chars(limit->data(), limit->data() + limit->size(), n);
    if (ec != std::errc() || end != limit->data() + limit->size() || n < 1 || n > 100) {
        return core::invalid_argument("limit must be a whole number from 1 to 100")
            .with_field("limit");
    }
    return static_cast<size_t>(n);
}

} // namespace edgeai::gateway
