#include "router/answer_later.h"

namespace edgeai::router {

namespace {

class AnswerCall final : public core::HttpCall {
  public:
    explicit AnswerCall(std::shared_ptr<bool> alive) : alive_(std::move(alive)) {}
    ~AnswerCall() override { *alive_ = false; }
    void resume() override {}

  private:
    std::shared_ptr<bool> alive_;
};

} // namespace

std::unique_ptr<core::HttpCall> answer_later(core::Executor& executor,
                                             core::HttpResponseObserver* observer, int status,
                                             std::string body, int retry_after_s) {
    auto alive = std::make_shared<bool>(true);
    executor.post([alive, observer, status, retry_after_s, body = std::move(body)] {
        if (!*alive) return;
        core::Headers headers;
        headers.add("content-type", "application/json");
        if (retry_after_s > 0) headers.add("retry-after", std::to_string(retry_after_s));
        observer->on_head(status, headers);
        if (!*alive) return;
        (void)observer->on_data(body);
        if (!*alive) return;
        observer->on_complete(core::Status());
    });
    return std::make_unique<AnswerCall>(std::move(alive));
}

std::unique_ptr<core::HttpCall> answer_error_later(core::Executor& executor,
                                                   core::HttpResponseObserver* observer,
                                                   const api::ApiError& error) {
    return answer_later(executor, observer, error.http_status, api::render_api_error(error),
                        error.retry_after_s);
}

} // namespace edgeai::router
