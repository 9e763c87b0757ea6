// Standard base64 (RFC 4648, with padding): OpenAI's embeddings come as base64
// of little-endian float32 when a client asks for encoding_format "base64"
// (the official SDKs ask for it by default).
#pragma once

#include "core/result.h"

#include <string>
#include <string_view>

namespace edgeai::codec {

void append_base64(std::string& out, std::string_view bytes);
// The bytes of standard base64 with its padding; anything else (another
// alphabet, whitespace, a missing '=') is an error naming the offset.
core::Result<std::string> decode_base64(std::string_view text);

} // namespace edgeai::codec
