#include "api/mcp/mcp_tools.h"

#include "codec/json/json_writer.h"

namespace edgeai::api::mcp {
namespace {

using codec::JsonDocument;
using codec::JsonValue;
using codec::JsonWriter;

struct ToolText {
    Tool tool;
    std::string_view name;
    std::string_view title;
    std::string_view description;
    std::string_view input_schema;
    std::string_view output_schema;
    bool read_only;
};

// The chat arguments, shared by chat and submit_job.
#define EDGEAI_MCP_CHAT_PROPERTIES                                                                 \
    R"("model":{"type":"string","description":"A model id from list_models."},)"                   \
    R"("prompt":{"type":"string","description":"The user's message (or give messages)."},)"        \
    R"("system":{"type":"string","description":"A system message put first."},)"                   \
    R"("messages":{"type":"array","description":"The conversation, oldest first.",)"               \
    R"("items":{"type":"object","properties":{"role":{"type":"string","enum":["system",)"          \
    R"("user","assistant"]},"content":{"type":"string"}},"required":["role","content"]}},)"        \
    R"("max_tokens":{"type":"integer","minimum":1},)"                                              \
    R"("temperature":{"type":"number","minimum":0,"maximum":2})"

constexpr ToolText kToolTexts[] = {
    {Tool::kChat, "chat", "Chat with a model",
     "Sends a prompt or a conversation to a model the gateway serves (a local model or a cloud "
     "provider, with the gateway's routing and fallback) and returns its answer.",
     R"({"type":"object","properties":{)" EDGEAI_MCP_CHAT_PROPERTIES R"(},"required":["model"]})",
     R"({"type":"object","properties":{"text":{"type":"string"},"model":{"type":"string"},)"
     R"("finish_reason":{"type":"string"},"usage":{"type":"object","properties":{)"
     R"("prompt_tokens":{"type":"integer"},"completion_tokens":{"type":"integer"}}}},)"
     R"("required":["text","model"]})",
     false},
    {Tool::kEmbed, "embed", "Embedding vectors",
     "Returns an embedding vector for each input text, from an embedding model the gateway "
     "serves.",
     R"({"type":"object","properties":{"model":{"type":"string"},"input":{"anyOf":[)"
     R"({"type":"string"},{"type":"array","items":{"type":"string"}}]}},)"
     R"("required":["model","input"]})",
     R"({"type":"object","properties":{"model":{"type":"string"},"embeddings":{"type":"array",)"
     R"("items":{"type":"array","items":{"type":"number"}}},"usage":{"type":"object"}},)"
     R"("required":["embeddings"]})",
     true},
    {Tool::kListModels, "list_models", "List the models",
     "Lists the models this gateway serves: local models and those of its cloud providers.",
     R"({"type":"object","properties":{}})",
     R"({"type":"object","properties":{"models":{"type":"array","items":{"type":"object",)"
     R"("properties":{"id":{"type":"string"},"owned_by":{"type":"string"}},)"
     R"("required":["id"]}}},"required":["models"]})",
     true},
    {Tool::kSubmitJob, "submit_job", "Queue a chat for later",
     "Queues a chat request durably: it survives restarts and runs when a backend can take it "
     "(when the device is back online). Returns the job; poll it with get_job.",
     R"({"type":"object","properties":{)" EDGEAI_MCP_CHAT_PROPERTIES R"(},"required":["model"]})",
     R"({"type":"object","properties":{"id":{"type":"string"},"status":{"type":"string"}},)"
     R"("required":["id","status"]})",
     false},
    {Tool::kGetJob, "get_job", "A queued job",
     "Returns a job submitted with submit_job: its status and, once it has run, the answer.",
     R"({"type":"object","properties":{"id":{"type":"string"}},"required":["id"]})",
     R"({"type":"object","properties":{"id":{"type":"string"},"status":{"type":"string"},)"
     R"("response":{}},"required":["id","status"]})",
     true},
};

#undef EDGEAI_MCP_CHAT_PROPERTIES

const ToolText& text_of(Tool tool) {
    return kToolTexts[static_cast<size_t>(tool)];
}

core::Status bad_argument(std::string_view name, std::string_view what) {
    return core::invalid_argument("argument '" + std::string(name) + "' " + std::string(what))
        .with_field(std::string(name));
}

core::Status require_string(JsonValue args, std::string_view name) {
    if (!args[name].is_string() || args[name].as_string().empty())
        return bad_argument(name, "is required: a non-empty string");
    return {};
}

// chat and submit_job: a chat completion request.
core::Result<std::string> chat_body(JsonValue args, bool stream) {
    EDGEAI_TRY(require_string(args, "model"));
    const JsonValue prompt = args["prompt"];
    const JsonValue system = args["system"];
    const JsonValue messages = args["messages"];
    if (!prompt.is_missing() && !prompt.is_string())
        return bad_argument("prompt", "must be a string");
    if (!system.is_missing() && !system.is_string())
        return bad_argument("system", "must be a string");
    if (!messages.is_missing() && !messages.is_array())
        return bad_argument("messages", "must be an array of {role, content}");
    if (!prompt.is_string() && messages.size() == 0)
        return bad_argument("prompt", "or 'messages' is required");
    JsonWriter w;
    w.begin_object().field("model", args["model"].as_string());
    w.key("messages").begin_array();
    if (system.is_string())
        w.begin_object().field("role", "system").field("content", system.as_string()).end_object();
    for (size_t i = 0; i < messages.size(); ++i) {
        const JsonValue m = messages.at(i);
        if (!m["role"].is_string() || !m["content"].is_string())
            return bad_argument("messages", "items must be {role, content} with string values");
        w.begin_object()
            .field("role", m["role"].as_string())
            .field("content", m["content"].as_string())
            .end_object();
    }
    if (prompt.is_string())
        w.begin_object().field("role", "user").field("content", prompt.as_string()).end_object();
    w.end_array();
    const JsonValue max_tokens = args["max_tokens"];
    if (!max_tokens.is_missing()) {
        if (!max_tokens.is_integer() || max_tokens.as_int64() < 1)
            return bad_argument("max_tokens", "must be an integer of at least 1");
        w.field("max_tokens", max_tokens.as_int64());
    }
    const JsonValue temperature = args["temperature"];
    if (!temperature.is_missing()) {
        if (!temperature.is_number() || temperature.as_double() < 0 || temperature.as_double() > 2)
            return bad_argument("temperature", "must be a number from 0 to 2");
        w.field("temperature", temperature.as_double());
    }
    if (stream) {
        w.field("stream", true);
        w.key("stream_options").begin_object().field("include_usage", true).end_object();
    }
    w.end_object();
    return w.take();
}

core::Result<std::string> embed_body(JsonValue args) {
    EDGEAI_TRY(require_string(args, "model"));
    const JsonValue input = args["input"];
    JsonWriter w;
    w.begin_object().field("model", args["model"].as_string()).key("input");
    if (input.is_string()) {
        w.value(input.as_string());
    } else if (input.is_array() && input.size() > 0) {
        w.begin_array();
        for (size_t i = 0; i < input.size(); ++i) {
            if (!input.at(i).is_string()) return bad_argument("input", "items must be strings");
            w.value(input.at(i).as_string());
        }
        w.end_array();
    } else {
        return bad_argument("input", "is required: a string or a non-empty array of strings");
    }
    w.end_object();
    return w.take();
}

bool is_id_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
}

// The message of an error body in OpenAI's shape, or the body itself.
std::string error_text(int status, std::string_view body) {
    auto doc = JsonDocument::parse(body);
    if (doc.ok()) {
        const JsonValue message = doc->root()["error"]["message"];
        if (message.is_string()) return std::string(message.as_string());
    }
    return "the request failed with HTTP status " + std::to_string(status);
}

std::string json_text(JsonValue v) {
    JsonWriter w;
    codec::write_json_value(w, v);
    return w.take();
}

// A result whose text is the structured content as JSON, as the
// specification suggests for clients that read only text.
std::string structured_result(std::string_view text, std::string_view structured) {
    JsonWriter w;
    w.begin_object().key("content").begin_array();
    w.begin_object().field("type", "text").field("text", text).end_object();
    w.end_array();
    w.key("structuredContent").raw(structured);
    w.field("isError", false).end_object();
    return w.take();
}

std::string error_result(std::string_view message) {
    JsonWriter w;
    w.begin_object().key("content").begin_array();
    w.begin_object().field("type", "text").field("text", message).end_object();
    w.end_array().field("isError", true).end_object();
    return w.take();
}

std::string chat_result(JsonValue root) {
    const JsonValue choice = root["choices"].at(0);
    const std::string_view text = choice["message"]["content"].as_string();
    JsonWriter w;
    w.begin_object().field("text", text).field("model", root["model"].as_string());
    if (choice["finish_reason"].is_string())
        w.field("finish_reason", choice["finish_reason"].as_string());
    const JsonValue usage = root["usage"];
    if (usage.is_object()) {
        w.key("usage").begin_object();
        w.field("prompt_tokens", usage["prompt_tokens"].as_int64());
        w.field("completion_tokens", usage["completion_tokens"].as_int64());
        w.end_object();
    }
    w.end_object();
    return structured_result(text, w.take());
}

std::string embed_result(JsonValue root) {
    JsonWriter w;
    w.begin_object().field("model", root["model"].as_string()).key("embeddings").begin_array();
    const JsonValue data = root["data"];
    for (size_t i = 0; i < data.size(); ++i)
        codec::write_json_value(w, data.at(i)["embedding"]);
    w.end_array();
    if (root["usage"].is_object()) {
        w.key("usage");
        codec::write_json_value(w, root["usage"]);
    }
    w.end_object();
    const std::string structured = w.take();
    return structured_result(structured, structured);
}

std::string models_result(JsonValue root) {
    JsonWriter w;
    w.begin_object().key("models").begin_array();
    const JsonValue data = root["data"];
    for (size_t i = 0; i < data.size(); ++i) {
        w.begin_object().field("id", data.at(i)["id"].as_string());
        if (data.at(i)["owned_by"].is_string())
            w.field("owned_by", data.at(i)["owned_by"].as_string());
        w.end_object();
    }
    w.end_array().end_object();
    const std::string structured = w.take();
    return structured_result(structured, structured);
}

} // namespace

