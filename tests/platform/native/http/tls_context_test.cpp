// The listener's TLS context: what it refuses to build (each error naming the
// setting and the file), and what it negotiates, checked with in-memory
// handshakes against OpenSSL clients (protocol floor, ciphers, client
// certificates and the CN a verified one yields). OpenSSL is reached the way
// the server reaches it, through the loaded library's forwarders.
#include "platform/native/http/tls_context.h"

#include "platform/native/http/openssl_library.h"
#include "temp_dir.h"

#include <boost/asio/ssl/context.hpp>
#include <gtest/gtest.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

namespace edgeai::platform::native {
namespace {

struct KeyDeleter {
    void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct CertDeleter {
    void operator()(X509* x) const { X509_free(x); }
};
struct CtxDeleter {
    void operator()(SSL_CTX* c) const { SSL_CTX_free(c); }
};
using Key = std::unique_ptr<EVP_PKEY, KeyDeleter>;
using Cert = std::unique_ptr<X509, CertDeleter>;
using ClientCtx = std::unique_ptr<SSL_CTX, CtxDeleter>;

// Certificates come from the openssl command line tool: the binary reaches
// OpenSSL only through its forwarders (openssl_library.cpp), which cover what
// the listener needs, not certificate authoring.
bool openssl(const std::string& dir, const std::string& args) {
    return std::system(("cd '" + dir + "' && openssl " + args + " >/dev/null 2>&1").c_str()) == 0;
}

bool make_ca(const std::string& dir, const std::string& name, const std::string& cn) {
    return openssl(dir, "req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 "
                        "-subj '/CN=" +
                            cn + "' -keyout " + name + ".key -out " + name + ".pem") &&
           ::chmod((dir + "/" + name + ".key").c_str(), 0600) == 0;
}

// A leaf for `subject` ("/CN=x", several "/CN=" or none) signed by `ca`.
bool make_leaf(const std::string& dir, const std::string& name, const std::string& subject,
               const std::string& ca, int serial) {
    std::ofstream(dir + "/" + name + ".ext") << "subjectAltName=DNS:localhost,IP:127.0.0.1\n";
    return openssl(dir, "req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj '" + subject +
                            "' -keyout " + name + ".key -out " + name + ".csr") &&
           openssl(dir, "x509 -req -in " + name + ".csr -CA " + ca + ".pem -CAkey " + ca +
                            ".key -set_serial " + std::to_string(serial) + " -days 2 -extfile " +
                            name + ".ext -out " + name + ".pem") &&
           ::chmod((dir + "/" + name + ".key").c_str(), 0600) == 0;
}

struct Identity {
    Key key;
    Cert cert;
};

Identity load_identity(const std::string& dir, const std::string& name) {
    Identity id;
    BIO* in = BIO_new_file((dir + "/" + name + ".pem").c_str(), "r");
    if (in != nullptr) id.cert.reset(PEM_read_bio_X509(in, nullptr, nullptr, nullptr));
    BIO_free(in);
    in = BIO_new_file((dir + "/" + name + ".key").c_str(), "r");
    if (in != nullptr) id.key.reset(PEM_read_bio_PrivateKey(in, nullptr, nullptr, nullptr));
    BIO_free(in);
    EXPECT_TRUE(id.cert && id.key) << name;
    return id;
}

class TlsContextTest : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        dir_ = new TempDir();
        const std::string& d = dir_->path();
        ready_ = load_openssl().ok() && make_ca(d, "ca", "edgeai test CA") &&
                 make_leaf(d, "server", "/CN=localhost", "ca", 2) &&
                 make_leaf(d, "other", "/CN=localhost", "ca", 3) &&
                 make_ca(d, "client_ca", "edgeai client CA") &&
                 make_ca(d, "other_ca", "edgeai client CA") &&
                 make_leaf(d, "device", "/CN=device-1", "client_ca", 10) &&
                 make_leaf(d, "foreign", "/CN=device-1", "other_ca", 11) &&
                 make_leaf(d, "two_cns", "/CN=device-1/CN=admin", "client_ca", 12) &&
                 make_leaf(d, "newline", "/CN=admin\ndevice", "client_ca", 13) &&
                 make_leaf(d, "no_cn", "/O=edgeai", "client_ca", 14) &&
                 openssl(d, "pkey -in server.key -aes128 -passout pass:secret -out locked.key") &&
                 ::chmod((d + "/locked.key").c_str(), 0600) == 0;
    }
    static void TearDownTestSuite() {
        delete dir_;
        dir_ = nullptr;
    }

