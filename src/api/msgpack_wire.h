// MessagePack on the /v1 API (issue 23): a client sends
// `Content-Type: application/msgpack` and/or asks `Accept: application/msgpack`
// (or the vnd.msgpack and x-msgpack spellings) and gets the same API. The
// translation is here, once, at the edge: a MessagePack request body becomes
// the JSON every decoder, backend and upstream reads, and a JSON answer (or
// each event of a stream) becomes MessagePack on its way out. Ollama's /api
// routes stay JSON, as Ollama's clients speak it.
#pragma once

#include "codec/sse/sse_parser.h"
#include "core/result.h"

#include <string>
#include <string_view>

namespace edgeai::api {

// The MessagePack spelling `content_type` names ("application/msgpack", ...),
// or empty when it names another type.
std::string_view msgpack_media_type(std::string_view content_type);
// The MessagePack spelling an Accept header asks for (any entry of its list
// whose q is not 0), or empty.
std::string_view accepted_msgpack_type(std::string_view accept);

// A MessagePack request body as JSON; InvalidArgument naming the place of
// what JSON cannot hold (bin, ext, a non-string key, NaN) or what is broken.
core::Result<std::string> msgpack_body_to_json(std::string_view body, size_t max_bytes);

// A JSON answer as MessagePack; embedding vectors as float32 arrays.
core::Result<std::string> json_answer_to_msgpack(std::string_view json);

// A relayed event stream as MessagePack: each event's data (a JSON object)
// as one MessagePack map, simply concatenated; `[DONE]` is dropped (the end
// of the response says it). Bytes arrive in any pieces.
class MsgpackStream {
  public:
    // The MessagePack of the events completed by `sse`.
    std::string feed(std::string_view sse);

  private:
    codec::SseParser parser_;
};

} // namespace edgeai::api