std::string_view tool_name(Tool tool) {
    return text_of(tool).name;
}

std::optional<Tool> tool_named(std::string_view name) {
    for (const ToolText& t : kToolTexts)
        if (t.name == name) return t.tool;
    return std::nullopt;
}

std::string tool_definition(Tool tool) {
    const ToolText& t = text_of(tool);
    JsonWriter w;
    w.begin_object().field("name", t.name).field("title", t.title);
    w.field("description", t.description);
    w.key("inputSchema").raw(t.input_schema);
    w.key("outputSchema").raw(t.output_schema);
    w.key("annotations")
        .begin_object()
        .field("readOnlyHint", t.read_only)
        .field("openWorldHint", tool != Tool::kListModels && tool != Tool::kGetJob)
        .end_object();
    w.end_object();
    return w.take();
}

core::Result<ToolRequest> tool_request(Tool tool, JsonValue args, bool stream) {
    if (!args.is_missing() && !args.is_object())
        return core::invalid_argument("'arguments' must be an object").with_field("arguments");
    ToolRequest r;
    switch (tool) {
    case Tool::kChat:
    case Tool::kSubmitJob: {
        const bool streamed = stream && tool == Tool::kChat;
        auto body = chat_body(args, streamed);
        if (!body.ok()) return body.status();
        r = {"POST", "/v1/chat/completions", std::move(body).value(), tool == Tool::kSubmitJob,
             streamed};
        return r;
    }
    case Tool::kEmbed: {
        auto body = embed_body(args);
        if (!body.ok()) return body.status();
        r = {"POST", "/v1/embeddings", std::move(body).value(), false, false};
        return r;
    }
    case Tool::kListModels:
        r = {"GET", "/v1/models", "", false, false};
        return r;
    case Tool::kGetJob: {
        EDGEAI_TRY(require_string(args, "id"));
        const std::string_view id = args["id"].as_string();
        for (char c : id)
            if (!is_id_char(c)) return bad_argument("id", "is not a job id");
        r = {"GET", "/v1/jobs/" + std::string(id), "", false, false};
        return r;
    }
    }
    return core::invalid_argument("unknown tool");
}

