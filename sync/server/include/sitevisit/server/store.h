#pragma once

// The server's storage, behind an interface the service layer is written against. The SQLite
// backend (sqlite_store.h) is the embedded default; a PostgreSQL backend implements the same
// two classes and shares every service test.

#include "sitevisit/core/change.h"
#include "sitevisit/core/permissions.h"
#include "sitevisit/core/write_plan.h"
#include "sitevisit/server/waiters.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace sitevisit::server {

// A change as the server keeps it: the wire change (with its seq) plus who sent it.
struct LoggedChange {
    Change change;
    std::string author; // user id
    std::string device;
    std::string visit; // for visit-bound rows: the visit whose status and team decide visibility
    std::string for_device; // set: only this device receives it (its scope gained or lost a school)
    // Filled by changes_after_wire(). `wire`: the change as a pull answer carries it (with its
    // seq), empty when the store has none. `fields_json`: the change's fields as stored, not
    // yet parsed; while it is not empty, change.fields is not filled (see pull.cpp).
    // Given to append_change(), `fields_json` (when not empty) is change.fields.dump() already
    // made, so it is not made again.
    std::string wire;
    std::string fields_json;
};

// Who last set a field, for conflict detection: "accepted after base" means seq > base.
struct FieldVersion {
    std::int64_t seq = 0;
    std::string hlc;
    std::string author;
    std::string device;
};

struct Account {
    User user;
    std::string password_hash; // argon2id encoded
};

struct Session {
    std::string user_id;
    std::string device;
    std::int64_t expires_ms = 0;
};

// The store's epoch: made with the store and renewed by every restore from backup, so a device
// learns that the log it synced with was replaced (SYNC.md, "Restores and epochs").
struct Epoch {
    std::string id;        // 32 lowercase hex digits
    std::int64_t base = 0; // the end of the log the last restore brought back (0: never restored)
};

// The tables a backup holds, in the order a restore loads them. Each record is a JSON object
// of column to value (text, whole number or null), the same on every backend; sign-in failures
// are left out (they only slow guessing for a while).
inline constexpr const char* kBackupTables[] = {"accounts", "sessions", "device_secrets",
                                                "devices",  "ops",      "rows",
                                                "changes",  "blobs",    "blob_owners"};

// An unfinished upload (tus): its declared length and the offset committed so far, i.e. the
// bytes known written and flushed to its partial file. Servers sharing a store share these, so
// an upload begun on one resumes on another.
struct Upload {
    std::string sha256;
    std::string user;
    std::int64_t length = 0;
    std::int64_t offset = 0;     // committed: every byte before it is on disk
    std::int64_t touched_ms = 0; // when it was made or last advanced (server wall clock)
};

struct BlobInfo {
    std::string sha256;
    std::int64_t length = 0;
    std::int64_t received = 0;
    bool complete = false;
    std::string created_by;
};

// One transaction. Reads see one snapshot; writes become visible at commit(), all or nothing.
// Destroying it without commit() rolls back.
class StoreTx : public RowReader {
public:
    // What this transaction appended to the change log (Service::append fills it); reported
    // to Store::on_commit once it commits, so held pulls wake.
    Appended appended;

    // Rows (RowReader gives row() and place_of_school()).
    // Rows a batch is about to read (entity, id), fetched in one go where a read costs a round
    // trip (PostgreSQL); the embedded store reads each when it is asked for.
    virtual void prefetch_rows(const std::vector<std::pair<std::string, std::string>>& /*keys*/) {}
    virtual std::vector<FieldVersion> field_versions(const std::string& entity,
                                                     const std::string& id,
                                                     const std::vector<std::string>& fields) = 0;
    virtual void put_row(Row row) = 0;
    // The same, with the row's fields given as JSON text (row.fields is not read): the
    // backend may keep them as text, unparsed, until the row is read again.
    virtual void put_row(Row row, std::string fields_json) {
        row.fields = Json::parse(fields_json);
        put_row(std::move(row));
    }
    // `fields` (distinct names) of the row, all set by one change: `version`.
    virtual void set_field_versions(const std::string& entity, const std::string& id,
                                    const std::vector<std::string>& fields,
                                    const FieldVersion& version) = 0;
    virtual std::vector<Row> rows_of_school(const std::string& school) = 0;
    virtual std::vector<Row> rows_of_entity(const std::string& entity) = 0;

