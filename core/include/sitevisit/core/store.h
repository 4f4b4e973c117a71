#pragma once

#include "sitevisit/core/change.h"
#include "sitevisit/core/clock.h"
#include "sitevisit/core/database.h"
#include "sitevisit/core/hlc.h"
#include "sitevisit/core/permissions.h"
#include "sitevisit/core/reference.h"
#include "sitevisit/core/uuid.h"
#include "sitevisit/core/validation.h"
#include "sitevisit/core/values.h"
#include "sitevisit/core/write_plan.h"

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace sitevisit {

struct StoreOptions {
    std::string path;
    const Clock* clock = nullptr;         // default: the system clock
    const Reference* reference = nullptr; // default: the reference data built in
    Database::Durability durability = Database::Durability::Full;
    std::string device_id; // used only when the file is new; default: a new UUID
};

struct WriteResult {
    std::string id;
    std::optional<Change> change; // none when nothing differed from what was stored
};

struct ApplyReport {
    int applied = 0;  // rows inserted or changed
    int stale = 0;    // already held at this version or newer (a repeated batch)
    int rejected = 0; // failed this build's validation; kept in remote_reject
    std::int64_t cursor = 0;
};

struct OutboxEntry {
    Change change;
    OutboxState state = OutboxState::Pending;
    std::string error;
    int attempts = 0;
};

// What a committed write touched, for whoever shows those rows to refresh.
struct StoreChange {
    std::vector<std::string> entities; // sorted, each once
    std::vector<std::string> schools;  // scope keys of the rows touched, sorted, each once
    bool everything = false;           // start_over(): every row went
    bool touches(std::string_view entity) const;
};

// The device's SQLite store. Every local write goes through put()/remove(): validate, check
// permission, write the row, append the change to the outbox and an audit row, in one
// transaction. Remote changes come in through apply_remote(), never echoed to the outbox.
class Store {
public:
    static Result<std::unique_ptr<Store>> open(const StoreOptions& options);
    ~Store();

    Result<WriteResult> put(const User& actor, const WriteRequest& request);
    // Several writes in one transaction, in order (a row may name one written before it):
    // all are stored, or none. On a refusal the error is the refused request's, and
    // `refused` (when given) is told its index. A request whose fields are null removes its row
    // (as remove()).
    Result<std::vector<WriteResult>> put_all(const User& actor,
                                             const std::vector<WriteRequest>& requests,
                                             std::size_t* refused = nullptr);
    // A new row id (UUIDv7), for requests of put_all that name each other.
    std::string new_id();
    Result<WriteResult> remove(const User& actor, std::string_view entity, std::string_view id);
    // Settles an open conflict with `value` (either side's, or a third one): the field gets the
    // value (unless the row is gone) and the conflict is marked resolved, in one transaction;
    // on any refusal neither is written.
    Result<WriteResult> resolve_conflict(const User& actor, std::string_view conflict_id,
                                         const Json& value);

    // Applies one page of server changes (each with its seq) and stores `cursor`, in one
    // transaction. Rows already at that seq or newer are left alone, so a repeated batch
    // changes nothing; fields with local edits still waiting in the outbox are kept.
    Result<ApplyReport> apply_remote(const std::vector<Change>& changes, std::int64_t cursor);
    // The same, with the changes of the page that could not even be decoded: each is kept in
    // remote_reject with its reason (counted in `rejected`), in the same transaction.
    struct SetAside {
        std::int64_t seq = 0; // 0: unknown
        std::string change, reason;
    };
    // `held_schema` > 0: the page is a catch-up of changes the server held back while this
    // device read data schema `held_schema`; fields added after it apply even to rows at a
    // newer seq (no change the old app applied could carry them, so the catch-up's order holds).
    Result<ApplyReport> apply_remote(const std::vector<Change>& changes, std::int64_t cursor,
                                     const std::vector<SetAside>& set_aside, int held_schema = 0);
    // Back to cursor 0 (the server's log is behind this device's cursor, e.g. after a restore):
    // the next pull starts from the beginning; applying again is idempotent.
    Status reset_cursor();
    // After a restore from backup (the server's epoch changed, or its log is behind this
    // device's cursor): every change the server acknowledged and this device still keeps
    // (`sent`, kSentKeepMs / kSentKeepCount) goes back into the outbox to be sent again, with
    // the files they name queued for upload again; every row synced before is marked unseen
    // (_seq -1) and the cursor goes back to 0, so the next pull from the start applies what
    // the server holds now. One transaction; nothing happens when a recovery is under way.
    struct Resync {
        std::int64_t resent = 0; // changes back in the outbox
        std::int64_t files = 0;  // files queued for upload again
    };
    Result<Resync> begin_resync();
    // The pull from the start reached the end of the server's log: rows it did not bring and
    // no local change names are not on the server any more, and go; the device now syncs in
    // `epoch`. How many rows went.
    Result<std::int64_t> finish_resync(const std::string& epoch);
    bool resyncing() const { return resync_; }
    // The server store epoch this device syncs in ("" until a server named one).
    const std::string& epoch() const { return epoch_; }
    Status set_epoch(const std::string& epoch);
    // Acknowledged changes kept for a restored server: 30 days, and at most the newest 50,000.
    static constexpr std::int64_t kSentKeepMs = 30LL * 24 * 3600 * 1000;
    static constexpr std::int64_t kSentKeepCount = 50000;
    Result<std::int64_t> sent_count() const;

    // Changes set aside from pulls (refused by this build's rules or undecodable), newest first.
    Result<std::vector<std::pair<std::int64_t, std::string>>> remote_rejects() const;

    Result<std::optional<Row>> get(std::string_view entity, std::string_view id) const;
    // Live rows of an entity, optionally where `field` equals `value`, ordered by id.
    Result<std::vector<Row>> list(std::string_view entity, std::string_view field = {},
                                  const Json& value = nullptr) const;
    Result<std::vector<OutboxEntry>> outbox(int limit = 1000) const;
    Result<std::int64_t> outbox_count() const;
    // Changes waiting to be pushed (not refused), oldest first.
    Result<std::vector<Change>> pending_changes(int limit) const;
    // How many outbox entries are in a state, counted, not read.
    Result<std::int64_t> count_outbox(OutboxState state) const;

    // The server's answer to a push: accepted ops leave the outbox; refused ones stay, marked
    // with the reason, never re-sent and never silently dropped. One transaction.
    struct Ack {
        std::string op;
        std::string status; // applied | duplicate | conflict | rejected
        std::int64_t seq = 0;
        std::string error;
    };
    Status acknowledge(const std::vector<Ack>& acks);
    // Refused changes, for the screen.
    Result<std::vector<OutboxEntry>> rejected_changes() const;
    // Forgets the refused changes once a person has read them (their numbers were seen by the
    // server, so no gap follows).
    Status dismiss_rejected();

    // Makes the device a new one for another person: every row, the outbox, audit, refused
    // remote changes, and the sync client's file queue and session (client::DeviceState) are
    // removed, the cursor goes back to 0 and the device takes a new id (so its change numbers
    // start again at 1 on the server). Refused while changes are still waiting to be sent:
    // nothing is removed then. The clock keeps its last stamp.
    Status start_over();

    // Where a school lives (its district and region), from the rows on this device.
    Result<Place> place_of_school(std::string_view school) const;

    std::int64_t cursor() const { return cursor_; }
    std::int64_t last_dseq() const { return dseq_; }
    const std::string& device_id() const { return device_; }
    Hlc last_hlc() const { return hlc_.last(); }
    const Reference& reference() const { return *reference_; }
    const Validator& validator() const { return validator_; }
    Database& database() { return *db_; }
    const Clock& clock() const { return *clock_; }

    // Called with each clock clamp (a server stamp far ahead of this device's clock).
    std::function<void(const std::string&)> log;

    // Told after each committed put, remove, resolve_conflict, apply_remote (when a row changed)
    // and start_over; never for a refused or rolled-back write. Called on the writer's thread,
    // after the transaction, so an observer may read (or write) the store.
    using Observer = std::function<void(const StoreChange&)>;
    void subscribe(Observer observer);

private:
    class Announcement;
    void touched(const std::string& entity, const std::string& school);
    std::vector<Observer> observers_;
    StoreChange touched_; // rows written by the transaction under way
    Store(std::unique_ptr<Database> db, const StoreOptions& options, std::string device, Hlc last,
          std::int64_t dseq, std::int64_t cursor);

    class Reader;
    Result<WriteResult> commit_plan(const User& actor, const WritePlan& plan);
    Status commit_revision(const User& actor, RowReader& rows, const WritePlan& written,
                           const std::string& now_utc);
    Statement& upsert_statement(const EntitySpec& spec,
                                const std::vector<const FieldSpec*>& columns, bool remote,
                                bool tombstone, bool revive = false);
    std::unique_ptr<Database> db_;
    const Clock* clock_;
    const Reference* reference_;
    Validator validator_;
    std::string device_;
    HlcClock hlc_;
    UuidV7Generator uuids_;
    std::int64_t dseq_;
    std::int64_t cursor_;
    std::string epoch_;
    bool resync_ = false;
    // Where each school lives; cleared whenever a school, district or region row changes.
    mutable std::unordered_map<std::string, Place> places_;
    std::unordered_map<std::uint64_t, std::string> upsert_sql_;
};

} // namespace sitevisit