std::string tool_result(Tool tool, int status, std::string_view body) {
    if (status >= 400) return error_result(error_text(status, body));
    auto doc = JsonDocument::parse(body);
    if (!doc.ok()) return error_result("the answer was not JSON: " + doc.status().message());
    const JsonValue root = doc->root();
    switch (tool) {
    case Tool::kChat:
        return chat_result(root);
    case Tool::kEmbed:
        return embed_result(root);
    case Tool::kListModels:
        return models_result(root);
    case Tool::kSubmitJob:
    case Tool::kGetJob: {
        const std::string job = json_text(root);
        return structured_result(job, job);
    }
    }
    return error_result("unknown tool");
}

std::string ChatStreamReader::feed(std::string_view data) {
    auto doc = JsonDocument::parse(data);
    if (!doc.ok()) return {}; // [DONE], or what a later version adds
    const JsonValue root = doc->root();
    if (root["error"]["message"].is_string()) {
        error_.assign(root["error"]["message"].as_string());
        return {};
    }
    ++chunks_;
    if (root["model"].is_string() && model_.empty()) model_.assign(root["model"].as_string());
    const JsonValue usage = root["usage"];
    if (usage.is_object()) {
        prompt_tokens_ = usage["prompt_tokens"].as_int64();
        completion_tokens_ = usage["completion_tokens"].as_int64();
    }
    const JsonValue choice = root["choices"].at(0);
    if (choice["finish_reason"].is_string())
        finish_reason_.assign(choice["finish_reason"].as_string());
    const std::string_view delta = choice["delta"]["content"].as_string();
    text_.append(delta);
    return std::string(delta);
}

