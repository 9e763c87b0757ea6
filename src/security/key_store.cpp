#include "security/key_store.h"

namespace edgeai::security {

void KeyRing::replace(std::vector<ApiKey> keys) {
    by_id_.clear();
    keys_.clear();
    keys_.reserve(keys.size());
    for (ApiKey& k : keys)
        keys_.push_back(std::make_shared<const ApiKey>(std::move(k)));
    for (size_t i = 0; i < keys_.size(); ++i)
        by_id_.emplace(keys_[i]->id, i);
}

KeyPtr KeyRing::find_id(std::string_view id) const {
    auto it = by_id_.find(id);
    return it == by_id_.end() ? nullptr : keys_[it->second];
}

KeyPtr KeyRing::find(std::string_view id_or_name) const {
    if (KeyPtr k = find_id(id_or_name)) return k;
    for (const KeyPtr& k : keys_)
        if (k->name == id_or_name && k->revoked_ms == 0 && k->replaced_by.empty()) return k;
    return nullptr;
}

KeyPtr KeyRing::find_latest(std::string_view id_or_name) const {
    if (KeyPtr k = find(id_or_name)) return k;
    KeyPtr newest;
    for (const KeyPtr& k : keys_)
        if (k->name == id_or_name && (newest == nullptr || k->created_ms >= newest->created_ms))
            newest = k;
    return newest;
}

} // namespace edgeai::security
