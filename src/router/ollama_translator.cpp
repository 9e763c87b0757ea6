#include "router/ollama_translator.h"

#include "codec/json/json_document.h"

namespace edgeai::router {
namespace {

namespace ollama = api::ollama;

class OpenAiToOllama final : public ResponseTranslator {
  public:
    explicit OpenAiToOllama(ollama::OllamaFrame frame) : frame_(frame), stream_(std::move(frame)) {}

    Body translate_body(int status, std::string_view body) override {
        if (status >= 400) return {status, ollama::error_from_backend(status, body)};
        if (status < 200 || status > 299 || !codec::is_valid_json(body))
            return {status, std::string(body)};
        auto answer = ollama::answer_to_ollama(body, frame_);
        if (!answer.ok()) {
            return {502, ollama::error_body("the backend's answer could not be read: " +
                                            answer.status().message())};
        }
        return {status, std::move(answer).value()};
    }
    std::string feed(std::string_view bytes) override { return stream_.feed(bytes); }
    std::string finish() override { return stream_.finish(); }

  private:
    ollama::OllamaFrame frame_;
    ollama::ChunksToOllama stream_;
};

} // namespace

std::unique_ptr<ResponseTranslator>
make_openai_to_ollama_translator(api::ollama::OllamaFrame frame) {
    return std::make_unique<OpenAiToOllama>(std::move(frame));
}

} // namespace edgeai::router
