#include "platform/native/hub/model_pull.h"

#include "core/hex.h"
#include "core/sha256.h"
#include "engine/hub/hub_model.h"
#include "platform/native/hub/model_store.h"
#include "platform/native/system/environment.h"
#include "platform/native/system/files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

namespace edgeai::platform::native {
namespace {

namespace hub = engine::hub;

constexpr const char* kDefaultEndpoint = "https://huggingface.co";
// The hub pages its tree listing; a model repository needs a few pages at most.
constexpr int kMaxListPages = 100;
// Attempts in a row that add no byte before a pull gives up.
constexpr int kMaxStalledAttempts = 3;
constexpr size_t kHashChunk = size_t{1} << 20;

std::string mib(uint64_t bytes) {
    char text[32];
    std::snprintf(text, sizeof text, "%.1f MiB", static_cast<double>(bytes) / (1 << 20));
    return text;
}

std::string trimmed(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' '))
        s.pop_back();
    size_t start = 0;
    while (start < s.size() && s[start] == ' ')
        ++start;
    return s.substr(start);
}

core::Status refused(long status, const std::string& what, const hub::HubReference& ref,
                     const HubHttpOptions& http) {
    const std::string hint =
        http.token.empty()
            ? "; if it is gated or private, set HF_TOKEN to a token that may read it"
            : "; check that HF_TOKEN may read it (a gated model's licence must be accepted on "
              "its page first)";
    if (status == 401 || status == 403)
        return core::Status(core::StatusCode::kPermissionDenied,
                            "the hub refused access to " + what + " (HTTP " +
                                std::to_string(status) + ")" + hint);
    if (status == 404)
        return core::not_found(what + " is not on the hub (HTTP 404); check the name " +
                               ref.repo_id());
    return core::unavailable("the hub answered HTTP " + std::to_string(status) + " for " + what);
}

core::Result<std::vector<hub::HubFile>> list_files(const HubHttp& http,
                                                   const hub::HubReference& ref) {
    std::vector<hub::HubFile> files;
    std::string url =
        http.options().endpoint + "/api/models/" + ref.repo_id() + "/tree/main?recursive=true";
    for (int page = 0; page < kMaxListPages && !url.empty(); ++page) {
        std::string body;
        core::Status too_big;
        auto response = http.get(
            url, 0,
            [&](const HubResponse&, std::string_view bytes) {
                if (body.size() + bytes.size() > hub::kMaxListBytes) {
                    too_big = core::unavailable("the hub's file list for " + ref.repo_id() +
                                                " is larger than " +
                                                std::to_string(hub::kMaxListBytes >> 20) + " MiB");
                    return false;
                }
                body.append(bytes);
                return true;
            },
            &too_big);
        if (!response.ok())
            return core::Status(response.status().code(), "cannot list " + ref.repo_id() + " on " +
                                                              http.options().endpoint + ": " +
                                                              response.status().message());
        if (response->status != 200)
            return refused(response->status, "the repository " + ref.repo_id(), ref,
                           http.options());
        auto parsed = hub::parse_file_list(body);
        if (!parsed.ok())
            return core::unavailable(ref.repo_id() + ": " + parsed.status().message());
        for (hub::HubFile& f : *parsed)
            files.push_back(std::move(f));
        // Only the hub itself may name the next page (its token goes there).
        url = http.same_origin_as_endpoint(response->next_page) ? response->next_page : "";
    }
    return files;
}

// Bytes free for an unprivileged writer in `dir`; nullopt when unknown.
std::optional<uint64_t> free_bytes(const std::string& dir) {
    struct statvfs vfs {};
    if (::statvfs(dir.c_str(), &vfs) != 0) return std::nullopt;
    return static_cast<uint64_t>(vfs.f_bavail) * static_cast<uint64_t>(vfs.f_frsize);
}

uint64_t file_size(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) ? static_cast<uint64_t>(st.st_size)
                                                                 : 0;
}

bool write_all(int fd, std::string_view bytes) {
    while (!bytes.empty()) {
        const ssize_t n = ::write(fd, bytes.data(), bytes.size());
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        bytes.remove_prefix(static_cast<size_t>(n));
    }
    return true;
}

// The SHA-256 of the first `bytes` of `path` (a .part being resumed).
core::Status hash_prefix(const std::string& path, uint64_t bytes, core::Sha256& hash) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return core::unavailable("cannot read " + path + ": " + std::strerror(errno));
    std::string buffer(kHashChunk, '\0');
    while (bytes > 0) {
        const ssize_t n = ::read(fd, buffer.data(), std::min<uint64_t>(bytes, buffer.size()));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            ::close(fd);
            return core::unavailable("cannot read " + path);
        }
        hash.update(std::string_view(buffer.data(), static_cast<size_t>(n)));
        bytes -= static_cast<uint64_t>(n);
    }
    ::close(fd);
    return core::Status();
}

