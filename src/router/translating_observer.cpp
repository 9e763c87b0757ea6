#include "router/translating_observer.h"

#include "core/http_types.h"

namespace edgeai::router {
namespace {

bool is_event_stream(std::string_view content_type) {
    constexpr std::string_view kType = "text/event-stream";
    return content_type.size() >= kType.size() &&
           core::iequals(content_type.substr(0, kType.size()), kType);
}

class TranslatingObserver final : public core::HttpResponseObserver {
  public:
    TranslatingObserver(std::unique_ptr<ResponseTranslator> translator,
                        core::HttpResponseObserver* downstream)
        : translator_(std::move(translator)), downstream_(downstream) {}

    void on_head(int status, const core::Headers& headers) override {
        if (status == 200 && is_event_stream(headers.get("content-type"))) {
            streaming_ = true;
            downstream_->on_head(status, headers);
            return;
        }
        // The translated body decides the content type and perhaps the
        // status, so the head waits for it.
        status_ = status;
        for (const core::Header& h : headers.fields())
            if (!core::iequals(h.name, "content-type") && !core::iequals(h.name, "content-length"))
                headers_.add(h.name, h.value);
    }

    core::BodyAction on_data(std::string_view bytes) override {
        if (streaming_) {
            std::string out = translator_->feed(bytes);
            if (out.empty()) return core::BodyAction::kContinue;
            return downstream_->on_data(out);
        }
        // Bounded like the downstream's own buffer; past it the downstream
        // gets the excess and refuses the answer itself.
        if (body_.size() + bytes.size() > kMaxBufferedBytes) {
            flush_head_and_body(status_, std::move(body_));
            body_.clear();
            return downstream_->on_data(bytes);
        }
        body_.append(bytes);
        return core::BodyAction::kContinue;
    }

    void on_usage(int64_t prompt_tokens, int64_t completion_tokens) override {
        downstream_->on_usage(prompt_tokens, completion_tokens);
    }

    void on_complete(const core::Status& status) override {
        if (streaming_) {
            if (status.ok()) {
                std::string tail = translator_->finish();
                if (!tail.empty()) downstream_->on_data(tail);
            }
            downstream_->on_complete(status);
            return;
        }
        if (!status.ok() || status_ == 0) {
            if (head_sent_ && !body_.empty()) downstream_->on_data(body_);
            downstream_->on_complete(status);
            return;
        }
        if (!head_sent_) {
            ResponseTranslator::Body out = translator_->translate_body(status_, body_);
            flush_head_and_body(out.status, std::move(out.body));
        } else if (!body_.empty()) {
            downstream_->on_data(body_);
        }
        downstream_->on_complete(status);
    }

  private:
    static constexpr size_t kMaxBufferedBytes = size_t{64} << 20;

    void flush_head_and_body(int status, std::string body) {
        headers_.add("content-type", "application/json");
        head_sent_ = true;
        downstream_->on_head(status, headers_);
        if (!body.empty()) downstream_->on_data(body);
    }

    std::unique_ptr<ResponseTranslator> translator_;
    core::HttpResponseObserver* downstream_;
    bool streaming_ = false;
    bool head_sent_ = false;
    int status_ = 0;
    core::Headers headers_;
    std::string body_;
};

// Owns the translation; the inner call goes first so none of its callbacks
// can reach a destroyed observer.
class TranslatedCall final : public core::HttpCall {
  public:
    explicit TranslatedCall(std::unique_ptr<TranslatingObserver> observer)
        : observer_(std::move(observer)) {}
    ~TranslatedCall() override { inner_.reset(); }
    void resume() override {
        if (inner_) inner_->resume();
    }

    std::unique_ptr<TranslatingObserver> observer_;
    std::unique_ptr<core::HttpCall> inner_;
};

} // namespace

core::Result<std::unique_ptr<core::HttpCall>>
start_translated(std::unique_ptr<ResponseTranslator> translator,
                 core::HttpResponseObserver* observer, const StartFn& start) {
    auto call = std::make_unique<TranslatedCall>(
        std::make_unique<TranslatingObserver>(std::move(translator), observer));
    auto inner = start(call->observer_.get());
    if (!inner.ok()) return inner.status();
    call->inner_ = std::move(inner).value();
    return std::unique_ptr<core::HttpCall>(std::move(call));
}

} // namespace edgeai::router
