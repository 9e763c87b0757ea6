#include "engine/model/forward.h"

#include "engine/kernels/dequantize.h"
#include "engine/ops/matmul.h"
#include "engine/ops/vector_ops.h"
#include "engine/tensor/half.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace edgeai::engine::model {
namespace {

constexpr double kPi = 3.14159265358979323846;

// YaRN: which rotated pairs keep their original frequency (fast-rotating, high
// ones), which are interpolated (slow ones), and the ramp between them.
double yarn_corr_dim(uint32_t n_dims, uint32_t orig_ctx, float beta, float base) {
    return n_dims * std::log(orig_ctx / (beta * 2.0 * kPi)) / (2.0 * std::log(double{base}));
}

const float* bias_or_null(const std::vector<float>& bias) {
    return bias.empty() ? nullptr : bias.data();
}

// One token's keys or values into its cache row: copied (f32), rounded (f16)
// or quantized with the activations' q8_0 quantizer (round half to even, as
// llama.cpp's CPU copy into a q8_0 cache does).
void store_row(const kernels::KernelTable& kernels, KvType type, const float* src, uint8_t* dst,
               size_t n) {
    if (type == KvType::kF32) {
        std::copy(src, src + n, reinterpret_cast<float*>(dst));
    } else if (type == KvType::kF16) {
        auto* h = reinterpret_cast<uint16_t*>(dst);
        for (size_t i = 0; i < n; ++i)
            h[i] = f32_to_f16(src[i]);
    } else {
        kernels.quantize_q8_0(src, dst, n);
    }
}

// Frequencies per rotated pair, with linear or YaRN scaling and per-dimension
// divisors (llama 3's rope_freqs, phi3's LongRoPE factors) folded in once.
Forward::RopeFreqs rope_freqs(const ModelConfig& c, float base, float freq_scale,
                              const std::vector<float>& factors) {
    Forward::RopeFreqs out;
    const uint32_t pairs = c.rope_dim / 2;
    out.inv_freq.resize(pairs);
    out.mscale = c.rope_attn_factor;
    double low = 0, high = 0;
    const bool yarn = c.rope_scaling == RopeScaling::kYarn && freq_scale != 1.0f;
    if (yarn) {
        low = std::max(
            0.0, std::floor(yarn_corr_dim(c.rope_dim, c.rope_orig_ctx, c.yarn_beta_fast, base)));
        high =
            std::min(double(c.rope_dim - 1),
                     std::ceil(yarn_corr_dim(c.rope_dim, c.rope_orig_ctx, c.yarn_beta_slow, base)));
        // YaRN's attention magnitude correction.
        out.mscale *= static_cast<float>(1.0 + 0.1 * std::log(1.0 / freq_scale));
    }
    for (uint32_t i = 0; i < pairs; ++i) {
        const double extrapolated = std::pow(double{base}, -2.0 * i / c.rope_dim);
        double freq = extrapolated;
        if (c.rope_scaling == RopeScaling::kLinear) {
            freq = extrapolated * freq_scale;
        } else if (yarn) {
            const double y = (i - low) / std::max(0.001, high - low);
            const double keep = 1.0 - std::min(1.0, std::max(0.0, y)); // 1: keep original
            freq = extrapolated * freq_scale * (1.0 - keep) + extrapolated * keep;
        }
        if (!factors.empty()) freq /= factors[i];
        out.inv_freq[i] = static_cast<float>(freq);
    }
    return out;
}

} // namespace

Forward::Forward(const Model& model, WorkerPool& pool, const kernels::KernelTable& kernels,
                 uint32_t max_batch, uint32_t max_ctx)
    : model_(model), config_(model.config()), pool_(pool), kernels_(kernels),
      max_batch_(std::max(1u, max_batch)), max_ctx_(std::max(1u, max_ctx)) {
    const ModelConfig& c = config_;
    const size_t b = max_batch_;
    x_.allocate(b * c.n_embd);
    xn_.allocate(b * c.n_embd);
    q_.allocate(b * c.q_dim());
    k_.allocate(b * c.kv_dim());
    v_.allocate(b * c.kv_dim());
    attn_.allocate(b * c.q_dim());
    gate_.allocate(b * c.n_ff);
    up_.allocate(b * c.n_ff);
    rope_.allocate(b * c.rope_dim);
    const auto workers = static_cast<size_t>(pool.size());
    scores_.resize(size_t{max_ctx_} * workers);
    // A q8_0 cache's per-worker query, quantized; a few hundred bytes.
    query_q8_.resize(kernels::row_bytes(TensorType::kQ8_0, c.head_dim) * workers);
    const uint32_t widest = std::max({c.n_embd, c.n_ff, c.q_dim()});
    scratch_.reset(new uint8_t[ops::matmul_scratch_bytes(widest, max_batch_)]);

    any_sliding_ = c.any_sliding();
    if (any_sliding_) rope_swa_.allocate(b * c.rope_dim);
    // Phi-3's LongRoPE: the long factors when this context reaches past the
    // original one, else the short ones (chosen once per context, as
    // llama.cpp does); llama 3's rope_freqs otherwise.
    const std::vector<float>* factors = &model.rope_freq_factors();
    if (!model.rope_factors_long().empty() && max_ctx_ > c.rope_orig_ctx)
        factors = &model.rope_factors_long();
    else if (!model.rope_factors_short().empty())
        factors = &model.rope_factors_short();
    rope_freqs_ = rope_freqs(c, c.rope_base, c.rope_freq_scale, *factors);
    // Sliding layers use their own base, unscaled and without factors.
    rope_freqs_swa_ = rope_freqs(c, c.rope_base_swa, 1.0f, {});
}