// Closes the descriptor on every path out.
struct Fd {
    int fd = -1;
    ~Fd() {
        if (fd >= 0) ::close(fd);
    }
};

// Downloads one file to `final_path` through FILE.part.
core::Status download_file(const HubHttp& http, const hub::HubReference& ref,
                           const hub::HubFile& file, const std::string& final_path,
                           const PullOptions& options) {
    const std::string part = final_path + ".part";
    const std::string name(hub::base_name(file.path));
    const std::string url = http.options().endpoint + "/" + ref.repo_id() + "/resolve/main/" +
                            encode_url_path(file.path);
    Fd out;
    out.fd = ::open(part.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    if (out.fd < 0) return core::unavailable("cannot write " + part + ": " + std::strerror(errno));
    uint64_t offset = file_size(part);
    core::Sha256 hash;
    if (offset > file.size) offset = 0; // not this file's beginning: start again
    if (offset > 0) {
        if (core::Status st = hash_prefix(part, offset, hash); !st.ok()) return st;
        if (options.note) options.note("resuming " + name + " at " + mib(offset));
    }
    if (::ftruncate(out.fd, static_cast<off_t>(offset)) != 0 ||
        ::lseek(out.fd, static_cast<off_t>(offset), SEEK_SET) < 0)
        return core::unavailable("cannot write " + part + ": " + std::strerror(errno));

    std::string linked_etag;
    int stalled = 0;
    while (offset < file.size || file.size == 0) {
        const uint64_t before = offset;
        bool first = true, fatal = false;
        core::Status sink_error;
        auto response = http.get(
            url, offset,
            [&](const HubResponse& head, std::string_view bytes) {
                if (first) {
                    first = false;
                    if (head.status == 200 && offset > 0) {
                        // The server ignored the Range: take it from the start.
                        hash = core::Sha256();
                        offset = 0;
                        if (::ftruncate(out.fd, 0) != 0 || ::lseek(out.fd, 0, SEEK_SET) < 0) {
                            sink_error = core::unavailable("cannot write " + part);
                            fatal = true;
                            return false;
                        }
                    } else if (head.status == 206 && head.range_start != offset) {
                        sink_error = core::data_loss("the file host resumed " + name + " at byte " +
                                                     std::to_string(head.range_start) +
                                                     ", not at " + std::to_string(offset));
                        fatal = true;
                        return false;
                    }
                }
                if (bytes.size() > file.size - offset) {
                    sink_error = core::data_loss(
                        name + " is larger than the " + std::to_string(file.size) +
                        " bytes the hub's file list announced; the download was deleted");
                    fatal = true;
                    return false;
                }
                if (!write_all(out.fd, bytes)) {
                    sink_error = core::unavailable(
                        "cannot write " + part + ": " + std::strerror(errno) +
                        " (disk full?); the partial download is kept, and the next pull "
                        "resumes it");
                    fatal = true;
                    return false;
                }
                hash.update(bytes);
                offset += bytes.size();
                if (options.progress) options.progress(name, offset, file.size);
                return true;
            },
            &sink_error);
        if (!response.ok()) {
            if (fatal) {
                if (sink_error.code() == core::StatusCode::kDataLoss) ::unlink(part.c_str());
                return sink_error;
            }
            const bool transport = response.status().code() == core::StatusCode::kDataLoss ||
                                   response.status().code() == core::StatusCode::kUnavailable;
            if (!transport) return response.status();
            stalled = offset > before ? 0 : stalled + 1;
            if (stalled >= kMaxStalledAttempts)
                return core::unavailable(response.status().message() + "; " + mib(offset) + " of " +
                                         name + " are kept, and the next pull resumes");
            if (options.note)
                options.note(response.status().message() + "; resuming " + name + " at " +
                             mib(offset));
            std::this_thread::sleep_for(std::chrono::milliseconds(options.retry_pause_ms));
            continue;
        }
        if (!response->linked_etag.empty()) linked_etag = response->linked_etag;
        if (response->status == 416 && offset == file.size) break;
        if (response->status != 200 && response->status != 206)
            return refused(response->status, "the file " + file.path + " of " + ref.repo_id(), ref,
                           http.options());
        if (file.size == 0) break;
        if (offset < file.size) {
            // Ended early without an error from the transport: a cut too.
            stalled = offset > before ? 0 : stalled + 1;
            if (stalled >= kMaxStalledAttempts)
                return core::unavailable("the file host keeps ending " + name + " at " +
                                         mib(offset) + " of " + mib(file.size));
        }
    }

    // The list's LFS checksum, else the X-Linked-Etag the hub's redirect carried.
    std::string expected = file.sha256;
    if (expected.empty() && linked_etag.size() == 64) expected = linked_etag;
    const std::string got = core::hex_encode(hash.finish());
    if (expected.empty()) {
        if (options.note)
            options.note("the hub gave no SHA-256 for " + name + "; only its size was checked");
    } else if (got != expected) {
        ::unlink(part.c_str());
        return core::data_loss("the SHA-256 of " + name + " is " + got + ", but the hub says " +
                               expected + "; the download was deleted and nothing was installed");
    }
    if (::fsync(out.fd) != 0)
        return core::unavailable("cannot write " + part + ": " + std::strerror(errno));
    ::close(out.fd);
    out.fd = -1;
    if (::rename(part.c_str(), final_path.c_str()) != 0)
        return core::unavailable("cannot rename " + part + ": " + std::strerror(errno));
    // The rename itself survives a power cut once the directory is synced.
    const std::string dir = final_path.substr(0, final_path.rfind('/'));
    Fd d;
    d.fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (d.fd >= 0) (void)::fsync(d.fd);
    return core::Status();
}

} // namespace

