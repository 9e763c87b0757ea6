// A JSON text the test expects to be valid, as a document: a test that gets
// anything else fails there and goes on with an empty object, so one bad
// answer does not hide the checks after it.
#pragma once

#include "codec/json/json_document.h"

#include <gtest/gtest.h>

#include <string_view>

namespace edgeai::api {

inline codec::JsonDocument json_for_test(std::string_view text) {
    auto doc = codec::JsonDocument::parse(text);
    if (!doc.ok()) {
        ADD_FAILURE() << "not JSON: " << doc.status().message() << "\n" << text;
        doc = codec::JsonDocument::parse("{}");
    }
    return std::move(doc).value();
}

} // namespace edgeai::api