void Forward::compute_rope_tables(std::span<const BatchToken> batch) {
    const uint32_t pairs = config_.rope_dim / 2;
    auto fill = [&](const RopeFreqs& f, float* table) {
        for (size_t b = 0; b < batch.size(); ++b) {
            float* t = table + b * config_.rope_dim;
            for (uint32_t i = 0; i < pairs; ++i) {
                const double theta = static_cast<double>(batch[b].pos) * f.inv_freq[i];
                t[2 * i] = static_cast<float>(std::cos(theta)) * f.mscale;
                t[2 * i + 1] = static_cast<float>(std::sin(theta)) * f.mscale;
            }
        }
    };
    fill(rope_freqs_, rope_.data());
    if (any_sliding_) fill(rope_freqs_swa_, rope_swa_.data());
}

void Forward::apply_rope(float* head, const float* cos_sin) const {
    const uint32_t pairs = config_.rope_dim / 2;
    const bool adjacent = config_.rope_layout == RopeLayout::kAdjacent;
    for (uint32_t i = 0; i < pairs; ++i) {
        const float c = cos_sin[2 * i], s = cos_sin[2 * i + 1];
        float& a = adjacent ? head[2 * i] : head[i];
        float& b = adjacent ? head[2 * i + 1] : head[i + pairs];
        const float x0 = a, x1 = b;
        a = x0 * c - x1 * s;
        b = x0 * s + x1 * c;
    }
}

void Forward::prepare_qkv(uint32_t layer, std::span<const BatchToken> batch) {
    const ModelConfig& c = config_;
    const Layer& weights = model_.layers()[layer];
    const LayerAttention& kind = c.layers[layer];
    const uint32_t hd = c.head_dim;
    const size_t kv_dim = c.kv_dim();
    const float* table = kind.sliding ? rope_swa_.data() : rope_.data();
    for (size_t b = 0; b < batch.size(); ++b) {
        const float* cs = table + b * c.rope_dim;
        float* q = q_.data() + b * c.q_dim();
        float* k = k_.data() + b * kv_dim;
        for (uint32_t h = 0; h < c.n_head; ++h) {
            float* head = q + size_t{h} * hd;
            if (c.qk_norm) ops::rms_norm(head, weights.q_norm.data(), head, hd, c.rms_eps);
            if (kind.rope) apply_rope(head, cs);
        }
        if (c.query_scale != 1.0f)
            for (uint32_t i = 0; i < c.q_dim(); ++i)
                q[i] *= c.query_scale;
        for (uint32_t h = 0; h < c.n_head_kv; ++h) {
            float* head = k + size_t{h} * hd;
            if (c.qk_norm) ops::rms_norm(head, weights.k_norm.data(), head, hd, c.rms_eps);
            if (kind.rope) apply_rope(head, cs);
        }
        KvCache& cache = *batch[b].cache;
        if (layer == 0) cache.note_written(batch[b].pos);
        store_row(kernels_, cache.type(), k, cache.key(layer, batch[b].pos), kv_dim);
        store_row(kernels_, cache.type(), v_.data() + b * kv_dim, cache.value(layer, batch[b].pos),
                  kv_dim);
    }
}

