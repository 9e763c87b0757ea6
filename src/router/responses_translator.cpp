#include "router/responses_translator.h"

#include "api/api_error.h"
#include "api/responses/responses_streams.h"
#include "codec/json/json_document.h"
#include "codec/json/json_writer.h"
#include "codec/sse/sse_parser.h"

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

bool is_final_event(std::string_view type) {
    return type == "response.completed" || type == "response.incomplete";
}

// The response object of a stream's last event (response.completed or
// response.incomplete, named by the event line or, without one, the data's
// type); empty for any other event.
std::string final_response_of(const codec::SseEvent& event) {
    if (!event.event.empty() && !is_final_event(event.event)) return {};
    auto doc = codec::JsonDocument::parse(event.data);
    if (!doc.ok() || !is_final_event(doc->root()["type"].as_string()) ||
        !doc->root()["response"].is_object())
        return {};
    std::string out;
    codec::JsonWriter w(&out);
    codec::write_json_value(w, doc->root()["response"]);
    return out;
}

class NativeResponses final : public ResponseTranslator {
  public:
    explicit NativeResponses(ResponseDone done) : done_(std::move(done)) {}

    Body translate_body(int status, std::string_view body) override {
        if (status >= 200 && status <= 299 && done_ && codec::is_valid_json(body))
            done_(std::string(body));
        return {status, std::string(body)};
    }
    std::string feed(std::string_view bytes) override {
        if (done_ && !reported_ && events_.feed(bytes).ok()) {
            codec::SseEvent event;
            while (!reported_ && events_.next(event)) {
                std::string response = final_response_of(event);
                if (response.empty()) continue;
                reported_ = true;
                done_(response);
            }
        }
        return std::string(bytes);
    }
    std::string finish() override { return {}; }

  private:
    ResponseDone done_;
    codec::SseParser events_;
    bool reported_ = false;
};

} // namespace

std::unique_ptr<ResponseTranslator> make_native_responses_translator(ResponseDone done) {
    return std::make_unique<NativeResponses>(std::move(done));
}

std::unique_ptr<ResponseTranslator>
make_chat_to_responses_translator(api::responses::ResponseFrame frame, ResponseDone done) {
    return std::make_unique<ChatToResponses>(std::move(frame), std::move(done));
}

} // namespace edgeai::router
