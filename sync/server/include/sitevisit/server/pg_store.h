#pragma once

#include "sitevisit/core/database.h"
#include "sitevisit/server/store.h"

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace sitevisit::server {

// Where a --store URL points, without its password: what messages may name.
struct PgTarget {
    std::string user, host, port, database;
    std::string text() const; // "USER@HOST:PORT/DB"
};

// Checks a --store URL (postgresql://USER@HOST:PORT/DB[?sslmode=...]) and says where it points.
// A password in the URL is refused: it would show in the process list; libpq reads it from
// PGPASSFILE (or ~/.pgpass) instead.
Result<PgTarget> parse_store_url(const std::string& url);

// The PostgreSQL backend: one database shared by any number of server processes. Each process
// has one writing connection (writers take it first come, first served, as with SQLite) and a
// few read connections. Every writing transaction takes one transaction-scoped advisory lock
// first, so writers of all processes take turns, seqs are handed out by the lock's holder and
// commit in seq order, and a pull can never pass a seq whose transaction is still open.
class PgStore final : public Store {
public:
    enum class Mode {
        Existing, // the store must be there (serve, user, school import, export)
        Create,   // made when missing (demo, tests)
        New,      // made, refused when one is there (init)
    };
    static Result<std::unique_ptr<PgStore>>
    open(const std::string& url, Mode mode, int readers = 4,
         Database::Durability durability = Database::Durability::Full);
    ~PgStore() override;

    Result<std::unique_ptr<StoreTx>> begin(bool write) override;
    std::vector<std::string> quick_check() override;
    Epoch epoch() override {
        std::lock_guard lock(mutex_);
        return epoch_;
    }
    void set_epoch_cache(const Epoch& e) {
        std::lock_guard lock(mutex_);
        epoch_ = e;
    }
    // Listens for commits of other processes (LISTEN/NOTIFY) and reports them to on_commit.
    void watch_other_writers(bool on) override;

    struct Connection;
    void release(std::unique_ptr<Connection> c);
    void release_writer(std::unique_ptr<Connection> c);
    const PgTarget& target() const { return target_; }

private:
    PgStore() = default;
    std::unique_ptr<Connection> take_reader();
    void listen_loop();

    std::string url_;
    PgTarget target_;

    std::mutex mutex_;
    std::condition_variable available_;
    std::vector<std::unique_ptr<Connection>> idle_;
    Epoch epoch_; // read at open

    std::mutex writer_mutex_;
    std::condition_variable writer_free_;
    std::uint64_t next_ticket_ = 0, serving_ = 0;
    std::unique_ptr<Connection> writer_;
    std::atomic<int> writer_pid_{0}; // the writer's backend: its own notifications are skipped

    std::atomic<bool> stopping_{false};
    std::thread listener_;
};

// The schema version this build writes (its last migration step).
int pg_schema_version();

// The tables of the database's current schema. Taken before a command that may make a store
// (restore), so that when it fails it removes what it made and nothing else.
Result<std::vector<std::string>> pg_table_names(const std::string& url);
// Drops, in one transaction, every table of the current schema not named in `before`.
Status pg_drop_tables_made_since(const std::string& url, const std::vector<std::string>& before);

} // namespace sitevisit::server
