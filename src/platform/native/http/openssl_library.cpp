// The forwarders: each OpenSSL function the listener uses, defined here under
// its own name, calling the one resolved from the loaded libssl. Defining them
// in a file that includes OpenSSL's headers makes the compiler check every
// signature against OpenSSL's own declaration. The executable does not export
// them (nothing it links refers to them), so libssl and a libcurl loaded
// later still bind to the real functions.
//
// A new OpenSSL call elsewhere fails to link ("undefined reference to X")
// until X is added to the list below. Forwarders nothing calls are dropped by
// the release link (--gc-sections); the last group serves the unit tests.
#include "platform/native/http/openssl_library.h"

#include <dlfcn.h>
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/opensslv.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>

#define EDGEAI_OPENSSL_FUNCTIONS(X)                                                                \
    /* Asio's ssl::context and ssl::stream */                                                      \
    X(const SSL_METHOD*, TLS_method, (void), ())                                                   \
    X(const SSL_METHOD*, TLS_client_method, (void), ())                                            \
    X(const SSL_METHOD*, TLS_server_method, (void), ())                                            \
    X(SSL_CTX*, SSL_CTX_new, (const SSL_METHOD* meth), (meth))                                     \
    X(void, SSL_CTX_free, (SSL_CTX * ctx), (ctx))                                                  \
    X(long, SSL_CTX_ctrl, (SSL_CTX * ctx, int cmd, long larg, void* parg), (ctx, cmd, larg, parg)) \
    X(void*, SSL_CTX_get_ex_data, (const SSL_CTX* ctx, int idx), (ctx, idx))                       \
    X(int, SSL_CTX_set_ex_data, (SSL_CTX * ctx, int idx, void* data), (ctx, idx, data))            \
    X(void*, SSL_CTX_get_default_passwd_cb_userdata, (SSL_CTX * ctx), (ctx))                       \
    X(void, SSL_CTX_set_default_passwd_cb_userdata, (SSL_CTX * ctx, void* u), (ctx, u))            \
    X(SSL*, SSL_new, (SSL_CTX * ctx), (ctx))                                                       \
    X(void, SSL_free, (SSL * ssl), (ssl))                                                          \
    X(long, SSL_ctrl, (SSL * ssl, int cmd, long larg, void* parg), (ssl, cmd, larg, parg))         \
    X(void*, SSL_get_ex_data, (const SSL* ssl, int idx), (ssl, idx))                               \
    X(int, SSL_set_ex_data, (SSL * ssl, int idx, void* data), (ssl, idx, data))                    \
    X(void, SSL_set_bio, (SSL * s, BIO * rbio, BIO * wbio), (s, rbio, wbio))                       \
    X(int, SSL_accept, (SSL * ssl), (ssl))                                                         \
    X(int, SSL_connect, (SSL * ssl), (ssl))                                                        \
    X(int, SSL_read, (SSL * ssl, void* buf, int num), (ssl, buf, num))                             \
    X(int, SSL_write, (SSL * ssl, const void* buf, int num), (ssl, buf, num))                      \
    X(int, SSL_shutdown, (SSL * s), (s))                                                           \
    X(int, SSL_get_shutdown, (const SSL* ssl), (ssl))                                              \
    X(int, SSL_get_error, (const SSL* s, int ret_code), (s, ret_code))                             \
    X(int, BIO_new_bio_pair, (BIO * *bio1, size_t writebuf1, BIO * *bio2, size_t writebuf2),       \
      (bio1, writebuf1, bio2, writebuf2))                                                          \
    X(size_t, BIO_ctrl_pending, (BIO * b), (b))                                                    \
    X(int, BIO_read, (BIO * b, void* data, int dlen), (b, data, dlen))                             \
    X(int, BIO_write, (BIO * b, const void* data, int dlen), (b, data, dlen))                      \
    X(int, BIO_free, (BIO * a), (a))                                                               \
    X(unsigned long, ERR_get_error, (void), ())                                                    \
    X(void, ERR_clear_error, (void), ())                                                           \
    X(const char*, ERR_reason_error_string, (unsigned long e), (e))                                \
    /* tls_context */                                                                              \
    X(void, ERR_error_string_n, (unsigned long e, char* buf, size_t len), (e, buf, len))           \
    X(unsigned long, ERR_peek_last_error, (void), ())                                              \
    X(uint64_t, SSL_CTX_set_options, (SSL_CTX * ctx, uint64_t op), (ctx, op))                      \
    X(int, SSL_CTX_set_cipher_list, (SSL_CTX * ctx, const char* str), (ctx, str))                  \
    X(int, SSL_CTX_set_session_id_context,                                                         \
      (SSL_CTX * ctx, const unsigned char* sid_ctx, unsigned int sid_ctx_len),                     \
      (ctx, sid_ctx, sid_ctx_len))                                                                 \
    X(void, SSL_CTX_set_default_passwd_cb, (SSL_CTX * ctx, pem_password_cb * cb), (ctx, cb))       \
    X(void, SSL_CTX_set_verify, (SSL_CTX * ctx, int mode, SSL_verify_cb callback),                 \
      (ctx, mode, callback))                                                                       \
    X(int, SSL_CTX_use_certificate, (SSL_CTX * ctx, X509 * x), (ctx, x))                           \
    X(int, SSL_CTX_use_PrivateKey, (SSL_CTX * ctx, EVP_PKEY * pkey), (ctx, pkey))                  \
    X(int, SSL_CTX_check_private_key, (const SSL_CTX* ctx), (ctx))                                 \
    X(X509*, SSL_CTX_get0_certificate, (const SSL_CTX* ctx), (ctx))                                \
    X(X509_STORE*, SSL_CTX_get_cert_store, (const SSL_CTX* ctx), (ctx))                            \
    X(int, SSL_CTX_add_client_CA, (SSL_CTX * ctx, X509 * x), (ctx, x))                             \
    X(X509*, SSL_get0_peer_certificate, (const SSL* s), (s))                                       \
    X(long, SSL_get_verify_result, (const SSL* ssl), (ssl))                                        \
    X(const char*, SSL_get_version, (const SSL* s), (s))                                           \
    X(const SSL_CIPHER*, SSL_get_current_cipher, (const SSL* s), (s))                              \
    X(const char*, SSL_CIPHER_get_name, (const SSL_CIPHER* c), (c))                                \
    X(BIO*, BIO_new, (const BIO_METHOD* type), (type))                                             \
    X(const BIO_METHOD*, BIO_s_mem, (void), ())                                                    \
    X(BIO*, BIO_new_mem_buf, (const void* buf, int len), (buf, len))                               \
    X(long, BIO_ctrl, (BIO * bp, int cmd, long larg, void* parg), (bp, cmd, larg, parg))           \
    X(X509*, PEM_read_bio_X509, (BIO * bp, X509 * *x, pem_password_cb * cb, void* u),              \
      (bp, x, cb, u))                                                                              \
    X(X509*, PEM_read_bio_X509_AUX, (BIO * bp, X509 * *x, pem_password_cb * cb, void* u),          \
      (bp, x, cb, u))                                                                              \
    X(EVP_PKEY*, PEM_read_bio_PrivateKey,                                                          \
      (BIO * bp, EVP_PKEY * *x, pem_password_cb * cb, void* u), (bp, x, cb, u))                    \
    X(void, EVP_PKEY_free, (EVP_PKEY * pkey), (pkey))                                              \
    X(void, X509_free, (X509 * a), (a))                                                            \
    X(int, X509_STORE_add_cert, (X509_STORE * ctx, X509 * x), (ctx, x))                            \
    X(X509_NAME*, X509_get_subject_name, (const X509* a), (a))                                     \
    X(const ASN1_TIME*, X509_get0_notAfter, (const X509* x), (x))                                  \
    X(int, X509_cmp_current_time, (const ASN1_TIME* s), (s))                                       \
    X(int, X509_NAME_get_index_by_NID, (const X509_NAME* name, int nid, int lastpos),              \
      (name, nid, lastpos))                                                                        \
    X(X509_NAME_ENTRY*, X509_NAME_get_entry, (const X509_NAME* name, int loc), (name, loc))        \
    X(ASN1_STRING*, X509_NAME_ENTRY_get_data, (const X509_NAME_ENTRY* ne), (ne))                   \
    X(int, X509_NAME_print_ex, (BIO * out, const X509_NAME* nm, int indent, unsigned long flags),  \
      (out, nm, indent, flags))                                                                    \
    X(int, ASN1_STRING_to_UTF8, (unsigned char** out, const ASN1_STRING* in), (out, in))           \
    X(int, ASN1_TIME_to_tm, (const ASN1_TIME* s, struct tm* tm), (s, tm))                          \
    X(int, ASN1_TIME_diff, (int* pday, int* psec, const ASN1_TIME* from, const ASN1_TIME* to),     \
      (pday, psec, from, to))                                                                      \
    X(void, CRYPTO_free, (void* ptr, const char* file, int line), (ptr, file, line))               \
    X(void, OPENSSL_cleanse, (void* ptr, size_t len), (ptr, len))                                  \
    /* unit tests (in-memory handshakes) */                                                        \
    X(int, SSL_do_handshake, (SSL * s), (s))                                                       \
    X(void, SSL_set_accept_state, (SSL * s), (s))                                                  \
    X(void, SSL_set_connect_state, (SSL * s), (s))                                                 \
    X(uint64_t, SSL_CTX_get_options, (const SSL_CTX* ctx), (ctx))                                  \
    X(void, SSL_CTX_set_security_level, (SSL_CTX * ctx, int level), (ctx, level))                  \
    X(BIO*, BIO_new_file, (const char* filename, const char* mode), (filename, mode))

