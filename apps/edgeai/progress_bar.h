// A progress bar on stderr for long loads and conversions, drawn only when
// stderr is a terminal (logs and pipes get the one summary line instead).
#pragma once

#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>

namespace edgeai::cli {

class ProgressBar {
  public:
    ProgressBar(std::string label, uint64_t total)
        : label_(std::move(label)), total_(total), enabled_(isatty(STDERR_FILENO) != 0) {}
    ~ProgressBar() { finish(); }
    void update(uint64_t done) {
        if (!enabled_ || total_ == 0) return;
        const int percent = static_cast<int>(std::min<uint64_t>(100, done * 100 / total_));
        if (percent == shown_) return;
        shown_ = percent;
        char bar[31];
        const int filled = percent * 30 / 100;
        for (int i = 0; i < 30; ++i)
            bar[i] = i < filled ? '#' : '.';
        bar[30] = '\0';
        std::fprintf(stderr, "\r%s [%s] %3d%%", label_.c_str(), bar, percent);
        std::fflush(stderr);
    }
    void finish() {
        if (enabled_ && shown_ >= 0) std::fputc('\n', stderr);
        enabled_ = false;
    }

  private:
    std::string label_;
    uint64_t total_;
    bool enabled_;
    int shown_ = -1;
};

// serve's progress for loading the model `id` (at start or on its first
// request): a bar while the weights are repacked, on a terminal only.
inline std::function<void(uint64_t, uint64_t)> load_progress_bar(const std::string& id) {
    if (isatty(STDERR_FILENO) == 0) return nullptr;
    auto bar = std::make_shared<std::unique_ptr<ProgressBar>>();
    return [bar, label = "loading " + id](uint64_t done, uint64_t total) {
        if (!*bar) *bar = std::make_unique<ProgressBar>(label, total);
        (*bar)->update(done);
        if (done >= total) (*bar)->finish();
    };
}

} // namespace edgeai::cli
