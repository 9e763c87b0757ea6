#include "engine/chat/tool_calls.h"

#include "codec/json/json_writer.h"
#include "engine/grammar/grammar.h"
#include "engine/grammar/json_schema.h"

#include <algorithm>

namespace edgeai::engine::chat {
namespace {

using codec::JsonValue;

core::Status field(std::string name, std::string message) {
    core::Status s = core::invalid_argument(std::move(message));
    s.with_field(std::move(name));
    return s;
}

constexpr int kMaxParallelCalls = 8;

std::string_view trigger_of(ToolSyntax syntax) {
    switch (syntax) {
    case ToolSyntax::kLlama3:
        return "{\"name\"";
    case ToolSyntax::kMistral:
        return "[TOOL_CALLS]";
    case ToolSyntax::kHermes:
    case ToolSyntax::kGeneric:
        break;
    }
    return "<tool_call>";
}

std::string_view arguments_key(ToolSyntax syntax) {
    return syntax == ToolSyntax::kLlama3 ? "parameters" : "arguments";
}

// OpenAI's rule for function names; it also keeps them out of the way of
// the grammar's and the markup's quoting.
bool valid_tool_name(std::string_view name) {
    if (name.empty() || name.size() > 64) return false;
    for (char c : name) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
        if (!ok) return false;
    }
    return true;
}

std::string compact_json(JsonValue v) {
    codec::JsonWriter w;
    codec::write_json_value(w, v);
    return w.take();
}

// A content value as text: a string, or the text of its parts.
std::string content_text(JsonValue content) {
    if (content.is_string()) return std::string(content.as_string());
    std::string out;
    for (size_t i = 0; content.is_array() && i < content.size(); ++i) {
        const JsonValue part = content.at(i);
        if (part["text"].is_string()) {
            if (!out.empty()) out += '\n';
            out += part["text"].as_string();
        }
    }
    return out;
}

} // namespace

std::string_view tool_syntax_name(ToolSyntax syntax) {
    switch (syntax) {
    case ToolSyntax::kHermes:
        return "hermes";
    case ToolSyntax::kLlama3:
        return "llama3";
    case ToolSyntax::kMistral:
        return "mistral";
    case ToolSyntax::kGeneric:
        break;
    }
    return "generic";
}

ToolSyntax tool_syntax_of_template(std::string_view source) {
    auto has = [&](std::string_view s) { return source.find(s) != std::string_view::npos; };
    if (has("<tool_call>")) return ToolSyntax::kHermes;
    if (has("[TOOL_CALLS]")) return ToolSyntax::kMistral;
    // Llama 3.1/3.2 write custom tools' calls as {"name": ..., "parameters": ...}
    // and results as ipython turns.
    if (has("<|python_tag|>") || (has("ipython") && has("\"parameters\"")))
        return ToolSyntax::kLlama3;
    return ToolSyntax::kGeneric;
}

core::Result<std::vector<ToolSpec>> tool_specs_from_json(JsonValue tools) {
    std::vector<ToolSpec> out;
    if (tools.is_missing() || tools.is_null()) return out;
    if (!tools.is_array()) return field("tools", "must be an array");
    for (size_t i = 0; i < tools.size(); ++i) {
        const std::string at = "tools[" + std::to_string(i) + "]";
        const JsonValue t = tools.at(i);
        if (!t.is_object()) return field(at, "must be an object");
        if (!t["type"].is_missing() && t["type"].as_string() != "function")
            return field(at + ".type", "the local engine calls function tools only");
        const JsonValue fn = t["function"];
        if (!fn.is_object()) return field(at + ".function", "must be an object");
        if (!fn["name"].is_string() || !valid_tool_name(fn["name"].as_string()))
            return field(at + ".function.name", "must be 1 to 64 letters, digits, '_', '-' or '.'");
        ToolSpec spec;
        spec.name.assign(fn["name"].as_string());
        for (const ToolSpec& seen : out)
            if (seen.name == spec.name)
                return field(at + ".function.name", "'" + spec.name + "' is named twice");
        const JsonValue params = fn["parameters"];
        if (params.is_object()) {
            spec.parameters = compact_json(params);
        } else if (!params.is_missing() && !params.is_null()) {
            return field(at + ".function.parameters", "must be an object (a JSON Schema)");
        }
        out.push_back(std::move(spec));
    }
    return out;
}

