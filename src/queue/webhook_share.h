// Fair shares of the webhook slots among API keys.
//
// queue.concurrency webhook calls run at once. A key whose receivers are slow
// (or drip a byte at a time until queue.webhook_timeout_ms cuts them) would
// otherwise fill every slot and hold every other key's webhooks back. So a
// claim goes round the keys, one webhook each per round, oldest first, and
// each key stays within its share: while another key's webhooks wait, half
// the slots (rounded up); alone, every slot but one, which is kept for the
// next key that comes. A gateway without keys (every owner "") has one
// "key" and may use every slot.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace edgeai::queue {

struct WebhookClaim {
    size_t slots = 4; // queue.concurrency
    // Calls under way, by the owner (API key id) of their job.
    std::map<std::string, size_t, std::less<>> busy;

    size_t in_flight() const;
    // Calls that may start now.
    size_t room() const;
};

// The most calls `owner` may have under way at once; `others_waiting`: some
// other key has webhooks due.
size_t webhook_share(const WebhookClaim& claim, std::string_view owner, bool others_waiting);

// Which of the due webhooks to start, given their owners oldest first: their
// indexes, in the order picked (round-robin by key, each within its share,
// at most claim.room() in all).
std::vector<size_t> pick_webhooks(const WebhookClaim& claim,
                                  std::span<const std::string> due_owners);

} // namespace edgeai::queue
