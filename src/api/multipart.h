// multipart/form-data (RFC 7578) request bodies, as the OpenAI SDKs send file
// uploads (POST /v1/files). The whole body is in memory (bounded by
// server.max_body_bytes), so parts are views into it; every boundary, header
// and length is checked, and a malformed body is an error that says where.
#pragma once

#include "core/result.h"

#include <string>
#include <string_view>
#include <vector>

namespace edgeai::api {

struct FormPart {
    std::string name;         // Content-Disposition's name
    std::string filename;     // its filename, when the part is a file
    std::string content_type; // the part's Content-Type, if any
    std::string_view data;    // a view into the body
};

// The boundary parameter of a multipart/form-data content type; InvalidArgument
// when the type is something else or has no usable boundary.
core::Result<std::string> form_boundary(std::string_view content_type);

// Every part of `body`, in order.
core::Result<std::vector<FormPart>> parse_form_data(std::string_view body,
                                                    std::string_view boundary);

} // namespace edgeai::api