    // The change log. next_seq() hands out numbers inside the writing transaction, so a pull
    // never skips a change that commits late: dense and increasing, and a transaction (or
    // savepoint) rolled back leaves no gap and reuses nothing. The backend keeps the counter
    // its own way (SQLite: in memory behind its single writer, read from the log at open;
    // PostgreSQL: its own sequence under the log's lock).
    virtual std::int64_t next_seq() = 0;
    // The end of the log: in a writing transaction, including what it appended.
    virtual std::int64_t last_seq() = 0;
    virtual void append_change(const LoggedChange& change) = 0;
    // Changes after `since` in seq order, at most `limit`; the caller applies the read rule.
    virtual std::vector<LoggedChange> changes_after(std::int64_t since, int limit) = 0;
    // The same changes for a pull answer: each with its stored wire bytes and its fields left
    // as text (author and device may be left out). A backend without stored bytes gives
    // changes_after()'s, which the pull then encodes.
    virtual std::vector<LoggedChange> changes_after_wire(std::int64_t since, int limit) {
        return changes_after(since, limit);
    }

    // Idempotency and per-device order. An op id as stored: its first result and the device
    // (user and device id) that sent it.
    struct StoredOp {
        std::string result;
        std::string device;
    };
    // The stored ops of a batch's op ids, in order (none where the op is new), in one look-up.
    virtual std::vector<std::optional<StoredOp>>
    op_results(const std::vector<std::string>& ops) = 0;
    virtual void save_op_result(const std::string& op, const std::string& device,
                                const std::string& result) = 0;
    virtual std::int64_t device_dseq(const std::string& device) = 0;
    // Also records the store's current epoch as the device's (device_epoch()).
    virtual void set_device_dseq(const std::string& device, const std::string& user,
                                 std::int64_t dseq) = 0;
    // The epoch the device last pushed under; empty when the store does not know the device.
    virtual std::string device_epoch(const std::string& device) = 0;
    // The devices of a user the store has seen (their keys, "user/device").
    virtual std::vector<std::string> devices_of_user(const std::string& user_id) = 0;
    // Schools a device has been served, for telling it to purge the ones that left its scope.
    virtual std::vector<std::string> device_schools(const std::string& device) = 0;
    virtual void set_device_schools(const std::string& device,
                                    const std::vector<std::string>& schools) = 0;

    // Accounts and sessions.
    virtual std::optional<Account> account_by_email(const std::string& email) = 0;
    virtual std::optional<Account> account_by_id(const std::string& id) = 0;
    virtual std::vector<Account> accounts() = 0;
    virtual void put_account(const Account& account) = 0;
    virtual void put_session(const std::string& token_hash, const Session& session) = 0;
    virtual std::optional<Session> session(const std::string& token_hash) = 0;
    virtual int end_sessions(const std::string& user_id) = 0;
    // Failed logins per key ("email:..." or "addr:...") within a window.
    virtual int failures(const std::string& key, std::int64_t since_ms) = 0;
    virtual void add_failure(const std::string& key, std::int64_t at_ms) = 0;
    virtual void clear_failures(const std::string& key) = 0;
    // One failure of `key` at `at_ms` taken back (a reserved attempt that turned out right).
    virtual void remove_failure(const std::string& key, std::int64_t at_ms) = 0;
    // Every failure whose key starts with `prefix` ("device:<user>/").
    virtual void clear_failures_with_prefix(const std::string& prefix) = 0;
    // The SHA-256 of the secret a device of this user was given at its first sign-in.
    virtual std::optional<std::string> device_secret(const std::string& user_id,
                                                     const std::string& device) = 0;
    virtual void put_device_secret(const std::string& user_id, const std::string& device,
                                   const std::string& hash) = 0;

