#include "platform/native/hub/model_store.h"

#include "engine/hub/hub_model.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>

namespace edgeai::platform::native {
namespace {

namespace hub = engine::hub;
constexpr std::string_view kGguf = ".gguf";

bool ends_with(std::string_view s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

struct Entry {
    std::string name;
    bool directory = false;
    uint64_t bytes = 0;
    int64_t modified = 0;
};

// The visible regular files and directories of `dir` (no dot-files: locks).
std::vector<Entry> read_dir(const std::string& dir) {
    std::vector<Entry> out;
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr) return out;
    while (const dirent* e = ::readdir(d)) {
        if (e->d_name[0] == '.') continue;
        struct stat st {};
        if (::stat((dir + "/" + e->d_name).c_str(), &st) != 0) continue;
        if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) continue;
        out.push_back({e->d_name, S_ISDIR(st.st_mode), static_cast<uint64_t>(st.st_size),
                       static_cast<int64_t>(st.st_mtime)});
    }
    ::closedir(d);
    std::sort(out.begin(), out.end(),
              [](const Entry& a, const Entry& b) { return a.name < b.name; });
    return out;
}

// The GGUF files of one directory grouped into models (a split model's parts
// together, in order), keyed by the model's stem.
std::map<std::string, StoredModel> group_models(const std::string& dir) {
    std::map<std::string, StoredModel> models;
    for (const Entry& e : read_dir(dir)) {
        if (e.directory || !ends_with(e.name, kGguf)) continue;
        std::string stem = e.name.substr(0, e.name.size() - kGguf.size());
        if (auto split = hub::parse_split_name(e.name))
            stem = std::string(split->stem) + "-of-" + std::to_string(split->count);
        StoredModel& m = models[stem];
        m.paths.push_back(dir + "/" + e.name); // sorted names keep parts in order
        m.bytes += e.bytes;
        m.modified_unix = std::max(m.modified_unix, e.modified);
        if (m.quant.empty()) m.quant = hub::quant_of_file_name(e.name);
    }
    return models;
}

StoredModel stored_from_files(const std::string& name, const std::vector<std::string>& paths) {
    StoredModel m;
    m.name = name;
    m.paths = paths;
    for (const std::string& p : paths) {
        struct stat st {};
        if (::stat(p.c_str(), &st) != 0) continue;
        m.bytes += static_cast<uint64_t>(st.st_size);
        m.modified_unix = std::max<int64_t>(m.modified_unix, st.st_mtime);
    }
    if (!paths.empty()) m.quant = hub::quant_of_file_name(hub::base_name(paths.front()));
    return m;
}

bool is_regular_file(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

} // namespace

std::string lock_path_for(const std::string& model_path) {
    const size_t slash = model_path.rfind('/');
    const size_t at = slash == std::string::npos ? 0 : slash + 1;
    return model_path.substr(0, at) + "." + model_path.substr(at) + ".lock";
}

std::vector<StoredModel> list_stored_models(const std::string& models_dir) {
    std::vector<StoredModel> out;
    for (auto& [stem, m] : group_models(models_dir)) {
        // A split model's name is its first part's stem.
        const auto split = hub::parse_split_name(hub::base_name(m.paths.front()));
        m.name = split ? std::string(split->stem) : stem;
        out.push_back(std::move(m));
    }
    for (const Entry& org : read_dir(models_dir)) {
        if (!org.directory) continue;
        for (const Entry& repo : read_dir(models_dir + "/" + org.name)) {
            if (!repo.directory) continue;
            auto models = group_models(models_dir + "/" + org.name + "/" + repo.name);
            for (auto& [stem, m] : models) {
                // The quant names the model unless the file name shows none
                // or two models share it; then the file name does.
                size_t uses = 0;
                for (const auto& [other_stem, other] : models)
                    uses += other.quant == m.quant ? 1 : 0;
                const std::string tag = !m.quant.empty() && uses == 1
                                            ? m.quant
                                            : std::string(hub::base_name(m.paths.front()));
                m.name = org.name + "/" + repo.name + ":" + tag;
                out.push_back(std::move(m));
            }
        }
    }
    std::sort(out.begin(), out.end(),
              [](const StoredModel& a, const StoredModel& b) { return a.name < b.name; });
    return out;
}

core::Result<StoredModel> find_stored_model(const std::string& models_dir,
                                            const std::string& name) {
    const std::string where = " in models.dir (" + models_dir + ")";
    if (hub::has_hub_prefix(name) || name.find('/') != std::string::npos) {
        auto ref = hub::parse_hub_reference(name);
        if (!ref.ok()) return ref.status();
        const std::string dir = models_dir + "/" + ref->org + "/" + ref->repo;
        std::vector<hub::HubFile> files;
        for (const Entry& e : read_dir(dir))
            if (!e.directory) files.push_back({e.name, e.bytes, ""});
        if (files.empty())
            return core::not_found("no model " + ref->display() + where + "; edgeai pull " +
                                   ref->display() + " fetches it");
        auto chosen = hub::choose_files(files, ref->quant, ref->repo_id());
        if (!chosen.ok())
            return core::not_found(chosen.status().message() + where + " (pulled so far)");
        std::vector<std::string> paths;
        for (const hub::HubFile& f : *chosen)
            paths.push_back(dir + "/" + f.path);
        StoredModel m = stored_from_files(ref->display(), paths);
        if (ref->quant.empty() && !m.quant.empty()) m.name += ":" + m.quant;
        return m;
    }
    if (name.empty() || name[0] == '.')
        return core::invalid_argument("'" + name + "' is not a model name");
    for (const std::string& file : {name + ".gguf", name}) {
        if (!ends_with(file, kGguf)) continue;
        const std::string path = models_dir + "/" + file;
        if (is_regular_file(path))
            return stored_from_files(file.substr(0, file.size() - kGguf.size()), {path});
    }
    return core::not_found("no model '" + name + "'" + where + "; edgeai ls lists what is there");
}

core::Result<StoredModel> remove_stored_model(const std::string& models_dir,
                                              const std::string& name) {
    auto found = find_stored_model(models_dir, name);
    if (!found.ok()) return found.status();
    std::vector<ModelFileLock> locks;
    for (const std::string& path : found->paths) {
        auto lock = ModelFileLock::try_acquire(path);
        if (!lock.ok()) return lock.status();
        locks.push_back(std::move(*lock));
    }
    for (const std::string& path : found->paths) {
        if (::unlink(path.c_str()) != 0)
            return core::unavailable("cannot remove " + path + ": " + std::strerror(errno));
        ::unlink(lock_path_for(path).c_str());
    }
    // A pulled model's repository and organisation directories go once empty
    // (rmdir refuses a directory that still holds anything).
    if (found->paths.front().size() > models_dir.size() + 1) {
        std::string dir = found->paths.front();
        for (int up = 0; up < 2; ++up) {
            dir = dir.substr(0, dir.rfind('/'));
            if (dir.size() <= models_dir.size()) break;
            ::rmdir(dir.c_str());
        }
    }
    return found;
}

core::Result<ModelFileLock> ModelFileLock::acquire(const std::string& model_path,
                                                   const std::function<void()>& on_wait) {
    const std::string path = lock_path_for(model_path);
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        return core::unavailable("cannot open the lock file " + path + ": " + std::strerror(errno));
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        if (on_wait) on_wait();
        while (::flock(fd, LOCK_EX) != 0) {
            if (errno == EINTR) continue;
            const int error = errno;
            ::close(fd);
            return core::unavailable("cannot lock " + path + ": " + std::strerror(error));
        }
    }
    return ModelFileLock(fd);
}

core::Result<ModelFileLock> ModelFileLock::try_acquire(const std::string& model_path) {
    const std::string path = lock_path_for(model_path);
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        return core::unavailable("cannot open the lock file " + path + ": " + std::strerror(errno));
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        ::close(fd);
        return core::failed_precondition(model_path + " is being pulled right now; try again "
                                                      "when that pull ends");
    }
    return ModelFileLock(fd);
}

ModelFileLock::~ModelFileLock() {
    if (fd_ >= 0) ::close(fd_);
}

} // namespace edgeai::platform::native
