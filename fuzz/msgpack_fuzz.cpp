// MessagePack from anywhere (a device, a serial line): decoding never crashes
// or reads past the input; what decodes re-encodes (smallest forms) to bytes
// that decode to the same items; and what converts to JSON converts to
// MessagePack and back to the same JSON value.
#include "codec/msgpack/msgpack_json.h"
#include "codec/msgpack/msgpack_reader.h"
#include "codec/msgpack/msgpack_writer.h"

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace {

using edgeai::codec::MsgpackItem;
using edgeai::codec::MsgpackType;

void check(bool ok) {
    if (!ok) std::abort();
}

void write_item(edgeai::codec::MsgpackWriter& w, const MsgpackItem& it) {
    switch (it.type) {
    case MsgpackType::kNil:
        w.nil();
        break;
    case MsgpackType::kBool:
        w.boolean(it.boolean);
        break;
    case MsgpackType::kInt:
        w.integer(it.i);
        break;
    case MsgpackType::kUint:
        w.uinteger(it.u);
        break;
    case MsgpackType::kFloat32:
        w.float32(static_cast<float>(it.f));
        break;
    case MsgpackType::kFloat64:
        w.float64(it.f);
        break;
    case MsgpackType::kStr:
        w.str(it.bytes);
        break;
    case MsgpackType::kBin:
        w.bin(it.bytes);
        break;
    case MsgpackType::kArray:
        w.array(it.count);
        break;
    case MsgpackType::kMap:
        w.map(it.count);
        break;
    case MsgpackType::kExt:
        w.ext(it.ext_type, it.bytes);
        break;
    }
}

bool same(const MsgpackItem& a, const MsgpackItem& b) {
    if (a.type != b.type) return false;
    switch (a.type) {
    case MsgpackType::kFloat32:
    case MsgpackType::kFloat64:
        return std::memcmp(&a.f, &b.f, sizeof a.f) == 0; // NaN payloads too
    default:
        return a.boolean == b.boolean && a.i == b.i && a.u == b.u && a.bytes == b.bytes &&
               a.count == b.count && a.ext_type == b.ext_type;
    }
}

std::vector<MsgpackItem> decode(std::string_view bytes, bool* ok) {
    edgeai::codec::MsgpackReader r(bytes, {16, 1 << 20});
    std::vector<MsgpackItem> items;
    *ok = true;
    while (!r.value_done()) {
        MsgpackItem it;
        if (!r.next(it).ok()) {
            *ok = false;
            break;
        }
        check(r.offset() <= bytes.size());
        items.push_back(it);
    }
    return items;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view bytes(reinterpret_cast<const char*>(data), size);
    bool ok = false;
    const std::vector<MsgpackItem> items = decode(bytes, &ok);
    if (ok) {
        std::string again;
        edgeai::codec::MsgpackWriter w(&again);
        for (const MsgpackItem& it : items)
            write_item(w, it);
        bool ok2 = false;
        const std::vector<MsgpackItem> items2 = decode(again, &ok2);
        check(ok2 && items2.size() == items.size());
        for (size_t i = 0; i < items.size(); ++i)
            check(same(items[i], items2[i]));
    }
    edgeai::codec::MsgpackToJsonOptions options;
    options.limits = {16, 1 << 20};
    for (bool tagged : {false, true}) {
        options.tag_other_types = tagged;
        auto json = edgeai::codec::msgpack_to_json(bytes, options);
        if (!json.ok() || tagged) continue;
        // The JSON value survives a trip through MessagePack: its canonical
        // MessagePack form comes back byte for byte (the JSON text may spell
        // a number differently, 9.11e+10 against 91100000000).
        auto packed = edgeai::codec::json_to_msgpack(*json);
        check(packed.ok());
        auto json2 = edgeai::codec::msgpack_to_json(*packed, options);
        check(json2.ok());
        auto packed2 = edgeai::codec::json_to_msgpack(*json2);
        check(packed2.ok() && *packed2 == *packed);
    }
    return 0;
}
