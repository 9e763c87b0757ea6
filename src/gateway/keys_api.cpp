#include "gateway/keys_api.h"

#include "codec/json/json_document.h"
#include "codec/json/json_writer.h"
#include "core/duration.h"
#include "gateway/api_responses.h"
#include "security/key_admin.h"

namespace edgeai::gateway {

namespace {

// The key's JSON with its state, and with the secret when it was just made.
std::string key_body(const security::ApiKey& key, int64_t now_ms, std::string_view secret) {
    std::string json = security::key_json(key);
    json.pop_back(); // the closing brace
    codec::JsonWriter w;
    w.value(security::key_state(key, now_ms));
    json += ",\"state\":" + w.take();
    if (!secret.empty()) {
        codec::JsonWriter s;
        s.value(secret);
        json += ",\"key\":" + s.take();
    }
    return json + "}";
}

// {"grace": "24h"} for a rotation; absent: the old key stops at once.
core::Result<int64_t> grace_from(std::string_view body) {
    if (core::trim_spaces(body).empty()) return int64_t{0};
    auto doc = codec::JsonDocument::parse(body);
    if (!doc.ok()) return doc.status();
    const codec::JsonValue root = doc->root();
    if (!root.is_object()) return core::invalid_argument("the body must be a JSON object");
    for (size_t i = 0; i < root.size(); ++i) {
        if (root.member_name(i) != "grace")
            return core::invalid_argument("unknown field '" + std::string(root.member_name(i)) +
                                          "'; a rotation takes only grace")
                .with_field(std::string(root.member_name(i)));
    }
    const codec::JsonValue grace = root["grace"];
    if (grace.is_missing() || grace.is_null()) return int64_t{0};
    if (!grace.is_string())
        return core::invalid_argument("grace must be a duration such as \"24h\"")
            .with_field("grace");
    auto ms = core::parse_duration_ms(grace.as_string());
    if (!ms.ok()) return core::Status(ms.status()).with_field("grace");
    return *ms;
}

void respond_keys(Exchange& exchange, AccessControl& access, const core::HttpRequest& request,
                  api::Endpoint endpoint, const std::string& id, core::Random& random_source,
                  int64_t now_ms);

} // namespace

std::unique_ptr<RequestTask> handle_keys(RouteContext& ctx) {
    if (ctx.deps().access == nullptr || ctx.deps().access->store() == nullptr) {
        return ctx.fail(core::Status(core::StatusCode::kUnimplemented,
                                     "API keys are not available in this build"));
    }
    respond_keys(*ctx.exchange, *ctx.deps().access, ctx.request, ctx.route.endpoint, ctx.id,
                 *ctx.deps().random, ctx.deps().clock->unix_ms());
    return nullptr;
}

namespace {

void respond_keys(Exchange& exchange, AccessControl& access, const core::HttpRequest& request,
                  api::Endpoint endpoint, const std::string& id, core::Random& random_source,
                  int64_t now_ms) {
    security::KeyStore& store = *access.store();
    auto fail = [&](const core::Status& s) {
        exchange.respond_error(api::api_error_from_status(s));
    };
    auto random = [&]() -> std::string {
        std::string secret(security::kKeyRandomBytes, '\0');
        random_source.fill(reinterpret_cast<uint8_t*>(secret.data()), secret.size());
        return secret;
    };
    switch (endpoint) {
    case api::Endpoint::kKeys: {
        if (request.method == "POST") {
            auto spec = security::key_spec_from_json(request.body, now_ms);
            if (!spec.ok()) return fail(spec.status());
            auto made =
                security::create_key(store, *spec, random(), access.server_secret(), now_ms);
            if (!made.ok()) return fail(made.status());
            (void)access.refresh();
            exchange.respond(json_response(201, key_body(made->record, now_ms, made->key)));
            return;
        }
        auto keys = store.load_all();
        if (!keys.ok()) return fail(keys.status());
        std::string body = R"({"object":"list","data":[)";
        bool first = true;
        for (const security::ApiKey& k : *keys) {
            body += (first ? "" : ",") + key_body(k, now_ms, {});
            first = false;
        }
        exchange.respond(json_response(200, body + "]}"));
        return;
    }
    case api::Endpoint::kKey: {
        // DELETE revokes (the key stays on record); ?purge=true removes it.
        const auto purge = core::query_param(request.target, "purge");
        if (purge && *purge != "true" && *purge != "false")
            return fail(core::invalid_argument("must be true or false").with_field("purge"));
        const bool purging = request.method == "DELETE" && purge && *purge == "true";
        auto key = purging                      ? security::delete_key(store, id)
                   : request.method == "DELETE" ? security::revoke_key(store, id, now_ms)
                                                : security::find_key(store, id);
        if (!key.ok()) return fail(key.status());
        if (request.method == "DELETE") (void)access.refresh();
        std::string body = key_body(*key, now_ms, {});
        if (purging) {
            body.pop_back();
            body += ",\"deleted\":true}";
        }
        exchange.respond(json_response(200, body));
        return;
    }
    default: {
        auto grace = grace_from(request.body);
        if (!grace.ok()) return fail(grace.status());
        auto made =
            security::rotate_key(store, id, random(), access.server_secret(), now_ms, *grace);
        if (!made.ok()) return fail(made.status());
        (void)access.refresh();
        exchange.respond(json_response(201, key_body(made->record, now_ms, made->key)));
        return;
    }
    }
}

} // namespace

} // namespace edgeai::gateway