core::Result<ToolChoice> tool_choice_from_json(JsonValue tool_choice, JsonValue parallel,
                                               const std::vector<ToolSpec>& tools) {
    ToolChoice c;
    if (parallel.is_bool()) c.parallel = parallel.as_bool();
    if (tool_choice.is_missing() || tool_choice.is_null()) return c;
    if (tool_choice.is_string()) {
        const std::string_view s = tool_choice.as_string();
        if (s == "auto") return c;
        if (s == "none") {
            c.mode = ToolChoice::Mode::kNone;
            return c;
        }
        if (s == "required") {
            c.mode = ToolChoice::Mode::kRequired;
            return c;
        }
        return field("tool_choice", "must be none, auto, required or a named function");
    }
    const JsonValue name = tool_choice["function"]["name"];
    if (!tool_choice.is_object() || !name.is_string())
        return field("tool_choice", "must be none, auto, required or a named function");
    c.mode = ToolChoice::Mode::kNamed;
    c.name.assign(name.as_string());
    for (const ToolSpec& t : tools)
        if (t.name == c.name) return c;
    return field("tool_choice.function.name", "no tool is named '" + c.name + "'");
}

core::Result<ToolGrammar> tool_call_grammar(ToolSyntax syntax, const std::vector<ToolSpec>& tools,
                                            const ToolChoice& choice) {
    std::string calls;
    std::string rules;
    bool formats = false;
    const std::string key = "\\\"" + std::string(arguments_key(syntax)) + "\\\": ";
    for (size_t i = 0; i < tools.size(); ++i) {
        const ToolSpec& t = tools[i];
        if (choice.mode == ToolChoice::Mode::kNamed && t.name != choice.name) continue;
        std::string args = "json-object";
        if (!t.parameters.empty()) {
            auto r = grammar::json_schema_rules(t.parameters, "t" + std::to_string(i) + "-");
            if (!r.ok()) {
                core::Status s = r.status();
                s.with_field("tools[" + std::to_string(i) + "].function.parameters");
                return s;
            }
            args = "ws " + r->entry;
            rules += r->rules;
            formats = formats || r->formats;
        }
        if (!calls.empty()) calls += " | ";
        calls += "\"{\\\"name\\\": \\\"" + t.name + "\\\", " + key + "\" " + args + " \"}\"";
    }
    if (calls.empty()) return core::invalid_argument("no tool can be called");
    // A named function is called once, as OpenAI does; a model that never
    // stops calling is cut off after kMaxParallelCalls.
    const bool parallel = choice.parallel && choice.mode != ToolChoice::Mode::kNamed;
    const std::string more = "{0," + std::to_string(kMaxParallelCalls - 1) + "}";
    std::string root;
    switch (syntax) {
    case ToolSyntax::kHermes:
    case ToolSyntax::kGeneric:
        root = parallel ? "root ::= one (\"\\n\" one)" + more + "\n" : "root ::= one\n";
        root += "one ::= \"<tool_call>\\n\" call \"\\n</tool_call>\"\n";
        break;
    case ToolSyntax::kLlama3:
        root = "root ::= call\n";
        break;
    case ToolSyntax::kMistral:
        root = parallel ? "root ::= \"[TOOL_CALLS][\" call (\", \" call)" + more + " \"]\"\n"
                        : "root ::= \"[TOOL_CALLS][\" call \"]\"\n";
        break;
    }
    ToolGrammar g;
    g.gbnf = root + "call ::= " + calls + "\n" + grammar::json_base_gbnf(formats) + rules;
    if (choice.mode == ToolChoice::Mode::kAuto) g.triggers.emplace_back(trigger_of(syntax));
    return g;
}

