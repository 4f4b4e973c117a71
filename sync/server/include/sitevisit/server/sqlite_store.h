#pragma once

#include "sitevisit/core/database.h"
#include "sitevisit/server/store.h"

#include <condition_variable>
#include <mutex>

namespace sitevisit::server {

// The embedded backend: one SQLite file (DIR/server.db) in WAL mode, a small pool of
// connections so reads run beside the one writer.
class SqliteStore final : public Store {
public:
    // `durability`: Full acknowledges a write only once it is on disk (what `serve` needs);
    // Normal skips the wait on each commit, for filling a new store in one go (`demo`).
    static Result<std::unique_ptr<SqliteStore>>
    open(const std::string& path, int connections = 4,
         Database::Durability durability = Database::Durability::Full);
    Result<std::unique_ptr<StoreTx>> begin(bool write) override;
    std::vector<std::string> quick_check() override;

    // Used by transactions to hand their connection back.
    void release(std::unique_ptr<Database> db);

private:
    std::mutex mutex_;
    std::condition_variable available_;
    std::vector<std::unique_ptr<Database>> idle_;
};

int server_schema_version();

} // namespace sitevisit::server
