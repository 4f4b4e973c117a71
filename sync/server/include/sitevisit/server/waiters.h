#pragma once

// Held pulls waiting for a change they may read. A waiting pull costs no thread: it is an entry
// here with a function that wakes it. When a transaction that appended to the change log
// commits, the entries whose scope it touched are woken (their pull runs again and either
// answers or waits on); the rest are not disturbed.

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

namespace sitevisit::server {

// What one committed transaction appended to the change log.
struct Appended {
    std::int64_t last_seq = 0;     // the highest seq appended; 0: nothing was
    bool everyone = false;         // a change not bound to one school (a region, a user ...)
    std::set<std::string> schools; // the schools the changes belong to
    std::set<std::string> devices; // changes for one device only (its scope changed)
    bool empty() const { return last_seq == 0; }
    void add(std::int64_t seq, const std::string& school, const std::string& for_device);
    void merge(const Appended& other);
};

class Waiters {
public:
    using Id = std::uint64_t;
    struct Interest {
        std::vector<std::string> schools; // sorted: the caller's scope
        std::string device;               // the caller's device key
        std::int64_t seen = 0;            // the log was read up to here
    };

    // Registers `wake`, called (from the committing thread) each time a change it may care
    // about commits. If such a change committed after `seen` already, it is called at once.
    Id add(Interest interest, std::function<void()> wake);
    // Forgets an entry; `wake` is not called after this returns.
    void remove(Id id);
    // A transaction committed: wakes the entries it concerns.
    void committed(const Appended& appended);
    // Wakes every entry (the server is stopping).
    void wake_all();
    std::size_t size() const;
    // The highest seq known committed.
    std::int64_t last_seq() const;

private:
    struct Entry {
        Interest interest;
        std::function<void()> wake;
    };
    static bool concerns(const Entry& e, const Appended& a);

    mutable std::mutex mutex_;
    std::map<Id, Entry> entries_;
    Id next_ = 1;
    std::int64_t last_seq_ = 0;
    // Recent commits, so one that lands between a pull's read and its registration still wakes it.
    std::vector<Appended> recent_;
    std::int64_t forgotten_ = 0; // the highest seq of a commit no longer in recent_
};

} // namespace sitevisit::server