void Forward::attention(uint32_t layer, std::span<const BatchToken> batch) {
    const ModelConfig& c = config_;
    const uint32_t hd = c.head_dim;
    const uint32_t group = c.n_head / c.n_head_kv;
    const float scale = c.kq_scale;
    const float cap = c.attn_softcap;
    const bool sliding = c.layers[layer].sliding;
    const auto items = static_cast<unsigned>(batch.size() * c.n_head);
    pool_.parallel([&](int worker, int workers) {
        const auto w = static_cast<size_t>(worker);
        float* scores = scores_.data() + size_t{max_ctx_} * w;
        uint8_t* query_q8 = query_q8_.data() + kernels::row_bytes(TensorType::kQ8_0, hd) * w;
        const Share share = share_of(items, worker, workers);
        for (unsigned item = share.begin; item < share.end; ++item) {
            const size_t b = item / c.n_head;
            const uint32_t h = item % c.n_head;
            const KvCache& cache = *batch[b].cache;
            const uint32_t end = batch[b].pos + 1;
            // A sliding layer sees the last sliding_window positions only.
            const uint32_t first = sliding && end > c.sliding_window ? end - c.sliding_window : 0;
            const uint32_t n = end - first;
            const float* q = q_.data() + b * c.q_dim() + size_t{h} * hd;
            const size_t offset = cache.head_offset(h / group);
            // Keys pair with a query in the type their dot product takes: f32
            // for float caches; q8_0 for a q8_0 cache, so q.k is the int8 dot
            // product the q8_0 weights use (what llama.cpp's CPU attention
            // does with a quantized cache; faster at 1 thread than
            // dequantizing each key, measured in docs/engine.md).
            const void* query = q;
            kernels::DotFn dot = kernels_.dot_f32;
            if (cache.type() == KvType::kF16) {
                dot = kernels_.dot_f16;
            } else if (cache.type() == KvType::kQ8_0) {
                kernels_.quantize_q8_0(q, query_q8, hd);
                query = query_q8;
                dot = kernels_.dot_q8_0;
            }
            for (uint32_t t = 0; t < n; ++t)
                scores[t] = dot(hd, cache.key(layer, first + t) + offset, query) * scale;
            if (cap > 0.0f)
                for (uint32_t t = 0; t < n; ++t)
                    scores[t] = cap * std::tanh(scores[t] / cap);
            ops::softmax(scores, n);
            float* out = attn_.data() + b * c.q_dim() + size_t{h} * hd;
            std::fill(out, out + hd, 0.0f);
            for (uint32_t t = 0; t < n; ++t) {
                const uint8_t* v = cache.value(layer, first + t) + offset;
                if (cache.type() == KvType::kF32) {
                    kernels_.axpy_f32(hd, scores[t], reinterpret_cast<const float*>(v), out);
                } else if (cache.type() == KvType::kF16) {
                    kernels_.axpy_f16(hd, scores[t], reinterpret_cast<const uint16_t*>(v), out);
                } else {
                    // Straight from the blocks: 4x faster than dequantizing
                    // each row first (docs/engine.md).
                    kernels_.axpy_q8_0(hd, scores[t], v, out);
                }
            }
        }
    });
}

void Forward::finish_branch(uint32_t n, float* delta, const std::vector<float>& post_norm) const {
    const uint32_t d = config_.n_embd;
    if (!post_norm.empty())
        for (uint32_t b = 0; b < n; ++b)
            ops::rms_norm(delta + size_t{b} * d, post_norm.data(), delta + size_t{b} * d, d,
                          config_.rms_eps);
    if (config_.residual_scale != 1.0f)
        for (size_t i = 0; i < size_t{n} * d; ++i)
            delta[i] *= config_.residual_scale;
}

void Forward::finish_logits(uint32_t rows, float* logits) const {
    const size_t count = size_t{rows} * config_.n_vocab;
    if (config_.logit_scale != 1.0f)
        for (size_t i = 0; i < count; ++i)
            logits[i] *= config_.logit_scale;
    const float cap = config_.final_softcap;
    if (cap > 0.0f)
        for (size_t i = 0; i < count; ++i)
            logits[i] = cap * std::tanh(logits[i] / cap);
}

void Forward::add_and_norm(uint32_t n, const float* delta, const float* weight, float* out) {
    const uint32_t d = config_.n_embd;
    auto rows = [&](uint32_t begin, uint32_t end) {
        float* x = x_.data() + size_t{begin} * d;
        if (delta != nullptr) ops::add(x, delta + size_t{begin} * d, size_t{end - begin} * d);
        for (uint32_t b = begin; b < end; ++b)
            ops::rms_norm(x_.data() + size_t{b} * d, weight, out + size_t{b} * d, d,
                          config_.rms_eps);
    };
    if (n < 4 || pool_.size() == 1) {
        rows(0, n);
        return;
    }
    pool_.parallel([&](int worker, int workers) {
        const Share share = share_of(n, worker, workers);
        rows(share.begin, share.end);
    });
}

