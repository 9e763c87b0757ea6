#include "platform/native/engine/local_model.h"

#include "platform/native/engine/mapped_file.h"

namespace edgeai::platform::native {

namespace {

class MappedModelBytes final : public engine::model::ModelBytes {
  public:
    explicit MappedModelBytes(MappedFile file) : file_(std::move(file)) {}
    std::span<const uint8_t> bytes() const override { return file_.bytes(); }
    void release(const uint8_t* data, size_t size) const override { file_.release(data, size); }

  private:
    MappedFile file_;
};

} // namespace

core::Result<std::unique_ptr<LocalModel>> load_local_model(const std::string& path,
                                                           const LocalModel::LoadOptions& options) {
    EDGEAI_ASSIGN_OR_RETURN(MappedFile file, MappedFile::open(path));
    return LocalModel::load(std::make_unique<MappedModelBytes>(std::move(file)), path, options);
}

} // namespace edgeai::platform::native
