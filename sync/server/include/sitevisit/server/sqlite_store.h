#pragma once

#include "sitevisit/core/database.h"
#include "sitevisit/server/store.h"

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <thread>

namespace sitevisit::server {

// The embedded backend: one SQLite file (DIR/server.db) in WAL mode. One connection writes,
// handed to writers first come first served; the others only read, so a read never waits for
// a connection held by a writer (WAL lets reads run beside the one writer).
class SqliteStore final : public Store {
public:
    // `connections`: the writer's connection plus at least one reader's.
    // `durability`: Full acknowledges a write only once it is on disk (what `serve` needs);
    // Normal skips the wait on each commit, for filling a new store in one go (`demo`).
    static Result<std::unique_ptr<SqliteStore>>
    open(const std::string& path, int connections = 5,
         Database::Durability durability = Database::Durability::Full);
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

    // Used by transactions to hand their connection back.
    void release(std::unique_ptr<Database> db);
    // The writer's connection back; `last_seq`: the log's end after a commit, or -1 when the
    // transaction rolled back (the counter is then read again from the log at the next write).
    void release_writer(std::unique_ptr<Database> db, std::int64_t last_seq);
    // The end of the log as the last committed write left it, for the next writer: kept in
    // memory, read from the log at open and whenever another connection or process wrote.
    std::int64_t writer_last_seq(Database& db);

    ~SqliteStore() override;
    // on: a thread looks at the store four times a second (PRAGMA data_version, one cheap
    // read) and reports the changes another process appended (`school import`, `user ...`
    // while the server runs) to on_commit, so pulls held here wake for them too.
    void watch_other_writers(bool on) override;
    // The seqs [first, last] this process's writer is committing: not another process's.
    void own_commit(std::int64_t first, std::int64_t last);
    void own_commit_failed(std::int64_t first);

private:
    std::unique_ptr<Database> take_reader();

    std::mutex mutex_;
    std::condition_variable available_;
    std::vector<std::unique_ptr<Database>> idle_;
    Epoch epoch_; // read at open

    // The writer's connection, taken in ticket order (first come, first served).
    std::mutex writer_mutex_;
    std::condition_variable writer_free_;
    std::uint64_t next_ticket_ = 0, serving_ = 0;
    std::unique_ptr<Database> writer_;
    std::int64_t last_seq_ = -1;     // -1: read it from the log
    std::int64_t data_version_ = -1; // PRAGMA data_version when last_seq_ was known

    // Watching for other processes' writes (watch_other_writers).
    void watch_loop(std::unique_ptr<Database> db);
    std::string path_;
    std::mutex watch_mutex_;
    std::condition_variable watch_wake_;
    bool watch_stop_ = false, watching_ = false;
    std::thread watcher_;
    std::deque<std::pair<std::int64_t, std::int64_t>> own_; // committed by this process

    // Checkpoints (the WAL copied back into the database file) run on a thread of their own
    // with its own connection, woken by the writer's commits once the WAL holds
    // kCheckpointPages pages, so pushes do not wait for them. The writer checkpoints itself
    // (copying the little the thread has not) only once the WAL has grown far past that: the
    // log restarts from its beginning only after such a checkpoint (sqlite_store.cpp).
    static int wal_grew(void* store, sqlite3* db, const char* name, int pages);
    void checkpoint_loop();
    void stop_checkpoints();
    std::mutex checkpoint_mutex_;
    std::condition_variable checkpoint_wake_;
    bool checkpoint_due_ = false, checkpoint_stop_ = false;
    std::thread checkpointer_;
};

int server_schema_version();

} // namespace sitevisit::server
