// Dot-product throughput of every kernel table this CPU can run, as decoding
// uses them: one activation row against every row of a weight matrix, in GB/s
// of weights read. Rows of 896 and 4864 values (qwen2.5-0.5b's hidden and
// feed-forward sizes; K-quants need multiples of 256, so they take 4864 only)
// over a matrix of --matrix_mb megabytes (4 by default: past the L2 cache, in
// L3; give a size past L3 to measure DRAM). Activation quantizers are timed
// too, per row of 4864 values.
//
// Build it -O2 like the release engine, for example:
//   cmake --preset debug -B build/bench -DCMAKE_BUILD_TYPE=RelWithDebInfo
//         -DEDGEAI_BUILD_BENCH=ON -DEDGEAI_BUILD_TESTS=OFF -DEDGEAI_NATIVE=OFF
//   cmake --build build/bench --target kernels_bench
//   build/bench/bench/kernels_bench --benchmark_filter=q4_k
#include "engine/kernels/kernel_table.h"
#include "engine/kernels/quantize.h"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

namespace {

using edgeai::engine::TensorType;
namespace kernels = edgeai::engine::kernels;

size_t g_matrix_bytes = size_t{4} << 20;

std::vector<float> random_values(size_t n, uint32_t seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> dist(0.0f, 1.0f);
    std::vector<float> v(n);
    for (float& x : v)
        x = dist(rng);
    return v;
}

// A weight matrix of about g_matrix_bytes: a few distinct quantized rows
// repeated (the values do not matter for speed, and quantizing megabytes of
// K-quants with the scalar fitter would take seconds).
struct Matrix {
    size_t rows;
    size_t row_bytes;
    std::vector<uint8_t> data;
};

Matrix make_matrix(TensorType type, size_t cols) {
    Matrix m;
    m.row_bytes = kernels::row_bytes(type, cols);
    m.rows = std::max<size_t>(1, g_matrix_bytes / m.row_bytes);
    m.data.resize(m.rows * m.row_bytes);
    constexpr size_t kDistinct = 8;
    for (size_t r = 0; r < kDistinct && r < m.rows; ++r) {
        const auto w = random_values(cols, static_cast<uint32_t>(r));
        kernels::quantize_row(type, w.data(), m.data.data() + r * m.row_bytes, cols);
    }
    for (size_t r = kDistinct; r < m.rows; ++r)
        std::memcpy(m.data.data() + r * m.row_bytes, m.data.data() + (r % kDistinct) * m.row_bytes,
                    m.row_bytes);
    return m;
}

void bench_dot(benchmark::State& state, const kernels::KernelTable* table, TensorType type,
               size_t cols) {
    const Matrix m = make_matrix(type, cols);
    const TensorType act_type = kernels::activation_type(type);
    const auto x = random_values(cols, 1000);
    std::vector<uint8_t> act(kernels::row_bytes(act_type, cols));
    kernels::convert_activations(*table, act_type, x.data(), act.data(), cols);
    const kernels::DotFn dot = kernels::dot_for(*table, type);
    std::vector<float> out(m.rows);
    for (auto _ : state) {
        for (size_t r = 0; r < m.rows; ++r)
            out[r] = dot(cols, m.data.data() + r * m.row_bytes, act.data());
        benchmark::DoNotOptimize(out.data());
        benchmark::ClobberMemory();
    }
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * m.data.size()));
    state.counters["rows"] = static_cast<double>(m.rows);
}

void bench_quantize(benchmark::State& state, const kernels::KernelTable* table, TensorType type) {
    constexpr size_t kCols = 4864;
    const auto x = random_values(kCols, 7);
    std::vector<uint8_t> out(kernels::row_bytes(type, kCols));
    for (auto _ : state) {
        kernels::convert_activations(*table, type, x.data(), out.data(), kCols);
        benchmark::DoNotOptimize(out.data());
        benchmark::ClobberMemory();
    }
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kCols * sizeof(float)));
}

struct TypeName {
    TensorType type;
    const char* name;
};

constexpr TypeName kTypes[] = {
    {TensorType::kF32, "f32"},   {TensorType::kF16, "f16"},   {TensorType::kBF16, "bf16"},
    {TensorType::kQ8_0, "q8_0"}, {TensorType::kQ4_0, "q4_0"}, {TensorType::kQ4_K, "q4_k"},
    {TensorType::kQ5_K, "q5_k"}, {TensorType::kQ6_K, "q6_k"},
};

void register_all() {
    for (const TypeName& t : kTypes) {
        for (size_t cols : {size_t{896}, size_t{4864}}) {
            const bool k_quant = t.type == TensorType::kQ4_K || t.type == TensorType::kQ5_K ||
                                 t.type == TensorType::kQ6_K;
            if (k_quant && cols % 256 != 0) continue;
            for (const kernels::KernelTable* table : kernels::usable_kernels()) {
                const std::string name = std::string("dot/") + t.name + "/" + std::to_string(cols) +
                                         "/" + std::string(table->name);
                benchmark::RegisterBenchmark(name.c_str(), bench_dot, table, t.type, cols)
                    ->Unit(benchmark::kMicrosecond);
            }
        }
    }
    for (const TypeName& t :
         {TypeName{TensorType::kQ8_0, "q8_0"}, TypeName{TensorType::kQ8_K, "q8_k"}})
        for (const kernels::KernelTable* table : kernels::usable_kernels()) {
            const std::string name =
                std::string("quantize/") + t.name + "/4864/" + std::string(table->name);
            benchmark::RegisterBenchmark(name.c_str(), bench_quantize, table, t.type)
                ->Unit(benchmark::kNanosecond);
        }
}

} // namespace

int main(int argc, char** argv) {
    // Our one flag, taken out before Google Benchmark sees the rest.
    int kept = 1;
    for (int i = 1; i < argc; ++i) {
        if (std::strncmp(argv[i], "--matrix_mb=", 12) == 0)
            g_matrix_bytes = static_cast<size_t>(std::atof(argv[i] + 12) * 1048576.0);
        else
            argv[kept++] = argv[i];
    }
    argc = kept;
    register_all();
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
