#pragma once

// Seeds for randomized tests: a fixed default, so a run is the same run every time, printed,
// and overridden by the environment variable SITEVISIT_SEED to explore or to replay a failure.

#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <string>

namespace sitevisit::testing {

inline std::uint64_t test_seed(const char* what, std::uint64_t fixed = 20261130) {
    std::uint64_t seed = fixed;
    if (const char* s = std::getenv("SITEVISIT_SEED"); s && *s) seed = std::stoull(s);
    std::cout << what << " seed: " << seed << " (SITEVISIT_SEED=" << seed << " replays it)\n";
    return seed;
}

} // namespace sitevisit::testing