    // Blobs (the bytes live in files; this is their bookkeeping).
    virtual std::optional<BlobInfo> blob(const std::string& sha256) = 0;
    virtual void put_blob(const BlobInfo& blob) = 0;
    virtual bool blob_owned_by(const std::string& sha256, const std::string& user) = 0;
    virtual void add_blob_owner(const std::string& sha256, const std::string& user) = 0;
    // Schools whose rows reference the blob (evidence.sha256).
    virtual std::vector<std::string> schools_referencing_blob(const std::string& sha256) = 0;
    // Live evidence rows that name the blob.
    virtual std::vector<Row> evidence_referencing_blob(const std::string& sha256) = 0;

    // Unfinished uploads, keyed on (sha256, user).
    virtual std::optional<Upload> upload(const std::string& sha256, const std::string& user) = 0;
    // The unfinished uploads of one user, or of everyone when `user` is empty.
    virtual std::vector<Upload> uploads(const std::string& user) = 0;
    // Makes the upload; false (and nothing changed) when it exists already.
    virtual bool add_upload(const Upload& upload) = 0;
    // Moves the committed offset from `from` to `to`, only if it is still `from` (another server
    // may have moved it meanwhile): true when moved.
    virtual bool advance_upload(const std::string& sha256, const std::string& user,
                                std::int64_t from, std::int64_t to, std::int64_t touched_ms) = 0;
    // Removes the upload; with `touched_before` > 0 only if it was not touched since then.
    // True when a row was removed.
    virtual bool remove_upload(const std::string& sha256, const std::string& user,
                               std::int64_t touched_before = 0) = 0;

    // One part of a writing transaction that can be undone alone (a push in a group commit):
    // savepoint() starts it, release_savepoint() keeps it, rollback_to_savepoint() undoes
    // everything since savepoint(), the seq counter included. Not nested.
    // Backup and restore (kBackupTables): every record of one table, to `out`; and records of
    // one table loaded into an empty store, as dump() gave them. A record that names a column
    // the table does not have is refused (std::invalid_argument, saying which).
    virtual void dump(const std::string& table, const std::function<void(const Json&)>& out) = 0;
    virtual void load(const std::string& table, const std::vector<Json>& records) = 0;
    // A restore's last step: the store's new epoch.
    virtual void set_epoch(const Epoch& epoch) = 0;

    virtual void savepoint() = 0;
    virtual void release_savepoint() = 0;
    virtual void rollback_to_savepoint() = 0;

    virtual void commit() = 0;
    // What the transaction read and kept (rows, places, visits), handed over and forgotten, so
    // the caller chooses when it is freed: the push writer frees it after answering the pushes.
    // Null when nothing is kept.
    virtual std::shared_ptr<void> take_kept() { return nullptr; }
};

class Store {
public:
    virtual ~Store() = default;
    // `write`: take the write lock now (pushes, admin changes); writers are served first come,
    // first served, and reads run beside them without waiting for them. A write lock held by
    // another process past the backend's wait is ErrorCode::Busy.
    virtual Result<std::unique_ptr<StoreTx>> begin(bool write) = 0;
    // A quick integrity check of the whole store: an empty list when sound, else what is wrong.
    virtual std::vector<std::string> quick_check() { return {}; }
    // The store's epoch as it was when the store was opened (a restore runs on a store no
    // server has open).
    virtual Epoch epoch() = 0;
    // on: from now on, commits made by other processes sharing the store are reported to
    // on_commit too (`serve` asks, once on_commit is set); off: no longer (before on_commit
    // changes). The embedded store has no other writers to hear of: it does nothing.
    virtual void watch_other_writers(bool /*on*/) {}
    // Called after each commit that appended to the change log, on the committing thread.
    // Set once, before the store is used from several threads.
    std::function<void(const Appended&)> on_commit;
};

} // namespace sitevisit::server
