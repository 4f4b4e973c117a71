#include "sitevisit/server/sqlite_store.h"

#include "cached_tx.h"
#include "sitevisit/core/database.h"
#include "sitevisit/protocol/messages.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <set>
#include <sqlite3.h>
#include <stdexcept>
#include <sys/resource.h>
#include <tuple>
#include <unistd.h>
#include <unordered_map>

namespace sitevisit::server {

namespace {

struct Step {
    int version;
    const char* sql;
};

// Keyed on PRAGMA user_version like the device store; a released step never changes.
// Step 3 (issue 13, a faster ingest): rows become a rowid table with a unique index on
// (entity, id), so a row with a random (v4) id appends to the table and only its small index
// entry lands at a random place; the field versions move into the row (`versions`, see
// version_in below) so a change writes one row, not one per field; ops likewise keep a unique
// index on the op id.
const Step kSteps[] = {
    {1, R"sql(
CREATE TABLE rows (
  entity TEXT NOT NULL, id TEXT NOT NULL, school TEXT NOT NULL, fields TEXT NOT NULL,
  seq INTEGER NOT NULL, hlc TEXT NOT NULL DEFAULT '', deleted INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (entity, id)) WITHOUT ROWID;
CREATE INDEX rows_school ON rows(school);
CREATE TABLE field_versions (
  entity TEXT NOT NULL, id TEXT NOT NULL, field TEXT NOT NULL, seq INTEGER NOT NULL,
  hlc TEXT NOT NULL, author TEXT NOT NULL, device TEXT NOT NULL,
  PRIMARY KEY (entity, id, field)) WITHOUT ROWID;
CREATE TABLE changes (
  seq INTEGER PRIMARY KEY, op TEXT NOT NULL, entity TEXT NOT NULL, row_id TEXT NOT NULL,
  school TEXT NOT NULL, kind TEXT NOT NULL, fields TEXT NOT NULL, hlc TEXT NOT NULL,
  base INTEGER NOT NULL, dseq INTEGER NOT NULL, schema INTEGER NOT NULL,
  author TEXT NOT NULL, device TEXT NOT NULL, visit TEXT NOT NULL DEFAULT '',
  for_device TEXT NOT NULL DEFAULT '');
CREATE TABLE ops (op TEXT PRIMARY KEY, device TEXT NOT NULL, result TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE devices (
  device TEXT PRIMARY KEY, user TEXT NOT NULL, dseq INTEGER NOT NULL DEFAULT 0,
  schools TEXT NOT NULL DEFAULT '[]') WITHOUT ROWID;
CREATE TABLE accounts (
  id TEXT PRIMARY KEY, email TEXT NOT NULL UNIQUE, fields TEXT NOT NULL, password_hash TEXT NOT NULL);
CREATE TABLE sessions (
  token_hash TEXT PRIMARY KEY, user TEXT NOT NULL, device TEXT NOT NULL, expires_ms INTEGER NOT NULL);
CREATE INDEX sessions_user ON sessions(user);
CREATE TABLE login_failures (key TEXT NOT NULL, at_ms INTEGER NOT NULL);
CREATE INDEX login_failures_key ON login_failures(key, at_ms);
CREATE TABLE blobs (
  sha256 TEXT PRIMARY KEY, length INTEGER NOT NULL, received INTEGER NOT NULL,
  complete INTEGER NOT NULL, created_by TEXT NOT NULL);
CREATE TABLE blob_owners (sha256 TEXT NOT NULL, user TEXT NOT NULL, PRIMARY KEY (sha256, user)) WITHOUT ROWID;
CREATE INDEX rows_evidence_blob ON rows(json_extract(fields, '$.sha256')) WHERE entity = 'evidence';
)sql"},
    {2, R"sql(
CREATE TABLE device_secrets (
  user TEXT NOT NULL, device TEXT NOT NULL, secret_hash TEXT NOT NULL, PRIMARY KEY (user, device)) WITHOUT ROWID;
)sql"},
    {3, R"sql(
CREATE TABLE fv_seq AS
  SELECT entity, id, seq, max(hlc) AS hlc, max(author) AS author, max(device) AS device
  FROM field_versions GROUP BY entity, id, seq;
CREATE TABLE fv_doc AS
  SELECT s.entity AS entity, s.id AS id, json_object(
      'f', json((SELECT json_group_object(f.field, f.seq) FROM field_versions f
                 WHERE f.entity = s.entity AND f.id = s.id)),
      'v', json_group_object(CAST(s.seq AS TEXT), json_array(s.hlc, s.author, s.device)))
    AS versions
  FROM fv_seq s GROUP BY s.entity, s.id;
CREATE TABLE rows_v3 (
  entity TEXT NOT NULL, id TEXT NOT NULL, school TEXT NOT NULL, fields TEXT NOT NULL,
  seq INTEGER NOT NULL, hlc TEXT NOT NULL DEFAULT '', deleted INTEGER NOT NULL DEFAULT 0,
  versions TEXT NOT NULL DEFAULT '{}');
INSERT INTO rows_v3 (entity, id, school, fields, seq, hlc, deleted, versions)
  SELECT r.entity, r.id, r.school, r.fields, r.seq, r.hlc, r.deleted, coalesce(d.versions, '{}')
  FROM rows r LEFT JOIN fv_doc d ON d.entity = r.entity AND d.id = r.id ORDER BY r.seq;
DROP TABLE fv_doc;
DROP TABLE fv_seq;
DROP TABLE field_versions;
DROP TABLE rows;
ALTER TABLE rows_v3 RENAME TO rows;
CREATE UNIQUE INDEX rows_key ON rows(entity, id);
CREATE INDEX rows_school ON rows(school);
CREATE INDEX rows_evidence_blob ON rows(json_extract(fields, '$.sha256')) WHERE entity = 'evidence';
CREATE TABLE ops_v3 (op TEXT NOT NULL, device TEXT NOT NULL, result TEXT NOT NULL);
INSERT INTO ops_v3 (op, device, result) SELECT op, device, result FROM ops;
DROP TABLE ops;
ALTER TABLE ops_v3 RENAME TO ops;
CREATE UNIQUE INDEX ops_op ON ops(op);
)sql"},
    // Step 3 is the change-log work beside this one. Step 4: each change as a pull answer
    // carries it, written once when the change is logged, so a pull copies bytes instead of
    // parsing and encoding every change. Rows logged before it have none (NULL) and are
    // encoded from their columns when pulled.
    {4, R"sql(
ALTER TABLE changes ADD COLUMN wire TEXT;
)sql"},
    // Step 5: the store's epoch (a restore renews it) and the epoch each device last pushed
    // under, so a device's first push after a restore may skip the changes the restore lost.
    {5, R"sql(
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
INSERT INTO meta (key, value) VALUES ('epoch', lower(hex(randomblob(16)))), ('epoch_base', '0');
ALTER TABLE devices ADD COLUMN epoch TEXT NOT NULL DEFAULT '';
UPDATE devices SET epoch = (SELECT value FROM meta WHERE key = 'epoch');
)sql"},
    // Step 6: unfinished uploads (tus) live in the store, not in the length of their partial
    // file: the declared length, the offset committed after its bytes were flushed, and when
    // the upload last moved (for expiry). Uploads begun under an older server are not carried
    // over (the device starts them again); their files are swept when they expire.
    {6, R"sql(
CREATE TABLE uploads (
  sha256 TEXT NOT NULL, user_id TEXT NOT NULL, length INTEGER NOT NULL,
  committed INTEGER NOT NULL DEFAULT 0, touched_ms INTEGER NOT NULL,
  PRIMARY KEY (sha256, user_id)) WITHOUT ROWID;
)sql"},
};

Status migrate(Database& db) {
    auto& st = db.cached("PRAGMA user_version");
    st.step();
    int current = static_cast<int>(st.int64(0));
    st.reset();
    const int latest = kSteps[std::size(kSteps) - 1].version;
    if (current > latest)
        return Error{ErrorCode::Unsupported,
                     "the data folder was written by a newer sitevisit-server (schema " +
                         std::to_string(current) + "); this build knows schema " +
                         std::to_string(latest)};
    for (const auto& step : kSteps) {
        if (step.version <= current) continue;
        Transaction tx(db);
        db.exec(step.sql);
        db.exec("PRAGMA user_version = " + std::to_string(step.version));
        tx.commit();
    }
    return ok_status();
}

Account read_account(const Statement& st) {
    return detail::account_from(st.text(0), st.text(1), st.text_view(2), st.text(3));
}

bool is_busy(const SqliteError& e) {
    return (e.code() & 0xff) == SQLITE_BUSY || (e.code() & 0xff) == SQLITE_LOCKED;
}

class Tx final : public detail::CachedTx {
public:
    Tx(SqliteStore& owner, std::unique_ptr<Database> db, bool write)
        : CachedTx(write), owner_(owner), db_(std::move(db)) {
        try {
            db_->cached(write ? "BEGIN IMMEDIATE" : "BEGIN").run();
            if (write_) first_seq_ = (seq_ = owner_.writer_last_seq(*db_)) + 1;
        } catch (...) {
            if (db_->in_transaction()) db_->cached("ROLLBACK").run();
            give_back(false); // the connection goes back to the pool either way
            throw;
        }
    }
    ~Tx() override {
        if (!done_) {
            try {
                db_->cached("ROLLBACK").run();
            } catch (...) {
            }
        }
        give_back(done_);
    }

    std::vector<Row> rows_of_school(const std::string& school) override {
        flush_rows();
        return rows_where("SELECT entity, id, school, fields, seq, hlc, deleted FROM rows WHERE "
                          "school = ? ORDER BY seq",
                          school);
    }

    std::vector<Row> rows_of_entity(const std::string& entity) override {
        flush_rows();
        return rows_where("SELECT entity, id, school, fields, seq, hlc, deleted FROM rows WHERE "
                          "entity = ? ORDER BY id",
                          entity);
    }

    std::int64_t next_seq() override {
        writer_only();
        return ++seq_;
    }

    std::int64_t last_seq() override {
        if (write_) return seq_;
        auto& st = db_->cached("SELECT coalesce(max(seq), 0) FROM changes");
        st.step();
        auto v = st.int64(0);
        st.reset();
        return v;
    }

    void append_change(const LoggedChange& l) override {
        const Change& c = l.change;
        auto& st = db_->cached(
            "INSERT INTO changes (seq, op, entity, row_id, school, kind, fields, hlc, base, dseq, "
            "schema, author, "
            "device, visit, for_device, wire) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
            "?)");
        std::string dumped;
        const std::string& fields =
            l.fields_json.empty() ? (dumped = c.fields.dump()) : l.fields_json;
        // Every text outlives run(): SQLite reads it in place.
        const std::string wire = protocol::encode_change(c, fields);
        st.bind(1, c.seq)
            .bind_borrowed(2, c.op)
            .bind_borrowed(3, c.entity)
            .bind_borrowed(4, c.id)
            .bind_borrowed(5, c.school)
            .bind_borrowed(6, to_string(c.kind));
        st.bind_borrowed(16, wire);
        st.bind_borrowed(7, fields).bind_borrowed(8, c.hlc);
        st.bind(9, c.base).bind(10, c.dseq).bind(11, c.schema);
        st.bind_borrowed(12, l.author).bind_borrowed(13, l.device);
        st.bind_borrowed(14, l.visit).bind_borrowed(15, l.for_device);
        st.run();
    }

    std::vector<LoggedChange> changes_after(std::int64_t since, int limit) override {
        std::vector<LoggedChange> out;
        auto& st = db_->cached("SELECT seq, op, entity, row_id, school, kind, fields, hlc, base, "
                               "dseq, schema, author, device, visit, "
                               "for_device FROM changes WHERE seq > ? ORDER BY seq LIMIT ?");
        st.bind(1, since).bind(2, static_cast<std::int64_t>(limit));
        while (st.step()) {
            LoggedChange l;
            Change& c = l.change;
            c.seq = st.int64(0);
            c.op = st.text(1);
            c.entity = st.text(2);
            c.id = st.text(3);
            c.school = st.text(4);
            c.kind = st.text_view(5) == "delete" ? ChangeKind::Delete : ChangeKind::Upsert;
            c.fields = detail::parse_or(st.text_view(6), Json::object());
            c.hlc = st.text(7);
            c.base = st.int64(8);
            c.dseq = st.int64(9);
            c.schema = static_cast<int>(st.int64(10));
            l.author = st.text(11);
            l.device = st.text(12);
            l.visit = st.text(13);
            l.for_device = st.text(14);
            out.push_back(std::move(l));
        }
        st.reset();
        return out;
    }

    std::vector<LoggedChange> changes_after_wire(std::int64_t since, int limit) override {
        std::vector<LoggedChange> out;
        out.reserve(static_cast<std::size_t>(std::max(0, std::min(limit, 100000))));
        auto& st = db_->cached("SELECT seq, op, entity, row_id, school, kind, fields, hlc, base, "
                               "dseq, schema, visit, for_device, wire FROM changes WHERE seq > ? "
                               "ORDER BY seq LIMIT ?");
        st.bind(1, since).bind(2, static_cast<std::int64_t>(limit));
        while (st.step()) {
            LoggedChange l;
            Change& c = l.change;
            c.seq = st.int64(0);
            c.op = st.text(1);
            c.entity = st.text(2);
            c.id = st.text(3);
            c.school = st.text(4);
            c.kind = st.text_view(5) == "delete" ? ChangeKind::Delete : ChangeKind::Upsert;
            l.fields_json = st.text(6);
            if (l.fields_json.empty()) l.fields_json = "{}";
            c.hlc = st.text(7);
            c.base = st.int64(8);
            c.dseq = st.int64(9);
            c.schema = static_cast<int>(st.int64(10));
            l.visit = st.text(11);
            l.for_device = st.text(12);
            l.wire = st.text(13); // NULL (logged before the column): empty, encoded by the pull
            out.push_back(std::move(l));
        }
        st.reset();
        return out;
    }

    std::vector<std::optional<StoredOp>> op_results(const std::vector<std::string>& ops) override {
        // One statement for the batch: each id a probe of the unique index on ops.op.
        std::vector<std::optional<StoredOp>> out(ops.size());
        if (ops.empty()) return out;
        auto& st = db_->cached(
            "SELECT op, result, device FROM ops WHERE op IN (SELECT value FROM json_each(?))");
        std::string ids = "[";
        for (const auto& op : ops) {
            if (ids.size() > 1) ids.push_back(',');
            protocol::append_json_string(ids, op);
        }
        ids.push_back(']');
        st.bind_borrowed(1, ids);
        while (st.step()) {
            const std::string op = st.text(0);
            for (std::size_t i = 0; i < ops.size(); ++i) // the same id twice in one batch
                if (ops[i] == op) out[i] = StoredOp{st.text(1), st.text(2)};
        }
        st.reset();
        return out;
    }

    void save_op_result(const std::string& op, const std::string& device,
                        const std::string& result) override {
        auto& st = db_->cached("INSERT INTO ops (op, device, result) VALUES (?, ?, ?)");
        st.bind_borrowed(1, op).bind_borrowed(2, device).bind_borrowed(3, result);
        st.run();
    }
    std::int64_t device_dseq(const std::string& device) override {
        auto& st = db_->cached("SELECT dseq FROM devices WHERE device = ?");
        st.bind(1, device);
        std::int64_t v = 0;
        if (st.step()) v = st.int64(0);
        st.reset();
        return v;
    }

    void set_device_dseq(const std::string& device, const std::string& user,
                         std::int64_t dseq) override {
        auto& st =
            db_->cached("INSERT INTO devices (device, user, dseq, epoch) VALUES (?, ?, ?, ?) "
                        "ON CONFLICT (device) DO UPDATE SET dseq = excluded.dseq, user = "
                        "excluded.user, epoch = excluded.epoch");
        st.bind(1, device).bind(2, user).bind(3, dseq).bind(4, owner_.epoch().id);
        st.run();
    }

    std::string device_epoch(const std::string& device) override {
        auto& st = db_->cached("SELECT epoch FROM devices WHERE device = ?");
        st.bind(1, device);
        std::string v;
        if (st.step()) v = st.text(0);
        st.reset();
        return v;
    }

    std::vector<std::string> devices_of_user(const std::string& user_id) override {
        auto& st = db_->cached(
            "SELECT device FROM devices WHERE substr(device, 1, length(?1) + 1) = ?1 || '/'");
        st.bind(1, user_id);
        std::vector<std::string> out;
        while (st.step())
            out.push_back(st.text(0));
        st.reset();
        return out;
    }

    std::vector<std::string> device_schools(const std::string& device) override {
        auto& st = db_->cached("SELECT schools FROM devices WHERE device = ?");
        st.bind(1, device);
        std::vector<std::string> out;
        if (st.step()) {
            Json j = detail::parse_or(st.text_view(0), Json::array());
            for (const auto& s : j)
                if (s.is_string()) out.push_back(s.get<std::string>());
        }
        st.reset();
        return out;
    }

    void set_device_schools(const std::string& device,
                            const std::vector<std::string>& schools) override {
        auto& st =
            db_->cached("INSERT INTO devices (device, user, schools, epoch) VALUES (?, '', ?, ?) "
                        "ON CONFLICT (device) DO UPDATE SET schools = excluded.schools");
        st.bind(1, device).bind(2, Json(schools).dump()).bind(3, owner_.epoch().id);
        st.run();
    }

    std::optional<Account> account_by_email(const std::string& email) override {
        auto& st =
            db_->cached("SELECT id, email, fields, password_hash FROM accounts WHERE email = ?");
        st.bind(1, email);
        std::optional<Account> out;
        if (st.step()) out = read_account(st);
        st.reset();
        return out;
    }

    std::optional<Account> account_by_id(const std::string& id) override {
        auto& st =
            db_->cached("SELECT id, email, fields, password_hash FROM accounts WHERE id = ?");
        st.bind(1, id);
        std::optional<Account> out;
        if (st.step()) out = read_account(st);
        st.reset();
        return out;
    }

    std::vector<Account> accounts() override {
        auto& st =
            db_->cached("SELECT id, email, fields, password_hash FROM accounts ORDER BY email");
        std::vector<Account> out;
        while (st.step())
            out.push_back(read_account(st));
        st.reset();
        return out;
    }

    void put_account(const Account& a) override {
        auto& st = db_->cached(
            "INSERT INTO accounts (id, email, fields, password_hash) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (id) DO UPDATE SET email = excluded.email, fields = excluded.fields, "
            "password_hash = excluded.password_hash");
        st.bind(1, a.user.id)
            .bind(2, a.user.email)
            .bind(3, a.user.to_fields().dump())
            .bind(4, a.password_hash);
        st.run();
    }

    void put_session(const std::string& token_hash, const Session& s) override {
        auto& st = db_->cached(
            "INSERT INTO sessions (token_hash, user, device, expires_ms) VALUES (?, ?, ?, ?)");
        st.bind(1, token_hash).bind(2, s.user_id).bind(3, s.device).bind(4, s.expires_ms);
        st.run();
    }

    std::optional<Session> session(const std::string& token_hash) override {
        auto& st =
            db_->cached("SELECT user, device, expires_ms FROM sessions WHERE token_hash = ?");
        st.bind(1, token_hash);
        std::optional<Session> out;
        if (st.step()) out = Session{st.text(0), st.text(1), st.int64(2)};
        st.reset();
        return out;
    }

    int end_sessions(const std::string& user_id) override {
        auto& st = db_->cached("DELETE FROM sessions WHERE user = ?");
        st.bind(1, user_id);
        st.run();
        return static_cast<int>(db_->changes());
    }

    int failures(const std::string& key, std::int64_t since_ms) override {
        auto& st = db_->cached("SELECT count(*) FROM login_failures WHERE key = ? AND at_ms >= ?");
        st.bind(1, key).bind(2, since_ms);
        st.step();
        int n = static_cast<int>(st.int64(0));
        st.reset();
        return n;
    }

    void add_failure(const std::string& key, std::int64_t at_ms) override {
        auto& st = db_->cached("INSERT INTO login_failures (key, at_ms) VALUES (?, ?)");
        st.bind(1, key).bind(2, at_ms);
        st.run();
    }

    void clear_failures(const std::string& key) override {
        auto& st = db_->cached("DELETE FROM login_failures WHERE key = ?");
        st.bind(1, key);
        st.run();
    }

    void remove_failure(const std::string& key, std::int64_t at_ms) override {
        auto& st =
            db_->cached("DELETE FROM login_failures WHERE rowid = "
                        "(SELECT rowid FROM login_failures WHERE key = ? AND at_ms = ? LIMIT 1)");
        st.bind(1, key).bind(2, at_ms);
        st.run();
    }

    void clear_failures_with_prefix(const std::string& prefix) override {
        auto& st = db_->cached("DELETE FROM login_failures WHERE substr(key, 1, length(?1)) = ?1");
        st.bind(1, prefix);
        st.run();
    }

    std::optional<std::string> device_secret(const std::string& user_id,
                                             const std::string& device) override {
        auto& st =
            db_->cached("SELECT secret_hash FROM device_secrets WHERE user = ? AND device = ?");
        st.bind(1, user_id).bind(2, device);
        std::optional<std::string> out;
        if (st.step()) out = st.text(0);
        st.reset();
        return out;
    }

    void put_device_secret(const std::string& user_id, const std::string& device,
                           const std::string& hash) override {
        auto& st = db_->cached(
            "INSERT INTO device_secrets (user, device, secret_hash) VALUES (?, ?, ?) "
            "ON CONFLICT (user, device) DO UPDATE SET secret_hash = excluded.secret_hash");
        st.bind(1, user_id).bind(2, device).bind(3, hash);
        st.run();
    }

    std::vector<Row> evidence_referencing_blob(const std::string& sha256) override {
        flush_rows();
        return rows_where("SELECT entity, id, school, fields, seq, hlc, deleted FROM rows WHERE "
                          "entity = 'evidence' AND "
                          "deleted = 0 AND json_extract(fields, '$.sha256') = ? ORDER BY id",
                          sha256);
    }

    std::optional<BlobInfo> blob(const std::string& sha256) override {
        auto& st = db_->cached(
            "SELECT length, received, complete, created_by FROM blobs WHERE sha256 = ?");
        st.bind(1, sha256);
        std::optional<BlobInfo> out;
        if (st.step())
            out = BlobInfo{sha256, st.int64(0), st.int64(1), st.int64(2) != 0, st.text(3)};
        st.reset();
        return out;
    }

    void put_blob(const BlobInfo& b) override {
        auto& st = db_->cached("INSERT OR REPLACE INTO blobs (sha256, length, received, complete, "
                               "created_by) VALUES (?, ?, ?, ?, ?)");
        st.bind(1, b.sha256)
            .bind(2, b.length)
            .bind(3, b.received)
            .bind(4, b.complete ? 1 : 0)
            .bind(5, b.created_by);
        st.run();
    }

    bool blob_owned_by(const std::string& sha256, const std::string& user) override {
        auto& st = db_->cached("SELECT 1 FROM blob_owners WHERE sha256 = ? AND user = ?");
        st.bind(1, sha256).bind(2, user);
        bool yes = st.step();
        st.reset();
        return yes;
    }

    void add_blob_owner(const std::string& sha256, const std::string& user) override {
        auto& st = db_->cached("INSERT OR IGNORE INTO blob_owners (sha256, user) VALUES (?, ?)");
        st.bind(1, sha256).bind(2, user);
        st.run();
    }

    std::vector<std::string> schools_referencing_blob(const std::string& sha256) override {
        flush_rows();
        auto& st = db_->cached(
            "SELECT DISTINCT school FROM rows WHERE entity = 'evidence' AND deleted = 0 AND "
            "json_extract(fields, '$.sha256') = ?");
        st.bind(1, sha256);
        std::vector<std::string> out;
        while (st.step())
            out.push_back(st.text(0));
        st.reset();
        return out;
    }

    std::optional<Upload> upload(const std::string& sha256, const std::string& user) override {
        auto& st = db_->cached("SELECT length, committed, touched_ms FROM uploads WHERE sha256 = ? "
                               "AND user_id = ?");
        st.bind(1, sha256).bind(2, user);
        std::optional<Upload> out;
        if (st.step()) out = Upload{sha256, user, st.int64(0), st.int64(1), st.int64(2)};
        st.reset();
        return out;
    }

    std::vector<Upload> uploads(const std::string& user) override {
        auto& st = db_->cached("SELECT sha256, user_id, length, committed, touched_ms FROM uploads "
                               "WHERE ?1 = '' OR user_id = ?1 ORDER BY sha256, user_id");
        st.bind(1, user);
        std::vector<Upload> out;
        while (st.step())
            out.push_back(Upload{st.text(0), st.text(1), st.int64(2), st.int64(3), st.int64(4)});
        st.reset();
        return out;
    }

    bool add_upload(const Upload& u) override {
        writer_only();
        auto& st = db_->cached("INSERT INTO uploads (sha256, user_id, length, committed, "
                               "touched_ms) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING");
        st.bind(1, u.sha256).bind(2, u.user).bind(3, u.length).bind(4, u.offset);
        st.bind(5, u.touched_ms);
        st.run();
        return db_->changes() > 0;
    }

    bool advance_upload(const std::string& sha256, const std::string& user, std::int64_t from,
                        std::int64_t to, std::int64_t touched_ms) override {
        writer_only();
        auto& st = db_->cached("UPDATE uploads SET committed = ?, touched_ms = ? WHERE sha256 = ? "
                               "AND user_id = ? AND committed = ?");
        st.bind(1, to).bind(2, touched_ms).bind(3, sha256).bind(4, user).bind(5, from);
        st.run();
        return db_->changes() > 0;
    }

    bool remove_upload(const std::string& sha256, const std::string& user,
                       std::int64_t touched_before) override {
        writer_only();
        auto& st = db_->cached("DELETE FROM uploads WHERE sha256 = ? AND user_id = ? AND "
                               "(? <= 0 OR touched_ms < ?)");
        st.bind(1, sha256).bind(2, user).bind(3, touched_before).bind(4, touched_before);
        st.run();
        return db_->changes() > 0;
    }

    void dump(const std::string& table, const std::function<void(const Json&)>& out) override {
        flush_rows();
        const auto columns = columns_of(table);
        (void)columns; // checks the table is one a backup holds
        auto st = db_->prepare("SELECT * FROM \"" + table + "\"");
        const int n = st->columns();
        while (st->step()) {
            Json record = Json::object();
            for (int i = 0; i < n; ++i) {
                switch (st->column_type(i)) {
                case SQLITE_NULL:
                    record[st->column_name(i)] = nullptr;
                    break;
                case SQLITE_INTEGER:
                    record[st->column_name(i)] = st->int64(i);
                    break;
                default:
                    record[st->column_name(i)] = st->text(i);
                    break;
                }
            }
            out(record);
        }
    }

    void load(const std::string& table, const std::vector<Json>& records) override {
        writer_only();
        const auto columns = columns_of(table);
        for (const Json& r : records) {
            if (!r.is_object())
                throw std::invalid_argument("a record of " + table + " is not a JSON object");
            std::string names, marks;
            for (auto it = r.begin(); it != r.end(); ++it) {
                if (!columns.count(it.key()))
                    throw std::invalid_argument("a record of " + table + " has a column \"" +
                                                it.key().substr(0, 64) +
                                                "\" this store does not know");
                names += (names.empty() ? "\"" : ", \"") + it.key() + "\"";
                marks += marks.empty() ? "?" : ", ?";
            }
            auto& st =
                db_->cached("INSERT INTO \"" + table + "\" (" + names + ") VALUES (" + marks + ")");
            int i = 1;
            for (auto it = r.begin(); it != r.end(); ++it, ++i) {
                const Json& v = *it;
                if (v.is_null())
                    st.bind_null(i);
                else if (v.is_number_integer())
                    st.bind(i, v.get<std::int64_t>());
                else if (v.is_boolean())
                    st.bind(i, static_cast<std::int64_t>(v.get<bool>() ? 1 : 0));
                else if (v.is_string())
                    st.bind(i, v.get_ref<const std::string&>());
                else
                    throw std::invalid_argument("a record of " + table + " has a value of \"" +
                                                it.key() + "\" that is not text or a number");
            }
            st.run();
            // The log's end, as the writer counts it, follows what was loaded.
            if (table == "changes")
                if (auto seq = r.find("seq"); seq != r.end() && seq->is_number_integer())
                    seq_ = std::max(seq_, seq->get<std::int64_t>());
        }
    }

    void set_epoch(const Epoch& e) override {
        writer_only();
        auto& st = db_->cached("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO "
                               "UPDATE SET value = excluded.value");
        st.bind(1, std::string("epoch")).bind(2, e.id);
        st.run();
        st.reset();
        st.bind(1, std::string("epoch_base")).bind(2, std::to_string(e.base));
        st.run();
        owner_.set_epoch_cache(e);
    }

    void savepoint() override {
        writer_only();
        flush_rows();
        db_->cached("SAVEPOINT part").run();
        saved_seq_ = seq_;
    }

    void release_savepoint() override {
        flush_rows();
        db_->cached("RELEASE part").run();
    }

    void rollback_to_savepoint() override {
        // What the part read or wrote may be undone: read it again from the store.
        forget_rows();
        db_->cached("ROLLBACK TO part").run();
        db_->cached("RELEASE part").run();
        seq_ = saved_seq_;
    }

    void commit() override {
        flush_rows();
        // Marked as this process's before the commit makes them readable (nobody else can
        // append while this holds the write lock), so the watcher never takes them for
        // another process's.
        const bool appends = write_ && seq_ >= first_seq_;
        if (appends) owner_.own_commit(first_seq_, seq_);
        try {
            db_->cached("COMMIT").run();
        } catch (...) {
            if (appends) owner_.own_commit_failed(first_seq_);
            throw;
        }
        done_ = true;
        if (!appended.empty() && owner_.on_commit) owner_.on_commit(appended);
    }

private:
    Stored load_row(std::string_view entity, std::string_view id) override {
        auto& st = db_->cached("SELECT school, fields, seq, hlc, deleted, versions FROM rows "
                               "WHERE entity = ? AND id = ?");
        st.bind(1, entity).bind(2, id);
        Stored s;
        if (st.step()) {
            s.row = Row{std::string(entity), std::string(id),
                        st.text(0),          detail::parse_or(st.text_view(1), Json::object()),
                        st.int64(2),         st.text(3),
                        st.int64(4) != 0};
            s.versions = st.text(5);
        }
        st.reset();
        return s;
    }

    void store_rows(const std::vector<RowWrite>& rows) override {
        auto& with_versions = db_->cached(
            "INSERT INTO rows (entity, id, school, fields, seq, hlc, deleted, versions) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (entity, id) DO UPDATE SET "
            "school = excluded.school, fields = excluded.fields, seq = excluded.seq, "
            "hlc = excluded.hlc, deleted = excluded.deleted, "
            "versions = excluded.versions");
        auto& keep_versions =
            db_->cached("INSERT INTO rows (entity, id, school, fields, seq, hlc, deleted) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (entity, id) DO UPDATE SET "
                        "school = excluded.school, fields = excluded.fields, seq = excluded.seq, "
                        "hlc = excluded.hlc, deleted = excluded.deleted");
        for (const RowWrite& w : rows) {
            const Row& r = *w.row;
            Statement& st = w.versions ? with_versions : keep_versions;
            st.reset();
            // Every text outlives run(): SQLite reads it in place.
            std::string dumped;
            const std::string& fields = w.fields ? *w.fields : (dumped = r.fields.dump());
            st.bind_borrowed(1, r.entity)
                .bind_borrowed(2, r.id)
                .bind_borrowed(3, r.school)
                .bind_borrowed(4, fields)
                .bind(5, r.seq)
                .bind_borrowed(6, r.hlc)
                .bind(7, r.deleted ? 1 : 0);
            if (w.versions) st.bind_borrowed(8, *w.versions);
            st.run();
        }
    }

    // The columns of a table a backup holds (kBackupTables); anything else is refused.
    std::set<std::string> columns_of(const std::string& table) {
        bool known = false;
        for (const char* t : kBackupTables)
            known = known || table == t;
        if (!known) throw std::invalid_argument("\"" + table + "\" is not a table of a backup");
        std::set<std::string> out;
        auto& st = db_->cached("SELECT name FROM pragma_table_info(?)");
        st.bind(1, table);
        while (st.step())
            out.insert(st.text(0));
        st.reset();
        return out;
    }

    std::int64_t first_seq_ = 0; // the first seq this writer hands out

    void give_back(bool committed) {
        if (write_)
            owner_.release_writer(std::move(db_), committed ? seq_ : -1);
        else
            owner_.release(std::move(db_));
    }

    std::vector<Row> rows_where(const std::string& sql, const std::string& arg) {
        auto& st = db_->cached(sql);
        st.bind(1, arg);
        std::vector<Row> out;
        while (st.step())
            out.push_back(Row{st.text(0), st.text(1), st.text(2),
                              detail::parse_or(st.text_view(3), Json::object()), st.int64(4),
                              st.text(5), st.int64(6) != 0});
        st.reset();
        return out;
    }

    SqliteStore& owner_;
    std::unique_ptr<Database> db_;
    bool done_ = false;
    std::int64_t seq_ = 0;       // the writer's end of the log, counted in memory
    std::int64_t saved_seq_ = 0; // at the savepoint
};

} // namespace

int server_schema_version() {
    return kSteps[std::size(kSteps) - 1].version;
}

Result<std::unique_ptr<SqliteStore>> SqliteStore::open(const std::string& path, int connections,
                                                       Database::Durability durability) {
    auto store = std::unique_ptr<SqliteStore>(new SqliteStore());
    store->path_ = path;
    for (int i = 0; i < std::max(2, connections); ++i) {
        auto db = Database::open(path);
        if (!db) return db.error();
        try {
            // Full: the server acknowledges a push only after it is on disk.
            (*db)->set_durability(durability);
            if (i == 0) {
                // The writer: migrations, then a page cache that holds the indexes a push
                // touches at random places (row and op ids that are not time-ordered).
                if (auto st = migrate(**db); !st) return st.error();
                (*db)->exec("PRAGMA cache_size = -65536");
                auto& meta = (*db)->cached("SELECT key, value FROM meta");
                while (meta.step()) {
                    if (meta.text_view(0) == "epoch") store->epoch_.id = meta.text(1);
                    if (meta.text_view(0) == "epoch_base")
                        store->epoch_.base = std::stoll(meta.text(1));
                }
                meta.reset();
                sqlite3_wal_hook((*db)->handle(), &SqliteStore::wal_grew, store.get());
                store->writer_ = std::move(db).value();
            } else {
                (*db)->exec("PRAGMA cache_size = -16384");
                (*db)->exec("PRAGMA query_only = 1");
                store->idle_.push_back(std::move(db).value());
            }
        } catch (const SqliteError& e) {
            return Error{ErrorCode::Storage,
                         std::string("opening the server store failed: ") + e.what()};
        }
    }
    return store;
}

std::unique_ptr<Database> SqliteStore::take_reader() {
    std::unique_lock lock(mutex_);
    available_.wait(lock, [&] { return !idle_.empty(); });
    auto db = std::move(idle_.back());
    idle_.pop_back();
    return db;
}

Result<std::unique_ptr<StoreTx>> SqliteStore::begin(bool write) {
    std::unique_ptr<Database> db;
    if (write) {
        // First come, first served: a ticket each, the connection to the lowest.
        std::unique_lock lock(writer_mutex_);
        const std::uint64_t ticket = next_ticket_++;
        writer_free_.wait(lock, [&] { return serving_ == ticket && writer_; });
        db = std::move(writer_);
    } else {
        db = take_reader();
    }
    try {
        return std::unique_ptr<StoreTx>(new Tx(*this, std::move(db), write));
    } catch (const SqliteError& e) {
        // Another process holds the write lock past the busy timeout: the caller may wait.
        if (is_busy(e)) return Error{ErrorCode::Busy, e.what()};
        return Error{ErrorCode::Storage, e.what()};
    }
}

std::vector<std::string> SqliteStore::quick_check() {
    std::unique_ptr<Database> db = take_reader();
    std::vector<std::string> problems;
    try {
        auto& st = db->cached("PRAGMA quick_check");
        while (st.step()) {
            std::string line = st.text(0);
            if (line != "ok") problems.push_back(line);
        }
        st.reset();
    } catch (const std::exception& e) {
        problems.push_back(e.what());
    }
    release(std::move(db));
    return problems;
}

void SqliteStore::release(std::unique_ptr<Database> db) {
    {
        std::lock_guard lock(mutex_);
        idle_.push_back(std::move(db));
    }
    available_.notify_one();
}

void SqliteStore::release_writer(std::unique_ptr<Database> db, std::int64_t last_seq) {
    {
        std::lock_guard lock(writer_mutex_);
        writer_ = std::move(db);
        if (last_seq >= 0)
            last_seq_ = last_seq;
        else
            last_seq_ = -1; // rolled back: read the end of the log again
        ++serving_;
    }
    writer_free_.notify_all();
}

std::int64_t SqliteStore::writer_last_seq(Database& db) {
    // Called by the writer inside BEGIN IMMEDIATE: nobody else can append now. data_version
    // changes when another connection (another process: `school import`) committed, and then
    // the counter is read from the log again.
    auto& v = db.cached("PRAGMA data_version");
    v.step();
    const std::int64_t version = v.int64(0);
    v.reset();
    if (last_seq_ < 0 || version != data_version_) {
        auto& st = db.cached("SELECT coalesce(max(seq), 0) FROM changes");
        st.step();
        last_seq_ = st.int64(0);
        st.reset();
        data_version_ = version;
    }
    return last_seq_;
}

SqliteStore::~SqliteStore() {
    watch_other_writers(false);
    stop_checkpoints();
}

namespace {
// SQLite's own automatic checkpoint starts at 1000 pages (about 4 MB).
constexpr int kCheckpointPages = 1000;
// The log starts again from its beginning only when a write begins with every page of it
// copied back, which a checkpoint beside a busy writer never leaves: so at this size the
// writer copies back the little the checkpointer has not (its last commit or two) itself,
// and the log restarts. The log file stays at most about this size (64 MB).
constexpr int kWriterCheckpointPages = 16 * kCheckpointPages;
} // namespace

int SqliteStore::wal_grew(void* p, sqlite3* db, const char* name, int pages) {
    // Called by SQLite after a commit: nothing may leave here as an exception.
    try {
        auto* store = static_cast<SqliteStore*>(p);
        if (pages >= kWriterCheckpointPages) {
            sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
            return SQLITE_OK;
        }
        if (pages < kCheckpointPages) return SQLITE_OK;
        {
            std::lock_guard lock(store->checkpoint_mutex_);
            if (store->checkpoint_stop_) return SQLITE_OK;
            store->checkpoint_due_ = true;
            if (!store->checkpointer_.joinable())
                store->checkpointer_ = std::thread([store] { store->checkpoint_loop(); });
        }
        store->checkpoint_wake_.notify_one();
    } catch (...) {
        // No thread for checkpoints: the writer's own, at kWriterCheckpointPages, bounds the log.
    }
    return SQLITE_OK;
}

void SqliteStore::checkpoint_loop() {
    // Copying the log back is never urgent: the thread yields the processor to the push writer
    // and the requests, with a nice value ten above theirs (Linux sets it per thread; a server
    // started under `nice` keeps the order). Without it, on two cores, the group of pushes the
    // writer applied beside a checkpoint took twice its time. If refused, nothing changes.
    errno = 0;
    const id_t self = static_cast<id_t>(::gettid());
    const int nice_now = ::getpriority(PRIO_PROCESS, self);
    if (errno == 0) ::setpriority(PRIO_PROCESS, self, std::min(19, nice_now + 10));
    std::unique_ptr<Database> db;
    std::unique_lock lock(checkpoint_mutex_);
    for (;;) {
        checkpoint_wake_.wait(lock, [&] { return checkpoint_stop_ || checkpoint_due_; });
        if (checkpoint_stop_) return;
        checkpoint_due_ = false;
        lock.unlock();
        try {
            if (!db) {
                auto opened = Database::open(path_);
                if (opened) db = std::move(opened).value();
            }
            // Passive: copies what no reader still needs and waits for nobody; what is left is
            // copied by the next one.
            if (db)
                sqlite3_wal_checkpoint_v2(db->handle(), nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr,
                                          nullptr);
        } catch (const std::exception&) {
            db.reset(); // opened again next time
        }
        lock.lock();
    }
}

void SqliteStore::stop_checkpoints() {
    {
        std::lock_guard lock(checkpoint_mutex_);
        checkpoint_stop_ = true;
    }
    checkpoint_wake_.notify_all();
    if (checkpointer_.joinable()) checkpointer_.join();
    std::lock_guard lock(writer_mutex_);
    if (writer_) sqlite3_wal_hook(writer_->handle(), nullptr, nullptr);
}

void SqliteStore::own_commit(std::int64_t first, std::int64_t last) {
    std::lock_guard lock(watch_mutex_);
    if (watching_) own_.emplace_back(first, last);
}

void SqliteStore::own_commit_failed(std::int64_t first) {
    std::lock_guard lock(watch_mutex_);
    if (!own_.empty() && own_.back().first == first) own_.pop_back();
}

// Called by the thread that owns the store (serve's), never by two at once.
void SqliteStore::watch_other_writers(bool on) {
    if (!on) {
        {
            std::lock_guard lock(watch_mutex_);
            watch_stop_ = true;
            watching_ = false;
            own_.clear();
        }
        watch_wake_.notify_all();
        if (watcher_.joinable()) watcher_.join();
        return;
    }
    if (watcher_.joinable()) return;
    auto db = Database::open(path_);
    if (!db) return; // held pulls still end at their wait; nothing else depends on this
    try {
        (*db)->exec("PRAGMA query_only = 1");
    } catch (const SqliteError&) {
        return;
    }
    {
        std::lock_guard lock(watch_mutex_);
        watch_stop_ = false;
        watching_ = true;
    }
    watcher_ =
        std::thread([this, d = std::move(db).value()]() mutable { watch_loop(std::move(d)); });
}

void SqliteStore::watch_loop(std::unique_ptr<Database> db) {
    std::int64_t seen = -1, version = -1;
    for (;;) {
        {
            std::unique_lock lock(watch_mutex_);
            if (seen >= 0 && watch_wake_.wait_for(lock, std::chrono::milliseconds(250),
                                                  [&] { return watch_stop_; }))
                return;
            if (watch_stop_) return;
        }
        try {
            auto& v = db->cached("PRAGMA data_version");
            v.step();
            const std::int64_t now = v.int64(0);
            v.reset();
            if (now == version) continue;
            version = now;
            if (seen < 0) {
                auto& end = db->cached("SELECT coalesce(max(seq), 0) FROM changes");
                end.step();
                seen = end.int64(0);
                end.reset();
                continue;
            }
            // When this process's writer appended everything since (the one server on a store,
            // as it should be), there is nothing to read: the newest seq is enough.
            {
                auto& end = db->cached("SELECT coalesce(max(seq), 0) FROM changes");
                end.step();
                const std::int64_t newest = end.int64(0);
                end.reset();
                std::lock_guard lock(watch_mutex_);
                std::int64_t covered = seen;
                for (const auto& [first, last] : own_) {
                    if (first > covered + 1) break;
                    covered = std::max(covered, last);
                }
                if (covered >= newest) {
                    seen = std::max(seen, newest);
                    while (!own_.empty() && own_.front().second <= seen)
                        own_.pop_front();
                    continue;
                }
            }
            // What was appended since, less what this process's writer appended.
            Appended foreign;
            auto& st = db->cached("SELECT seq, school, for_device FROM changes WHERE seq > ? ORDER "
                                  "BY seq LIMIT 10000");
            st.bind(1, seen);
            std::int64_t last = seen;
            std::vector<std::tuple<std::int64_t, std::string, std::string>> rows;
            while (st.step())
                rows.emplace_back(st.int64(0), st.text(1), st.text(2));
            st.reset();
            {
                std::lock_guard lock(watch_mutex_);
                for (const auto& [seq, school, for_device] : rows) {
                    last = seq;
                    bool own = false;
                    for (const auto& [first, end] : own_)
                        own = own || (seq >= first && seq <= end);
                    if (!own) foreign.add(seq, school, for_device);
                }
                while (!own_.empty() && own_.front().second <= last)
                    own_.pop_front();
            }
            if (rows.size() == 10000) version = -1; // more to read: look again at once
            seen = last;
            if (!foreign.empty() && on_commit) on_commit(foreign);
        } catch (const SqliteError&) {
            version = -1; // busy or gone for a moment: look again next time
        }
    }
}

} // namespace sitevisit::server
