// OpenSSL for the listener, loaded when TLS is configured rather than at
// start: linked, libssl and libcrypto cost 1.7 MB of resident pages in every
// gateway (idle server, 5.8 -> 7.4 MB), most of which serve plain HTTP on a
// LAN. The OpenSSL functions that Asio's SSL stream and tls_context call are
// defined in openssl_library.cpp as forwarders to the loaded library, so the
// binary does not name libssl at all.
#pragma once

#include "core/result.h"

namespace edgeai::platform::native {

// Loads libssl (and with it libcrypto) once, thread-safe, and resolves every
// function the forwarders need; an error names the library and the package.
// Calls before this are safe too: a forwarder loads the library first.
core::Status load_openssl();

} // namespace edgeai::platform::native
