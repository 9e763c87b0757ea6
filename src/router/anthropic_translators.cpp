#include "router/anthropic_translators.h"

#include "api/anthropic/anthropic_responses.h"
#include "api/anthropic/anthropic_streams.h"
#include "api/api_error.h"
#include "codec/json/json_document.h"

namespace edgeai::router {
namespace {

namespace anthropic = api::anthropic;

class ChatToMessages final : public ResponseTranslator {
  public:
    Body translate_body(int status, std::string_view body) override {
        if (status >= 400) return {status, anthropic::error_body_to_anthropic(status, body)};
        if (status < 200 || status > 299 || !codec::is_valid_json(body))
            return {status, std::string(body)};
        auto message = anthropic::chat_response_to_message(body);
        if (message.ok()) return {status, std::move(message).value()};
        return {502, anthropic::render_error("api_error",
                                             "the backend's chat completion could not be read: " +
                                                 message.status().message())};
    }
    std::string feed(std::string_view bytes) override { return stream_.feed(bytes); }
    std::string finish() override { return stream_.finish(); }

  private:
    anthropic::ChunksToMessageEvents stream_;
};

class MessagesToChat final : public ResponseTranslator {
  public:
    MessagesToChat(bool include_usage, int64_t created)
        : stream_(include_usage, created), created_(created) {}

    Body translate_body(int status, std::string_view body) override {
        if (status >= 400) return {status, anthropic::error_body_to_openai(status, body)};
        if (status < 200 || status > 299 || !codec::is_valid_json(body))
            return {status, std::string(body)};
        auto chat = anthropic::message_to_chat_response(body, created_);
        if (chat.ok()) return {status, std::move(chat).value()};
        return {502, api::render_api_error(api::bad_gateway(
                         "the Anthropic message could not be read: " + chat.status().message()))};
    }
    std::string feed(std::string_view bytes) override { return stream_.feed(bytes); }
    std::string finish() override { return stream_.finish(); }

  private:
    anthropic::MessageEventsToChunks stream_;
    int64_t created_;
};

} // namespace

std::unique_ptr<ResponseTranslator> make_chat_to_messages_translator() {
    return std::make_unique<ChatToMessages>();
}

std::unique_ptr<ResponseTranslator> make_messages_to_chat_translator(bool include_usage,
                                                                     int64_t created_unix_s) {
    return std::make_unique<MessagesToChat>(include_usage, created_unix_s);
}

} // namespace edgeai::router
