#include "sitevisit/core/store.h"

#include "sitevisit/core/calibration.h"
#include "sitevisit/core/migrations.h"
#include "sitevisit/core/time_format.h"
#include "store_sql.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <set>
#include <sqlite3.h>

#ifndef _WIN32
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#endif

namespace sitevisit {

using namespace store_sql;

namespace {

Error storage(const SqliteError& e) {
    return Error{ErrorCode::Storage, e.what()};
}

void add_once(std::vector<std::string>& v, const std::string& x) {
    auto it = std::lower_bound(v.begin(), v.end(), x);
    if (it == v.end() || *it != x) v.insert(it, x);
}

} // namespace

bool StoreChange::touches(std::string_view entity) const {
    return everything || std::binary_search(entities.begin(), entities.end(), entity);
}

void Store::subscribe(Observer observer) {
    if (observer) observers_.push_back(std::move(observer));
}

void Store::touched(const std::string& entity, const std::string& school) {
    add_once(touched_.entities, entity);
    add_once(touched_.schools, school);
}

// Made before a transaction; after commit() tells the observers what it touched, once the
// transaction is over (its destructor runs after the Transaction's).
class Store::Announcement {
public:
    explicit Announcement(Store& store) : store_(store) { store_.touched_ = {}; }
    void commit(bool everything = false) {
        committed_ = true;
        store_.touched_.everything = everything;
    }
    ~Announcement() {
        StoreChange change = std::move(store_.touched_);
        store_.touched_ = {};
        if (!committed_ || (change.entities.empty() && !change.everything)) return;
        for (const auto& observer : std::vector<Observer>(store_.observers_))
            try {
                observer(change);
            } catch (...) { // an observer's failure is not the write's: it is committed
            }
    }
    Announcement(const Announcement&) = delete;
    Announcement& operator=(const Announcement&) = delete;

private:
    Store& store_;
    bool committed_ = false;
};

Store::Store(std::unique_ptr<Database> db, const StoreOptions& o, std::string device, Hlc last,
             std::int64_t dseq, std::int64_t cursor)
    : db_(std::move(db)), clock_(o.clock ? o.clock : &SystemClock::instance()),
      reference_(o.reference ? o.reference : &Reference::builtin()), validator_(*reference_),
      device_(device), hlc_(*clock_, device, std::move(last)), uuids_(*clock_), dseq_(dseq),
      cursor_(cursor) {
    hlc_.on_clamp = [this](const Hlc& remote, std::int64_t bound) {
        if (log)
            log("clock " + remote.to_string() +
                " is more than 5 minutes ahead of this device; clamped to " + format_utc_ms(bound));
    };
}

Store::~Store() = default;

Statement& Store::upsert_statement(const EntitySpec& spec,
                                   const std::vector<const FieldSpec*>& columns, bool remote,
                                   bool tombstone, bool revive) {
    // Keyed by entity, the set of columns and the two flags; fields come in spec order.
    std::uint64_t key = static_cast<std::uint64_t>(&spec - entity_specs().data()) << 48;
    key |= (remote ? 1ULL : 0) << 46 | (tombstone ? 1ULL : 0) << 45 | (revive ? 1ULL : 0) << 44;
    for (const FieldSpec* f : columns)
        key |= 1ULL << (f - spec.fields.data());
    auto it = upsert_sql_.find(key);
    if (it == upsert_sql_.end())
        it = upsert_sql_.emplace(key, upsert_sql(spec, columns, remote, tombstone, revive)).first;
    return db_->cached(it->second);
}

namespace {

// The store holds the owner's data (and the token where no keyring works): 0600, made so
// before SQLite writes a byte. SQLite gives its -wal and -shm files the mode of the database
// file; ones left from before are tightened too.
Status private_file(const std::string& path) {
#ifndef _WIN32
    if (path.empty() || path == ":memory:" || path.rfind("file:", 0) == 0) return ok_status();
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        return Error{ErrorCode::Storage, "cannot open " + path + ": " + std::strerror(errno)};
    const bool tight = ::fchmod(fd, 0600) == 0;
    ::close(fd);
    if (!tight)
        return Error{ErrorCode::Storage,
                     "cannot make " + path + " private (mode 0600): " + std::strerror(errno)};
    for (const char* suffix : {"-wal", "-shm", "-journal"})
        (void)::chmod((path + suffix).c_str(), 0600);
#else
    (void)path;
#endif
    return ok_status();
}

} // namespace

Result<std::unique_ptr<Store>> Store::open(const StoreOptions& o) {
    if (auto st = private_file(o.path); !st) return st.error();
    auto db = Database::open(o.path);
    if (!db) return db.error();
    if (auto st = migrate_store(**db, 0); !st) return st.error();
    try {
        (*db)->set_durability(o.durability);
        auto& read =
            (*db)->cached("SELECT device, dseq, hlc, cursor, epoch, resync FROM device_state "
                          "WHERE id = 1");
        std::string device, epoch;
        std::int64_t dseq = 0, cursor = 0;
        bool resync = false;
        Hlc last;
        if (read.step()) {
            device = read.text(0);
            dseq = read.int64(1);
            if (auto h = Hlc::parse(read.text_view(2))) last = *h;
            cursor = read.int64(3);
            epoch = read.text(4);
            resync = read.int64(5) != 0;
            read.reset();
            // Writes record their dseq and clock in the outbox row only (one page less per
            // edit); device_state holds them once the outbox is emptied.
            auto& newest = (*db)->cached("SELECT dseq, hlc FROM outbox ORDER BY dseq DESC LIMIT 1");
            if (newest.step()) {
                dseq = std::max(dseq, newest.int64(0));
                if (auto h = Hlc::parse(newest.text_view(1)); h && *h > last) last = *h;
            }
            newest.reset();
        } else {
            read.reset();
            device = o.device_id;
            if (device.empty()) {
                UuidV7Generator gen(o.clock ? *o.clock : SystemClock::instance());
                device = gen.next();
            }
            auto& ins = (*db)->cached("INSERT INTO device_state (id, device) VALUES (1, ?)");
            ins.bind(1, device);
            ins.run();
        }
        auto store =
            std::unique_ptr<Store>(new Store(std::move(db).value(), o, device, last, dseq, cursor));
        store->epoch_ = std::move(epoch);
        store->resync_ = resync;
        return store;
    } catch (const SqliteError& e) {
        return storage(e);
    }
}

Status Store::start_over() {
    Announcement announce(*this);
    try {
        Transaction tx(*db_);
        // Changes the server refused stay refused; only those still to be sent hold the device.
        auto& waiting = db_->cached("SELECT COUNT(*) FROM outbox WHERE state = 'pending'");
        waiting.step();
        const std::int64_t n = waiting.int64(0);
        waiting.reset();
        if (n > 0)
            return Error{
                ErrorCode::Conflict,
                std::to_string(n) + (n == 1 ? " change is" : " changes are") +
                    " not on the server yet; sign in as the person who made them and sync first"};
        for (const auto& spec : entity_specs())
            db_->exec("DELETE FROM " + quote(spec.name));
        for (const char* table :
             {"outbox", "sent", "audit", "remote_reject", "blob_queue", "session"})
            db_->exec(std::string("DELETE FROM ") + quote(table));
        const std::string device = uuids_.next();
        const Hlc last = hlc_.last();
        auto& up = db_->cached("UPDATE device_state SET device = ?, dseq = 0, cursor = 0, hlc = ?, "
                               "owner = '', last_sync = '', device_secret = '', epoch = '', "
                               "resync = 0 WHERE id = 1");
        up.bind(1, device).bind(2, last.to_string());
        up.run();
        tx.commit();
        announce.commit(true);
        device_ = device;
        hlc_.set_device(device);
        dseq_ = 0;
        cursor_ = 0;
        places_.clear();
        return ok_status();
    } catch (const SqliteError& e) {
        return storage(e);
    }
}

Result<Place> Store::place_of_school(std::string_view school) const {
    if (auto it = places_.find(std::string(school)); it != places_.end()) return it->second;
    try {
        auto p = place_of_key(
            school,
            [this](const EntitySpec& spec, std::string_view id) { return load(*db_, spec, id); },
            "is not on this device");
        if (p) places_.emplace(std::string(school), *p);
        return p;
    } catch (const SqliteError& e) {
        return storage(e);
    }
}

// Answers plan_write()'s questions from this device's tables.
class Store::Reader final : public RowReader {
public:
    explicit Reader(Store& store) : store_(store) {}
    std::optional<Row> row(const EntitySpec& spec, std::string_view id) override {
        return load(*store_.db_, spec, id);
    }
    Result<Place> place_of_school(std::string_view school) override {
        return store_.place_of_school(school);
    }
    const char* where() const override { return "on this device"; }
    // Only the three columns a rating needs: read on every observation edit.
    std::optional<VisitContext> visit(std::string_view id) override {
        auto& st = store_.db_->cached("SELECT coalesce(status, 'draft'), coalesce(team, '[]'), "
                                      "coalesce(rubric, ''), _deleted FROM visit WHERE id = ?");
        st.bind(1, id);
        std::optional<VisitContext> out;
        if (st.step()) {
            out = VisitContext{st.text(0), {}, st.text(2), st.int64(3) != 0};
            Json team = Json::parse(st.text_view(1), nullptr, false);
            if (team.is_array())
                for (const auto& m : team)
                    if (m.is_string()) out->team.push_back(m.get<std::string>());
        }
        st.reset();
        return out;
    }

private:
    Store& store_;
};

// One write is a batch of one: the same transaction, revision and rollback as put_all.
Result<WriteResult> Store::put(const User& actor, const WriteRequest& request) {
    auto written = put_all(actor, {request});
    if (!written) return written.error();
    return std::move(written->front());
}

Result<std::vector<WriteResult>> Store::put_all(const User& actor,
                                                const std::vector<WriteRequest>& requests,
                                                std::size_t* refused_at) {
    const std::int64_t dseq_before = dseq_;
    Announcement announce(*this);
    try {
        Transaction tx(*db_);
        Reader reader(*this);
        const std::string now = format_utc_ms(clock_->now_ms());
        std::vector<WriteResult> results;
        for (const auto& req : requests) {
            WriteRequest request = req;
            if (request.id.empty() && !request.fields.is_null()) {
                const EntitySpec* spec = find_entity(request.entity);
                if (spec && !spec->uuid_ids) {
                    if (refused_at) *refused_at = results.size();
                    dseq_ = dseq_before;
                    return invalid(spec->name + " rows need an id", "id");
                }
                // A team visit's rows have the id their fields make (one per rater and
                // indicator).
                const auto derived = team_row_id(request.entity, request.fields, actor.id);
                request.id = derived ? *derived : uuids_.next();
            }
            auto plan = request.fields.is_null()
                            ? plan_delete(reader, actor, request.entity, request.id)
                            : plan_write(validator_, reader, actor, request, now);
            auto refused = [&](const Error& e) {
                dseq_ = dseq_before; // nothing of the batch is kept
                if (refused_at) *refused_at = results.size();
                return e;
            };
            if (!plan) return refused(plan.error());
            if (plan->no_op() || (plan->is_delete && plan->existing->deleted)) {
                results.push_back(WriteResult{plan->id, std::nullopt});
                continue;
            }
            auto result = commit_plan(actor, *plan);
            if (!result) return refused(result.error());
            if (auto st = commit_revision(actor, reader, *plan, now); !st)
                return refused(st.error());
            results.push_back(std::move(*result));
        }
        tx.commit();
        announce.commit();
        return results;
    } catch (const SqliteError& e) {
        dseq_ = dseq_before;
        return storage(e);
    } catch (const std::exception& e) {
        dseq_ = dseq_before; // a bug, not bad input: still no crash, and nothing written
        return Error{ErrorCode::Invalid,
                     std::string("the change could not be applied: ") + e.what()};
    }
}

std::string Store::new_id() {
    return uuids_.next();
}

Result<WriteResult> Store::remove(const User& actor, std::string_view entity, std::string_view id) {
    return put(actor, {std::string(entity), std::string(id), "", nullptr});
}

Result<WriteResult> Store::resolve_conflict(const User& actor, std::string_view conflict_id,
                                            const Json& value) {
    auto conflict = get("conflict", conflict_id);
    if (!conflict) return conflict.error();
    if (!*conflict)
        return Error{ErrorCode::NotFound,
                     "no conflict " + std::string(conflict_id) + " on this device"};
    const Json& c = (*conflict)->fields;
    if (c.value("status", "") != "open")
        return Error{ErrorCode::Conflict, "this conflict is already resolved"};
    const std::string entity = c.value("entity", ""), row = c.value("row", ""),
                      field = c.value("field", "");
    auto target = get(entity, row);
    if (!target) return target.error();
    const std::int64_t dseq_before = dseq_;
    Announcement announce(*this);
    try {
        Transaction tx(*db_);
        Reader reader(*this);
        const std::string now = format_utc_ms(clock_->now_ms());
        if (*target && !(*target)->deleted) { // a row deleted since has nothing left to set
            auto plan =
                plan_write(validator_, reader, actor, {entity, row, "", {{field, value}}}, now);
            if (!plan) return plan.error();
            if (!plan->no_op()) {
                if (auto w = commit_plan(actor, *plan); !w) {
                    dseq_ = dseq_before;
                    return w.error();
                }
                if (auto st = commit_revision(actor, reader, *plan, now); !st) {
                    dseq_ = dseq_before;
                    return st.error();
                }
            }
        }
        auto plan = plan_write(validator_, reader, actor,
                               {"conflict",
                                std::string(conflict_id),
                                "",
                                {{"status", "resolved"}, {"resolution", value}}},
                               now);
        if (!plan) {
            dseq_ = dseq_before; // the field's change rolls back with the transaction
            return plan.error();
        }
        auto result = commit_plan(actor, *plan);
        if (result) {
            tx.commit();
            announce.commit();
        } else {
            dseq_ = dseq_before;
        }
        return result;
    } catch (const SqliteError& e) {
        dseq_ = dseq_before;
        return storage(e);
    } catch (const std::exception& e) {
        dseq_ = dseq_before;
        return Error{ErrorCode::Invalid,
                     std::string("the conflict could not be resolved: ") + e.what()};
    }
}

// Inside the caller's transaction: the plan_revision a change to a submitted plan leaves.
Status Store::commit_revision(const User& actor, RowReader& rows, const WritePlan& written,
                              const std::string& now_utc) {
    auto request = plan_revision_for(rows, written);
    if (!request) return ok_status();
    request->id = uuids_.next();
    auto plan = plan_write(validator_, rows, actor, *request, now_utc);
    if (!plan) return plan.error();
    if (auto w = commit_plan(actor, *plan); !w) return w.error();
    return ok_status();
}

// Inside the caller's transaction: the row, its outbox entry and its audit row.
Result<WriteResult> Store::commit_plan(const User& actor, const WritePlan& plan) {
    const EntitySpec& spec = *plan.spec;
    Database& db = *db_;
    {
        const std::string hlc_text = hlc_.now().to_string();
        const std::string changed_text = plan.changed.dump();
        std::vector<const FieldSpec*> columns;
        if (plan.is_delete) {
            auto& up = db.cached("UPDATE " + quote(spec.name) +
                                 " SET \"_deleted\" = 1, \"_hlc\" = ? WHERE \"id\" = ?");
            up.bind(1, hlc_text).bind(2, plan.id);
            up.run();
        } else {
            for (const auto& f : spec.fields)
                if (plan.changed.contains(f.name)) columns.push_back(&f);
            auto& up = upsert_statement(spec, columns, false, false);
            up.bind(1, plan.id).bind(2, plan.school).bind(3, hlc_text);
            for (std::size_t i = 0; i < columns.size(); ++i)
                bind_field(up, static_cast<int>(i) + 4, *columns[i],
                           plan.changed[columns[i]->name]);
            up.run();
        }

        Change change;
        change.op = uuids_.next();
        change.entity = spec.name;
        change.id = plan.id;
        change.school = plan.school;
        change.kind = plan.is_delete ? ChangeKind::Delete : ChangeKind::Upsert;
        change.fields = plan.changed;
        change.hlc = hlc_text;
        // A row not seen again since a restore (_seq -1) counts as never seen.
        change.base = plan.existing ? std::max<std::int64_t>(0, plan.existing->seq) : 0;
        change.dseq = ++dseq_;

        auto& out = db.cached("INSERT INTO outbox (dseq, op, entity, row_id, school, kind, fields, "
                              "hlc, base, schema) "
                              "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
        out.bind(1, change.dseq)
            .bind(2, change.op)
            .bind(3, change.entity)
            .bind(4, plan.id)
            .bind(5, plan.school);
        out.bind(6, to_string(change.kind))
            .bind(7, changed_text)
            .bind(8, hlc_text)
            .bind(9, change.base);
        out.bind(10, change.schema);
        out.run();

        Json before = Json::object();
        if (plan.is_delete) {
            before = plan.existing->fields;
        } else if (plan.existing) {
            for (const FieldSpec* f : columns)
                before[f->name] = plan.existing->fields.contains(f->name)
                                      ? plan.existing->fields[f->name]
                                      : Json();
        }
        auto& audit = db.cached("INSERT INTO audit (at, actor, device, op, entity, row_id, school, "
                                "kind, before, after) "
                                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
        audit.bind(1, format_utc_ms(clock_->now_ms())).bind(2, actor.id).bind(3, device_);
        audit.bind(4, change.op).bind(5, spec.name).bind(6, plan.id).bind(7, plan.school);
        audit.bind(8, plan.is_delete ? "delete" : plan.existing ? "update" : "create");
        audit.bind(9, before.dump()).bind(10, changed_text);
        audit.run();

        if (spec.kind == EntityKind::School || spec.scope == ScopeKind::District ||
            spec.scope == ScopeKind::Region)
            places_.clear();
        touched(spec.name, plan.school);
        return WriteResult{plan.id, std::move(change)};
    }
}

Result<ApplyReport> Store::apply_remote(const std::vector<Change>& changes, std::int64_t cursor) {
    return apply_remote(changes, cursor, {});
}

Status Store::reset_cursor() {
    try {
        auto& st = db_->cached("UPDATE device_state SET cursor = 0 WHERE id = 1");
        st.run();
        cursor_ = 0;
        return ok_status();
    } catch (const SqliteError& e) {
        return storage(e);
    }
}

Result<Store::Resync> Store::begin_resync() {
    Resync out;
    if (resync_) return out;
    Announcement announce(*this);
    try {
        Database& db = *db_;
        Transaction tx(db);
        db.exec(
            "INSERT OR IGNORE INTO outbox (dseq, op, entity, row_id, school, kind, fields, hlc, "
            "base, schema, state) SELECT dseq, op, entity, row_id, school, kind, fields, hlc, "
            "base, schema, 'pending' FROM sent");
        out.resent = db.changes();
        db.exec("DELETE FROM sent");
        // The server takes an evidence row only once its file is there.
        db.exec("UPDATE blob_queue SET state = 'pending', sent = 0, error = NULL WHERE direction "
                "= 'up' AND sha256 IN (SELECT json_extract(fields, '$.sha256') FROM outbox WHERE "
                "entity = 'evidence' AND state = 'pending')");
        out.files = db.changes();
        for (const auto& spec : entity_specs()) {
            db.exec("UPDATE " + quote(spec.name) + " SET \"_seq\" = -1 WHERE \"_seq\" > 0");
            if (db.changes() > 0) touched(spec.name, "");
        }
        db.exec("UPDATE device_state SET cursor = 0, resync = 1, held_since = -1, held_count = 0, "
                "held_schema = 0 WHERE id = 1");
        tx.commit();
        announce.commit();
        cursor_ = 0;
        resync_ = true;
        return out;
    } catch (const SqliteError& e) {
        return storage(e);
    }
}

Result<std::int64_t> Store::finish_resync(const std::string& epoch) {
    Announcement announce(*this);
    try {
        Database& db = *db_;
        Transaction tx(db);
        std::int64_t gone = 0;
        for (const auto& spec : entity_specs()) {
            auto& st = db.cached("DELETE FROM " + quote(spec.name) +
                                 " WHERE \"_seq\" = -1 AND NOT EXISTS (SELECT 1 FROM outbox o "
                                 "WHERE o.entity = ? AND o.row_id = " +
                                 quote(spec.name) + ".\"id\")");
            st.bind(1, spec.name);
            st.run();
            if (db.changes() > 0) {
                gone += db.changes();
                touched(spec.name, "");
                if (spec.kind == EntityKind::School || spec.scope == ScopeKind::District ||
                    spec.scope == ScopeKind::Region)
                    places_.clear();
            }
            // Rows a local change still names: not on the server yet, as if new.
            db.exec("UPDATE " + quote(spec.name) + " SET \"_seq\" = 0 WHERE \"_seq\" = -1");
        }
        auto& st = db.cached("UPDATE device_state SET resync = 0, epoch = ? WHERE id = 1");
        st.bind(1, epoch);
        st.run();
        tx.commit();
        announce.commit();
        resync_ = false;
        epoch_ = epoch;
        return gone;
    } catch (const SqliteError& e) {
        return storage(e);
    }
}

Status Store::set_epoch(const std::string& epoch) {
    try {
        auto& st = db_->cached("UPDATE device_state SET epoch = ? WHERE id = 1");
        st.bind(1, epoch);
        st.run();
        epoch_ = epoch;
        return ok_status();
    } catch (const SqliteError& e) {
        return storage(e);
    }
}

Result<std::int64_t> Store::sent_count() const {
    try {
        auto& st = db_->cached("SELECT count(*) FROM sent");
        st.step();
        const std::int64_t n = st.int64(0);
        st.reset();
        return n;
    } catch (const SqliteError& e) {
        return storage(e);
    }
}

Result<std::vector<std::pair<std::int64_t, std::string>>> Store::remote_rejects() const {
    try {
        std::vector<std::pair<std::int64_t, std::string>> out;
        auto& st = db_->cached("SELECT seq, reason FROM remote_reject ORDER BY at DESC, seq DESC");
        while (st.step())
            out.emplace_back(st.int64(0), st.text(1));
        st.reset();
        return out;
    } catch (const SqliteError& e) {
        return storage(e);
    }
}

Result<ApplyReport> Store::apply_remote(const std::vector<Change>& changes, std::int64_t cursor,
                                        const std::vector<SetAside>& set_aside, int held_schema) {
    ApplyReport report;
    Announcement announce(*this);
    try {
        Database& db = *db_;
        Transaction tx(db);
        for (const SetAside& a : set_aside) {
            // An undecodable change has no trustworthy seq; those without one get a negative
            // key of their own, so they never take the place of a real one.
            std::int64_t key = a.seq;
            if (key <= 0) {
                auto& low =
                    db.cached("SELECT MIN(0, COALESCE(MIN(seq), 0)) - 1 FROM remote_reject");
                low.step();
                key = low.int64(0);
                low.reset();
            }
            auto& st = db.cached(
                "INSERT OR IGNORE INTO remote_reject (seq, op, entity, row_id, reason, change, at) "
                "VALUES (?, '', '', '', ?, ?, ?)");
            st.bind(1, key)
                .bind(2, a.reason)
                .bind(3, a.change)
                .bind(4, format_utc_ms(clock_->now_ms()));
            st.run();
            ++report.rejected;
        }
        bool outbox_empty = true;
        {
            auto& any = db.cached("SELECT EXISTS (SELECT 1 FROM outbox WHERE state = 'pending')");
            any.step();
            outbox_empty = any.int64(0) == 0;
            any.reset();
        }
        for (const Change& c : changes)
            if (const EntityKind k = entity_kind(c.entity);
                k == EntityKind::School || k == EntityKind::District || k == EntityKind::Region) {
                places_.clear();
                break;
            }
        std::optional<Hlc> newest;
        auto reject = [&](const Change& c, const std::string& reason) {
            auto& st = db.cached(
                "INSERT OR IGNORE INTO remote_reject (seq, op, entity, row_id, reason, change, at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)");
            if (c.seq > 0)
                st.bind(1, c.seq);
            else
                st.bind_null(1);
            st.bind(2, c.op)
                .bind(3, c.entity)
                .bind(4, c.id)
                .bind(5, reason)
                .bind(6, c.to_json().dump());
            st.bind(7, format_utc_ms(clock_->now_ms()));
            st.run();
            ++report.rejected;
        };
        std::vector<const FieldSpec*> columns;
        for (const Change& c : changes) {
            const EntitySpec* spec = find_entity(c.entity);
            if (!spec) {
                reject(c, "unknown entity " + c.entity);
                continue;
            }
            if (c.seq <= 0) {
                reject(c, "change without a server seq");
                continue;
            }
            if (c.schema > kDataSchemaVersion) {
                reject(c, "written under data schema " + std::to_string(c.schema) +
                              "; update the app to apply it");
                continue;
            }
            if (auto st = check_row_id(*spec, c.id); !st) {
                reject(c, st.error().message);
                continue;
            }
            if (c.kind == ChangeKind::Upsert)
                if (auto st = validator_.check_fields(*spec, c.fields); !st) {
                    reject(c, st.error().message);
                    continue;
                }
            auto h = Hlc::parse(c.hlc);
            if (!h) {
                reject(c, "bad hlc " + c.hlc);
                continue;
            }
            if (!newest || *h > *newest) newest = *h;

            // Local edits not yet pushed win on this device until the server has seen them.
            std::set<std::string> pending;
            bool pending_delete = false;
            if (!outbox_empty) {
                auto& st = db.cached("SELECT kind, fields FROM outbox WHERE entity = ? AND row_id "
                                     "= ? AND state = 'pending'");
                st.bind(1, c.entity).bind(2, c.id);
                while (st.step()) {
                    if (st.text_view(0) == "delete") pending_delete = true;
                    Json f = Json::parse(st.text_view(1), nullptr, false);
                    if (f.is_object())
                        for (auto it = f.begin(); it != f.end(); ++it)
                            pending.insert(it.key());
                }
                st.reset();
            }

            columns.clear();
            if (c.kind == ChangeKind::Upsert && !pending_delete)
                for (const auto& f : spec->fields)
                    if (c.fields.contains(f.name) && !pending.count(f.name)) columns.push_back(&f);
            if (c.kind == ChangeKind::Delete && spec->kind == EntityKind::School) {
                // The school left this device's scope (or was removed): its rows go.
                for (const auto& e : entity_specs())
                    if (e.scope == ScopeKind::School && !e.is(EntityKind::School)) {
                        auto& purge =
                            db.cached("DELETE FROM " + quote(e.name) + " WHERE \"school\" = ?");
                        purge.bind(1, c.id);
                        purge.run();
                        if (db.changes() > 0) touched(e.name, c.id);
                    }
                places_.clear();
            }
            // An upsert makes a row live again, unless this device is deleting it itself.
            auto& up = upsert_statement(*spec, columns, true, c.kind == ChangeKind::Delete,
                                        c.kind == ChangeKind::Upsert && !pending_delete);
            up.bind(1, c.id).bind(2, c.school).bind(3, c.hlc).bind(4, c.seq);
            for (std::size_t i = 0; i < columns.size(); ++i)
                bind_field(up, static_cast<int>(i) + 5, *columns[i], c.fields[columns[i]->name]);
            up.run();
            bool applied = db.changes() > 0;
            if (!applied && held_schema > 0 && c.kind == ChangeKind::Upsert) {
                std::string sets;
                std::vector<const FieldSpec*> newer;
                for (const FieldSpec* f : columns)
                    if (f->since > held_schema) {
                        sets += (sets.empty() ? "" : ", ") + quote(f->name) + " = ?";
                        newer.push_back(f);
                    }
                if (!newer.empty()) {
                    auto& catch_up = db.cached("UPDATE " + quote(spec->name) + " SET " + sets +
                                               " WHERE \"id\" = ? AND \"_deleted\" = 0");
                    for (std::size_t i = 0; i < newer.size(); ++i)
                        bind_field(catch_up, static_cast<int>(i) + 1, *newer[i],
                                   c.fields[newer[i]->name]);
                    catch_up.bind(static_cast<int>(newer.size()) + 1, c.id);
                    catch_up.run();
                    applied = db.changes() > 0;
                }
            }
            if (applied) {
                ++report.applied;
                touched(spec->name, c.school);
            } else {
                ++report.stale;
            }
        }
        if (newest) hlc_.observe(*newest);
        const std::int64_t new_cursor = std::max(cursor_, cursor);
        auto& st = db.cached("UPDATE device_state SET cursor = ?, hlc = ? WHERE id = 1");
        st.bind(1, new_cursor).bind(2, hlc_.last().to_string());
        st.run();
        tx.commit();
        announce.commit();
        cursor_ = new_cursor;
        report.cursor = new_cursor;
        return report;
    } catch (const SqliteError& e) {
        return storage(e);
    }
}

Result<std::optional<Row>> Store::get(std::string_view entity, std::string_view id) const {
    const EntitySpec* spec = find_entity(entity);
    if (!spec)
        return Error{ErrorCode::NotFound,
                     "unknown entity \"" + std::string(entity.substr(0, 60)) + "\""};
    try {
        return load(*db_, *spec, id);
    } catch (const SqliteError& e) {
        return storage(e);
    }
}

Result<std::vector<Row>> Store::list(std::string_view entity, std::string_view field,
                                     const Json& value) const {
    const EntitySpec* spec = find_entity(entity);
    if (!spec)
        return Error{ErrorCode::NotFound,
                     "unknown entity \"" + std::string(entity.substr(0, 60)) + "\""};
    std::string sql = select_sql(*spec) + " WHERE \"_deleted\" = 0";
    const FieldSpec* f = nullptr;
    if (!field.empty()) {
        f = spec->field(field);
        if (!f && field != "school")
            return invalid(spec->name + " has no field \"" + std::string(field) + "\"");
        sql += " AND " + quote(field) + " = ?";
    }
    sql += " ORDER BY \"id\"";
    try {
        auto& st = db_->cached(sql);
        if (!field.empty()) {
            if (f)
                bind_field(st, 1, *f, value);
            else
                st.bind_json(1, value);
        }
        std::vector<Row> rows;
        while (st.step())
            rows.push_back(read_row(*spec, st));
        st.reset();
        return rows;
    } catch (const SqliteError& e) {
        return storage(e);
    }
}

Result<std::vector<OutboxEntry>> Store::outbox(int limit) const {
    try {
        auto& st = db_->cached(
            "SELECT dseq, op, entity, row_id, school, kind, fields, hlc, base, schema, state, "
            "coalesce(error, ''), attempts FROM outbox ORDER BY dseq LIMIT ?");
        st.bind(1, static_cast<std::int64_t>(limit));
        std::vector<OutboxEntry> out;
        while (st.step()) {
            OutboxEntry e;
            e.change.dseq = st.int64(0);
            e.change.op = st.text(1);
            e.change.entity = st.text(2);
            e.change.id = st.text(3);
            e.change.school = st.text(4);
            e.change.kind = st.text_view(5) == "delete" ? ChangeKind::Delete : ChangeKind::Upsert;
            e.change.fields = Json::parse(st.text_view(6), nullptr, false);
            e.change.hlc = st.text(7);
            e.change.base = st.int64(8);
            e.change.schema = static_cast<int>(st.int64(9));
            auto state = parse_outbox_state(st.text_view(10));
            if (!state) {
                const std::string word = st.text(10);
                st.reset();
                return Error{ErrorCode::Storage, "outbox entry " + std::to_string(e.change.dseq) +
                                                     " has an unknown state: " + word};
            }
            e.state = *state;
            e.error = st.text(11);
            e.attempts = static_cast<int>(st.int64(12));
            out.push_back(std::move(e));
        }
        st.reset();
        return out;
    } catch (const SqliteError& e) {
        return storage(e);
    }
}

Result<std::int64_t> Store::outbox_count() const {
    try {
        auto& st = db_->cached("SELECT count(*) FROM outbox");
        st.step();
        auto n = st.int64(0);
        st.reset();
        return n;
    } catch (const SqliteError& e) {
        return storage(e);
    }
}

} // namespace sitevisit

namespace sitevisit {

Result<std::vector<Change>> Store::pending_changes(int limit) const {
    auto all = outbox(1 << 30);
    if (!all) return all.error();
    std::vector<Change> out;
    for (auto& e : *all) {
        if (e.state != OutboxState::Pending) continue;
        out.push_back(std::move(e.change));
        if (static_cast<int>(out.size()) >= limit) break;
    }
    return out;
}

Status Store::acknowledge(const std::vector<Ack>& acks) {
    try {
        Transaction tx(*db_);
        for (const auto& a : acks) {
            if (a.status == "rejected") {
                auto& st = db_->cached("UPDATE outbox SET state = 'rejected', error = ?, attempts "
                                       "= attempts + 1 WHERE op = ?");
                st.bind(1, a.error).bind(2, a.op);
                st.run();
            } else {
                // Kept a while, to be sent again to a server restored from an older backup.
                auto& keep = db_->cached(
                    "INSERT OR REPLACE INTO sent (dseq, op, entity, row_id, school, kind, fields, "
                    "hlc, base, schema, acked_at) SELECT dseq, op, entity, row_id, school, kind, "
                    "fields, hlc, base, schema, ? FROM outbox WHERE op = ?");
                keep.bind(1, clock_->now_ms()).bind(2, a.op);
                keep.run();
                auto& st = db_->cached("DELETE FROM outbox WHERE op = ?");
                st.bind(1, a.op);
                st.run();
            }
        }
        if (!acks.empty()) {
            auto& old = db_->cached("DELETE FROM sent WHERE acked_at < ?");
            old.bind(1, clock_->now_ms() - kSentKeepMs);
            old.run();
            auto& many = db_->cached("DELETE FROM sent WHERE dseq <= (SELECT dseq FROM sent ORDER "
                                     "BY dseq DESC LIMIT 1 OFFSET ?)");
            many.bind(1, kSentKeepCount);
            many.run();
        }
        // The numbering lives on in device_state once its outbox rows are gone.
        auto& st = db_->cached("UPDATE device_state SET dseq = ?, hlc = ? WHERE id = 1");
        st.bind(1, dseq_).bind(2, hlc_.last().to_string());
        st.run();
        tx.commit();
        return ok_status();
    } catch (const std::exception& e) {
        return Error{ErrorCode::Storage, e.what()};
    }
}

Result<std::int64_t> Store::count_outbox(OutboxState state) const {
    try {
        auto& st = db_->cached("SELECT COUNT(*) FROM outbox WHERE state = ?");
        st.bind(1, std::string(to_string(state)));
        const std::int64_t n = st.step() ? st.int64(0) : 0;
        st.reset();
        return n;
    } catch (const std::exception& e) {
        return Error{ErrorCode::Storage, e.what()};
    }
}

Result<std::vector<OutboxEntry>> Store::rejected_changes() const {
    auto all = outbox(1 << 30);
    if (!all) return all.error();
    std::vector<OutboxEntry> out;
    for (auto& e : *all)
        if (e.state == OutboxState::Rejected) out.push_back(std::move(e));
    return out;
}

Status Store::dismiss_rejected() {
    try {
        db_->cached("DELETE FROM outbox WHERE state = 'rejected'").run();
        return ok_status();
    } catch (const std::exception& e) {
        return Error{ErrorCode::Storage, e.what()};
    }
}

} // namespace sitevisit
