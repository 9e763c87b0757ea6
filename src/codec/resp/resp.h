// RESP2, the protocol Redis speaks: commands go out as arrays of bulk
// strings, replies come back typed. The reply reader is a parser of outside
// bytes (a Redis that is not one, a port that is something else): it caps
// sizes, counts and nesting, never over-reads, and tells a reply cut short
// (wait for more bytes) from bytes that can never be a reply (drop the
// connection).
#pragma once

#include "core/result.h"

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace edgeai::codec::resp {

enum class ReplyType : uint8_t {
    kSimple,  // +OK
    kError,   // -ERR ... (text holds the message)
    kInteger, // :42
    kBulk,    // $3 foo
    kNull,    // $-1 or *-1
    kArray,   // *2 ...
};

struct Reply {
    ReplyType type = ReplyType::kNull;
    std::string text;            // kSimple, kError, kBulk
    int64_t integer = 0;         // kInteger
    std::vector<Reply> elements; // kArray
};

// What the reader accepts; past these a reply is refused as garbage. The
// replies this gateway asks for are a few numbers and short strings.
struct ReplyLimits {
    size_t max_bulk_bytes = 512 * 1024;
    size_t max_elements = 1024; // per array
    int max_depth = 4;          // arrays within arrays
    size_t max_line_bytes = 4096;
};

// Appends one command, e.g. {"EVALSHA", sha, "2", key1, key2, arg}.
void append_command(std::string& out, std::initializer_list<std::string_view> args);
void append_command(std::string& out, const std::vector<std::string>& args);

class ReplyReader {
  public:
    explicit ReplyReader(ReplyLimits limits = {}) : limits_(limits) {}
    void feed(std::string_view bytes);
    // One whole reply: true and `out` set; false when more bytes are needed;
    // an error (kDataLoss) when the bytes cannot be RESP2, after which the
    // stream cannot be resynchronised and the connection must be dropped.
    core::Result<bool> next(Reply& out);
    size_t buffered() const { return buffer_.size() - at_; }

  private:
    enum class Step : uint8_t { kDone, kNeedMore, kBad };
    Step parse(size_t& pos, Reply& out, int depth, std::string& why);
    Step read_line(size_t& pos, std::string_view& line, std::string& why) const;

    ReplyLimits limits_;
    std::string buffer_;
    size_t at_ = 0; // start of the first reply not yet handed out
};

} // namespace edgeai::codec::resp
