// The MessagePack codec against the specification's byte layouts (every size
// class at its boundaries), hostile input (every truncation, lengths past the
// end, nesting, the unused 0xc1), and the JSON conversions both ways with
// their errors. Cross-checked against @msgpack/msgpack in
// tests/integration/msgpack.test.mjs.
#include "codec/msgpack/msgpack_json.h"
#include "codec/msgpack/msgpack_reader.h"
#include "codec/msgpack/msgpack_writer.h"
#include "core/hex.h"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>
#include <string>

namespace edgeai::codec {
namespace {

std::string hex_of(const std::string& bytes) {
    static const char* digits = "0123456789abcdef";
    std::string out;
    for (char c : bytes) {
        const auto b = static_cast<uint8_t>(c);
        out += digits[b >> 4];
        out += digits[b & 15];
    }
    return out;
}

std::string encode(const std::function<void(MsgpackWriter&)>& f) {
    std::string out;
    MsgpackWriter w(&out);
    f(w);
    return out;
}

TEST(MsgpackWriter, IntegersTakeTheSmallestForm) {
    const struct {
        int64_t n;
        const char* hex;
    } cases[] = {
        {0, "00"},
        {127, "7f"},
        {128, "cc80"},
        {255, "ccff"},
        {256, "cd0100"},
        {65535, "cdffff"},
        {65536, "ce00010000"},
        {4294967295, "ceffffffff"},
        {4294967296, "cf0000000100000000"},
        {-1, "ff"},
        {-32, "e0"},
        {-33, "d0df"},
        {-128, "d080"},
        {-129, "d1ff7f"},
        {-32768, "d18000"},
        {-32769, "d2ffff7fff"},
        {std::numeric_limits<int32_t>::min(), "d280000000"},
        {int64_t{std::numeric_limits<int32_t>::min()} - 1, "d3ffffffff7fffffff"},
        {std::numeric_limits<int64_t>::min(), "d38000000000000000"},
        {std::numeric_limits<int64_t>::max(), "cf7fffffffffffffff"},
    };
    for (const auto& c : cases)
        EXPECT_EQ(hex_of(encode([&](MsgpackWriter& w) { w.integer(c.n); })), c.hex) << c.n;
    EXPECT_EQ(hex_of(encode([](MsgpackWriter& w) { w.uinteger(UINT64_MAX); })),
              "cfffffffffffffffff");
}

TEST(MsgpackWriter, StringsBinsAndContainersAtEachSizeBoundary) {
    auto head = [](const std::string& bytes, size_t n) { return hex_of(bytes.substr(0, n)); };
    EXPECT_EQ(head(encode([](MsgpackWriter& w) { w.str(""); }), 1), "a0");
    EXPECT_EQ(head(encode([](MsgpackWriter& w) { w.str(std::string(31, 'x')); }), 1), "bf");
    EXPECT_EQ(head(encode([](MsgpackWriter& w) { w.str(std::string(32, 'x')); }), 2), "d920");
    EXPECT_EQ(head(encode([](MsgpackWriter& w) { w.str(std::string(255, 'x')); }), 2), "d9ff");
    EXPECT_EQ(head(encode([](MsgpackWriter& w) { w.str(std::string(256, 'x')); }), 3), "da0100");
    EXPECT_EQ(head(encode([](MsgpackWriter& w) { w.str(std::string(65536, 'x')); }), 5),
              "db00010000");
    EXPECT_EQ(hex_of(encode([](MsgpackWriter& w) { w.bin(""); })), "c400");
    EXPECT_EQ(head(encode([](MsgpackWriter& w) { w.bin(std::string(256, 'x')); }), 3), "c50100");
    EXPECT_EQ(head(encode([](MsgpackWriter& w) { w.bin(std::string(65536, 'x')); }), 5),
              "c600010000");
    EXPECT_EQ(hex_of(encode([](MsgpackWriter& w) { w.array(15); })), "9f");
    EXPECT_EQ(hex_of(encode([](MsgpackWriter& w) { w.array(16); })), "dc0010");
    EXPECT_EQ(hex_of(encode([](MsgpackWriter& w) { w.array(65536); })), "dd00010000");
    EXPECT_EQ(hex_of(encode([](MsgpackWriter& w) { w.map(15); })), "8f");
    EXPECT_EQ(hex_of(encode([](MsgpackWriter& w) { w.map(16); })), "de0010");
    EXPECT_EQ(hex_of(encode([](MsgpackWriter& w) { w.map(65536); })), "df00010000");
}

TEST(MsgpackWriter, FloatsExtsAndTimestamps) {
    EXPECT_EQ(hex_of(encode([](MsgpackWriter& w) { w.float32(1.5f); })), "ca3fc00000");
    EXPECT_EQ(hex_of(encode([](MsgpackWriter& w) { w.float64(-0.5); })), "cbbfe0000000000000");
    EXPECT_EQ(hex_of(encode([](MsgpackWriter& w) { w.nil().boolean(false).boolean(true); })),
              "c0c2c3");
    EXPECT_EQ(hex_of(encode([](MsgpackWriter& w) { w.ext(5, "a"); })), "d40561");
    EXPECT_EQ(hex_of(encode([](MsgpackWriter& w) { w.ext(5, "ab"); })), "d5056162");
    EXPECT_EQ(hex_of(encode([](MsgpackWriter& w) { w.ext(5, "abc"); })), "c7030561626"
                                                                         "3");
    EXPECT_EQ(
        hex_of(encode([](MsgpackWriter& w) { w.ext(-7, std::string(16, 'z')); })).substr(0, 4),
        "d8f9");
    // The three timestamp forms of the spec.
    EXPECT_EQ(hex_of(encode([](MsgpackWriter& w) { w.timestamp(1, 0); })), "d6ff00000001");
    EXPECT_EQ(hex_of(encode([](MsgpackWriter& w) { w.timestamp(1, 1); })), "d7ff0000000400000001");
    EXPECT_EQ(hex_of(encode([](MsgpackWriter& w) { w.timestamp(-1, 0); })),
              "c70cff00000000ffffffffffffffff");
}

// Every item of a value, read back.
std::vector<MsgpackItem> read_all(const std::string& bytes, core::Status* st = nullptr,
                                  MsgpackLimits limits = {}) {
    MsgpackReader r(bytes, limits);
    std::vector<MsgpackItem> items;
    while (!r.value_done()) {
        MsgpackItem item;
        core::Status s = r.next(item);
        if (!s.ok()) {
            if (st != nullptr) *st = s;
            return items;
        }
        items.push_back(item);
    }
    return items;
}

TEST(MsgpackReader, ReadsBackWhatTheWriterWrote) {
    std::string bytes;
    MsgpackWriter w(&bytes);
    w.map(3)
        .str("ints")
        .array(4)
        .integer(-129)
        .integer(300)
        .uinteger(UINT64_MAX)
        .integer(std::numeric_limits<int64_t>::min());
    w.str("f").array(2).float32(0.1f).float64(1e300);
    w.str("x").array(3).bin("\x01\x02").timestamp(1700000000, 5).nil();
    const auto items = read_all(bytes);
    ASSERT_EQ(items.size(), 16u);
    EXPECT_EQ(items[0].type, MsgpackType::kMap);
    EXPECT_EQ(items[0].count, 3u);
    EXPECT_EQ(items[1].bytes, "ints");
    EXPECT_EQ(items[3].i, -129);
    EXPECT_EQ(items[4].u, 300u);
    EXPECT_EQ(items[5].u, UINT64_MAX);
    EXPECT_EQ(items[6].i, std::numeric_limits<int64_t>::min());
    EXPECT_EQ(items[9].type, MsgpackType::kFloat32);
    EXPECT_EQ(items[9].f, double{0.1f});
    EXPECT_EQ(items[10].f, 1e300);
    EXPECT_EQ(items[13].bytes, std::string("\x01\x02"));
    auto t = decode_timestamp(items[14]);
    ASSERT_TRUE(t.ok());
    EXPECT_EQ(t->seconds, 1700000000);
    EXPECT_EQ(t->nanoseconds, 5u);
    EXPECT_EQ(items[15].type, MsgpackType::kNil);
    // A signed form holding a non-negative value reads as unsigned.
    const auto pos = read_all(std::string("\xd0\x05", 2));
    ASSERT_EQ(pos.size(), 1u);
    EXPECT_EQ(pos[0].type, MsgpackType::kUint);
    EXPECT_EQ(pos[0].u, 5u);
}

TEST(MsgpackReader, EveryTruncationIsAnErrorNeverACrash) {
    std::string bytes;
    MsgpackWriter w(&bytes);
    w.map(2).str("k").array(3).float64(2.5).str(std::string(40, 's')).bin(std::string(300, 'b'));
    w.str("t").timestamp(-5, 7);
    ASSERT_FALSE(read_all(bytes).empty());
    for (size_t n = 0; n < bytes.size(); ++n) {
        core::Status st;
        read_all(bytes.substr(0, n), &st);
        ASSERT_FALSE(st.ok()) << "a cut at " << n << " read as a whole value";
        EXPECT_EQ(st.code(), core::StatusCode::kInvalidArgument) << st.message();
    }
}

TEST(MsgpackReader, HostileLengthsDepthAndBytesAreRefused) {
    core::Status st;
    // A str8 claiming 200 bytes with 3 left.
    read_all(std::string("\xd9\xc8"
                         "abc",
                         5),
             &st);
    EXPECT_NE(st.message().find("a length of 200 with 3 bytes left"), std::string::npos)
        << st.message();
    // An array32 claiming four billion elements.
    read_all(std::string("\xdd\xff\xff\xff\xff\x01", 6), &st);
    EXPECT_NE(st.message().find("4294967295 elements with 1 bytes left"), std::string::npos)
        << st.message();
    // 0xc1 is reserved.
    read_all(std::string("\xc1", 1), &st);
    EXPECT_NE(st.message().find("0xc1"), std::string::npos) << st.message();
    // Nesting past the limit.
    std::string deep(100, '\x91');
    deep += '\xc0';
    read_all(deep, &st, MsgpackLimits{64, 1 << 20});
    EXPECT_EQ(st.code(), core::StatusCode::kResourceExhausted);
    EXPECT_NE(st.message().find("deeper than 64"), std::string::npos) << st.message();
    EXPECT_EQ(read_all(deep, nullptr, MsgpackLimits{128, 1 << 20}).size(), 101u);
    // More bytes than allowed at all.
    read_all(std::string(10, '\x00'), &st, MsgpackLimits{64, 4});
    EXPECT_EQ(st.code(), core::StatusCode::kResourceExhausted);
    // A timestamp with nanoseconds past a second.
    MsgpackItem bad;
    bad.type = MsgpackType::kExt;
    bad.ext_type = -1;
    bad.bytes = std::string_view("\xff\xff\xff\xff\x00\x00\x00\x00\x00\x00\x00\x01", 12);
    EXPECT_FALSE(decode_timestamp(bad).ok());
}

TEST(MsgpackJson, JsonRoundTripsThroughMessagePack) {
    const char* docs[] = {
        R"({"model":"m","messages":[{"role":"user","content":"héllo ✓ 😀"}],"n":1,"t":0.7,"x":null,"b":[true,false],"e":{},"a":[]})",
        R"([-9223372036854775808,9223372036854775807,18446744073709551615,-1,0,1.5e-300,123456.789])",
        R"("just a string")",
        "42",
    };
    for (const char* doc : docs) {
        auto packed = json_to_msgpack(doc);
        ASSERT_TRUE(packed.ok()) << packed.status().message();
        auto back = msgpack_to_json(*packed);
        ASSERT_TRUE(back.ok()) << back.status().message();
        // Same value: packing the JSON we wrote gives the same bytes.
        auto again = json_to_msgpack(*back);
        ASSERT_TRUE(again.ok());
        EXPECT_EQ(hex_of(*again), hex_of(*packed)) << doc << " -> " << *back;
    }
    auto packed = json_to_msgpack(R"({"k":[1,-1,2.5]})");
    ASSERT_TRUE(packed.ok());
    EXPECT_EQ(hex_of(*packed), "81a16b9301ffcb4004000000000000");
    EXPECT_EQ(*msgpack_to_json(*packed), R"({"k":[1,-1,2.5]})");
}

TEST(MsgpackJson, WhatJsonCannotHoldIsRefusedWithItsPlace) {
    std::string bytes;
    MsgpackWriter w(&bytes);
    w.map(1).str("messages").array(2).nil().map(1).str("content").bin("x");
    auto r = msgpack_to_json(bytes);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().message(), "bin at $.messages[1].content has no JSON form");

