#include "platform/native/link/mcp_stdio.h"

#include "api/mcp/mcp_protocol.h"
#include "codec/json/json_document.h"
#include "codec/sse/sse_parser.h"
#include "platform/native/http/event_loop_impl.h"

#include <boost/asio/posix/stream_descriptor.hpp>

#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <list>
#include <string_view>

namespace edgeai::platform::native {

namespace mcp = api::mcp;

struct McpStdio::Impl : std::enable_shared_from_this<McpStdio::Impl> {
    // One line's exchange with the gateway.
    class Call final : public gateway::ResponseWriter {
      public:
        Call(Impl& owner, std::string rpc_id) : owner_(owner), rpc_id_(std::move(rpc_id)) {}
        ~Call() override { task.reset(); }

        void send(core::HttpResponse response) override {
            if (std::string_view id = response.headers.get("mcp-session-id"); !id.empty())
                owner_.session_id.assign(id);
            if (!response.body.empty()) {
                // The gateway's own refusals (a key without the scope, a
                // shutdown) are in its HTTP error shape: said as JSON-RPC here.
                if (response.body.find("\"jsonrpc\"") != std::string::npos)
                    owner_.emit(response.body);
                else if (!rpc_id_.empty())
                    owner_.emit(
                        mcp::error_message(rpc_id_, mcp::kInvalidRequest, refusal_text(response)));
            }
            done();
        }
        void start_stream(int, core::Headers) override {}
        bool write(std::string_view bytes) override {
            if (!sse_.feed(bytes).ok()) return true;
            codec::SseEvent event;
            while (sse_.next(event))
                owner_.emit(event.data);
            return true;
        }
        void end_stream() override { done(); }
        void set_drain_callback(std::function<void()>) override {}

        std::unique_ptr<gateway::RequestTask> task;

      private:
        static std::string refusal_text(const core::HttpResponse& r) {
            auto doc = codec::JsonDocument::parse(r.body);
            if (doc.ok() && doc->root()["error"]["message"].is_string())
                return std::string(doc->root()["error"]["message"].as_string());
            return "refused with HTTP status " + std::to_string(r.status);
        }
        void done() {
            if (finished_) return;
            finished_ = true;
            owner_.retire(this);
        }

        Impl& owner_;
        std::string rpc_id_;
        codec::SseParser sse_;
        bool finished_ = false;
    };

    Impl(EventLoop& l, gateway::Gateway& g, telemetry::Logger& lg, McpStdioOptions o,
         std::function<void()> end)
        : loop(l), gateway(g), logger(lg), options(std::move(o)), on_end(std::move(end)),
          in(l.impl().io) {}

    void open() {
        // Our own descriptor, so closing it at stop() leaves fd 0 alone.
        boost::system::error_code ec;
        const int fd = ::dup(options.in_fd);
        if (fd >= 0) in.assign(fd, ec);
        if (fd < 0 || ec) {
            if (fd >= 0 && ec) ::close(fd);
            logger.error("mcp: cannot read stdin",
                         {{"error", fd < 0 ? std::string(std::strerror(errno)) : ec.message()}});
            if (on_end) loop.post(on_end);
            return;
        }
        read();
    }

    void read() {
        auto self = shared_from_this();
        in.async_read_some(boost::asio::buffer(chunk),
                           [self](const boost::system::error_code& ec, size_t n) {
                               if (ec == boost::asio::error::operation_aborted || self->stopped)
                                   return;
                               if (ec) {
                                   self->end_of_input();
                                   return;
                               }
                               self->take(std::string_view(self->chunk.data(), n));
                               self->read();
                           });
    }

    void take(std::string_view bytes) {
        while (!bytes.empty()) {
            const size_t nl = bytes.find('\n');
            const std::string_view part = bytes.substr(0, nl);
            if (!skipping) {
                if (line.size() + part.size() > options.max_line_bytes) {
                    line.clear();
                    skipping = true;
                    emit(mcp::error_message("", mcp::kParseError,
                                            "Parse error: a message longer than " +
                                                std::to_string(options.max_line_bytes) +
                                                " bytes; it was skipped"));
                } else {
                    line.append(part);
                }
            }
            if (nl == std::string_view::npos) return;
            bytes.remove_prefix(nl + 1);
            if (!skipping) dispatch(std::move(line));
            line.clear();
            skipping = false;
        }
    }

    void dispatch(std::string message) {
        if (!message.empty() && message.back() == '\r') message.pop_back();
        if (message.find_first_not_of(" \t") == std::string::npos) return;
        mcp::RpcMessage m;
        mcp::DecodeError error;
        const bool decoded = mcp::decode_message(message, m, error);
        core::HttpRequest request;
        request.method = "POST";
        request.target = "/mcp";
        request.peer = "stdio:mcp";
        request.headers.add("content-type", "application/json");
        request.headers.add("accept", "application/json, text/event-stream");
        if (!session_id.empty()) request.headers.add("mcp-session-id", session_id);
        if (!options.api_key.empty())
            request.headers.add("authorization", "Bearer " + options.api_key);
        request.body = std::move(message);
        calls.push_back(std::make_unique<Call>(*this, decoded ? m.id : std::string()));
        Call* call = calls.back().get();
        auto task = gateway.handle(std::move(request), call);
        if (has(call)) call->task = std::move(task);
    }

    void emit(std::string_view message) {
        std::string out;
        out.reserve(message.size() + 1);
        out.append(message);
        out.push_back('\n');
        // The client reads what it asked for; a blocking write keeps the
        // messages whole and in order without a queue.
        size_t at = 0;
        while (at < out.size()) {
            const ssize_t n = ::write(options.out_fd, out.data() + at, out.size() - at);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) {
                if (!out_broken) logger.warn("mcp: stdout closed; answers are dropped");
                out_broken = true;
                return;
            }
            at += static_cast<size_t>(n);
        }
    }

    bool has(Call* call) const {
        for (const auto& c : calls)
            if (c.get() == call) return true;
        return false;
    }

    // Called from inside the call's writer: freed later, on the loop.
    void retire(Call* call) {
        std::weak_ptr<Impl> weak = shared_from_this();
        loop.post([weak, call] {
            auto self = weak.lock();
            if (!self) return;
            self->calls.remove_if([call](const auto& c) { return c.get() == call; });
        });
    }

    void end_of_input() {
        if (stopped) return;
        logger.info("mcp: stdin closed; stopping");
        if (on_end) on_end();
    }

    EventLoop& loop;
    gateway::Gateway& gateway;
    telemetry::Logger& logger;
    McpStdioOptions options;
    std::function<void()> on_end;
    boost::asio::posix::stream_descriptor in;
    std::array<char, 64 * 1024> chunk{};
    std::string line;
    bool skipping = false;
    std::string session_id;
    std::list<std::unique_ptr<Call>> calls;
    bool stopped = false;
    bool out_broken = false;
};

McpStdio::McpStdio(EventLoop& loop, gateway::Gateway& gateway, telemetry::Logger& logger,
                   McpStdioOptions options, std::function<void()> on_end_of_input)
    : impl_(std::make_shared<Impl>(loop, gateway, logger, std::move(options),
                                   std::move(on_end_of_input))) {}

McpStdio::~McpStdio() {
    stop();
}

void McpStdio::start() {
    impl_->open();
}

void McpStdio::stop() {
    if (impl_->stopped) return;
    impl_->stopped = true;
    boost::system::error_code ignored;
    impl_->in.cancel(ignored);
    impl_->in.close(ignored);
    impl_->calls.clear();
}

} // namespace edgeai::platform::native
