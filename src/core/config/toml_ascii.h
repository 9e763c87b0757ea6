// Rewrites a TOML document so that it holds only ASCII, with the same meaning.
//
// Why: toml++ 3.3 (Debian 12's) classifies some non-ASCII code points with a
// table that reaches __builtin_unreachable(), i.e. undefined behaviour, both in
// keys and while recovering from errors (found by config_fuzz). Handing it ASCII
// only avoids that whatever the input. Non-ASCII is legal TOML only inside
// strings and comments, so:
//   - in basic strings it becomes \uXXXX / \UXXXXXXXX escapes;
//   - literal strings ('...', '''...''') become basic strings with the same
//     content (backslashes and quotes escaped, non-ASCII as above);
//   - in comments it becomes spaces;
//   - anywhere else it is an error naming the line.
// Lines stay where they were, so toml++'s line numbers stay right.
#pragma once

#include "core/result.h"

#include <string>
#include <string_view>

namespace edgeai::core {

Result<std::string> toml_to_ascii(std::string_view text, std::string_view file_name);

} // namespace edgeai::core
