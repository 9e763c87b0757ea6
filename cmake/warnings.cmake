# Warnings apply to our own targets only; third-party headers come in as SYSTEM.
function(edgeai_warnings target)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wshadow -Wconversion -Wno-sign-conversion -Wnon-virtual-dtor
    $<$<BOOL:${EDGEAI_WERROR}>:-Werror>)
endfunction()

# The portable core: no exceptions, no RTTI (the WASI and microcontroller
# targets have neither), so a throw or a dynamic_cast fails the build here first.
function(edgeai_portable target)
  edgeai_warnings(${target})
  target_compile_options(${target} PRIVATE -fno-exceptions -fno-rtti)
endfunction()
