// The command-line parser of `edgeai`: nested subcommands, options with values
// (`--x v`, `--x=v`, `-x v`, `-xv`), repeatable options, flags, positionals,
// required ones and `--help`/`-h` at every level.
//
// Why our own: CLI11 formats and converts through std::stringstream, and the
// first stream links libstdc++'s iostreams and every locale facet (346 kB of
// a 2.49 MB binary, plus CLI11's own 84 kB) into a program that otherwise
// never touches a stream. This parser converts with <charconv> and builds its
// text with std::string.
//
// Values are stored straight into the caller's fields, as CLI11 did, so the
// commands read plain structs after parsing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace edgeai::cli {

// Stores one value given on the command line; returns what is wrong with it
// ("'x' is not a whole number"), or an empty string once stored.
using ValueSetter = std::function<std::string(std::string_view)>;

// Conversions, exposed for the setters the templates below make. Each
// accepts the whole text or nothing.
std::string store_signed(std::string_view text, long long min, long long max, long long* out);
std::string store_unsigned(std::string_view text, unsigned long long max, unsigned long long* out);
std::string store_double(std::string_view text, double* out);

class Option {
  public:
    enum class Kind { kFlag, kValue, kPositional };

    Option(Kind kind, std::vector<std::string> names, std::string value_name, std::string help,
           ValueSetter setter, bool repeatable);

    // Missing after parsing is an error that names the option.
    Option& required();
    // Shown in help as "[text]"; the field keeps whatever it was set to.
    Option& default_text(std::string text);
    // Only these values are accepted (checked before the setter runs).
    Option& choices(std::vector<std::string> allowed);
    // Numeric values outside [min, max] are refused.
    Option& range(double min, double max);
    // "a,b" given once stores two values (repeatable options).
    Option& delimiter(char separator);

    Kind kind() const { return kind_; }
    bool is_required() const { return required_; }
    bool repeatable() const { return repeatable_; }
    size_t count() const { return count_; }
    const std::vector<std::string>& names() const { return names_; }
    // The name errors use: the first long name, else the short one, else the
    // positional's.
    const std::string& display_name() const;
    bool has_name(std::string_view name) const;
    // "-m, --model FILE" or "FILE"; the left column of help.
    std::string signature() const;
    // The help text with "(required)", choices and the default appended.
    std::string description() const;

    // Checks and stores one value (flags get none); returns the error text.
    std::string store(std::string_view value);

  private:
    std::string check(std::string_view value) const;

    Kind kind_;
    std::vector<std::string> names_;
    std::string value_name_;
    std::string help_;
    ValueSetter setter_;
    bool repeatable_;
    bool required_ = false;
    std::string default_text_;
    std::vector<std::string> choices_;
    bool has_range_ = false;
    double min_ = 0, max_ = 0;
    char delimiter_ = '\0';
    size_t count_ = 0;
};

// A command (`edgeai`, `edgeai keys`, `edgeai keys create`): its options,
// positionals and subcommands.
class Command {
  public:
    Command(std::string name, std::string about, const Command* parent = nullptr);
    Command(const Command&) = delete;
    Command& operator=(const Command&) = delete;

    Command* add_subcommand(std::string name, std::string about);
    // Parsing fails unless one of the subcommands is given.
    void require_subcommand() { require_subcommand_ = true; }

    // `names` as "-m,--model" (short and long forms, comma-separated) or
    // "FILE" (a positional). The field's type picks the conversion; a
    // std::vector<std::string> makes a repeatable option.
    template <class T> Option& add_option(std::string names, T& target, std::string help) {
        return add(std::move(names), value_name<T>(), std::move(help), setter_for(target),
                   is_vector<T>::value);
    }
    Option& add_flag(std::string names, bool& target, std::string help);

    // After parsing: was this command given, and how often was an option?
    bool parsed() const { return parsed_; }
    size_t count(std::string_view name) const;

    const std::string& name() const { return name_; }
    // "edgeai keys create"
    std::string path() const;
    std::string help() const;

  protected:
    friend class App;

    template <class T> struct is_vector : std::false_type {};
    template <class T> struct is_vector<std::vector<T>> : std::true_type {};

    template <class T> static const char* value_name() {
        if constexpr (std::is_same_v<T, bool>) {
            return "";
        } else if constexpr (std::is_integral_v<T> && std::is_signed_v<T>) {
            return "INT";
        } else if constexpr (std::is_integral_v<T>) {
            return "UINT";
        } else if constexpr (std::is_floating_point_v<T>) {
            return "FLOAT";
        } else {
            return "TEXT";
        }
    }

    static ValueSetter setter_for(std::string& target);
    static ValueSetter setter_for(std::vector<std::string>& target);
    static ValueSetter setter_for(float& target);
    static ValueSetter setter_for(double& target);
    template <class T> static ValueSetter setter_for(T& target) {
        static_assert(std::is_integral_v<T>, "add_option takes text, numbers or a text list");
        if constexpr (std::is_signed_v<T>) {
            return [&target](std::string_view text) {
                long long v = 0;
                std::string error =
                    store_signed(text, static_cast<long long>(std::numeric_limits<T>::min()),
                                 static_cast<long long>(std::numeric_limits<T>::max()), &v);
                if (error.empty()) target = static_cast<T>(v);
                return error;
            };
        } else {
            return [&target](std::string_view text) {
                unsigned long long v = 0;
                std::string error = store_unsigned(
                    text, static_cast<unsigned long long>(std::numeric_limits<T>::max()), &v);
                if (error.empty()) target = static_cast<T>(v);
                return error;
            };
        }
    }

    Option& add(std::string names, std::string value_name, std::string help, ValueSetter setter,
                bool repeatable);
    Option* find_option(std::string_view name);
    Option* positional(size_t index);
    Command* find_subcommand(std::string_view name);
    std::string subcommand_names() const;
    std::string try_help() const;

    std::string name_;
    std::string about_;
    const Command* parent_;
    std::vector<std::unique_ptr<Option>> options_;
    std::vector<std::unique_ptr<Command>> subcommands_;
    bool require_subcommand_ = false;
    bool parsed_ = false;
    Command* chosen_ = nullptr;
};

// What parsing asks the program to do.
struct ParseResult {
    enum class Action {
        kRun,   // the commands' fields are set; run the chosen one
        kPrint, // print `text` to stdout and exit 0 (help, version)
        kError, // print `text` as an error and exit with the usage code
    };
    Action action = Action::kRun;
    std::string text;
};

// The top-level command; it also answers `--version`.
class App : public Command {
  public:
    App(std::string name, std::string about);
    void set_version(std::string text) { version_ = std::move(text); }
    // `args` without the program name. Parse once.
    ParseResult parse(const std::vector<std::string_view>& args);
    ParseResult parse(int argc, char** argv);

  private:
    std::string version_;
};

} // namespace edgeai::cli
