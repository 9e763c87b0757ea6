// libcurl, loaded when the first upstream needs it (https, or a proxy) rather
// than at start: linking it pulled in OpenSSL, GnuTLS, Kerberos and LDAP, 4.6
// MB of resident pages in a gateway that mostly talks plain http to a model
// server (bench/proxy.sh, idle RSS). The functions are the ones of
// <curl/curl.h>, reached through this table.
#pragma once

#include "core/result.h"

#include <curl/curl.h>

namespace edgeai::platform::native {

struct CurlLibrary {
    decltype(&curl_global_init) global_init;
    decltype(&curl_easy_init) easy_init;
    decltype(&curl_easy_cleanup) easy_cleanup;
    decltype(&curl_easy_setopt) easy_setopt;
    decltype(&curl_easy_perform) easy_perform;
    decltype(&curl_easy_getinfo) easy_getinfo;
    decltype(&curl_easy_pause) easy_pause;
    decltype(&curl_easy_strerror) easy_strerror;
    decltype(&curl_multi_init) multi_init;
    decltype(&curl_multi_cleanup) multi_cleanup;
    decltype(&curl_multi_setopt) multi_setopt;
    decltype(&curl_multi_add_handle) multi_add_handle;
    decltype(&curl_multi_remove_handle) multi_remove_handle;
    decltype(&curl_multi_socket_action) multi_socket_action;
    decltype(&curl_multi_info_read) multi_info_read;
    decltype(&curl_multi_strerror) multi_strerror;
    decltype(&curl_slist_append) slist_append;
    decltype(&curl_slist_free_all) slist_free_all;
};

// Loads libcurl once (thread-safe) and initialises it; an error names the
// library and says which package provides it.
core::Result<const CurlLibrary*> load_curl_library();

} // namespace edgeai::platform::native