    void SetUp() override {
        if (!ready_) GTEST_SKIP() << "needs libssl and the openssl command line tool";
        ca_ = load_identity(dir_->path(), "ca");
        settings_.cert = file("server.pem");
        settings_.key = file("server.key");
    }

    static std::string file(const std::string& name) { return dir_->file(name); }

    core::Status build_error() {
        auto made = make_tls_server_context(settings_);
        EXPECT_FALSE(made.ok());
        return made.ok() ? core::Status() : made.status();
    }

    // A client trusting the server's CA, presenting `id` when given.
    ClientCtx client(const Identity* id = nullptr, int max_version = 0, int min_version = 0) {
        ClientCtx ctx(SSL_CTX_new(TLS_client_method()));
        X509_STORE_add_cert(SSL_CTX_get_cert_store(ctx.get()), ca_.cert.get());
        SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, nullptr);
        if (id != nullptr) {
            SSL_CTX_use_certificate(ctx.get(), id->cert.get());
            SSL_CTX_use_PrivateKey(ctx.get(), id->key.get());
        }
        if (min_version != 0) {
            // Old protocols need the lowest security level on the client side.
            SSL_CTX_set_security_level(ctx.get(), 0);
            SSL_CTX_set_cipher_list(ctx.get(), "DEFAULT@SECLEVEL=0");
            SSL_CTX_set_min_proto_version(ctx.get(), min_version);
        }
        if (max_version != 0) SSL_CTX_set_max_proto_version(ctx.get(), max_version);
        return ctx;
    }

    struct Outcome {
        bool ok = false;
        std::string server_error; // OpenSSL's reason when the server side failed
        std::string version;
        std::string cipher;
        std::string client_cn;
    };

    // A handshake over a memory BIO pair, each side driven until both are
    // done or one fails.
    Outcome handshake(const TlsServerContext& server, SSL_CTX* client_ctx) {
        Outcome out;
        SSL* s = SSL_new(server.context->native_handle());
        SSL* c = SSL_new(client_ctx);
        BIO* sb = nullptr;
        BIO* cb = nullptr;
        BIO_new_bio_pair(&sb, 0, &cb, 0);
        SSL_set_bio(s, sb, sb);
        SSL_set_bio(c, cb, cb);
        SSL_set_accept_state(s);
        SSL_set_connect_state(c);
        SSL_set_tlsext_host_name(c, "localhost");
        bool client_done = false;
        bool server_done = false;
        for (int round = 0; round < 32 && !(client_done && server_done); ++round) {
            if (!client_done) {
                int rc = SSL_do_handshake(c);
                int err = SSL_get_error(c, rc);
                if (rc == 1) {
                    client_done = true;
                } else if (err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE) {
                    ERR_clear_error();
                    break;
                }
            }
            if (!server_done) {
                int rs = SSL_do_handshake(s);
                int err = SSL_get_error(s, rs);
                if (rs == 1) {
                    server_done = true;
                } else if (err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE) {
                    out.server_error = ERR_reason_error_string(ERR_peek_last_error()) != nullptr
                                           ? ERR_reason_error_string(ERR_peek_last_error())
                                           : "?";
                    ERR_clear_error();
                    break;
                }
            }
        }
        // In TLS 1.3 the client finishes first; a refusal of its certificate
        // reaches it only on its first read.
        if (client_done && server_done) {
            char byte;
            SSL_write(s, "x", 1);
            out.ok = SSL_read(c, &byte, 1) == 1;
            ERR_clear_error();
        }
        if (server_done) {
            out.version = SSL_get_version(s);
            out.cipher = SSL_CIPHER_get_name(SSL_get_current_cipher(s));
            out.client_cn = verified_client_cn(s);
        }
        SSL_free(s);
        SSL_free(c);
        return out;
    }

