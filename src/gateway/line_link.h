// LineLink: the gateway on a pipe of JSON lines (edgeai.wasm's stdio shell,
// codec/lines/json_lines.h for the protocol). The same idea as FrameLink:
// each request line becomes the core::HttpRequest an HTTP client would send
// and goes through Gateway::handle; its answer goes back as lines carrying
// the request's id, so several requests may be in flight and interleave.
// The shell owns the bytes: it feeds what it reads to receive() and writes
// what LinkOutput::send() queues.
#pragma once

#include "core/executor.h"
#include "gateway/frame_link.h"
#include "gateway/gateway.h"

#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace edgeai::gateway {

struct LineLinkOptions {
    // Who is on the other end, for keys and logs.
    std::string peer = "stdio";
    // A longer line is skipped to its end and answered with line_too_long.
    size_t max_line_bytes = size_t{4} << 20;
    // Requests being answered at once.
    size_t max_in_flight = 32;
};

class LineLink {
  public:
    LineLink(Gateway& gateway, core::Executor& executor, LinkOutput& output,
             LineLinkOptions options);
    // Every request still running is cancelled (the link is gone).
    ~LineLink();
    LineLink(const LineLink&) = delete;
    LineLink& operator=(const LineLink&) = delete;

    // Bytes read from the pipe, in any pieces.
    void receive(std::string_view bytes);
    // The pipe closed. A line cut off without its newline is answered with
    // an error; requests in flight are still answered to their end.
    void end_of_input();
    // The output queue fell below its low-water mark.
    void on_drained();
    size_t in_flight() const { return calls_.size(); }

    class Call;

  private:
    void on_line(std::string_view line);
    void cancel(const std::string& id);
    void send_error(std::string_view id, std::string_view code, std::string_view message);
    void finished(const std::string& id);

    Gateway& gateway_;
    core::Executor& executor_;
    LinkOutput& output_;
    LineLinkOptions options_;
    // The line being gathered; past max_line_bytes only its first bytes are
    // kept (to find its id) and the rest is skipped up to its newline.
    std::string line_;
    bool overlong_ = false;
    std::map<std::string, std::unique_ptr<Call>> calls_;
    // Answered calls, freed from a posted task: they end inside their own
    // writer calls. Their ids are free for new requests at once.
    std::vector<std::unique_ptr<Call>> retired_;
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

} // namespace edgeai::gateway
