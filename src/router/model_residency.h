// Which local models are in memory, and the policy that decides what to
// unload: after a model's keep-alive has passed idle, and, when a model to
// load does not fit the memory budget, the idle ones least recently used
// first. Only bookkeeping and decisions live here (times are passed in, from
// the Clock port); the platform loads and unloads, on its threads, and tells
// this class when it did.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace edgeai::router {

// The header a request names its own keep-alive by on the OpenAI routes; the
// Ollama routes copy their `keep_alive` field into it.
inline constexpr std::string_view kKeepAliveHeader = "x-edgeai-keep-alive";

// POST of {"model": ID, "answer": {...}} to a local backend: load the model
// (or with keep-alive 0 unload it) and answer with `answer` (Ollama's empty
// /api/generate and /api/chat).
inline constexpr std::string_view kLoadPath = "/load";

enum class Residency : uint8_t { kUnloaded, kLoading, kLoaded };

struct ResidentModel {
    std::string id;
    // Loaded: its weights and KV caches. Otherwise what a load is expected to
    // take: the file's size until a first load measured it.
    uint64_t bytes = 0;
    Residency state = Residency::kUnloaded;
    // Loaded at start (-m, a local backend's files): never unloaded.
    bool pinned = false;
    uint32_t in_flight = 0;
    int64_t last_used_ms = 0; // monotonic
    // Monotonic; when idle and `expires`, unload at or after it.
    int64_t expires_ms = 0;
    bool expires = false;
};

// What making room for a model decided.
struct RoomPlan {
    enum class Verdict : uint8_t {
        kFits,      // after unloading `unload` (maybe nothing)
        kNeverFits, // larger than the budget less what stays loaded for good
        kBusy,      // fits once models now answering requests are idle
    };
    Verdict verdict = Verdict::kFits;
    std::vector<std::string> unload; // idle models, least recently used first
    uint64_t kept_bytes = 0;         // held by pinned (kNeverFits) or busy (kBusy) models
};

class ModelResidency {
  public:
    // budget_bytes 0: no budget.
    explicit ModelResidency(uint64_t budget_bytes) : budget_(budget_bytes) {}

    ResidentModel& add(std::string id, uint64_t bytes, bool pinned);
    ResidentModel* find(std::string_view id);
    const ResidentModel* find(std::string_view id) const;
    const std::vector<ResidentModel>& models() const { return models_; }
    uint64_t budget() const { return budget_; }
    // Bytes of the models loaded or loading.
    uint64_t used() const;

    // What to unload so that `id`, taking `bytes`, fits beside the rest.
    RoomPlan make_room(std::string_view id, uint64_t bytes) const;

    void set_loading(std::string_view id, uint64_t bytes);
    void set_loaded(std::string_view id, uint64_t bytes, int64_t now_ms);
    void set_unloaded(std::string_view id);

    void begin_request(std::string_view id, int64_t now_ms);
    // The last request to end sets when the model expires: `keep_alive_ms`
    // from now (0: at once), or never (core::kKeepAliveForever).
    void end_request(std::string_view id, int64_t now_ms, int64_t keep_alive_ms);

    // Idle, unpinned, loaded models whose keep-alive has passed.
    std::vector<std::string> expired(int64_t now_ms) const;
    // The soonest such expiry still to come; none when nothing expires.
    std::optional<int64_t> next_expiry() const;

  private:
    uint64_t budget_;
    std::vector<ResidentModel> models_;
};

} // namespace edgeai::router