core::Status Forward::run(std::span<const BatchToken> batch, float* logits, bool hidden) {
    const ModelConfig& c = config_;
    if (batch.empty()) return core::Status::ok_status();
    if (batch.size() > max_batch_)
        return core::invalid_argument("batch of " + std::to_string(batch.size()) +
                                      " tokens exceeds the maximum of " +
                                      std::to_string(max_batch_));
    logit_rows_.clear();
    for (size_t b = 0; b < batch.size(); ++b) {
        const BatchToken& t = batch[b];
        if (t.token < 0 || static_cast<uint32_t>(t.token) >= c.n_vocab)
            return core::invalid_argument("token id " + std::to_string(t.token) +
                                          " is outside the vocabulary of " +
                                          std::to_string(c.n_vocab));
        if (t.cache == nullptr || t.pos >= t.cache->n_ctx() || t.pos >= max_ctx_)
            return core::invalid_argument("position " + std::to_string(t.pos) +
                                          " is past the context size");
        EDGEAI_TRY(KvCache::check(c, t.cache->type()));
        // A ring (sliding layers) holds one pass of at most max_step new
        // positions beside its window.
        if (batch.size() > t.cache->max_step())
            return core::invalid_argument("batch of " + std::to_string(batch.size()) +
                                          " tokens exceeds its KV cache's step of " +
                                          std::to_string(t.cache->max_step()));
        if (t.logits) logit_rows_.push_back(static_cast<uint32_t>(b));
    }
    const auto n = static_cast<uint32_t>(batch.size());
    for (uint32_t b = 0; b < n; ++b) {
        float* row = x_.data() + size_t{b} * c.n_embd;
        model::read_row(model_.token_embedding(), static_cast<uint32_t>(batch[b].token), row);
        if (c.embedding_scale != 1.0f)
            for (uint32_t i = 0; i < c.n_embd; ++i)
                row[i] *= c.embedding_scale;
    }
    compute_rope_tables(batch);
    uint8_t* scratch = scratch_.get();

    for (uint32_t l = 0; l < c.n_layer; ++l) {
        const Layer& layer = model_.layers()[l];
        // The previous layer's FFN output (in xn_) joins the residual here.
        add_and_norm(n, l == 0 ? nullptr : xn_.data(), layer.attn_norm.data(), xn_.data());
        ops::matmul(pool_, kernels_, layer.wq, xn_.data(), n, q_.data(), scratch,
                    bias_or_null(layer.bq));
        ops::matmul(pool_, kernels_, layer.wk, xn_.data(), n, k_.data(), scratch,
                    bias_or_null(layer.bk));
        ops::matmul(pool_, kernels_, layer.wv, xn_.data(), n, v_.data(), scratch,
                    bias_or_null(layer.bv));
        prepare_qkv(l, batch);
        attention(l, batch);
        ops::matmul(pool_, kernels_, layer.wo, attn_.data(), n, xn_.data(), scratch,
                    bias_or_null(layer.bo));
        finish_branch(n, xn_.data(), layer.post_attn_norm);
        add_and_norm(n, xn_.data(), layer.ffn_norm.data(), xn_.data());
        ops::matmul(pool_, kernels_, layer.w_gate, xn_.data(), n, gate_.data(), scratch,
                    bias_or_null(layer.b_gate));
        ops::matmul(pool_, kernels_, layer.w_up, xn_.data(), n, up_.data(), scratch,
                    bias_or_null(layer.b_up));
        const auto activate = c.ffn_act == FfnActivation::kGeluTanh ? ops::geglu_tanh : ops::swiglu;
        if (n == 1) {
            activate(gate_.data(), up_.data(), c.n_ff);
        } else {
            pool_.parallel([&](int worker, int workers) {
                const Share rows = share_of(n, worker, workers);
                const size_t first = size_t{rows.begin} * c.n_ff;
                activate(gate_.data() + first, up_.data() + first,
                         size_t{rows.end - rows.begin} * c.n_ff);
            });
        }
        ops::matmul(pool_, kernels_, layer.w_down, gate_.data(), n, xn_.data(), scratch,
                    bias_or_null(layer.b_down));
        finish_branch(n, xn_.data(), layer.post_ffn_norm);
    }
    if (c.n_layer > 0) ops::add(x_.data(), xn_.data(), size_t{n} * c.n_embd); // the last FFN's

    if (logit_rows_.empty()) return core::Status::ok_status();
    // Only the rows that want logits go through the final norm and the output
    // matrix (the largest in small models).
    for (size_t i = 0; i < logit_rows_.size(); ++i)
        ops::rms_norm(x_.data() + size_t{logit_rows_[i]} * c.n_embd, model_.output_norm().data(),
                      (hidden ? logits : xn_.data()) + i * c.n_embd, c.n_embd, c.rms_eps);
    if (hidden) return core::Status::ok_status();
    ops::matmul(pool_, kernels_, model_.output(), xn_.data(),
                static_cast<uint32_t>(logit_rows_.size()), logits, scratch);
    finish_logits(static_cast<uint32_t>(logit_rows_.size()), logits);
    return core::Status::ok_status();
}

} // namespace edgeai::engine::model
