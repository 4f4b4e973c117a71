#include "sitevisit/client/outbox_reader.h"

#include "sitevisit/core/database.h"
#include "sitevisit/core/store.h"

#include <QFutureWatcher>
#include <QtConcurrent/QtConcurrentRun>

namespace sitevisit::client {

using Batch = Result<std::vector<Change>>;

OutboxReader::OutboxReader(Store& store, QObject* parent)
    : QObject(parent), store_(store), connection_(std::make_shared<std::unique_ptr<Database>>()) {
    worker_.setMaxThreadCount(1);
    worker_.setExpiryTimeout(-1);
}

OutboxReader::~OutboxReader() {
    worker_.waitForDone();
}

Batch OutboxReader::read(Database& db, int limit) {
    try {
        auto& st = db.cached("SELECT dseq, op, entity, row_id, school, kind, fields, hlc, base, "
                             "schema FROM outbox WHERE state = 'pending' ORDER BY dseq LIMIT ?");
        st.bind(1, static_cast<std::int64_t>(limit));
        std::vector<Change> out;
        while (st.step()) {
            Change c;
            c.dseq = st.int64(0);
            c.op = st.text(1);
            c.entity = st.text(2);
            c.id = st.text(3);
            c.school = st.text(4);
            c.kind = st.text_view(5) == "delete" ? ChangeKind::Delete : ChangeKind::Upsert;
            c.fields = Json::parse(st.text_view(6), nullptr, false);
            c.hlc = st.text(7);
            c.base = st.int64(8);
            c.schema = static_cast<int>(st.int64(9));
            out.push_back(std::move(c));
        }
        st.reset();
        return out;
    } catch (const std::exception& e) {
        return Error{ErrorCode::Storage, std::string("reading the changes to send: ") + e.what()};
    }
}

bool OutboxReader::nothing_pending(Database& db) {
    try {
        // Sent changes leave the outbox, so this stops at the first pending one or after the
        // few refused ones: a cheap read on the caller's thread.
        auto& st = db.cached("SELECT EXISTS (SELECT 1 FROM outbox WHERE state = 'pending')");
        const bool none = st.step() && st.int64(0) == 0;
        st.reset();
        return none;
    } catch (const std::exception&) {
        return false; // the worker's read reports it
    }
}

void OutboxReader::next(int limit, std::function<void(Batch)> done) {
    const std::string path = store_.database().path();
    if (path.empty() || path == ":memory:" || path.rfind("file::memory:", 0) == 0) {
        done(read(store_.database(), limit));
        return;
    }
    // Nothing to send (a sync that only pulls, or the end of the outbox): answered here,
    // without two thread hops to the worker and back.
    if (nothing_pending(store_.database())) {
        done(std::vector<Change>{});
        return;
    }
    auto* watcher = new QFutureWatcher<Batch>(this);
    connect(watcher, &QFutureWatcher<Batch>::finished, this, [watcher, done = std::move(done)] {
        watcher->deleteLater();
        done(watcher->result());
    });
    watcher->setFuture(QtConcurrent::run(&worker_, [connection = connection_, path, limit] {
        auto& db = *connection;
        if (!db) {
            auto opened = Database::open(path);
            if (!opened) return Batch(opened.error());
            db = std::move(*opened);
            try {
                db->exec("PRAGMA query_only = 1");
            } catch (const std::exception& e) {
                db.reset();
                return Batch(Error{ErrorCode::Storage, e.what()});
            }
        }
        return read(*db, limit);
    }));
}

} // namespace sitevisit::client