namespace edgeai::platform::native {
namespace {

#define EDGEAI_STRINGIZE2(x) #x
#define EDGEAI_STRINGIZE(x) EDGEAI_STRINGIZE2(x)
#if OPENSSL_VERSION_MAJOR >= 3
constexpr const char* kLibraryName = "libssl.so." EDGEAI_STRINGIZE(OPENSSL_SHLIB_VERSION);
#else
constexpr const char* kLibraryName = "libssl.so.1.1";
#endif

enum Function : unsigned {
#define EDGEAI_ENUM(ret, name, params, args) k_##name,
    EDGEAI_OPENSSL_FUNCTIONS(EDGEAI_ENUM)
#undef EDGEAI_ENUM
        kFunctionCount
};

constexpr const char* kNames[] = {
#define EDGEAI_NAME(ret, name, params, args) #name,
    EDGEAI_OPENSSL_FUNCTIONS(EDGEAI_NAME)
#undef EDGEAI_NAME
};

void* g_functions[kFunctionCount] = {};
std::atomic<bool> g_loaded{false};

core::Status load() {
    void* handle = ::dlopen(kLibraryName, RTLD_NOW | RTLD_LOCAL);
    if (handle == nullptr) {
        const char* why = ::dlerror();
        return core::unavailable(
            std::string("TLS needs ") + kLibraryName +
            " (Debian package libssl3): " + (why != nullptr ? why : "not found"));
    }
    std::string missing;
    for (unsigned i = 0; i < kFunctionCount; ++i) {
        // The handle's scope covers libssl and its libcrypto.
        g_functions[i] = ::dlsym(handle, kNames[i]);
        if (g_functions[i] == nullptr)
            missing += std::string(missing.empty() ? "" : ", ") + kNames[i];
    }
    if (!missing.empty())
        return core::unavailable(std::string(kLibraryName) + " lacks " + missing +
                                 " (edgeai needs OpenSSL 1.1.1 or newer)");
    g_loaded.store(true, std::memory_order_release);
    return {};
}

const core::Status& loaded_status() {
    static std::once_flag once;
    static core::Status status;
    std::call_once(once, [] { status = load(); });
    return status;
}

// Only reached by a call that comes before load_openssl() succeeded, which
// the listener never makes; a forwarder has nothing to return, so it stops.
void* function(Function f) {
    if (!g_loaded.load(std::memory_order_acquire)) {
        const core::Status& s = loaded_status();
        if (!s.ok()) {
            std::fprintf(stderr, "edgeai: %s\n", s.message().c_str());
            std::abort();
        }
    }
    return g_functions[f];
}

} // namespace

core::Status load_openssl() {
    return loaded_status();
}

} // namespace edgeai::platform::native

#define EDGEAI_FORWARD(ret, name, params, args)                                                    \
    extern "C" ret name params {                                                                   \
        using Fn = ret(*) params;                                                                  \
        return reinterpret_cast<Fn>(                                                               \
            ::edgeai::platform::native::function(::edgeai::platform::native::k_##name)) args;      \
    }
EDGEAI_OPENSSL_FUNCTIONS(EDGEAI_FORWARD)
#undef EDGEAI_FORWARD
