// TLS for the listener: an OpenSSL server context built from the [tls]
// settings (certificate chain, private key, optional client CA for mTLS), and
// the client identity a verified handshake yields. A context is immutable once
// built; reloading builds a new one, so connections keep the one they were
// accepted with.
#pragma once

#include "core/config/settings.h"
#include "core/result.h"

#include <memory>
#include <string>

// Only the names: the OpenSSL and Asio SSL headers stay in the .cpp files.
namespace boost::asio::ssl {
class context;
} // namespace boost::asio::ssl
struct ssl_st;

namespace edgeai::platform::native {

// What the loaded certificate says, for the log line of a start or reload.
struct TlsCertificateInfo {
    std::string subject;   // "CN=gateway.local,O=Example" (RFC 2253)
    std::string not_after; // "2026-05-01T12:00:00Z"
    bool expired = false;
    // Fewer than 30 days left (or already expired): worth a warning.
    bool expires_soon = false;
};

struct TlsServerContext {
    std::shared_ptr<boost::asio::ssl::context> context;
    TlsCertificateInfo certificate;
};

// TLS 1.2 ciphers: forward secrecy (ECDHE) with AEAD (AES-GCM, ChaCha20-Poly1305)
// only. TLS 1.3 uses OpenSSL's defaults, which are all of that kind.
inline constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

// Builds a server context: TLS 1.2 or 1.3 at least (min_version), the cipher
// list above with the server's preference, no compression, no renegotiation.
// The key is read with read_secret_file (refused when group or others may read
// it) and must match the certificate. With client_ca, client certificates are
// requested and verified against it (required with client_cert_required).
// Every error names the setting and the file.
core::Result<TlsServerContext> make_tls_server_context(const core::TlsSettings& settings);

// The subject CN of the client certificate the handshake on `ssl` verified;
// empty without one, or when the CN is missing, repeated or has control bytes.
std::string verified_client_cn(ssl_st* ssl);

// "TLSv1.3 TLS_AES_256_GCM_SHA384", for a debug line about a handshake.
std::string negotiated_tls(ssl_st* ssl);

} // namespace edgeai::platform::native
