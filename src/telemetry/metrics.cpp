#include "telemetry/metrics.h"

#include <cmath>
#include <cstdio>

namespace edgeai::telemetry {

namespace {

std::string format_number(double v) {
    if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
    if (v == std::floor(v) && std::fabs(v) < 1e15) {
        return std::to_string(static_cast<int64_t>(v));
    }
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.6g", v);
    return buf;
}

// Adds one more label to an already rendered set: {a="x"} + le -> {a="x",le="0.1"}.
std::string with_label(const std::string& rendered, std::string_view name, std::string_view value) {
    std::string extra = std::string(name) + "=\"" + std::string(value) + "\"";
    if (rendered.empty()) return "{" + extra + "}";
    return rendered.substr(0, rendered.size() - 1) + "," + extra + "}";
}

} // namespace

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)),
      counts_(std::make_unique<std::atomic<uint64_t>[]>(bounds_.size() + 1)) {}

void Histogram::observe(double value) {
    size_t i = 0;
    while (i < bounds_.size() && value > bounds_[i])
        ++i;
    counts_[i].fetch_add(1, std::memory_order_relaxed);
    if (value > 0) {
        sum_micro_.fetch_add(static_cast<uint64_t>(value * 1e6), std::memory_order_relaxed);
    }
}

uint64_t Histogram::cumulative_count(size_t index) const {
    uint64_t total = 0;
    for (size_t i = 0; i <= index && i <= bounds_.size(); ++i) {
        total += counts_[i].load(std::memory_order_relaxed);
    }
    return total;
}

double Histogram::sum() const {
    return static_cast<double>(sum_micro_.load(std::memory_order_relaxed)) / 1e6;
}

std::vector<double> latency_buckets_seconds() {
    return {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
            0.1,    0.25,    0.5,    1,     2.5,    5,     10,   30,    60};
}

std::string render_labels(const Labels& labels) {
    if (labels.empty()) return "";
    std::string out = "{";
    for (size_t i = 0; i < labels.size(); ++i) {
        if (i > 0) out += ",";
        out += labels[i].first;
        out += "=\"";
        for (char c : labels[i].second) {
            if (c == '\\' || c == '"') out.push_back('\\');
            if (c == '\n') {
                out += "\\n";
                continue;
            }
            out.push_back(c);
        }
        out += "\"";
    }
    return out + "}";
}

MetricsRegistry::Family& MetricsRegistry::family(std::string_view name, std::string_view help,
                                                 Kind kind) {
    auto it = families_.find(name);
    if (it == families_.end()) {
        it = families_.emplace(std::string(name), Family{}).first;
        it->second.kind = kind;
        it->second.help = std::string(help);
    }
    return it->second;
}

Counter& MetricsRegistry::counter(std::string_view name, std::string_view help,
                                  const Labels& labels) {
    auto& slot = family(name, help, Kind::kCounter).counters[render_labels(labels)];
    if (!slot) slot = std::make_unique<Counter>();
    return *slot;
}

Gauge& MetricsRegistry::gauge(std::string_view name, std::string_view help, const Labels& labels) {
    auto& slot = family(name, help, Kind::kGauge).gauges[render_labels(labels)];
    if (!slot) slot = std::make_unique<Gauge>();
    return *slot;
}

Histogram& MetricsRegistry::histogram(std::string_view name, std::string_view help,
                                      const Labels& labels, const std::vector<double>& bounds) {
    auto& slot = family(name, help, Kind::kHistogram).histograms[render_labels(labels)];
    if (!slot) slot = std::make_unique<Histogram>(bounds);
    return *slot;
}

void MetricsRegistry::gauge_callback(std::string_view name, std::string_view help,
                                     std::function<double()> read, const Labels& labels) {
    family(name, help, Kind::kCallback).callbacks[render_labels(labels)] = std::move(read);
}

std::string MetricsRegistry::render() const {
    std::string out;
    for (const auto& [name, fam] : families_) {
        const char* type = fam.kind == Kind::kCounter     ? "counter"
                           : fam.kind == Kind::kHistogram ? "histogram"
                                                          : "gauge";
        out += "# HELP " + name + " " + fam.help + "\n";
        out += "# TYPE " + name + " " + type + "\n";
        for (const auto& [labels, c] : fam.counters) {
            out += name + labels + " " + std::to_string(c->value()) + "\n";
        }
        for (const auto& [labels, g] : fam.gauges) {
            out += name + labels + " " + std::to_string(g->value()) + "\n";
        }
        for (const auto& [labels, h] : fam.histograms) {
            const auto& bounds = h->bounds();
            for (size_t i = 0; i <= bounds.size(); ++i) {
                std::string le = i < bounds.size() ? format_number(bounds[i]) : "+Inf";
                out += name + "_bucket" + with_label(labels, "le", le) + " " +
                       std::to_string(h->cumulative_count(i)) + "\n";
            }
            out += name + "_sum" + labels + " " + format_number(h->sum()) + "\n";
            out += name + "_count" + labels + " " +
                   std::to_string(h->cumulative_count(bounds.size())) + "\n";
        }
        for (const auto& [labels, read] : fam.callbacks)
            out += name + labels + " " + format_number(read()) + "\n";
    }
    return out;
}

} // namespace edgeai::telemetry
