// One metrics registry for the whole process, rendered in the Prometheus text
// exposition format (version 0.0.4). Families are created once; children are
// keyed by their rendered label set and live as long as the registry, so hot
// paths keep plain pointers to them.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace edgeai::telemetry {

using Labels = std::vector<std::pair<std::string_view, std::string_view>>;

class Counter {
  public:
    void add(uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
    uint64_t value() const { return value_.load(std::memory_order_relaxed); }

  private:
    std::atomic<uint64_t> value_{0};
};

class Gauge {
  public:
    void set(int64_t v) { value_.store(v, std::memory_order_relaxed); }
    void add(int64_t d) { value_.fetch_add(d, std::memory_order_relaxed); }
    int64_t value() const { return value_.load(std::memory_order_relaxed); }

  private:
    std::atomic<int64_t> value_{0};
};

class Histogram {
  public:
    explicit Histogram(std::vector<double> bounds);
    void observe(double value);
    const std::vector<double>& bounds() const { return bounds_; }
    // Cumulative count of observations <= bounds()[i]; index bounds().size() is +Inf.
    uint64_t cumulative_count(size_t index) const;
    double sum() const;

  private:
    std::vector<double> bounds_;
    std::unique_ptr<std::atomic<uint64_t>[]> counts_; // per bucket, not cumulative
    std::atomic<uint64_t> sum_micro_{0};              // sum in millionths, to stay atomic
};

// Request latencies from 100 µs to 60 s.
std::vector<double> latency_buckets_seconds();

class MetricsRegistry {
  public:
    Counter& counter(std::string_view name, std::string_view help, const Labels& labels = {});
    Gauge& gauge(std::string_view name, std::string_view help, const Labels& labels = {});
    Histogram& histogram(std::string_view name, std::string_view help, const Labels& labels,
                         const std::vector<double>& bounds);
    // A gauge read when /metrics is scraped (resident memory, open connections,
    // a backend's circuit breaker).
    void gauge_callback(std::string_view name, std::string_view help, std::function<double()> read,
                        const Labels& labels = {});

    std::string render() const;

  private:
    enum class Kind { kCounter, kGauge, kHistogram, kCallback };
    struct Family {
        Kind kind;
        std::string help;
        std::map<std::string, std::unique_ptr<Counter>> counters;
        std::map<std::string, std::unique_ptr<Gauge>> gauges;
        std::map<std::string, std::unique_ptr<Histogram>> histograms;
        std::map<std::string, std::function<double()>> callbacks; // by rendered labels
    };
    Family& family(std::string_view name, std::string_view help, Kind kind);

    std::map<std::string, Family, std::less<>> families_;
};

// {a="x",b="y"} with label values escaped; "" for no labels.
std::string render_labels(const Labels& labels);

} // namespace edgeai::telemetry
