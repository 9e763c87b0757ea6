#include "router/responses_translator.h"

#include "api/api_error.h"
#include "api/responses/responses_streams.h"
#include "codec/json/json_document.h"

namespace edgeai::router {
namespace {

namespace responses = api::responses;

class ChatToResponses final : public ResponseTranslator {
  public:
    ChatToResponses(responses::ResponseFrame frame, ResponseDone done)
        : frame_(frame), stream_(std::move(frame)), done_(std::move(done)) {}

    Body translate_body(int status, std::string_view body) override {
        if (status >= 400) return {status, responses::error_body_to_responses(status, body)};
        if (status < 200 || status > 299 || !codec::is_valid_json(body))
            return {status, std::string(body)};
        auto response = responses::chat_response_to_response(body, frame_);
        if (!response.ok()) {
            return {502, api::render_api_error(
                             api::bad_gateway("the backend's chat completion could not be read: " +
                                              response.status().message()))};
        }
        if (done_) done_(*response);
        return {status, std::move(response).value()};
    }
    std::string feed(std::string_view bytes) override { return report(stream_.feed(bytes)); }
    std::string finish() override { return report(stream_.finish()); }

  private:
    std::string report(std::string out) {
        if (!reported_ && !stream_.final_response().empty()) {
            reported_ = true;
            if (done_) done_(stream_.final_response());
        }
        return out;
    }

    responses::ResponseFrame frame_;
    responses::ChunksToResponseEvents stream_;
    ResponseDone done_;
    bool reported_ = false;
};

} // namespace

std::unique_ptr<ResponseTranslator>
make_chat_to_responses_translator(api::responses::ResponseFrame frame, ResponseDone done) {
    return std::make_unique<ChatToResponses>(std::move(frame), std::move(done));
}

} // namespace edgeai::router
