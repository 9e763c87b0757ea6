// Model files from anywhere: any bytes must parse or be refused with an error,
// and everything a parsed file offers (typed metadata, tensor data) must be
// readable without leaving the buffer. A file that parses is then loaded as a
// model (hyperparameters, tensor shapes and types), which must also refuse
// cleanly or give a model whose weights all lie inside the buffer, and which
// then runs two tokens (every architecture's switches, sliding windows past
// their first positions) without leaving its buffers.
#include "engine/gguf/gguf_file.h"
#include "engine/kernels/kernel_table.h"
#include "engine/model/forward.h"
#include "engine/model/model.h"

#include <cstdlib>

#include <cstdint>
#include <span>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    auto file = edgeai::engine::gguf::GgufFile::parse(std::span<const uint8_t>(data, size));
    if (!file.ok()) return 0;
    for (const auto& kv : file->metadata()) {
        (void)file->get_string(kv.key);
        (void)file->get_uint(kv.key);
        (void)file->get_float(kv.key);
        (void)file->get_bool(kv.key);
        (void)file->get_string_array(kv.key);
        (void)file->get_float_array(kv.key);
        (void)file->get_int_array(kv.key);
    }
    volatile uint8_t sink = 0;
    for (const auto& tensor : file->tensors()) {
        auto bytes = file->tensor_data(tensor);
        if (!bytes.empty()) sink = static_cast<uint8_t>(sink ^ bytes.front() ^ bytes.back());
    }
    auto model = edgeai::engine::model::Model::load(*file);
    if (model.ok()) {
        const uint8_t* begin = data;
        const uint8_t* end = data + size;
        auto inside = [&](const edgeai::engine::model::Matrix& m) {
            if (m.data < begin || m.data + size_t{m.rows} * m.row_bytes > end) std::abort();
        };
        inside(model->token_embedding());
        inside(model->output());
        for (const auto& layer : model->layers()) {
            for (const auto* m : {&layer.wq, &layer.wk, &layer.wv, &layer.wo, &layer.w_gate,
                                  &layer.w_up, &layer.w_down})
                inside(*m);
        }
        // Every dimension is bounded by tensors inside the buffer, so a
        // short context keeps the caches small.
        constexpr uint32_t kCtx = 4;
        edgeai::engine::SerialPool pool;
        // Odd-sized inputs run a q8_0 cache where the heads allow it.
        using edgeai::engine::model::KvType;
        const KvType kv =
            size % 2 == 1 &&
                    edgeai::engine::model::KvCache::check(model->config(), KvType::kQ8_0).ok()
                ? KvType::kQ8_0
                : KvType::kF16;
        edgeai::engine::model::KvCache cache(model->config(), kCtx, kv);
        edgeai::engine::model::Forward forward(*model, pool,
                                               edgeai::engine::kernels::scalar_kernels(), 2, kCtx);
        const edgeai::engine::model::BatchToken batch[2] = {{&cache, 0, 0, false},
                                                            {&cache, 1, 1, true}};
        std::vector<float> logits(model->config().n_vocab);
        (void)forward.decode(batch, logits.data());
    }
    return 0;
}
