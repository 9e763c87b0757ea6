#include "queue/webhook_share.h"

namespace edgeai::queue {

size_t WebhookClaim::in_flight() const {
    size_t n = 0;
    for (const auto& [owner, calls] : busy)
        n += calls;
    return n;
}

size_t WebhookClaim::room() const {
    const size_t used = in_flight();
    return used >= slots ? 0 : slots - used;
}

size_t webhook_share(const WebhookClaim& claim, std::string_view owner, bool others_waiting) {
    if (claim.slots <= 1) return claim.slots;
    if (others_waiting) return (claim.slots + 1) / 2;
    return owner.empty() ? claim.slots : claim.slots - 1;
}

std::vector<size_t> pick_webhooks(const WebhookClaim& claim,
                                  std::span<const std::string> due_owners) {
    // Each key's due webhooks, keys in the order their oldest is due.
    struct Queue {
        std::string_view owner;
        std::vector<size_t> due;
        size_t next = 0;
        size_t share = 0;
        size_t taken = 0; // under way before this claim, and picked in it
    };
    std::vector<Queue> keys;
    for (size_t i = 0; i < due_owners.size(); ++i) {
        auto it = keys.begin();
        while (it != keys.end() && it->owner != due_owners[i])
            ++it;
        if (it == keys.end()) it = keys.insert(keys.end(), Queue{due_owners[i], {}, 0, 0, 0});
        it->due.push_back(i);
    }
    for (Queue& k : keys) {
        // Keys with calls under way and none due do not wait: they do not
        // shrink anyone's share.
        k.share = webhook_share(claim, k.owner, keys.size() > 1);
        auto busy = claim.busy.find(k.owner);
        k.taken = busy == claim.busy.end() ? 0 : busy->second;
    }
    std::vector<size_t> picked;
    const size_t room = claim.room();
    bool progress = true;
    while (picked.size() < room && progress) {
        progress = false;
        for (Queue& k : keys) {
            if (picked.size() == room) break;
            if (k.next == k.due.size() || k.taken >= k.share) continue;
            picked.push_back(k.due[k.next++]);
            ++k.taken;
            progress = true;
        }
    }
    return picked;
}

} // namespace edgeai::queue
