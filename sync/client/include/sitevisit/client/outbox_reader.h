#pragma once

// The next batch of changes to push, read off the GUI thread. The store's own SQLite
// connection is used only on its thread, so the reader opens a second, query-only connection
// to the same file and uses it on one worker thread of its own. The store is in WAL mode:
// that connection reads while the app writes, and each read is one read transaction, so a
// batch is a consistent snapshot that sees every acknowledgement committed before it began.
// Only the batch is read (oldest pending first, LIMIT n), never the whole outbox. When
// nothing is pending (checked first, on the caller's thread, with one EXISTS) the answer is
// given at once, without the round trip through the worker.
// A store without a file (":memory:") is read on the caller's thread, over its connection.

#include "sitevisit/core/change.h"
#include "sitevisit/core/result.h"

#include <QObject>
#include <QThreadPool>
#include <functional>
#include <memory>
#include <vector>

namespace sitevisit {
class Database;
class Store;
} // namespace sitevisit

namespace sitevisit::client {

class OutboxReader : public QObject {
    Q_OBJECT
public:
    explicit OutboxReader(Store& store, QObject* parent = nullptr);
    ~OutboxReader() override;

    // Up to `limit` pending changes, oldest first; `done` runs on this object's thread.
    void next(int limit, std::function<void(Result<std::vector<Change>>)> done);

    // The same read over any connection, blocking.
    static Result<std::vector<Change>> read(Database& db, int limit);
    // True when no change waits to be sent (false when that cannot be read).
    static bool nothing_pending(Database& db);

private:
    Store& store_;
    QThreadPool worker_; // one thread: the second connection is never used by two at once
    std::shared_ptr<std::unique_ptr<Database>> connection_;
};

} // namespace sitevisit::client
