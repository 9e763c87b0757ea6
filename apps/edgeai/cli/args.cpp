#include "cli/args.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <utility>

namespace edgeai::cli {
namespace {

// Help's left column is padded to the widest signature up to this width;
// a longer one gets its description on the next line.
constexpr size_t kHelpColumn = 30;

std::vector<std::string> split_names(std::string_view names) {
    std::vector<std::string> out;
    while (!names.empty()) {
        const size_t comma = names.find(',');
        std::string_view one = names.substr(0, comma);
        while (!one.empty() && one.front() == ' ')
            one.remove_prefix(1);
        while (!one.empty() && one.back() == ' ')
            one.remove_suffix(1);
        if (!one.empty()) out.emplace_back(one);
        if (comma == std::string_view::npos) break;
        names.remove_prefix(comma + 1);
    }
    return out;
}

bool is_long_name(std::string_view name) {
    return name.size() > 2 && name.substr(0, 2) == "--";
}

// "-5" and "-.5" are values (a negative --top-k, say), not options.
bool looks_like_option(std::string_view arg) {
    if (arg.size() < 2 || arg[0] != '-') return false;
    const char c = arg[1];
    return !((c >= '0' && c <= '9') || c == '.');
}

std::string_view without_plus(std::string_view text) {
    if (!text.empty() && text[0] == '+') text.remove_prefix(1);
    return text;
}

std::string quoted(std::string_view text) {
    return "'" + std::string(text) + "'";
}

// 0.5 -> "0.5", 100000 -> "100000": bounds as a person would write them.
// snprintf, not std::to_chars(double): that one links libstdc++'s Ryu tables
// (128 kB) for a number in a help line.
std::string number_text(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.15g", v);
    return buf;
}

void append_row(std::string& out, const std::string& left, const std::string& right, size_t width) {
    out += "  " + left;
    if (right.empty()) {
        out += "\n";
        return;
    }
    if (left.size() > width) {
        out += "\n" + std::string(width + 4, ' ');
    } else {
        out += std::string(width - left.size() + 2, ' ');
    }
    out += right + "\n";
}

} // namespace

std::string store_signed(std::string_view text, long long min, long long max, long long* out) {
    const std::string_view digits = without_plus(text);
    long long v = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
    if (digits.empty() || end != digits.data() + digits.size() ||
        ec == std::errc::invalid_argument) {
        return quoted(text) + " is not a whole number";
    }
    if (ec == std::errc::result_out_of_range || v < min || v > max) {
        return quoted(text) + " is out of range (" + std::to_string(min) + " to " +
               std::to_string(max) + ")";
    }
    *out = v;
    return {};
}

std::string store_unsigned(std::string_view text, unsigned long long max, unsigned long long* out) {
    const std::string_view digits = without_plus(text);
    unsigned long long v = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
    if (digits.empty() || end != digits.data() + digits.size() ||
        ec == std::errc::invalid_argument) {
        return quoted(text) + " is not a whole number of 0 or more";
    }
    if (ec == std::errc::result_out_of_range || v > max) {
        return quoted(text) + " is out of range (0 to " + std::to_string(max) + ")";
    }
    *out = v;
    return {};
}

std::string store_double(std::string_view text, double* out) {
    const std::string_view digits = without_plus(text);
    double v = 0;
#if defined(_LIBCPP_VERSION) && _LIBCPP_VERSION < 170000
    // libc++ before 17 (edgeai.wasm's) has no floating-point from_chars:
    // strtod in the "C" locale a WASI program always has, on a copy that
    // ends where the text does.
    const std::string copy(digits);
    char* end_ptr = nullptr;
    errno = 0;
    v = std::strtod(copy.c_str(), &end_ptr);
    const char* end = digits.data() + (end_ptr - copy.c_str());
    const std::errc ec = errno == ERANGE ? std::errc::result_out_of_range : std::errc();
    if (copy.empty() ||
        !(std::isdigit(static_cast<unsigned char>(copy[0])) || copy[0] == '-' || copy[0] == '.'))
        end = digits.data(); // strtod also reads spaces, "inf" and hex, from_chars does not
#else
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
#endif
    if (digits.empty() || end != digits.data() + digits.size() || ec != std::errc() ||
        !std::isfinite(v)) {
        return quoted(text) + " is not a number";
    }
    *out = v;
    return {};
}

// ---- Option -------------------------------------------------------------

Option::Option(Kind kind, std::vector<std::string> names, std::string value_name, std::string help,
               ValueSetter setter, bool repeatable)
    : kind_(kind), names_(std::move(names)), value_name_(std::move(value_name)),
      help_(std::move(help)), setter_(std::move(setter)), repeatable_(repeatable) {}

Option& Option::required() {
    required_ = true;
    return *this;
}

Option& Option::default_text(std::string text) {
    default_text_ = std::move(text);
    return *this;
}

Option& Option::choices(std::vector<std::string> allowed) {
    choices_ = std::move(allowed);
    return *this;
}

Option& Option::range(double min, double max) {
    has_range_ = true;
    min_ = min;
    max_ = max;
    return *this;
}

Option& Option::delimiter(char separator) {
    delimiter_ = separator;
    return *this;
}

const std::string& Option::display_name() const {
    for (const std::string& n : names_)
        if (is_long_name(n)) return n;
    return names_.front();
}

bool Option::has_name(std::string_view name) const {
    return std::find(names_.begin(), names_.end(), name) != names_.end();
}

std::string Option::signature() const {
    if (kind_ == Kind::kPositional) return names_.front() + " " + value_name_;
    std::string out;
    for (const std::string& n : names_)
        out += (out.empty() ? "" : ",") + n; // "-m,--model": bench/engine.sh greps for it
    if (kind_ == Kind::kValue) out += " " + value_name_ + (repeatable_ ? " ..." : "");
    return out;
}

std::string Option::description() const {
    std::string out = help_;
    auto add = [&out](const std::string& part) { out += (out.empty() ? "" : " ") + part; };
    if (!choices_.empty()) {
        std::string list;
        for (const std::string& c : choices_)
            list += (list.empty() ? "" : ", ") + c;
        add("{" + list + "}");
    }
    if (has_range_) add("[" + number_text(min_) + " to " + number_text(max_) + "]");
    if (!default_text_.empty()) add("[default: " + default_text_ + "]");
    if (required_) add("(required)");
    return out;
}

std::string Option::check(std::string_view value) const {
    if (!choices_.empty() && std::find(choices_.begin(), choices_.end(), value) == choices_.end()) {
        std::string list;
        for (const std::string& c : choices_)
            list += (list.empty() ? "" : ", ") + c;
        return quoted(value) + " is not one of " + list;
    }
    if (has_range_) {
        double v = 0;
        std::string error = store_double(value, &v);
        if (!error.empty()) return error;
        if (v < min_ || v > max_)
            return quoted(value) + " is outside " + number_text(min_) + " to " + number_text(max_);
    }
    return {};
}

std::string Option::store(std::string_view value) {
    if (count_ > 0 && !repeatable_) return "given more than once";
    ++count_;
    if (kind_ == Kind::kFlag) return setter_(value);
    // A delimiter makes one argument several values, each checked.
    while (delimiter_ != '\0') {
        const size_t at = value.find(delimiter_);
        if (at == std::string_view::npos) break;
        const std::string_view one = value.substr(0, at);
        if (std::string error = check(one); !error.empty()) return error;
        if (std::string error = setter_(one); !error.empty()) return error;
        value.remove_prefix(at + 1);
    }
    if (std::string error = check(value); !error.empty()) return error;
    return setter_(value);
}

// ---- Command ------------------------------------------------------------

Command::Command(std::string name, std::string about, const Command* parent)
    : name_(std::move(name)), about_(std::move(about)), parent_(parent) {}

Command* Command::add_subcommand(std::string name, std::string about) {
    subcommands_.push_back(std::make_unique<Command>(std::move(name), std::move(about), this));
    return subcommands_.back().get();
}

Option& Command::add_flag(std::string names, bool& target, std::string help) {
    std::vector<std::string> split = split_names(names);
    options_.push_back(std::make_unique<Option>(
        Option::Kind::kFlag, std::move(split), "", std::move(help),
        [&target](std::string_view) {
            target = true;
            return std::string();
        },
        /*repeatable=*/true));
    return *options_.back();
}

Option& Command::add(std::string names, std::string value_name, std::string help,
                     ValueSetter setter, bool repeatable) {
    std::vector<std::string> split = split_names(names);
    const bool positional = split.size() == 1 && split[0][0] != '-';
    options_.push_back(std::make_unique<Option>(
        positional ? Option::Kind::kPositional : Option::Kind::kValue, std::move(split),
        std::move(value_name), std::move(help), std::move(setter), repeatable));
    return *options_.back();
}

ValueSetter Command::setter_for(std::string& target) {
    return [&target](std::string_view text) {
        target.assign(text);
        return std::string();
    };
}

ValueSetter Command::setter_for(std::vector<std::string>& target) {
    return [&target](std::string_view text) {
        target.emplace_back(text);
        return std::string();
    };
}

ValueSetter Command::setter_for(float& target) {
    return [&target](std::string_view text) {
        double v = 0;
        std::string error = store_double(text, &v);
        if (error.empty()) target = static_cast<float>(v);
        return error;
    };
}

ValueSetter Command::setter_for(double& target) {
    return [&target](std::string_view text) { return store_double(text, &target); };
}

size_t Command::count(std::string_view name) const {
    for (const auto& o : options_)
        if (o->has_name(name)) return o->count();
    return 0;
}

std::string Command::path() const {
    return parent_ == nullptr ? name_ : parent_->path() + " " + name_;
}

Option* Command::find_option(std::string_view name) {
    for (const auto& o : options_)
        if (o->kind() != Option::Kind::kPositional && o->has_name(name)) return o.get();
    return nullptr;
}

Option* Command::positional(size_t index) {
    for (const auto& o : options_) {
        if (o->kind() != Option::Kind::kPositional) continue;
        if (index == 0) return o.get();
        --index;
    }
    return nullptr;
}

Command* Command::find_subcommand(std::string_view name) {
    for (const auto& c : subcommands_)
        if (c->name_ == name) return c.get();
    return nullptr;
}

std::string Command::subcommand_names() const {
    std::string out;
    for (const auto& c : subcommands_)
        out += (out.empty() ? "" : ", ") + c->name_;
    return out;
}

std::string Command::try_help() const {
    return "; try `" + path() + " --help`";
}

std::string Command::help() const {
    std::string out = path() + ": " + about_ + "\n\nUsage: " + path() + " [OPTIONS]";
    std::vector<const Option*> positionals, options;
    for (const auto& o : options_)
        (o->kind() == Option::Kind::kPositional ? positionals : options).push_back(o.get());
    for (const Option* p : positionals)
        out += " " + (p->is_required() ? p->names().front() : "[" + p->names().front() + "]");
    if (!subcommands_.empty()) out += require_subcommand_ ? " COMMAND" : " [COMMAND]";
    out += "\n";

    std::vector<std::pair<std::string, std::string>> option_rows;
    option_rows.emplace_back("-h,--help", "Print this help and exit");
    if (parent_ == nullptr) option_rows.emplace_back("--version", "Print the version and exit");
    for (const Option* o : options)
        option_rows.emplace_back(o->signature(), o->description());
    std::vector<std::pair<std::string, std::string>> positional_rows;
    for (const Option* p : positionals)
        positional_rows.emplace_back(p->signature(), p->description());
    std::vector<std::pair<std::string, std::string>> command_rows;
    for (const auto& c : subcommands_)
        command_rows.emplace_back(c->name_, c->about_);

    size_t width = 0;
    for (const auto* rows : {&positional_rows, &option_rows, &command_rows})
        for (const auto& [left, right] : *rows)
            if (left.size() <= kHelpColumn) width = std::max(width, left.size());
    auto section = [&](const char* title,
                       const std::vector<std::pair<std::string, std::string>>& rows) {
        if (rows.empty()) return;
        out += std::string("\n") + title + ":\n";
        for (const auto& [left, right] : rows)
            append_row(out, left, right, width);
    };
    section("Positionals", positional_rows);
    section("Options", option_rows);
    section("Commands", command_rows);
    return out;
}

// ---- App ----------------------------------------------------------------

App::App(std::string name, std::string about) : Command(std::move(name), std::move(about)) {}

ParseResult App::parse(int argc, char** argv) {
    std::vector<std::string_view> args;
    for (int i = 1; i < argc; ++i)
        args.emplace_back(argv[i]);
    return parse(args);
}

ParseResult App::parse(const std::vector<std::string_view>& args) {
    using Action = ParseResult::Action;
    auto error = [](std::string text) { return ParseResult{Action::kError, std::move(text)}; };
    Command* cmd = this;
    parsed_ = true;
    size_t next_positional = 0;
    bool only_positionals = false; // after "--"
    // A repeatable option keeps taking the words that follow it (`-m a b`),
    // as CLI11's list options did, until the next option.
    Option* taking = nullptr;

    for (size_t i = 0; i < args.size(); ++i) {
        const std::string_view arg = args[i];
        if (!only_positionals && arg == "--") {
            only_positionals = true;
            taking = nullptr;
            continue;
        }
        if (!only_positionals && looks_like_option(arg)) {
            taking = nullptr;
            if (arg == "--help" || arg == "-h") return {Action::kPrint, cmd->help()};
            if (cmd == this && arg == "--version" && !version_.empty())
                return {Action::kPrint, version_ + "\n"};
            std::string_view name = arg;
            std::string_view attached;
            bool has_attached = false;
            if (arg[1] == '-') {
                if (const size_t eq = arg.find('='); eq != std::string_view::npos) {
                    name = arg.substr(0, eq);
                    attached = arg.substr(eq + 1);
                    has_attached = true;
                }
            } else if (arg.size() > 2) { // -n5
                name = arg.substr(0, 2);
                attached = arg.substr(2);
                has_attached = true;
            }
            Option* opt = cmd->find_option(name);
            if (opt == nullptr) {
                return error("unknown option " + std::string(name) + " for `" + cmd->path() + "`" +
                             cmd->try_help());
            }
            if (opt->kind() == Option::Kind::kFlag) {
                if (has_attached) {
                    return error(std::string(name) + " takes no value" + cmd->try_help());
                }
                (void)opt->store({});
                continue;
            }
            std::string_view value = attached;
            if (!has_attached) {
                if (i + 1 >= args.size() || looks_like_option(args[i + 1])) {
                    return error(opt->display_name() + " needs a value (" + opt->signature() + ")" +
                                 cmd->try_help());
                }
                value = args[++i];
                if (opt->repeatable()) taking = opt;
            }
            if (std::string e = opt->store(value); !e.empty())
                return error(opt->display_name() + ": " + e + cmd->try_help());
            continue;
        }
        if (taking != nullptr && cmd->find_subcommand(arg) == nullptr) {
            if (std::string e = taking->store(arg); !e.empty())
                return error(taking->display_name() + ": " + e + cmd->try_help());
            continue;
        }
        taking = nullptr;
        if (!only_positionals && next_positional == 0 && !cmd->subcommands_.empty()) {
            if (Command* sub = cmd->find_subcommand(arg)) {
                cmd->chosen_ = sub;
                cmd = sub;
                cmd->parsed_ = true;
                continue;
            }
            if (cmd->positional(0) == nullptr) {
                return error(quoted(arg) + " is not a command of `" + cmd->path() + "` (" +
                             cmd->subcommand_names() + ")" + cmd->try_help());
            }
        }
        Option* slot = cmd->positional(next_positional);
        if (slot == nullptr) {
            return error("unexpected argument " + quoted(arg) + " for `" + cmd->path() + "`" +
                         cmd->try_help());
        }
        if (!slot->repeatable()) ++next_positional;
        if (std::string e = slot->store(arg); !e.empty())
            return error(slot->display_name() + ": " + e + cmd->try_help());
    }

    for (const Command* c = this; c != nullptr; c = c->chosen_) {
        if (c->require_subcommand_ && c->chosen_ == nullptr) {
            return error("`" + c->path() + "` needs a command (" + c->subcommand_names() + ")" +
                         c->try_help());
        }
        for (const auto& o : c->options_) {
            if (o->is_required() && o->count() == 0) {
                return error(o->display_name() + " is required for `" + c->path() + "`" +
                             c->try_help());
            }
        }
    }
    return {};
}

} // namespace edgeai::cli