std::string ChatStreamReader::completion_json() const {
    JsonWriter w;
    w.begin_object().field("object", "chat.completion").field("model", std::string_view(model_));
    w.key("choices").begin_array().begin_object().field("index", 0);
    w.key("message")
        .begin_object()
        .field("role", "assistant")
        .field("content", std::string_view(text_))
        .end_object();
    w.field("finish_reason", std::string_view(finish_reason_.empty() ? "stop" : finish_reason_));
    w.end_object().end_array();
    w.key("usage")
        .begin_object()
        .field("prompt_tokens", prompt_tokens_)
        .field("completion_tokens", completion_tokens_)
        .end_object();
    w.end_object();
    return w.take();
}

std::string resources_list_result() {
    JsonWriter w;
    w.begin_object().key("resources").begin_array();
    w.begin_object()
        .field("uri", kStatusUri)
        .field("name", "status")
        .field("title", "Device status")
        .field("description", "The gateway's state: version, readiness, uplink, backends and their "
                              "circuit breakers, memory in use, the job queue's depth.")
        .field("mimeType", "application/json")
        .end_object();
    w.begin_object()
        .field("uri", kModelsUri)
        .field("name", "models")
        .field("title", "Models")
        .field("description", "The models this gateway serves (GET /v1/models).")
        .field("mimeType", "application/json")
        .end_object();
    w.end_array().end_object();
    return w.take();
}

std::string resource_read_result(std::string_view uri, std::string_view json) {
    JsonWriter w;
    w.begin_object().key("contents").begin_array();
    w.begin_object()
        .field("uri", uri)
        .field("mimeType", "application/json")
        .field("text", json)
        .end_object();
    w.end_array().end_object();
    return w.take();
}

} // namespace edgeai::api::mcp
