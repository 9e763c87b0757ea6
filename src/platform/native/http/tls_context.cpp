#include "platform/native/http/tls_context.h"

#include "platform/native/http/openssl_library.h"
#include "platform/native/system/files.h"
#include "platform/native/system/secret_files.h"

#include <boost/asio/ssl/context.hpp>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <ctime>
#include <exception>

namespace edgeai::platform::native {

namespace {

constexpr int kExpiryWarningDays = 30;
// Sessions kept for TLS 1.2 resumption; OpenSSL's default (20480) is a lot of
// memory to hold for an edge device's handful of clients.
constexpr long kSessionCacheSize = 1024;

struct BioDeleter {
    void operator()(BIO* b) const { BIO_free(b); }
};
struct X509Deleter {
    void operator()(X509* x) const { X509_free(x); }
};
using BioPtr = std::unique_ptr<BIO, BioDeleter>;
using X509Ptr = std::unique_ptr<X509, X509Deleter>;

// The most specific reason OpenSSL queued (the last one), and an empty queue
// afterwards: a stale entry would be read as the cause of the next handshake's
// failure on this thread.
std::string take_openssl_error() {
    unsigned long last = 0;
    while (unsigned long e = ERR_get_error())
        last = e;
    if (last == 0) return "unknown OpenSSL error";
    char text[256];
    ERR_error_string_n(last, text, sizeof text);
    return text;
}

core::Status fail(std::string message) {
    ERR_clear_error();
    return core::invalid_argument(std::move(message));
}

// Never prompt on a terminal for a passphrase: an encrypted key just fails.
int no_passphrase(char*, int, int, void*) {
    return 0;
}

BioPtr memory_bio(const std::string& bytes) {
    return BioPtr(BIO_new_mem_buf(bytes.data(), static_cast<int>(bytes.size())));
}

std::string name_text(const X509_NAME* name) {
    BioPtr out(BIO_new(BIO_s_mem()));
    if (!out || X509_NAME_print_ex(out.get(), name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) < 0)
        return {};
    char* data = nullptr;
    long n = BIO_get_mem_data(out.get(), &data);
    return n > 0 ? std::string(data, static_cast<size_t>(n)) : std::string();
}

std::string time_text(const ASN1_TIME* t) {
    std::tm tm{};
    if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) return {};
    char text[32];
    std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    return text;
}

TlsCertificateInfo describe(const X509* cert) {
    TlsCertificateInfo info;
    info.subject = name_text(X509_get_subject_name(cert));
    const ASN1_TIME* not_after = X509_get0_notAfter(cert);
    info.not_after = time_text(not_after);
    info.expired = X509_cmp_current_time(not_after) < 0;
    int days = 0;
    int seconds = 0;
    if (ASN1_TIME_diff(&days, &seconds, nullptr, not_after) == 1)
        info.expires_soon = days < kExpiryWarningDays;
    return info;
}

core::Status load_certificate_chain(SSL_CTX* ctx, const std::string& path) {
    auto pem = read_text_file(path);
    if (!pem.ok()) return fail("tls.cert: " + pem.status().message());
    BioPtr bio = memory_bio(*pem);
    X509Ptr leaf(PEM_read_bio_X509_AUX(bio.get(), nullptr, no_passphrase, nullptr));
    if (!leaf)
        return fail("tls.cert " + path + " holds no PEM certificate (" + take_openssl_error() +
                    ")");
    if (SSL_CTX_use_certificate(ctx, leaf.get()) != 1)
        return fail("tls.cert " + path + " is not usable: " + take_openssl_error());
    // The rest of the file is the chain sent along, intermediates first.
    SSL_CTX_clear_chain_certs(ctx);
    while (X509* extra = PEM_read_bio_X509(bio.get(), nullptr, no_passphrase, nullptr)) {
        if (SSL_CTX_add0_chain_cert(ctx, extra) != 1) {
            X509_free(extra);
            return fail("tls.cert " + path +
                        ": a chain certificate is not usable: " + take_openssl_error());
        }
    }
    // The loop ends on "no start line", which is the normal end of the file.
    ERR_clear_error();
    return {};
}

core::Status key_mismatch(const core::TlsSettings& s, const std::string& why) {
    return fail("tls.key " + s.key + " does not match the certificate in tls.cert " + s.cert +
                " (" + why + ")");
}

core::Status load_private_key(SSL_CTX* ctx, const core::TlsSettings& s) {
    const std::string& path = s.key;
    auto pem = read_secret_file(path);
    if (!pem.ok()) return fail("tls.key: " + pem.status().message());
    BioPtr bio = memory_bio(*pem);
    EVP_PKEY* key = PEM_read_bio_PrivateKey(bio.get(), nullptr, no_passphrase, nullptr);
    // The copy of the key in our memory goes as soon as OpenSSL has its own.
    OPENSSL_cleanse(pem->data(), pem->size());
    if (key == nullptr)
        return fail("tls.key " + path +
                    " holds no PEM private key, or an encrypted one (edgeai needs it "
                    "unencrypted, protected by its file mode): " +
                    take_openssl_error());
    const int used = SSL_CTX_use_PrivateKey(ctx, key);
    EVP_PKEY_free(key);
    if (used != 1) {
        // OpenSSL compares the key with the certificate loaded before it.
        const int reason = ERR_GET_REASON(ERR_peek_last_error());
        if (reason == X509_R_KEY_VALUES_MISMATCH || reason == X509_R_KEY_TYPE_MISMATCH)
            return key_mismatch(s, take_openssl_error());
        return fail("tls.key " + path + " is not usable: " + take_openssl_error());
    }
    if (SSL_CTX_check_private_key(ctx) != 1) return key_mismatch(s, take_openssl_error());
    return {};
}

core::Status load_client_ca(SSL_CTX* ctx, const core::TlsSettings& s) {
    auto pem = read_text_file(s.client_ca);
    if (!pem.ok()) return fail("tls.client_ca: " + pem.status().message());
    BioPtr bio = memory_bio(*pem);
    X509_STORE* store = SSL_CTX_get_cert_store(ctx);
    int count = 0;
    while (X509* ca = PEM_read_bio_X509(bio.get(), nullptr, no_passphrase, nullptr)) {
        X509Ptr owned(ca);
        // The store takes its own reference; the CA's name also goes into the
        // handshake's CertificateRequest so clients know which certificate to send.
        if (X509_STORE_add_cert(store, ca) != 1 || SSL_CTX_add_client_CA(ctx, ca) != 1)
            return fail("tls.client_ca " + s.client_ca +
                        ": a certificate is not usable: " + take_openssl_error());
        ++count;
    }
    ERR_clear_error();
    if (count == 0) return fail("tls.client_ca " + s.client_ca + " holds no PEM certificate");
    int mode = SSL_VERIFY_PEER | SSL_VERIFY_CLIENT_ONCE;
    if (s.client_cert_required) mode |= SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
    SSL_CTX_set_verify(ctx, mode, nullptr);
    return {};
}

} // namespace

