#pragma once

#include "sitevisit/core/clock.h"

#include <cstdint>
#include <random>
#include <string>
#include <string_view>

namespace sitevisit {

// Canonical 8-4-4-4-12 form in lower-case hex: one spelling per id, so one row per id.
bool is_uuid(std::string_view text);

// A UUID (version 8, RFC 9562) that is a function of `key`: every device that names the same
// thing (a rater's rating of one indicator at one visit) makes the same id, so two devices of
// one person write one row. Stable, not secret: the server checks such ids against the fields
// they are made from.
std::string derived_uuid(std::string_view key);

// Time-ordered UUIDv7 (RFC 9562): 48-bit Unix ms, then a 12-bit counter that keeps ids made
// in the same millisecond (or after the wall clock stepped back) strictly increasing.
class UuidV7Generator {
public:
    explicit UuidV7Generator(const Clock& clock, std::uint64_t seed = std::random_device{}());
    std::string next();

private:
    const Clock& clock_;
    std::mt19937_64 rng_;
    std::int64_t last_ms_ = 0;
    std::uint32_t counter_ = 0;
};

} // namespace sitevisit
