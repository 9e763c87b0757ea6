# Linux aarch64 with Debian's cross g++ (g++-aarch64-linux-gnu). Its header
# search ends with /usr/include, so the header-only libraries of the portable
# core (RapidJSON, toml++) come from the host packages. Tests run under
# qemu-user through CTest's emulator hook.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
# ARMv8.2-A with the dot-product extension (Pi 5's Cortex-A76, Jetson Orin,
# Graviton 2+), so the NEON kernels use SDOT; qemu-user emulates it.
set(CMAKE_C_FLAGS_INIT "-march=armv8.2-a+dotprod")
set(CMAKE_CXX_FLAGS_INIT "-march=armv8.2-a+dotprod")
# Release is -O2 here, as the release build's engine: GCC 12 at -O3 reports
# false -Wrestrict overlaps inside libstdc++'s std::string (GCC bug 105329).
set(CMAKE_C_FLAGS_RELEASE "-O2 -DNDEBUG" CACHE STRING "")
set(CMAKE_CXX_FLAGS_RELEASE "-O2 -DNDEBUG" CACHE STRING "")
# -L: the target's loader and libraries. -E LD_LIBRARY_PATH: without it qemu
# mixes in the host's multiarch libc once any :arm64 package is installed, and
# the tests hang (/work/shared/TOOLCHAINS.md).
set(CMAKE_CROSSCOMPILING_EMULATOR
    qemu-aarch64;-L;/usr/aarch64-linux-gnu;-E;LD_LIBRARY_PATH=/usr/aarch64-linux-gnu/lib)
set(CMAKE_FIND_ROOT_PATH /usr/aarch64-linux-gnu)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
