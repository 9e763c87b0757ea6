// The JSON-lines protocol of edgeai.wasm's stdio shell (docs/protocol.md):
// one request per line in, its answer as lines out, every line carrying the
// request's id so several requests can be in flight on one pipe.
//
//   in:  {"id":1,"method":"POST","path":"/v1/chat/completions",
//         "headers":{"accept":"text/event-stream"},"body":{...}}
//        {"id":1,"cancel":true}
//   out: {"id":1,"type":"head","status":200,"headers":{...}}
//        {"id":1,"type":"body","body":{...}}          (a whole answer)
//        {"id":1,"type":"event","data":{...}}         (each event of a stream)
//        {"id":1,"type":"end"}
//        {"id":1,"type":"error","error":{"code":"...","message":"..."}}
//
// This file knows bytes only: a line to a request, an answer's pieces to
// lines. gateway/line_link runs the requests.
#pragma once

#include "core/http_types.h"
#include "core/status.h"

#include <string>
#include <string_view>

namespace edgeai::codec {

// A request id as it goes back out: the JSON text of a string or an integer
// ("\"a\"", "7"), normalised so the same id always has the same text.
// Empty when the line had none that could be read.
struct LineDecode {
    std::string id;
    bool cancel = false;       // {"id":..,"cancel":true}
    core::Status status;       // why the line is not a request (the id may still be known)
    std::string error_code;    // with a failed status: bad_line, missing_id, ...
    core::HttpRequest request; // method, target, headers, body
};

// The longest id kept (a longer one is refused, not truncated).
inline constexpr size_t kMaxLineIdBytes = 256;

// Decodes one line (without its '\n').
LineDecode decode_request_line(std::string_view line);

// The id of a line too long to parse, from its first bytes: found only when
// "id" is the object's first member. Empty when not found.
std::string find_line_id(std::string_view prefix);

// Answers, one line each, '\n' included.
void append_head_line(std::string& out, std::string_view id, int status,
                      const core::Headers& headers);
// A whole body: JSON inline when the content type says JSON and it is;
// other text as a string; anything else (MessagePack) as body_base64.
void append_body_line(std::string& out, std::string_view id, std::string_view content_type,
                      std::string_view body);
// One event of a stream: `data` inline when it is JSON, else a string;
// `event` only when the stream names it.
void append_event_line(std::string& out, std::string_view id, std::string_view event,
                       std::string_view data);
// One piece of a binary stream (MessagePack events), as data_base64.
void append_binary_event_line(std::string& out, std::string_view id, std::string_view bytes);
void append_end_line(std::string& out, std::string_view id);
// `id` empty: "id":null (the line's id could not be read).
void append_error_line(std::string& out, std::string_view id, std::string_view code,
                       std::string_view message);

} // namespace edgeai::codec
