#include "platform/native/config_preflight.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>

namespace edgeai::platform::native {
namespace {

void error(std::vector<PreflightFinding>& out, std::string message) {
    out.push_back({true, std::move(message)});
}

bool readable_file(const std::string& path, std::string* why) {
    std::FILE* f = std::fopen(path.c_str(), "rb");
    if (f == nullptr) {
        *why = std::strerror(errno);
        return false;
    }
    std::fclose(f);
    return true;
}

void check_file(std::vector<PreflightFinding>& out, const std::string& path,
                const std::string& what) {
    std::string why;
    if (!path.empty() && !readable_file(path, &why))
        error(out, what + " '" + path + "' cannot be read: " + why);
}

// A model file must be there and start like a GGUF file (a wrong path to a
// .bin or a half download is found now, not at the first request).
void check_model(std::vector<PreflightFinding>& out, const std::string& id, const std::string& path,
                 const std::string& where) {
    std::FILE* f = std::fopen(path.c_str(), "rb");
    if (f == nullptr) {
        error(out, where + ": model '" + id + "': '" + path +
                       "' cannot be read: " + std::strerror(errno));
        return;
    }
    char magic[4] = {};
    const size_t n = std::fread(magic, 1, sizeof magic, f);
    std::fclose(f);
    if (n != 4 || std::memcmp(magic, "GGUF", 4) != 0)
        error(out, where + ": model '" + id + "': '" + path + "' is not a GGUF file");
}

void check_key_env(std::vector<PreflightFinding>& out, const std::string& env,
                   const std::string& key, const std::string& key_file, const std::string& where) {
    if (!key.empty()) return;
    if (!key_file.empty()) {
        check_file(out, key_file, where + ": api_key_file");
        return;
    }
    if (env.empty()) return;
    const char* value = std::getenv(env.c_str());
    if (value == nullptr || *value == '\0')
        error(out, where + ": the environment variable " + env +
                       " (api_key_env) is not set, so requests would go without a key");
}

// Binding the listen address says whether this machine has it; a port in
// use is only a warning (the gateway itself may be running).
void check_listen(std::vector<PreflightFinding>& out, const std::string& listen) {
    const size_t colon = listen.rfind(':');
    if (colon == std::string::npos) return; // the schema already refused it
    std::string host = listen.substr(0, colon);
    const std::string port = listen.substr(colon + 1);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
        host = host.substr(1, host.size() - 2);
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    addrinfo* found = nullptr;
    const int rc =
        ::getaddrinfo(host.empty() ? nullptr : host.c_str(), port.c_str(), &hints, &found);
    if (rc != 0) {
        error(out, "server.listen '" + listen + "': cannot resolve '" + host +
                       "': " + ::gai_strerror(rc));
        return;
    }
    const int fd = ::socket(found->ai_family, found->ai_socktype, found->ai_protocol);
    if (fd >= 0) {
        const int one = 1;
        ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (::bind(fd, found->ai_addr, found->ai_addrlen) != 0) {
            const int e = errno;
            if (e == EADDRINUSE)
                out.push_back({false, "server.listen '" + listen +
                                          "': the port is in use now (another edgeai?)"});
            else
                error(out, "server.listen '" + listen +
                               "': this machine cannot listen there: " + std::strerror(e));
        }
        ::close(fd);
    }
    ::freeaddrinfo(found);
}

} // namespace

std::vector<PreflightFinding> preflight(const core::Settings& settings) {
    std::vector<PreflightFinding> out;
    check_listen(out, settings.server.listen);
    check_file(out, settings.tls.cert, "tls.cert");
    check_file(out, settings.tls.key, "tls.key");
    check_file(out, settings.tls.client_ca, "tls.client_ca");
    const core::UpstreamSettings& up = settings.upstream;
    if (!up.url.empty()) {
        check_key_env(out, up.api_key_env, up.api_key, up.api_key_file, "upstream");
        check_file(out, up.ca_file, "upstream.ca_file");
    }
    std::map<std::string, std::string> model_ids; // id -> the backend that loads it
    for (const core::BackendSettings& b : settings.backends) {
        const std::string where = "backend '" + b.name + "' (line " + std::to_string(b.line) + ")";
        if (b.kind != core::BackendKind::kLocal)
            check_key_env(out, b.api_key_env, b.api_key, b.api_key_file, where);
        check_file(out, b.ca_file, where + ": ca_file");
        for (const auto& [id, path] : b.model_files) {
            check_model(out, id, path, where);
            auto [it, fresh] = model_ids.emplace(id, b.name);
            if (!fresh)
                error(out, where + ": model id '" + id + "' is already loaded by backend '" +
                               it->second + "'; give one of them another id");
        }
    }
    return out;
}

} // namespace edgeai::platform::native
