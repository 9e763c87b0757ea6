// Pieces every JSON endpoint of the gateway answers with: a JSON response, a
// list page in OpenAI's shape, its `limit` parameter, and the task that holds
// a request until a store's callback answers it.
#pragma once

#include "core/http_types.h"
#include "core/result.h"
#include "gateway/exchange.h"

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace edgeai::gateway {

core::HttpResponse json_response(int status, std::string body);

// {"object":"list","data":[...],"first_id","last_id","has_more"}; `ids` are
// the items' ids in order, `items` their JSON.
std::string list_page_json(const std::vector<std::string>& items,
                           const std::vector<std::string>& ids, bool has_more);

// The `limit` query parameter (1 to 100), `fallback` when absent;
// InvalidArgument naming it otherwise.
core::Result<size_t> page_limit(std::string_view target, size_t fallback);

// Lives until a store answers. A client that leaves destroys it (and its
// writer goes too), so the store's callback holds the exchange weakly; the
// write itself goes on.
class StoreTask final : public RequestTask {
  public:
    explicit StoreTask(std::unique_ptr<Exchange> exchange) : exchange_(std::move(exchange)) {}
    std::weak_ptr<Exchange> exchange() { return exchange_; }

  private:
    std::shared_ptr<Exchange> exchange_;
};

} // namespace edgeai::gateway