core::Result<TlsServerContext> make_tls_server_context(const core::TlsSettings& s) {
    if (s.cert.empty()) return fail("tls.cert is empty: name the PEM certificate chain");
    if (s.key.empty()) return fail("tls.key is empty: name the PEM private key for tls.cert");
    int min_version = 0;
    if (s.min_version == "1.2") {
        min_version = TLS1_2_VERSION;
    } else if (s.min_version == "1.3") {
        min_version = TLS1_3_VERSION;
    } else {
        return fail("tls.min_version must be \"1.2\" or \"1.3\", not \"" + s.min_version + "\"");
    }
    if (s.client_cert_required && s.client_ca.empty())
        return fail("tls.client_cert_required needs tls.client_ca, the CA that client "
                    "certificates are verified against");

    EDGEAI_TRY(load_openssl());
    std::shared_ptr<boost::asio::ssl::context> holder;
    try {
        holder = std::make_shared<boost::asio::ssl::context>(boost::asio::ssl::context::tls_server);
    } catch (const std::exception& e) {
        return fail(std::string("cannot make a TLS context: ") + e.what());
    }
    SSL_CTX* ctx = holder->native_handle();
    SSL_CTX_set_default_passwd_cb(ctx, no_passphrase);
    if (SSL_CTX_set_min_proto_version(ctx, min_version) != 1)
        return fail("cannot set the TLS minimum version: " + take_openssl_error());
    SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION |
                                 SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_PRIORITIZE_CHACHA);
    if (SSL_CTX_set_cipher_list(ctx, kTls12Ciphers) != 1)
        return fail("cannot set the TLS 1.2 cipher list: " + take_openssl_error());
    // Resumed sessions keep their client certificate; OpenSSL refuses to
    // resume a verified session without an id context.
    static const unsigned char kSessionContext[] = "edgeai";
    SSL_CTX_set_session_id_context(ctx, kSessionContext, sizeof kSessionContext - 1);
    SSL_CTX_sess_set_cache_size(ctx, kSessionCacheSize);

    EDGEAI_TRY(load_certificate_chain(ctx, s.cert));
    EDGEAI_TRY(load_private_key(ctx, s));
    if (!s.client_ca.empty()) EDGEAI_TRY(load_client_ca(ctx, s));

    TlsServerContext out;
    out.certificate = describe(SSL_CTX_get0_certificate(ctx));
    out.context = std::move(holder);
    ERR_clear_error();
    return out;
}

std::string verified_client_cn(ssl_st* ssl) {
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
    X509* cert = SSL_get0_peer_certificate(ssl);
#else
    X509Ptr owned(SSL_get_peer_certificate(ssl));
    X509* cert = owned.get();
#endif
    if (cert == nullptr || SSL_get_verify_result(ssl) != X509_V_OK) return {};
    const X509_NAME* name = X509_get_subject_name(cert);
    const int index = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
    // Two CNs would leave it to us to pick one identity: none is safer.
    if (index < 0 || X509_NAME_get_index_by_NID(name, NID_commonName, index) >= 0) return {};
    const ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, index));
    unsigned char* utf8 = nullptr;
    const int n = ASN1_STRING_to_UTF8(&utf8, data);
    if (n <= 0) {
        ERR_clear_error();
        return {};
    }
    std::string cn(reinterpret_cast<const char*>(utf8), static_cast<size_t>(n));
    OPENSSL_free(utf8);
    // An embedded NUL or a line break could make one name look like another.
    for (unsigned char c : cn)
        if (c < 0x20 || c == 0x7f) return {};
    return cn;
}

std::string negotiated_tls(ssl_st* ssl) {
    std::string out = SSL_get_version(ssl);
    if (const SSL_CIPHER* cipher = SSL_get_current_cipher(ssl)) {
        out += ' ';
        out += SSL_CIPHER_get_name(cipher);
    }
    return out;
}

} // namespace edgeai::platform::native
