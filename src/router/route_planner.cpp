#include "router/route_planner.h"

#include "core/config/routing_schema.h"

#include <algorithm>

namespace edgeai::router {
namespace {

// splitmix64: a fresh draw from the previous one, for weighted orders.
uint64_t next_random(uint64_t& state) {
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

} // namespace

RoutePlanner::RoutePlanner(const core::Settings& settings) : settings_(settings) {
    for (const core::RouteSettings& route : settings_.routes) {
        targets_.push_back(resolve(route.targets));
        offline_targets_.push_back(resolve(route.when_offline));
    }
}

size_t RoutePlanner::backend_index(std::string_view name) const {
    for (size_t i = 0; i < settings_.backends.size(); ++i)
        if (settings_.backends[i].name == name) return i;
    return npos;
}

bool RoutePlanner::conditions_hold(const core::RouteSettings& route,
                                   const RouteFacts& facts) const {
    if (route.max_prompt_tokens > 0 &&
        static_cast<int64_t>(facts.prompt_tokens) > route.max_prompt_tokens)
        return false;
    if (!route.when_keys.empty()) {
        bool any = false;
        for (const std::string& pattern : route.when_keys)
            any = any || (!facts.key_id.empty() && core::glob_match(pattern, facts.key_id)) ||
                  (!facts.key_name.empty() && core::glob_match(pattern, facts.key_name));
        if (!any) return false;
    }
    if (!route.when_header.empty()) {
        const size_t colon = route.when_header.find(':');
        const std::string_view name =
            core::trim_spaces(std::string_view(route.when_header).substr(0, colon));
        const std::string_view value =
            core::trim_spaces(std::string_view(route.when_header).substr(colon + 1));
        if (facts.headers == nullptr || !facts.headers->has(name) ||
            core::trim_spaces(facts.headers->get(name)) != value)
            return false;
    }
    return true;
}

const core::RouteSettings* RoutePlanner::match(const RouteFacts& facts) const {
    for (const core::RouteSettings& route : settings_.routes)
        if (core::glob_match(route.model, facts.model) && conditions_hold(route, facts))
            return &route;
    return nullptr;
}

std::vector<Attempt> RoutePlanner::resolve(const std::vector<std::string>& targets) const {
    std::vector<Attempt> out;
    for (const std::string& text : targets)
        if (auto target = core::parse_route_target(text)) {
            const size_t b = backend_index(target->backend);
            if (b != npos) out.push_back({b, target->model});
        }
    return out;
}

void RoutePlanner::order(const core::RouteSettings& route, const RouteFacts& facts,
                         std::span<const BackendView> state, uint64_t random,
                         std::vector<Attempt>& attempts) const {
    const auto view = [&](const Attempt& a) {
        return a.backend < state.size() ? state[a.backend] : BackendView{};
    };
    const auto is_local = [&](const Attempt& a) {
        return settings_.backends[a.backend].kind == core::BackendKind::kLocal;
    };
    if (route.strategy == core::RouteStrategy::kWeighted &&
        route.weights.size() == attempts.size()) {
        // Weighted order without replacement: each pick in proportion to the
        // weights still in play.
        std::vector<Attempt> left = attempts;
        std::vector<int64_t> weights = route.weights;
        attempts.clear();
        uint64_t rng = random;
        while (!left.empty()) {
            int64_t total = 0;
            for (int64_t w : weights)
                total += w;
            int64_t pick = static_cast<int64_t>(next_random(rng) % static_cast<uint64_t>(total));
            size_t i = 0;
            while (pick >= weights[i])
                pick -= weights[i++];
            attempts.push_back(left[i]);
            left.erase(left.begin() + static_cast<std::ptrdiff_t>(i));
            weights.erase(weights.begin() + static_cast<std::ptrdiff_t>(i));
        }
    } else if (route.strategy == core::RouteStrategy::kLeastLatency) {
        // Backends not measured yet go first, so each gets a measurement.
        std::stable_sort(attempts.begin(), attempts.end(), [&](const Attempt& a, const Attempt& b) {
            return std::max(0.0, view(a).ttft_ms) < std::max(0.0, view(b).ttft_ms);
        });
    } else if (route.strategy == core::RouteStrategy::kCheapest) {
        const auto cost = [&](const Attempt& a) {
            const core::BackendSettings& b = settings_.backends[a.backend];
            if (b.price)
                return (facts.prompt_tokens * b.price->input_per_mtok +
                        facts.max_tokens * b.price->output_per_mtok) /
                       1e6;
            return b.kind == core::BackendKind::kLocal ? 0.0 : 1e300; // unpriced remote: last
        };
        std::stable_sort(attempts.begin(), attempts.end(),
                         [&](const Attempt& a, const Attempt& b) { return cost(a) < cost(b); });
    } else if (route.strategy == core::RouteStrategy::kLocalFirst) {
        // Local targets that can take the request now first, then the others
        // in order, then local targets that are busy or too small.
        const auto ready = [&](const Attempt& a) {
            const BackendView v = view(a);
            const uint64_t needed = uint64_t{facts.prompt_tokens} + facts.max_tokens;
            return is_local(a) && v.has_free_slot &&
                   (v.context_tokens == 0 || needed <= v.context_tokens);
        };
        const auto rank = [&](const Attempt& a) { return ready(a) ? 0 : is_local(a) ? 2 : 1; };
        std::stable_sort(attempts.begin(), attempts.end(),
                         [&](const Attempt& a, const Attempt& b) { return rank(a) < rank(b); });
    }
}

Plan RoutePlanner::plan(const RouteFacts& facts, std::span<const BackendView> state,
                        uint64_t random) const {
    Plan plan;
    plan.route = match(facts);
    std::vector<Attempt> attempts;
    if (plan.route != nullptr) {
        const size_t r = static_cast<size_t>(plan.route - settings_.routes.data());
        const bool use_offline = facts.offline && !offline_targets_[r].empty();
        attempts = use_offline ? offline_targets_[r] : targets_[r];
        if (!use_offline) order(*plan.route, facts, state, random, attempts);
    } else {
        for (size_t i = 0; i < settings_.backends.size(); ++i)
            if (core::backend_serves(settings_.backends[i], facts.model)) {
                attempts.push_back({i, std::string(facts.model)});
                break;
            }
    }
    for (Attempt& a : attempts) {
        const bool available = a.backend >= state.size() || state[a.backend].available;
        if (available)
            plan.attempts.push_back(std::move(a));
        else
            plan.unavailable.push_back(a.backend);
    }
    return plan;
}

} // namespace edgeai::router
