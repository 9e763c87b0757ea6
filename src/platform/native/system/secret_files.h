// Files that hold secrets (provider keys, TLS private keys, HMAC keys): read
// only when no one but the owner may read them, written owner-only.
#pragma once

#include "core/result.h"

#include <string>
#include <string_view>

namespace edgeai::platform::native {

// Reads a file holding a secret (a provider key, a TLS private key, an HMAC
// key). Refused with a message naming the fix when group or others may read
// or write it: a secret readable by every local user is not a secret.
core::Result<std::string> read_secret_file(const std::string& path);

// Writes `content` to a new file readable by the owner only (0600); refuses
// to replace an existing one.
core::Status write_secret_file(const std::string& path, std::string_view content);

} // namespace edgeai::platform::native
