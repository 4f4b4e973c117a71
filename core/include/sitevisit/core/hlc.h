#pragma once

#include "sitevisit/core/clock.h"

#include <compare>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace sitevisit {

// Hybrid logical clock stamp: wall time, a counter for events within one millisecond, and
// the device that made it. Totally ordered; the text form sorts the same way.
struct Hlc {
    std::int64_t wall_ms = 0;
    std::uint32_t counter = 0;
    std::string device;

    // "2026-11-22T10:00:00.123Z-0003-<device>" (counter: 4 hex digits).
    std::string to_string() const;
    static std::optional<Hlc> parse(std::string_view text);

    auto operator<=>(const Hlc&) const = default;
    bool operator==(const Hlc&) const = default;
};

class HlcClock {
public:
    static constexpr std::int64_t kMaxAheadMs = 5 * 60 * 1000;

    HlcClock(const Clock& wall, std::string device, Hlc last = {});

    // A local event: strictly after every stamp this clock has made or seen, even when the
    // wall clock stepped back.
    Hlc now();
    // Merge a stamp seen from elsewhere. A stamp more than kMaxAheadMs past our wall clock is
    // clamped to that bound (and reported through on_clamp) so one bad clock cannot drag
    // every later edit into the future.
    void observe(const Hlc& remote);
    const Hlc& last() const { return last_; }
    const std::string& device() const { return device_; }
    // The device took a new id (Store::start_over); stamps go on from the last one.
    void set_device(std::string device) { device_ = std::move(device); }

    std::function<void(const Hlc& remote, std::int64_t clamped_to_ms)> on_clamp;

private:
    const Clock& wall_;
    std::string device_;
    Hlc last_;
};

} // namespace sitevisit
