// MessagePack encoder (https://github.com/msgpack/msgpack/blob/master/spec.md):
// appends to a string, each value in the smallest form the spec allows, as
// the reference implementations choose it (so bytes compare equal with
// @msgpack/msgpack's for the same value). The caller writes a container's
// header with its element count, then the elements.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace edgeai::codec {

class MsgpackWriter {
  public:
    explicit MsgpackWriter(std::string* out) : out_(out) {}

    MsgpackWriter& nil();
    MsgpackWriter& boolean(bool b);
    MsgpackWriter& integer(int64_t n); // non-negative values take the unsigned forms
    MsgpackWriter& uinteger(uint64_t n);
    MsgpackWriter& float32(float f);
    MsgpackWriter& float64(double d);
    MsgpackWriter& str(std::string_view s);
    MsgpackWriter& bin(std::string_view bytes);
    MsgpackWriter& array(uint32_t count);
    MsgpackWriter& map(uint32_t pairs);
    MsgpackWriter& ext(int8_t type, std::string_view data);
    // The timestamp extension (type -1) in its smallest form: 32 bits of
    // seconds, 34 + 30 bits, or 64-bit seconds and 32-bit nanoseconds.
    MsgpackWriter& timestamp(int64_t seconds, uint32_t nanoseconds);

  private:
    void byte(uint8_t b) { out_->push_back(static_cast<char>(b)); }
    void be(uint64_t v, int bytes);
    std::string* out_;
};

} // namespace edgeai::codec
