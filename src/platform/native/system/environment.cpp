#include "platform/native/system/environment.h"

#include "platform/native/system/files.h"

#include <cstdlib>
#include <string_view>

extern char** environ;

namespace edgeai::platform::native {

std::vector<std::pair<std::string, std::string>> environment_variables() {
    std::vector<std::pair<std::string, std::string>> out;
    for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
        std::string_view entry(*e);
        size_t eq = entry.find('=');
        if (eq == std::string_view::npos) continue;
        out.emplace_back(std::string(entry.substr(0, eq)), std::string(entry.substr(eq + 1)));
    }
    return out;
}

std::string env_or_empty(const char* name) {
    const char* v = std::getenv(name);
    return v == nullptr ? std::string() : std::string(v);
}

std::string default_data_dir() {
    // systemd's StateDirectory= sets this; it may list several, the first is ours.
    std::string state = env_or_empty("STATE_DIRECTORY");
    if (!state.empty()) return state.substr(0, state.find(':'));
    std::string xdg = env_or_empty("XDG_DATA_HOME");
    if (!xdg.empty()) return xdg + "/edgeai";
    std::string home = env_or_empty("HOME");
    if (!home.empty()) return home + "/.local/share/edgeai";
    return "./edgeai-data";
}

std::string find_default_config_file() {
    std::vector<std::string> candidates = {"./edgeai.toml"};
    std::string xdg = env_or_empty("XDG_CONFIG_HOME");
    std::string home = env_or_empty("HOME");
    if (!xdg.empty()) {
        candidates.push_back(xdg + "/edgeai/edgeai.toml");
    } else if (!home.empty()) {
        candidates.push_back(home + "/.config/edgeai/edgeai.toml");
    }
    candidates.push_back("/etc/edgeai/edgeai.toml");
    for (const std::string& c : candidates) {
        if (file_exists(c)) return c;
    }
    return {};
}

} // namespace edgeai::platform::native