    static inline TempDir* dir_ = nullptr;
    static inline bool ready_ = false;
    Identity ca_;
    core::TlsSettings settings_;
};

TEST_F(TlsContextTest, BuildsFromCertificateAndKeyAndDescribesTheCertificate) {
    auto made = make_tls_server_context(settings_);
    ASSERT_TRUE(made.ok()) << made.status().message();
    EXPECT_EQ(made->certificate.subject, "CN=localhost");
    EXPECT_EQ(made->certificate.not_after.size(), 20u) << made->certificate.not_after;
    EXPECT_FALSE(made->certificate.expired);
    EXPECT_TRUE(made->certificate.expires_soon); // two days
    Outcome o = handshake(*made, client().get());
    EXPECT_TRUE(o.ok) << o.server_error;
    EXPECT_EQ(o.version, "TLSv1.3");
    EXPECT_EQ(o.client_cn, "");
}

TEST_F(TlsContextTest, Tls12UsesForwardSecretAeadCiphersOnly) {
    auto made = make_tls_server_context(settings_);
    ASSERT_TRUE(made.ok()) << made.status().message();
    Outcome o = handshake(*made, client(nullptr, TLS1_2_VERSION).get());
    ASSERT_TRUE(o.ok) << o.server_error;
    EXPECT_EQ(o.version, "TLSv1.2");
    EXPECT_EQ(o.cipher.rfind("ECDHE-", 0), 0u) << o.cipher;
    EXPECT_TRUE(o.cipher.find("GCM") != std::string::npos ||
                o.cipher.find("CHACHA20") != std::string::npos)
        << o.cipher;
    EXPECT_EQ(SSL_CTX_get_options(made->context->native_handle()) & SSL_OP_NO_COMPRESSION,
              static_cast<uint64_t>(SSL_OP_NO_COMPRESSION));
    EXPECT_NE(SSL_CTX_get_options(made->context->native_handle()) & SSL_OP_NO_RENEGOTIATION, 0u);
}

TEST_F(TlsContextTest, RefusesTls11AndTls10) {
    auto made = make_tls_server_context(settings_);
    ASSERT_TRUE(made.ok()) << made.status().message();
    for (int version : {TLS1_1_VERSION, TLS1_VERSION}) {
        Outcome o = handshake(*made, client(nullptr, version, TLS1_VERSION).get());
        EXPECT_FALSE(o.ok) << version;
        EXPECT_EQ(o.server_error, "unsupported protocol") << version;
    }
}

TEST_F(TlsContextTest, MinVersion13RefusesTls12) {
    settings_.min_version = "1.3";
    auto made = make_tls_server_context(settings_);
    ASSERT_TRUE(made.ok()) << made.status().message();
    EXPECT_FALSE(handshake(*made, client(nullptr, TLS1_2_VERSION).get()).ok);
    EXPECT_TRUE(handshake(*made, client().get()).ok);
}

TEST_F(TlsContextTest, ClientCertificateRequiredRefusesNoneAndForeignOnes) {
    settings_.client_ca = file("client_ca.pem");
    settings_.client_cert_required = true;
    auto made = make_tls_server_context(settings_);
    ASSERT_TRUE(made.ok()) << made.status().message();

    Outcome none = handshake(*made, client().get());
    EXPECT_FALSE(none.ok);
    EXPECT_EQ(none.server_error, "peer did not return a certificate");

    // Same issuer name, another key: the signature decides, not the name.
    Identity foreign = load_identity(dir_->path(), "foreign");
    Outcome wrong = handshake(*made, client(&foreign).get());
    EXPECT_FALSE(wrong.ok);
    EXPECT_EQ(wrong.server_error, "certificate verify failed");

    Identity device = load_identity(dir_->path(), "device");
    for (int version : {0, TLS1_2_VERSION}) {
        Outcome right = handshake(*made, client(&device, version).get());
        EXPECT_TRUE(right.ok) << right.server_error;
        EXPECT_EQ(right.client_cn, "device-1");
    }
}

