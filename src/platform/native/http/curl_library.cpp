#include "platform/native/http/curl_library.h"

#include <dlfcn.h>

#include <string>

namespace edgeai::platform::native {
namespace {

constexpr const char* kLibraryName = "libcurl.so.4";

core::Result<const CurlLibrary*> load() {
    void* handle = ::dlopen(kLibraryName, RTLD_NOW | RTLD_LOCAL);
    if (handle == nullptr) {
        const char* why = ::dlerror();
        return core::unavailable(
            std::string("https and proxied upstreams, and edgeai pull, need ") + kLibraryName +
            " (Debian package libcurl4): " + (why != nullptr ? why : "not found"));
    }
    static CurlLibrary lib;
    std::string missing;
    auto bind = [&](auto& fn, const char* name) {
        void* symbol = ::dlsym(handle, name);
        if (symbol == nullptr) missing += std::string(missing.empty() ? "" : ", ") + name;
        fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(symbol);
    };
    bind(lib.global_init, "curl_global_init");
    bind(lib.easy_init, "curl_easy_init");
    bind(lib.easy_cleanup, "curl_easy_cleanup");
    bind(lib.easy_setopt, "curl_easy_setopt");
    bind(lib.easy_perform, "curl_easy_perform");
    bind(lib.easy_getinfo, "curl_easy_getinfo");
    bind(lib.easy_pause, "curl_easy_pause");
    bind(lib.easy_strerror, "curl_easy_strerror");
    bind(lib.multi_init, "curl_multi_init");
    bind(lib.multi_cleanup, "curl_multi_cleanup");
    bind(lib.multi_setopt, "curl_multi_setopt");
    bind(lib.multi_add_handle, "curl_multi_add_handle");
    bind(lib.multi_remove_handle, "curl_multi_remove_handle");
    bind(lib.multi_socket_action, "curl_multi_socket_action");
    bind(lib.multi_info_read, "curl_multi_info_read");
    bind(lib.multi_strerror, "curl_multi_strerror");
    bind(lib.slist_append, "curl_slist_append");
    bind(lib.slist_free_all, "curl_slist_free_all");
    if (!missing.empty()) {
        return core::unavailable(std::string(kLibraryName) + " is too old for edgeai: it lacks " +
                                 missing);
    }
    const CURLcode init = lib.global_init(CURL_GLOBAL_DEFAULT);
    if (init != CURLE_OK)
        return core::unavailable(std::string("libcurl failed to start: ") +
                                 lib.easy_strerror(init));
    return &lib;
}

} // namespace

core::Result<const CurlLibrary*> load_curl_library() {
    // Loaded once; a failure is remembered too (the library will not appear).
    static const core::Result<const CurlLibrary*> loaded = load();
    return loaded;
}

} // namespace edgeai::platform::native