HubHttpOptions hub_options_from_environment(const std::string& user_agent) {
    HubHttpOptions o;
    o.user_agent = user_agent;
    o.endpoint = env_or_empty("HF_ENDPOINT");
    if (o.endpoint.empty()) o.endpoint = kDefaultEndpoint;
    while (!o.endpoint.empty() && o.endpoint.back() == '/')
        o.endpoint.pop_back();
    o.token = trimmed(env_or_empty("HF_TOKEN"));
    if (o.token.empty()) {
        std::string path = env_or_empty("HF_TOKEN_PATH");
        if (path.empty()) {
            std::string home = env_or_empty("HF_HOME");
            if (home.empty()) {
                const std::string cache = env_or_empty("XDG_CACHE_HOME");
                home = !cache.empty() ? cache + "/huggingface"
                                      : env_or_empty("HOME") + "/.cache/huggingface";
            }
            path = home + "/token";
        }
        if (auto text = read_text_file(path); text.ok()) o.token = trimmed(*text);
    }
    return o;
}

core::Result<PulledModel> pull_model(const std::string& reference, const PullOptions& options) {
    auto ref = hub::parse_hub_reference(reference);
    if (!ref.ok()) return ref.status();
    auto http = HubHttp::create(options.http);
    if (!http.ok()) return http.status();
    auto files = list_files(*http, *ref);
    if (!files.ok()) return files.status();
    auto chosen = hub::choose_files(*files, ref->quant, ref->repo_id());
    if (!chosen.ok()) return chosen.status();

    PulledModel pulled;
    const std::string first(hub::base_name(chosen->front().path));
    std::string tag = ref->quant;
    if (tag.empty()) tag = hub::quant_of_file_name(first);
    if (tag.empty()) tag = first;
    pulled.name = ref->repo_id() + ":" + tag;
    const std::string dir = options.models_dir + "/" + ref->org + "/" + ref->repo;
    if (core::Status st = make_directories(dir); !st.ok()) return st;

    // Room for what is still missing, before a byte is written.
    uint64_t needed = 0;
    for (const hub::HubFile& f : *chosen) {
        const std::string path = dir + "/" + std::string(hub::base_name(f.path));
        pulled.paths.push_back(path);
        pulled.bytes += f.size;
        if (file_size(path) == f.size && file_size(path) > 0) continue;
        needed += f.size - std::min(f.size, file_size(path + ".part"));
    }
    if (auto free = free_bytes(dir); free && *free < needed)
        return core::resource_exhausted("not enough disk space in " + dir + ": " + pulled.name +
                                        " needs " + mib(needed) + " more, and " + mib(*free) +
                                        " are free");

    for (size_t i = 0; i < chosen->size(); ++i) {
        const hub::HubFile& f = (*chosen)[i];
        const std::string& path = pulled.paths[i];
        const std::string name(hub::base_name(f.path));
        auto lock = ModelFileLock::acquire(path, [&] {
            if (options.note) options.note("waiting for another edgeai pull of " + name);
        });
        if (!lock.ok()) return lock.status();
        if (file_size(path) == f.size && (f.size > 0 || file_exists(path))) {
            if (options.note) options.note(name + " is already in " + dir);
            continue;
        }
        if (core::Status st = download_file(*http, *ref, f, path, options); !st.ok()) {
            // A .part is kept for the next pull to resume, unless it holds nothing.
            if (file_size(path + ".part") == 0) ::unlink((path + ".part").c_str());
            return st;
        }
        pulled.downloaded = true;
    }
    return pulled;
}

} // namespace edgeai::platform::native
