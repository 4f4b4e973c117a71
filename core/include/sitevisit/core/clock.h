#pragma once

#include <cstdint>

namespace sitevisit {

// Wall time in milliseconds since the Unix epoch. Injected everywhere so tests can step it.
class Clock {
public:
    virtual ~Clock() = default;
    virtual std::int64_t now_ms() const = 0;
};

class SystemClock final : public Clock {
public:
    std::int64_t now_ms() const override;
    static const SystemClock& instance();
};

class ManualClock final : public Clock {
public:
    explicit ManualClock(std::int64_t ms = 0) : ms_(ms) {}
    std::int64_t now_ms() const override { return ms_; }
    void set(std::int64_t ms) { ms_ = ms; }
    void advance(std::int64_t ms) { ms_ += ms; }

private:
    std::int64_t ms_;
};

} // namespace sitevisit