TEST_F(TlsContextTest, OptionalClientCertificateLetsClientsWithoutOneIn) {
    settings_.client_ca = file("client_ca.pem");
    auto made = make_tls_server_context(settings_);
    ASSERT_TRUE(made.ok()) << made.status().message();
    Outcome none = handshake(*made, client().get());
    EXPECT_TRUE(none.ok) << none.server_error;
    EXPECT_EQ(none.client_cn, "");
    // Presenting one that does not verify is still refused, not ignored.
    Identity foreign = load_identity(dir_->path(), "foreign");
    EXPECT_FALSE(handshake(*made, client(&foreign).get()).ok);
}

TEST_F(TlsContextTest, AmbiguousOrControlCharacterCnsYieldNoIdentity) {
    settings_.client_ca = file("client_ca.pem");
    auto made = make_tls_server_context(settings_);
    ASSERT_TRUE(made.ok()) << made.status().message();
    for (const char* name : {"two_cns", "newline", "no_cn"}) {
        Identity id = load_identity(dir_->path(), name);
        Outcome o = handshake(*made, client(&id).get());
        EXPECT_TRUE(o.ok) << name << ": " << o.server_error;
        EXPECT_EQ(o.client_cn, "") << name;
    }
}

TEST_F(TlsContextTest, MissingFilesAreNamed) {
    settings_.cert = file("nope.pem");
    core::Status s = build_error();
    EXPECT_NE(s.message().find("tls.cert"), std::string::npos) << s.message();
    EXPECT_NE(s.message().find("nope.pem"), std::string::npos) << s.message();

    settings_.cert = file("server.pem");
    settings_.key = file("nope.key");
    s = build_error();
    EXPECT_NE(s.message().find("tls.key"), std::string::npos) << s.message();
    EXPECT_NE(s.message().find("nope.key"), std::string::npos) << s.message();

    settings_.key = file("server.key");
    settings_.client_ca = file("nope_ca.pem");
    s = build_error();
    EXPECT_NE(s.message().find("tls.client_ca"), std::string::npos) << s.message();
}

TEST_F(TlsContextTest, KeyReadableByOthersIsRefusedWithTheFix) {
    std::filesystem::copy_file(file("server.key"), file("loose.key"),
                               std::filesystem::copy_options::overwrite_existing);
    ::chmod(file("loose.key").c_str(), 0644);
    settings_.key = file("loose.key");
    core::Status s = build_error();
    EXPECT_NE(s.message().find("tls.key"), std::string::npos) << s.message();
    EXPECT_NE(s.message().find("chmod 600"), std::string::npos) << s.message();
}

TEST_F(TlsContextTest, KeyThatDoesNotMatchTheCertificateIsRefused) {
    settings_.key = file("other.key");
    core::Status s = build_error();
    EXPECT_NE(s.message().find("does not match"), std::string::npos) << s.message();
}

TEST_F(TlsContextTest, EncryptedKeyFailsWithoutPrompting) {
    settings_.key = file("locked.key");
    core::Status s = build_error();
    EXPECT_NE(s.message().find("encrypted"), std::string::npos) << s.message();
}

TEST_F(TlsContextTest, FilesWithoutPemAreRefused) {
    std::ofstream(file("junk.pem")) << "not a certificate\n";
    settings_.cert = file("junk.pem");
    core::Status s = build_error();
    EXPECT_NE(s.message().find("no PEM certificate"), std::string::npos) << s.message();

    settings_.cert = file("server.pem");
    settings_.client_ca = file("junk.pem");
    s = build_error();
    EXPECT_NE(s.message().find("tls.client_ca"), std::string::npos) << s.message();
}

TEST_F(TlsContextTest, SettingsThatCannotWorkAreRefused) {
    settings_.min_version = "1.1";
    EXPECT_NE(build_error().message().find("tls.min_version"), std::string::npos);
    settings_.min_version = "1.2";
    settings_.client_cert_required = true;
    EXPECT_NE(build_error().message().find("tls.client_ca"), std::string::npos);
    settings_.client_cert_required = false;
    settings_.key.clear();
    EXPECT_NE(build_error().message().find("tls.key"), std::string::npos);
}

} // namespace
} // namespace edgeai::platform::native
