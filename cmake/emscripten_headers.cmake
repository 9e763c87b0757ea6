# emcc compiles against its own sysroot and leaves /usr/include out (glibc's
# headers live there). The header-only libraries the core uses (toml++,
# RapidJSON, from Debian's packages) come in alone, through a directory of
# links to them, as system headers.
set(EDGEAI_HOST_HEADERS ${CMAKE_BINARY_DIR}/host-headers)
file(MAKE_DIRECTORY ${EDGEAI_HOST_HEADERS})
foreach(lib toml++ rapidjson)
  if(NOT EXISTS ${EDGEAI_HOST_HEADERS}/${lib})
    file(CREATE_LINK /usr/include/${lib} ${EDGEAI_HOST_HEADERS}/${lib} SYMBOLIC)
  endif()
endforeach()
include_directories(SYSTEM ${EDGEAI_HOST_HEADERS})
