// Standard base64 (RFC 4648, with padding): OpenAI's embeddings come as base64
// of little-endian float32 when a client asks for encoding_format "base64"
// (the official SDKs ask for it by default).
#pragma once

#include <string>
#include <string_view>

namespace edgeai::codec {

void append_base64(std::string& out, std::string_view bytes);

} // namespace edgeai::codec
