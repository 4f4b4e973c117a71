#include "sitevisit/core/hlc.h"

#include "sitevisit/core/time_format.h"

#include <algorithm>
#include <cstdio>

namespace sitevisit {

std::string Hlc::to_string() const {
    static const char hex[] = "0123456789abcdef";
    std::string out = format_utc_ms(wall_ms);
    out.reserve(out.size() + 6 + device.size());
    out += '-';
    for (int shift = 12; shift >= 0; shift -= 4)
        out += hex[(counter >> shift) & 0xf];
    out += '-';
    out += device;
    return out;
}

std::optional<Hlc> Hlc::parse(std::string_view text) {
    // 24 characters of time, '-', 4 hex digits, '-', device
    if (text.size() < 31 || text[24] != '-' || text[29] != '-') return std::nullopt;
    auto wall = parse_utc_ms(text.substr(0, 24));
    if (!wall || text.substr(0, 24).size() != 24) return std::nullopt;
    std::uint32_t counter = 0;
    for (char c : text.substr(25, 4)) {
        int v = (c >= '0' && c <= '9') ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
        if (v < 0) return std::nullopt;
        counter = counter * 16 + static_cast<std::uint32_t>(v);
    }
    std::string_view device = text.substr(30);
    if (device.size() > 64) return std::nullopt;
    for (char c : device)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_'))
            return std::nullopt;
    return Hlc{*wall, counter, std::string(device)};
}

HlcClock::HlcClock(const Clock& wall, std::string device, Hlc last)
    : wall_(wall), device_(std::move(device)), last_(std::move(last)) {
    last_.device = device_;
}

Hlc HlcClock::now() {
    const std::int64_t physical = wall_.now_ms();
    if (physical > last_.wall_ms) {
        last_.wall_ms = physical;
        last_.counter = 0;
    } else if (last_.counter >= 0xffff) {
        // The counter is full: move to the next millisecond rather than wrap.
        ++last_.wall_ms;
        last_.counter = 0;
    } else {
        ++last_.counter;
    }
    last_.device = device_;
    return last_;
}

void HlcClock::observe(const Hlc& remote) {
    const std::int64_t bound = wall_.now_ms() + kMaxAheadMs;
    Hlc seen = remote;
    if (seen.wall_ms > bound) {
        if (on_clamp) on_clamp(remote, bound);
        seen.wall_ms = bound;
        seen.counter = 0;
    }
    if (std::tie(seen.wall_ms, seen.counter) > std::tie(last_.wall_ms, last_.counter)) {
        last_.wall_ms = seen.wall_ms;
        last_.counter = seen.counter;
    }
}

} // namespace sitevisit
