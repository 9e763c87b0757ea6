// The pure half of shared limits: what a key asks of the shared counters,
// how their answer reads as an Admission (the same codes and messages as
// local counting), and the share of a key's limits one replica keeps when
// the shared counters are away (limits.fail_mode = "local").
#pragma once

#include "security/api_key.h"
#include "security/key_limiter.h"
#include "security/shared_counters.h"

namespace edgeai::security {

// True when the key has a limit the shared counters keep.
bool has_shared_limits(const ApiKey& key);

SharedAsk shared_ask(const ApiKey& key, int64_t estimated_tokens, bool rate_only);

// An answered SharedAnswer as an Admission: admitted, or refused with the
// limit's code, a message naming it and when to come back.
Admission admission_from(const ApiKey& key, const SharedAnswer& answer);

// `key` with each limit and budget divided among `replicas` (rounded up, so
// a limit never falls to 0, which would mean unlimited).
ApiKey local_share(const ApiKey& key, int64_t replicas);

} // namespace edgeai::security
