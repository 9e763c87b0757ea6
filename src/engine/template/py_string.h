// Python's str methods as templates use them. Python indexes strings by code
// point, so lengths, indices and slices here count UTF-8 code points (an
// invalid byte counts as one). Case mapping is ASCII only: Python would also
// map letters such as "é"; the templates models ship apply case filters to
// ASCII role names.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace edgeai::engine::tmpl {

// Byte offset of each code point, then the string's size.
std::vector<size_t> code_point_offsets(std::string_view s);
size_t code_point_count(std::string_view s);

// Python's str.strip family; `chars` absent means Unicode whitespace.
std::string_view py_strip(std::string_view s, const std::optional<std::string>& chars, bool left,
                          bool right);

// str.split(sep, maxsplit): without a separator, runs of whitespace split and
// empty pieces are dropped. maxsplit < 0 means no limit.
std::vector<std::string> py_split(std::string_view s, const std::optional<std::string>& sep,
                                  int64_t maxsplit);

// str.replace(old, new, count): count < 0 replaces every occurrence. An empty
// `old` inserts `replacement` around every code point, as Python does.
std::string py_replace(std::string_view s, std::string_view old, std::string_view replacement,
                       int64_t count);

std::string py_upper(std::string_view s);
std::string py_lower(std::string_view s);
std::string py_title(std::string_view s);
std::string py_capitalize(std::string_view s);

// Python's slice of a sequence of `length` items: the indices it selects,
// in order. `step` must not be 0.
std::vector<size_t> slice_indices(size_t length, std::optional<int64_t> start,
                                  std::optional<int64_t> stop, int64_t step);

} // namespace edgeai::engine::tmpl
