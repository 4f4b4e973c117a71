#include "sitevisit/server/waiters.h"

#include <algorithm>

namespace sitevisit::server {

namespace {
// Commits remembered for entries that register just after them (see add()).
constexpr std::size_t kRecent = 256;
} // namespace

void Appended::add(std::int64_t seq, const std::string& school, const std::string& for_device) {
    last_seq = std::max(last_seq, seq);
    if (!for_device.empty())
        devices.insert(for_device);
    else if (school.empty())
        everyone = true;
    else
        schools.insert(school);
}

void Appended::merge(const Appended& o) {
    last_seq = std::max(last_seq, o.last_seq);
    everyone = everyone || o.everyone;
    schools.insert(o.schools.begin(), o.schools.end());
    devices.insert(o.devices.begin(), o.devices.end());
}

bool Waiters::concerns(const Entry& e, const Appended& a) {
    if (a.everyone || a.devices.count(e.interest.device)) return true;
    const auto& mine = e.interest.schools;
    for (const auto& s : a.schools)
        if (std::binary_search(mine.begin(), mine.end(), s)) return true;
    return false;
}

Waiters::Id Waiters::add(Interest interest, std::function<void()> wake) {
    std::lock_guard lock(mutex_);
    const Id id = next_++;
    Entry& e = entries_[id];
    e.interest = std::move(interest);
    e.wake = std::move(wake);
    // A commit between the pull's read and now: wake at once. Past what is remembered, wake
    // too (the pull only runs again).
    bool now = forgotten_ > e.interest.seen;
    for (const auto& a : recent_)
        if (a.last_seq > e.interest.seen && concerns(e, a)) now = true;
    if (now) e.wake();
    return id;
}

void Waiters::remove(Id id) {
    std::lock_guard lock(mutex_);
    entries_.erase(id);
}

void Waiters::committed(const Appended& a) {
    if (a.empty()) return;
    std::lock_guard lock(mutex_);
    last_seq_ = std::max(last_seq_, a.last_seq);
    if (recent_.size() == kRecent) {
        forgotten_ = std::max(forgotten_, recent_.front().last_seq);
        recent_.erase(recent_.begin());
    }
    recent_.push_back(a);
    for (auto& [id, e] : entries_)
        if (concerns(e, a)) e.wake();
}

void Waiters::wake_all() {
    std::lock_guard lock(mutex_);
    for (auto& [id, e] : entries_)
        e.wake();
}

std::size_t Waiters::size() const {
    std::lock_guard lock(mutex_);
    return entries_.size();
}

std::int64_t Waiters::last_seq() const {
    std::lock_guard lock(mutex_);
    return last_seq_;
}

} // namespace sitevisit::server