std::string generic_tool_messages(JsonValue messages, const std::vector<ToolSpec>& tools,
                                  JsonValue tools_json, bool offer_tools) {
    std::string intro;
    if (offer_tools) {
        intro = "You can call these tools (name, description and parameters as JSON Schema):\n";
        for (size_t i = 0; i < tools_json.size(); ++i)
            intro += compact_json(tools_json.at(i)["function"]) + "\n";
        intro += "To call one, answer with:\n<tool_call>\n{\"name\": \"" + tools[0].name +
                 "\", \"arguments\": {...}}\n</tool_call>\nResults come back in "
                 "<tool_response></tool_response>.";
    }
    codec::JsonWriter w;
    w.begin_array();
    size_t first = 0;
    if (!intro.empty()) {
        std::string system = intro;
        if (messages.size() > 0 && (messages.at(0)["role"].as_string() == "system" ||
                                    messages.at(0)["role"].as_string() == "developer")) {
            system = content_text(messages.at(0)["content"]) + "\n\n" + intro;
            first = 1;
        }
        w.begin_object().field("role", "system").field("content", std::string_view(system));
        w.end_object();
    }
    for (size_t i = first; i < messages.size(); ++i) {
        const JsonValue m = messages.at(i);
        const std::string_view role = m["role"].as_string();
        if (role == "tool") {
            const std::string text =
                "<tool_response>\n" + content_text(m["content"]) + "\n</tool_response>";
            w.begin_object().field("role", "user").field("content", std::string_view(text));
            w.end_object();
        } else if (role == "assistant" && m["tool_calls"].is_array()) {
            std::string text = content_text(m["content"]);
            const JsonValue calls = m["tool_calls"];
            for (size_t k = 0; k < calls.size(); ++k) {
                const JsonValue fn = calls.at(k)["function"];
                // OpenAI sends arguments as a JSON string; it goes in as written.
                const std::string args = fn["arguments"].is_string()
                                             ? std::string(fn["arguments"].as_string())
                                             : compact_json(fn["arguments"]);
                if (!text.empty()) text += '\n';
                text += "<tool_call>\n{\"name\": \"" + std::string(fn["name"].as_string()) +
                        "\", \"arguments\": " + args + "}\n</tool_call>";
            }
            w.begin_object().field("role", "assistant").field("content", std::string_view(text));
            w.end_object();
        } else {
            codec::write_json_value(w, m);
        }
    }
    w.end_array();
    return w.take();
}

ToolCallStream::ToolCallStream(ToolSyntax syntax) : syntax_(syntax), trigger_(trigger_of(syntax)) {}

void ToolCallStream::push(std::string_view text, std::vector<Event>& out) {
    if (in_calls_) {
        buf_.append(text);
        scan_calls(out);
        return;
    }
    held_.append(text);
    const size_t at = held_.find(trigger_);
    if (at != std::string::npos) {
        if (at > 0) out.push_back({Event::Kind::kContent, 0, held_.substr(0, at)});
        in_calls_ = true;
        buf_ = held_.substr(at);
        held_.clear();
        scan_calls(out);
        return;
    }
    // Keep back the longest tail that could still become the trigger.
    size_t keep = 0;
    for (size_t n = std::min(held_.size(), trigger_.size() - 1); n > 0; --n) {
        if (std::string_view(held_).substr(held_.size() - n) == trigger_.substr(0, n)) {
            keep = n;
            break;
        }
    }
    if (held_.size() > keep) {
        out.push_back({Event::Kind::kContent, 0, held_.substr(0, held_.size() - keep)});
        held_.erase(0, held_.size() - keep);
    }
}

