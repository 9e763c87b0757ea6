#include "engine/model/loaded_model.h"

#include "engine/kernels/kernel_table.h"

namespace edgeai::engine::model {

core::Result<std::unique_ptr<LoadedModel>> LoadedModel::load(std::unique_ptr<ModelBytes> file,
                                                             const std::string& name,
                                                             const LoadOptions& options) {
    auto m = std::make_unique<LoadedModel>();
    m->file = std::move(file);
    auto parsed = gguf::GgufFile::parse(m->file->bytes());
    if (!parsed.ok()) {
        core::Status st = parsed.status();
        return st.with_context(name + ": ");
    }
    m->gguf = std::move(*parsed);
    auto model = Model::load(m->gguf);
    if (!model.ok()) {
        core::Status st = model.status();
        return st.with_context(name + ": ");
    }
    m->model = std::move(*model);
    // Repacked weights are read from the model's own copy; the file's pages
    // under them go back so the weights are resident once, not twice.
    if (options.pack) {
        struct Context {
            const ModelBytes* bytes;
            const LoadOptions* options;
        } context{m->file.get(), &options};
        PackHooks hooks;
        hooks.context = &context;
        hooks.release = [](void* c, const uint8_t* data, size_t size) {
            static_cast<Context*>(c)->bytes->release(data, size);
        };
        if (options.progress)
            hooks.progress = [](void* c, uint64_t done, uint64_t total) {
                static_cast<Context*>(c)->options->progress(done, total);
            };
        auto packed = m->model.pack_weights(kernels::best_kernels(), hooks);
        if (!packed.ok()) {
            core::Status st = packed.status();
            return st.with_context(name + ": ");
        }
    }
    auto tok = tokenizer::Tokenizer::from_gguf(m->gguf);
    if (tok.ok())
        m->tokenizer.emplace(std::move(*tok));
    else
        m->tokenizer_error = tok.status().message();
    // The tokenizer copied the scores and types and read the merges only while
    // it was built (a few MB for a 150k vocabulary); token texts stay in use.
    for (const char* key :
         {"tokenizer.ggml.merges", "tokenizer.ggml.token_type", "tokenizer.ggml.scores"})
        if (const gguf::KeyValue* kv = m->gguf.find(key))
            m->file->release(m->file->bytes().data() + kv->offset, kv->end - kv->offset);
    return m;
}

std::string model_id_from_path(const std::string& path) {
    const size_t slash = path.find_last_of('/');
    std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
    const std::string ext = ".gguf";
    if (name.size() > ext.size() && name.compare(name.size() - ext.size(), ext.size(), ext) == 0)
        name.resize(name.size() - ext.size());
    return name;
}

} // namespace edgeai::engine::model
