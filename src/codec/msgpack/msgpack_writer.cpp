#include "codec/msgpack/msgpack_writer.h"

#include <cstring>

namespace edgeai::codec {

void MsgpackWriter::be(uint64_t v, int bytes) {
    for (int i = bytes - 1; i >= 0; --i)
        byte(static_cast<uint8_t>(v >> (8 * i)));
}

MsgpackWriter& MsgpackWriter::nil() {
    byte(0xc0);
    return *this;
}

MsgpackWriter& MsgpackWriter::boolean(bool b) {
    byte(b ? 0xc3 : 0xc2);
    return *this;
}

MsgpackWriter& MsgpackWriter::uinteger(uint64_t n) {
    if (n < 0x80) {
        byte(static_cast<uint8_t>(n));
    } else if (n <= 0xff) {
        byte(0xcc);
        be(n, 1);
    } else if (n <= 0xffff) {
        byte(0xcd);
        be(n, 2);
    } else if (n <= 0xffffffffu) {
        byte(0xce);
        be(n, 4);
    } else {
        byte(0xcf);
        be(n, 8);
    }
    return *this;
}

MsgpackWriter& MsgpackWriter::integer(int64_t n) {
    if (n >= 0) return uinteger(static_cast<uint64_t>(n));
    const auto bits = static_cast<uint64_t>(n);
    if (n >= -32) {
        byte(static_cast<uint8_t>(bits)); // negative fixint: 111xxxxx
    } else if (n >= INT8_MIN) {
        byte(0xd0);
        be(bits, 1);
    } else if (n >= INT16_MIN) {
        byte(0xd1);
        be(bits, 2);
    } else if (n >= INT32_MIN) {
        byte(0xd2);
        be(bits, 4);
    } else {
        byte(0xd3);
        be(bits, 8);
    }
    return *this;
}

MsgpackWriter& MsgpackWriter::float32(float f) {
    uint32_t bits;
    std::memcpy(&bits, &f, 4);
    byte(0xca);
    be(bits, 4);
    return *this;
}

MsgpackWriter& MsgpackWriter::float64(double d) {
    uint64_t bits;
    std::memcpy(&bits, &d, 8);
    byte(0xcb);
    be(bits, 8);
    return *this;
}

MsgpackWriter& MsgpackWriter::str(std::string_view s) {
    const size_t n = s.size();
    if (n < 32) {
        byte(static_cast<uint8_t>(0xa0 | n));
    } else if (n <= 0xff) {
        byte(0xd9);
        be(n, 1);
    } else if (n <= 0xffff) {
        byte(0xda);
        be(n, 2);
    } else {
        byte(0xdb);
        be(n, 4);
    }
    out_->append(s);
    return *this;
}

MsgpackWriter& MsgpackWriter::bin(std::string_view bytes) {
    const size_t n = bytes.size();
    if (n <= 0xff) {
        byte(0xc4);
        be(n, 1);
    } else if (n <= 0xffff) {
        byte(0xc5);
        be(n, 2);
    } else {
        byte(0xc6);
        be(n, 4);
    }
    out_->append(bytes);
    return *this;
}

MsgpackWriter& MsgpackWriter::array(uint32_t count) {
    if (count < 16) {
        byte(static_cast<uint8_t>(0x90 | count));
    } else if (count <= 0xffff) {
        byte(0xdc);
        be(count, 2);
    } else {
        byte(0xdd);
        be(count, 4);
    }
    return *this;
}

MsgpackWriter& MsgpackWriter::map(uint32_t pairs) {
    if (pairs < 16) {
        byte(static_cast<uint8_t>(0x80 | pairs));
    } else if (pairs <= 0xffff) {
        byte(0xde);
        be(pairs, 2);
    } else {
        byte(0xdf);
        be(pairs, 4);
    }
    return *this;
}

MsgpackWriter& MsgpackWriter::ext(int8_t type, std::string_view data) {
    const size_t n = data.size();
    const auto t = static_cast<uint8_t>(type);
    switch (n) {
    case 1:
        byte(0xd4);
        break;
    case 2:
        byte(0xd5);
        break;
    case 4:
        byte(0xd6);
        break;
    case 8:
        byte(0xd7);
        break;
    case 16:
        byte(0xd8);
        break;
    default:
        if (n <= 0xff) {
            byte(0xc7);
            be(n, 1);
        } else if (n <= 0xffff) {
            byte(0xc8);
            be(n, 2);
        } else {
            byte(0xc9);
            be(n, 4);
        }
    }
    byte(t);
    out_->append(data);
    return *this;
}

MsgpackWriter& MsgpackWriter::timestamp(int64_t seconds, uint32_t nanoseconds) {
    std::string data;
    MsgpackWriter w(&data);
    if (seconds >= 0 && (static_cast<uint64_t>(seconds) >> 34) == 0) {
        const uint64_t packed = (uint64_t{nanoseconds} << 34) | static_cast<uint64_t>(seconds);
        if ((packed >> 32) == 0)
            w.be(packed, 4); // timestamp 32
        else
            w.be(packed, 8); // timestamp 64
    } else {
        w.be(nanoseconds, 4); // timestamp 96
        w.be(static_cast<uint64_t>(seconds), 8);
    }
    return ext(-1, data);
}

} // namespace edgeai::codec