void ToolCallStream::finish(std::vector<Event>& out) {
    if (!in_calls_ && !held_.empty()) out.push_back({Event::Kind::kContent, 0, std::move(held_)});
    held_.clear();
}

// Walks the call text: finds "name": "...", then the arguments' key, then
// copies the arguments' JSON value through, tracking strings and nesting to
// see where it ends.
void ToolCallStream::scan_calls(std::vector<Event>& out) {
    const std::string_view args_key = arguments_key(syntax_);
    size_t pos = 0;
    while (pos < buf_.size()) {
        if (scan_ == Scan::kSeekName) {
            const size_t k = buf_.find("\"name\"", pos);
            if (k == std::string::npos) {
                pos = std::max(pos, buf_.size() > 6 ? buf_.size() - 6 : 0); // a split key
                break;
            }
            const size_t q = buf_.find('"', k + 6);
            if (q == std::string::npos) {
                pos = k;
                break;
            }
            pos = q + 1;
            name_.clear();
            scan_ = Scan::kName;
        } else if (scan_ == Scan::kName) {
            const size_t q = buf_.find('"', pos);
            if (q == std::string::npos) {
                name_.append(buf_, pos, std::string::npos);
                pos = buf_.size();
                break;
            }
            name_.append(buf_, pos, q - pos);
            out.push_back({Event::Kind::kCallStart, calls_, name_});
            pos = q + 1;
            scan_ = Scan::kSeekArgs;
        } else if (scan_ == Scan::kSeekArgs) {
            const std::string quoted = "\"" + std::string(args_key) + "\"";
            const size_t k = buf_.find(quoted, pos);
            if (k == std::string::npos) {
                pos = std::max(pos, buf_.size() > quoted.size() ? buf_.size() - quoted.size() : 0);
                break;
            }
            const size_t colon = buf_.find(':', k + quoted.size());
            if (colon == std::string::npos) {
                pos = k;
                break;
            }
            pos = colon + 1;
            depth_ = 0;
            in_string_ = escaped_ = started_ = false;
            scan_ = Scan::kArgs;
        } else {
            size_t i = pos;
            bool done = false;
            for (; i < buf_.size(); ++i) {
                const char c = buf_[i];
                if (!started_) {
                    if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
                        ++pos; // leading whitespace is not part of the arguments
                        continue;
                    }
                    started_ = true;
                }
                if (in_string_) {
                    if (escaped_)
                        escaped_ = false;
                    else if (c == '\\')
                        escaped_ = true;
                    else if (c == '"')
                        in_string_ = false;
                } else if (c == '"') {
                    in_string_ = true;
                } else if (c == '{' || c == '[') {
                    ++depth_;
                } else if (c == '}' || c == ']') {
                    if (--depth_ == 0) {
                        ++i;
                        done = true;
                        break;
                    }
                }
            }
            if (i > pos)
                out.push_back({Event::Kind::kArguments, calls_, buf_.substr(pos, i - pos)});
            pos = i;
            if (!done) break;
            ++calls_;
            scan_ = Scan::kSeekName;
        }
    }
    buf_.erase(0, pos);
}

ParsedOutput parse_tool_calls(ToolSyntax syntax, std::string_view text) {
    ToolCallStream stream(syntax);
    std::vector<ToolCallStream::Event> events;
    stream.push(text, events);
    stream.finish(events);
    ParsedOutput out;
    for (auto& e : events) {
        switch (e.kind) {
        case ToolCallStream::Event::Kind::kContent:
            out.content += e.text;
            break;
        case ToolCallStream::Event::Kind::kCallStart:
            out.calls.push_back({std::move(e.text), ""});
            break;
        case ToolCallStream::Event::Kind::kArguments:
            if (!out.calls.empty()) out.calls.back().arguments += e.text;
            break;
        }
    }
    // A call cut off by max_tokens has no whole arguments: it is not a call.
    out.calls.resize(std::min(out.calls.size(), stream.calls()));
    return out;
}

} // namespace edgeai::engine::chat
