#include "models_command.h"

#include "cli_output.h"

#include "engine/hub/hub_model.h"
#include "platform/native/hub/model_pull.h"
#include "platform/native/hub/model_store.h"
#include "platform/native/system/files.h"

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <unistd.h>

namespace edgeai::cli {
namespace {

namespace native = platform::native;
using Clock = std::chrono::steady_clock;

// Redraws of the bar per second at most; plain lines at each quarter.
constexpr auto kRedrawEvery = std::chrono::milliseconds(100);
constexpr int kPlainSteps = 4;

std::string size_text(double bytes) {
    const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    int u = 0;
    while (bytes >= 1024 && u < 4) {
        bytes /= 1024;
        ++u;
    }
    char text[32];
    std::snprintf(text, sizeof text, u == 0 ? "%.0f %s" : "%.1f %s", bytes, units[u]);
    return text;
}

// A download's progress on stderr: on a terminal one line redrawn with the
// size, rate and time left; elsewhere (logs, pipes) a plain line per quarter.
class DownloadProgress {
  public:
    // `plain`: lines when stderr is not a terminal (serve's log is JSON
    // lines, so it asks for none).
    explicit DownloadProgress(bool plain) : tty_(isatty(STDERR_FILENO) != 0), plain_(plain) {}
    ~DownloadProgress() { end_line(); }

    void update(const std::string& file, uint64_t done, uint64_t total) {
        const auto now = Clock::now();
        if (file != file_) {
            end_line();
            file_ = file;
            start_ = now;
            start_bytes_ = done;
            step_ = static_cast<int>(total ? done * kPlainSteps / total : 0);
        }
        const double seconds = std::chrono::duration<double>(now - start_).count();
        const double rate = seconds > 0 ? static_cast<double>(done - start_bytes_) / seconds : 0;
        const int percent = total ? static_cast<int>(done * 100 / total) : 100;
        char eta[32] = "--";
        if (rate > 0 && total >= done) {
            const auto left = static_cast<long>(static_cast<double>(total - done) / rate);
            std::snprintf(eta, sizeof eta, "%ld:%02ld", left / 60, left % 60);
        }
        if (tty_) {
            if (done != total && now - drawn_ < kRedrawEvery) return;
            drawn_ = now;
            char bar[21];
            for (int i = 0; i < 20; ++i)
                bar[i] = i < percent / 5 ? '#' : '.';
            bar[20] = '\0';
            std::fprintf(stderr, "\r%s [%s] %3d%% %s / %s  %s/s  ETA %s \033[K", file.c_str(), bar,
                         percent, size_text(static_cast<double>(done)).c_str(),
                         size_text(static_cast<double>(total)).c_str(), size_text(rate).c_str(),
                         eta);
            open_line_ = true;
            return;
        }
        const int step = static_cast<int>(total ? done * kPlainSteps / total : kPlainSteps);
        if (!plain_ || step <= step_) return;
        step_ = step;
        std::fprintf(stderr, "edgeai: %s %d%% (%s of %s, %s/s)\n", file.c_str(), percent,
                     size_text(static_cast<double>(done)).c_str(),
                     size_text(static_cast<double>(total)).c_str(), size_text(rate).c_str());
    }

    void end_line() {
        if (open_line_) std::fputc('\n', stderr);
        open_line_ = false;
    }

