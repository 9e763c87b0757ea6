#include "router/model_residency.h"

#include <algorithm>

namespace edgeai::router {

namespace {

bool unloadable(const ResidentModel& m) {
    return m.state == Residency::kLoaded && !m.pinned && m.in_flight == 0;
}

} // namespace

ResidentModel& ModelResidency::add(std::string id, uint64_t bytes, bool pinned) {
    ResidentModel m;
    m.id = std::move(id);
    m.bytes = bytes;
    m.pinned = pinned;
    models_.push_back(std::move(m));
    return models_.back();
}

ResidentModel* ModelResidency::find(std::string_view id) {
    for (ResidentModel& m : models_)
        if (m.id == id) return &m;
    return nullptr;
}

const ResidentModel* ModelResidency::find(std::string_view id) const {
    for (const ResidentModel& m : models_)
        if (m.id == id) return &m;
    return nullptr;
}

uint64_t ModelResidency::used() const {
    uint64_t total = 0;
    for (const ResidentModel& m : models_)
        if (m.state != Residency::kUnloaded) total += m.bytes;
    return total;
}

RoomPlan ModelResidency::make_room(std::string_view id, uint64_t bytes) const {
    RoomPlan plan;
    if (budget_ == 0) return plan;
    uint64_t pinned = 0, used = 0;
    std::vector<const ResidentModel*> idle;
    for (const ResidentModel& m : models_) {
        if (m.id == id || m.state == Residency::kUnloaded) continue;
        used += m.bytes;
        if (m.pinned) pinned += m.bytes;
        if (unloadable(m)) idle.push_back(&m);
    }
    if (bytes > budget_ || pinned > budget_ - bytes) {
        plan.verdict = RoomPlan::Verdict::kNeverFits;
        plan.kept_bytes = pinned;
        return plan;
    }
    // The least recently used idle model goes first; a handful of models, so
    // picking the oldest each time costs less code than a sort.
    while (used > budget_ - bytes && !idle.empty()) {
        auto oldest = idle.begin();
        for (auto it = idle.begin(); it != idle.end(); ++it)
            if ((*it)->last_used_ms < (*oldest)->last_used_ms) oldest = it;
        plan.unload.push_back((*oldest)->id);
        used -= (*oldest)->bytes;
        idle.erase(oldest);
    }
    if (used > budget_ - bytes) {
        plan.verdict = RoomPlan::Verdict::kBusy;
        plan.kept_bytes = used;
        plan.unload.clear();
    }
    return plan;
}

void ModelResidency::set_loading(std::string_view id, uint64_t bytes) {
    if (ResidentModel* m = find(id)) {
        m->state = Residency::kLoading;
        m->bytes = bytes;
    }
}

void ModelResidency::set_loaded(std::string_view id, uint64_t bytes, int64_t now_ms) {
    if (ResidentModel* m = find(id)) {
        m->state = Residency::kLoaded;
        m->bytes = bytes;
        m->last_used_ms = now_ms;
        m->expires = false;
    }
}

void ModelResidency::set_unloaded(std::string_view id) {
    if (ResidentModel* m = find(id)) {
        m->state = Residency::kUnloaded;
        m->expires = false;
    }
}

void ModelResidency::begin_request(std::string_view id, int64_t now_ms) {
    if (ResidentModel* m = find(id)) {
        ++m->in_flight;
        m->last_used_ms = now_ms;
        m->expires = false;
    }
}

void ModelResidency::end_request(std::string_view id, int64_t now_ms, int64_t keep_alive_ms) {
    ResidentModel* m = find(id);
    if (m == nullptr) return;
    if (m->in_flight > 0) --m->in_flight;
    m->last_used_ms = now_ms;
    m->expires = keep_alive_ms >= 0;
    m->expires_ms = now_ms + std::max<int64_t>(0, keep_alive_ms);
}

std::vector<std::string> ModelResidency::expired(int64_t now_ms) const {
    std::vector<std::string> out;
    for (const ResidentModel& m : models_)
        if (unloadable(m) && m.expires && m.expires_ms <= now_ms) out.push_back(m.id);
    return out;
}

std::optional<int64_t> ModelResidency::next_expiry() const {
    std::optional<int64_t> soonest;
    for (const ResidentModel& m : models_)
        if (unloadable(m) && m.expires && (!soonest || m.expires_ms < *soonest))
            soonest = m.expires_ms;
    return soonest;
}

} // namespace edgeai::router