    bytes.clear();
    w.map(1).integer(7).nil();
    r = msgpack_to_json(bytes);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.status().message().find("a map key that is not a string"), std::string::npos);

    bytes.clear();
    w.array(1).float64(std::nan(""));
    EXPECT_FALSE(msgpack_to_json(bytes).ok());

    bytes.clear();
    w.str("\xff\xfe");
    r = msgpack_to_json(bytes);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.status().message().find("not valid UTF-8"), std::string::npos);

    bytes.clear();
    w.nil().nil();
    r = msgpack_to_json(bytes);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.status().message().find("1 bytes after its value"), std::string::npos);

    EXPECT_FALSE(json_to_msgpack("{\"a\":").ok());
}

TEST(MsgpackJson, TaggedModeShowsEveryType) {
    std::string bytes;
    MsgpackWriter w(&bytes);
    w.map(5).str("bin").bin("hi").str("ts").timestamp(3, 4).str("ext").ext(9, "ab");
    w.integer(1).str("int key").str("nan").float32(std::numeric_limits<float>::infinity());
    MsgpackToJsonOptions tagged;
    tagged.tag_other_types = true;
    auto r = msgpack_to_json(bytes, tagged);
    ASSERT_TRUE(r.ok()) << r.status().message();
    EXPECT_EQ(*r, R"({"bin":{"$bin":"aGk="},"ts":{"$timestamp":{"seconds":3,"nanoseconds":4}},)"
                  R"("ext":{"$ext":9,"data":"YWI="},"1":"int key","nan":{"$float":"inf"}})");
}

} // namespace
} // namespace edgeai::codec