  private:
    bool tty_;
    bool plain_;
    bool open_line_ = false;
    std::string file_;
    Clock::time_point start_{}, drawn_{};
    uint64_t start_bytes_ = 0;
    int step_ = 0;
};

core::Result<native::PulledModel> pull(const std::string& name, const std::string& models_dir,
                                       const std::function<void(const std::string&)>& say,
                                       bool plain_progress) {
    // A write past RLIMIT_FSIZE fails with EFBIG and is reported, rather
    // than the signal ending the process with a half file behind.
    std::signal(SIGXFSZ, SIG_IGN);
    DownloadProgress progress(plain_progress);
    native::PullOptions options;
    options.models_dir = models_dir;
    options.http = native::hub_options_from_environment(std::string("edgeai/") + EDGEAI_VERSION);
    options.note = [&](const std::string& line) {
        progress.end_line();
        say(line);
    };
    options.progress = [&](const std::string& file, uint64_t done, uint64_t total) {
        progress.update(file, done, total);
    };
    return native::pull_model(name, options);
}

int pull_command(const std::string& name, const std::string& models_dir) {
    auto pulled = pull(
        name, models_dir, [](const std::string& s) { print_error(s); }, true);
    if (!pulled.ok()) {
        print_error(pulled.status().message());
        return pulled.status().code() == core::StatusCode::kInvalidArgument ? kExitUsage
                                                                            : kExitRuntime;
    }
    std::printf("%s %s (%s)\n", pulled->downloaded ? "pulled" : "up to date", pulled->name.c_str(),
                size_text(static_cast<double>(pulled->bytes)).c_str());
    for (const std::string& p : pulled->paths)
        std::printf("  %s\n", p.c_str());
    return kExitOk;
}

int ls_command(const std::string& models_dir) {
    const auto models = native::list_stored_models(models_dir);
    if (models.empty()) {
        std::fprintf(stderr,
                     "edgeai: no models in %s; edgeai pull ORG/REPO:QUANT fetches one, e.g. "
                     "edgeai pull Qwen/Qwen2.5-0.5B-Instruct-GGUF:Q4_K_M\n",
                     models_dir.c_str());
        return kExitOk;
    }
    size_t width = 4;
    for (const auto& m : models)
        width = std::max(width, m.name.size());
    const int w = static_cast<int>(width);
    std::printf("%-*s  %10s  %-8s  %s\n", w, "NAME", "SIZE", "QUANT", "MODIFIED");
    for (const auto& m : models)
        std::printf("%-*s  %10s  %-8s  %s\n", w, m.name.c_str(),
                    size_text(static_cast<double>(m.bytes)).c_str(),
                    m.quant.empty() ? "-" : m.quant.c_str(),
                    utc_time(m.modified_unix * 1000).c_str());
    return kExitOk;
}

int rm_command(const std::vector<std::string>& names, const std::string& models_dir) {
    int code = kExitOk;
    for (const std::string& name : names) {
        auto removed = native::remove_stored_model(models_dir, name);
        if (!removed.ok()) {
            print_error(removed.status().message());
            code = exit_code_for(removed.status());
            continue;
        }
        std::printf("deleted %s (%s)\n", removed->name.c_str(),
                    size_text(static_cast<double>(removed->bytes)).c_str());
    }
    return code;
}

} // namespace

std::string models_dir_of(const std::string& configured, const std::string& data_dir) {
    return configured.empty() ? data_dir + "/models" : configured;
}

void add_models_commands(Command& app, ModelsFlags& f,
                         const std::function<void(Command*)>& add_common) {
    f.pull = app.add_subcommand("pull", "Download a GGUF model from the Hugging Face hub into "
                                        "models.dir (HF_ENDPOINT, HF_TOKEN honoured)");
    f.pull
        ->add_option("model", f.name,
                     "ORG/REPO[:QUANT] or hf.co/ORG/REPO:QUANT; the quant picks the file "
                     "(default Q4_K_M), e.g. Qwen/Qwen2.5-0.5B-Instruct-GGUF:Q4_K_M")
        .required();
    add_common(f.pull);
    f.ls = app.add_subcommand("ls", "List the models in models.dir: name, size, quant, modified");
    add_common(f.ls);
    f.rm = app.add_subcommand("rm", "Delete models from models.dir (names as edgeai ls shows)");
    f.rm->add_option("model", f.names, "Model names").required();
    add_common(f.rm);
}

int run_models_command(const ModelsFlags& f, const std::string& models_dir) {
    if (f.pull->parsed()) return pull_command(f.name, models_dir);
    if (f.ls->parsed()) return ls_command(models_dir);
    return rm_command(f.names, models_dir);
}

bool names_a_model_file(std::string_view value) {
    return value.starts_with('/') || value.starts_with("./") || value.starts_with("../") ||
           value.ends_with(".gguf");
}

core::Status resolve_model_arguments(std::vector<std::string>& paths,
                                     std::vector<std::string>& aliases,
                                     const std::string& models_dir,
                                     const std::function<void(const std::string&)>& say) {
    for (size_t i = 0; i < paths.size(); ++i) {
        const std::string given = paths[i];
        if (!engine::hub::has_hub_prefix(given) && native::file_exists(given)) continue;
        std::string name;
        auto found = native::find_stored_model(models_dir, given);
        if (found.ok()) {
            paths[i] = found->paths.front();
            name = found->name;
        } else if (engine::hub::has_hub_prefix(given)) {
            say("pulling " + given + " into " + models_dir);
            auto pulled = pull(given, models_dir, say, false);
            if (!pulled.ok())
                return core::Status(pulled.status().code(),
                                    "cannot pull " + given + ": " + pulled.status().message() +
                                        " (a model file on disk is served with -m FILE)");
            paths[i] = pulled->paths.front();
            name = pulled->name;
        } else if (names_a_model_file(given)) {
            return core::not_found("-m " + given + ": no such file");
        } else {
            return core::not_found("-m " + given + ": no such file, and " +
                                   found.status().message());
        }
        // A name becomes the model's id, as it was asked for.
        if (aliases.size() <= i) aliases.resize(i + 1);
        if (aliases[i].empty()) aliases[i] = name;
    }
    return core::Status();
}

} // namespace edgeai::cli
