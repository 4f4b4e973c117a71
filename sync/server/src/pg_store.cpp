#include "sitevisit/server/pg_store.h"

#include "cached_tx.h"
#include "sitevisit/protocol/messages.h"

#include <algorithm>
#include <chrono>
#include <libpq-fe.h>
#include <map>
#include <poll.h>
#include <stdexcept>
#include <unordered_map>

namespace sitevisit::server {

namespace {

// Advisory lock keys (classid, objid), per database: the change log's writer lock, and the
// lock migrations run under so that servers starting together migrate once.
constexpr int kLockSpace = 5318;
constexpr int kLogLock = 1;
constexpr int kMigrateLock = 2;
// Type oids of the columns a backup reads.
constexpr Oid kBool = 16, kInt8 = 20, kInt4 = 23;
// The channel commits that appended to the log notify, for held pulls on every server.
constexpr const char* kChannel = "sitevisit_changes";
// How long a writer waits for the log's lock before the caller hears Busy (as SQLite's busy
// timeout).
constexpr const char* kLockTimeout = "5s";

struct Step {
    int version;
    const char* sql;
};

// Keyed on the one row of sitevisit_schema; a released step never changes. The tables mirror
// the SQLite store's (sqlite_store.cpp) at its schema 6 (step 1 its schema 5, step 2 its 6);
// fields, versions and wire bytes are kept as the same JSON text. Columns SQLite calls `user` are
// `user_id` here (a reserved word); backups use SQLite's names, so a backup from either store
// restores into the other.
const Step kSteps[] = {
    {1, R"sql(
CREATE TABLE sitevisit_schema (version integer NOT NULL);
INSERT INTO sitevisit_schema (version) VALUES (0);
CREATE TABLE rows (
  entity text NOT NULL, id text NOT NULL, school text NOT NULL, fields text NOT NULL,
  seq bigint NOT NULL, hlc text NOT NULL DEFAULT '', deleted boolean NOT NULL DEFAULT false,
  versions text NOT NULL DEFAULT '{}', PRIMARY KEY (entity, id));
CREATE INDEX rows_school ON rows (school);
CREATE INDEX rows_evidence_blob ON rows (((fields::jsonb) ->> 'sha256')) WHERE entity = 'evidence';
CREATE TABLE changes (
  seq bigint PRIMARY KEY, op text NOT NULL, entity text NOT NULL, row_id text NOT NULL,
  school text NOT NULL, kind text NOT NULL, fields text NOT NULL, hlc text NOT NULL,
  base bigint NOT NULL, dseq bigint NOT NULL, schema integer NOT NULL,
  author text NOT NULL, device text NOT NULL, visit text NOT NULL DEFAULT '',
  for_device text NOT NULL DEFAULT '', wire text);
CREATE TABLE ops (op text PRIMARY KEY, device text NOT NULL, result text NOT NULL);
CREATE TABLE devices (
  device text PRIMARY KEY, user_id text NOT NULL, dseq bigint NOT NULL DEFAULT 0,
  schools text NOT NULL DEFAULT '[]');
CREATE TABLE accounts (
  id text PRIMARY KEY, email text NOT NULL UNIQUE, fields text NOT NULL,
  password_hash text NOT NULL);
CREATE TABLE sessions (
  token_hash text PRIMARY KEY, user_id text NOT NULL, device text NOT NULL,
  expires_ms bigint NOT NULL);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE TABLE login_failures (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, key text NOT NULL, at_ms bigint NOT NULL);
CREATE INDEX login_failures_key ON login_failures (key, at_ms);
CREATE TABLE blobs (
  sha256 text PRIMARY KEY, length bigint NOT NULL, received bigint NOT NULL,
  complete boolean NOT NULL, created_by text NOT NULL);
CREATE TABLE blob_owners (sha256 text NOT NULL, user_id text NOT NULL, PRIMARY KEY (sha256, user_id));
CREATE TABLE device_secrets (
  user_id text NOT NULL, device text NOT NULL, secret_hash text NOT NULL,
  PRIMARY KEY (user_id, device));
CREATE TABLE meta (key text PRIMARY KEY, value text NOT NULL);
INSERT INTO meta (key, value) VALUES ('epoch', md5(random()::text || clock_timestamp()::text)),
  ('epoch_base', '0');
ALTER TABLE devices ADD COLUMN epoch text NOT NULL DEFAULT '';
)sql"},
    // Step 2 (SQLite's step 6): unfinished uploads (tus) live in the store, so an upload begun
    // on one server resumes on another: the declared length, the offset committed after its
    // bytes were flushed to the shared partial file, and when it last moved (for expiry).
    {2, R"sql(
CREATE TABLE uploads (
  sha256 text NOT NULL, user_id text NOT NULL, length bigint NOT NULL,
  committed bigint NOT NULL DEFAULT 0, touched_ms bigint NOT NULL,
  PRIMARY KEY (sha256, user_id));
)sql"},
};

class PgError : public std::runtime_error {
public:
    PgError(std::string state, const std::string& message)
        : std::runtime_error(message), state_(std::move(state)) {}
    const std::string& state() const { return state_; }

private:
    std::string state_;
};

std::string trimmed(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' '))
        s.pop_back();
    return s;
}

// Parameters of one statement, as text.
class Params {
public:
    Params& add(std::string_view v) {
        values_.emplace_back(v);
        return *this;
    }
    // Without it a string literal would take the bool overload (a standard conversion).
    Params& add(const char* v) { return add(std::string_view(v)); }
    Params& add(std::int64_t v) {
        values_.push_back(std::to_string(v));
        return *this;
    }
    Params& add(bool v) {
        values_.emplace_back(v ? "t" : "f");
        return *this;
    }
    Params& add_null() {
        values_.emplace_back();
        nulls_.resize(values_.size());
        nulls_.back() = true;
        return *this;
    }
    int size() const { return static_cast<int>(values_.size()); }
    std::vector<const char*> pointers() const {
        std::vector<const char*> out;
        out.reserve(values_.size());
        for (std::size_t i = 0; i < values_.size(); ++i)
            out.push_back(i < nulls_.size() && nulls_[i] ? nullptr : values_[i].c_str());
        return out;
    }

private:
    std::vector<std::string> values_;
    std::vector<bool> nulls_;
};

class PgResult {
public:
    explicit PgResult(PGresult* r) : r_(r, &PQclear) {}
    int rows() const { return PQntuples(r_.get()); }
    bool null(int row, int col) const { return PQgetisnull(r_.get(), row, col) != 0; }
    std::string_view view(int row, int col) const {
        return {PQgetvalue(r_.get(), row, col),
                static_cast<std::size_t>(PQgetlength(r_.get(), row, col))};
    }
    std::string text(int row, int col) const { return std::string(view(row, col)); }
    std::int64_t int64(int row, int col) const {
        return null(row, col) ? 0 : std::stoll(text(row, col));
    }
    bool boolean(int row, int col) const { return view(row, col) == "t"; }
    std::string command_status() const { return PQcmdStatus(r_.get()); }
    const PGresult* get() const { return r_.get(); }
    std::int64_t affected() const {
        const char* n = PQcmdTuples(r_.get());
        return n && *n ? std::stoll(n) : 0;
    }

private:
    std::unique_ptr<PGresult, decltype(&PQclear)> r_;
};

void ignore_notice(void*, const char*) {
}

PGconn* connect_to(const std::string& url) {
    const char* keys[] = {"dbname", "fallback_application_name", nullptr};
    const char* values[] = {url.c_str(), "sitevisit-server", nullptr};
    PGconn* c = PQconnectdbParams(keys, values, 1);
    if (c && PQstatus(c) == CONNECTION_OK) {
        PQsetNoticeProcessor(c, ignore_notice, nullptr);
        PQsetClientEncoding(c, "UTF8");
    }
    return c;
}

PgResult checked(PGconn* conn, PGresult* r) {
    PgResult out(r);
    const auto status = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return out;
    const char* state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
    std::string message = trimmed(r ? PQresultErrorMessage(r) : PQerrorMessage(conn));
    if (message.empty()) message = trimmed(PQerrorMessage(conn));
    throw PgError(state ? state : "", "PostgreSQL: " + message);
}

// Redacts a password from a URL for messages: postgresql://USER:***@HOST...
std::string redacted(const std::string& url) {
    const auto scheme = url.find("://");
    if (scheme == std::string::npos) return url;
    const auto start = scheme + 3;
    const auto end = std::min(url.find('/', start), url.find('?', start));
    const auto at = url.rfind('@', end == std::string::npos ? url.size() : end);
    if (at == std::string::npos || at < start) return url;
    const auto colon = url.find(':', start);
    if (colon == std::string::npos || colon > at) return url;
    return url.substr(0, colon + 1) + "***" + url.substr(at);
}

} // namespace

struct PgStore::Connection {
    PGconn* conn = nullptr;
    std::unordered_map<std::string, std::string> prepared; // SQL -> statement name
    std::string setup; // run after each (re)connection: session settings
    ~Connection() {
        if (conn) PQfinish(conn);
    }
    bool ok() const { return conn && PQstatus(conn) == CONNECTION_OK; }

    // A statement prepared once per connection and run with text parameters.
    PgResult run(const std::string& sql, const Params& params = {}) {
        auto it = prepared.find(sql);
        if (it == prepared.end()) {
            const std::string name = "s" + std::to_string(prepared.size());
            checked(conn, PQprepare(conn, name.c_str(), sql.c_str(), params.size(), nullptr));
            it = prepared.emplace(sql, name).first;
        }
        const auto values = params.pointers();
        return checked(conn, PQexecPrepared(conn, it->second.c_str(), params.size(), values.data(),
                                            nullptr, nullptr, 0));
    }
    // Once: a statement whose text varies (batched inserts).
    PgResult once(const std::string& sql, const Params& params) {
        const auto values = params.pointers();
        return checked(conn, PQexecParams(conn, sql.c_str(), params.size(), nullptr, values.data(),
                                          nullptr, nullptr, 0));
    }
    // Statements without parameters, several at once; the last one's result.
    PgResult script(const std::string& sql) { return checked(conn, PQexec(conn, sql.c_str())); }
    std::string literal(const std::string& text) {
        char* q = PQescapeLiteral(conn, text.data(), text.size());
        if (!q) throw PgError("", "PostgreSQL: " + trimmed(PQerrorMessage(conn)));
        std::string out(q);
        PQfreemem(q);
        return out;
    }
};

std::string PgTarget::text() const {
    return (user.empty() ? std::string() : user + "@") + (host.empty() ? "localhost" : host) + ":" +
           (port.empty() ? "5432" : port) + "/" + database;
}

Result<PgTarget> parse_store_url(const std::string& url) {
    const std::string form = "postgresql://USER@HOST:PORT/DB (optionally ?sslmode=verify-full)";
    if (url.rfind("postgresql://", 0) != 0 && url.rfind("postgres://", 0) != 0)
        return invalid("--store must be a URL of the form " + form + ", got \"" + redacted(url) +
                       "\"");
    char* error = nullptr;
    PQconninfoOption* options = PQconninfoParse(url.c_str(), &error);
    if (!options) {
        std::string why = error ? trimmed(error) : "out of memory";
        if (error) PQfreemem(error);
        return invalid("--store \"" + redacted(url) + "\" is not a PostgreSQL URL (" + why +
                       "); the form is " + form);
    }
    PgTarget t;
    std::string password;
    for (PQconninfoOption* o = options; o->keyword; ++o) {
        const std::string key = o->keyword;
        const std::string value = o->val ? o->val : "";
        if (key == "user") t.user = value;
        if (key == "host" || (key == "hostaddr" && t.host.empty())) t.host = value;
        if (key == "port") t.port = value;
        if (key == "dbname") t.database = value;
        if (key == "password") password = value;
    }
    PQconninfoFree(options);
    if (!password.empty())
        return invalid("--store carries a password; put it in a password file instead "
                       "(PGPASSFILE, or ~/.pgpass: HOST:PORT:DB:USER:PASSWORD, mode 0600), so "
                       "it never shows in the process list");
    if (t.database.empty())
        return invalid("--store must name a database: " + form + ", got \"" + redacted(url) + "\"");
    return t;
}

namespace {

std::unique_ptr<PgStore::Connection> open_connection(const std::string& url, const PgTarget& target,
                                                     std::string* why) {
    auto c = std::make_unique<PgStore::Connection>();
    c->conn = connect_to(url);
    if (!c->ok()) {
        *why = "cannot reach the PostgreSQL store at " + target.text() + ": " +
               trimmed(c->conn ? PQerrorMessage(c->conn) : "out of memory");
        return nullptr;
    }
    return c;
}

Appended decode_notification(std::string_view payload) {
    Appended a;
    Json j = detail::parse_or(payload, Json::object());
    a.last_seq = j.value("seq", std::int64_t{0});
    a.everyone = j.value("all", false);
    if (auto s = j.find("schools"); s != j.end() && s->is_array())
        for (const auto& x : *s)
            if (x.is_string()) a.schools.insert(x.get<std::string>());
    if (auto d = j.find("devices"); d != j.end() && d->is_array())
        for (const auto& x : *d)
            if (x.is_string()) a.devices.insert(x.get<std::string>());
    return a;
}

std::string encode_notification(const Appended& a) {
    Json j{{"seq", a.last_seq},
           {"all", a.everyone},
           {"schools", Json(a.schools)},
           {"devices", Json(a.devices)}};
    std::string out = j.dump();
    // A notification carries at most 8000 bytes: past that, every waiting pull looks again.
    if (out.size() > 7000) out = Json{{"seq", a.last_seq}, {"all", true}}.dump();
    return out;
}

Row read_row(const PgResult& r, int i) {
    return Row{
        r.text(i, 0),  r.text(i, 1), r.text(i, 2),   detail::parse_or(r.view(i, 3), Json::object()),
        r.int64(i, 4), r.text(i, 5), r.boolean(i, 6)};
}

// Inserts `rows` of `columns` values each in statements of at most 1,000 rows:
// "<head> VALUES (...), (...) <tail>".
// Text in PostgreSQL's array syntax: {"a","b"} with quotes and backslashes escaped.
template <typename Strings> std::string text_array(const Strings& items) {
    std::string a = "{";
    bool first = true;
    for (const auto& item : items) {
        if (!first) a += ',';
        first = false;
        a += '"';
        for (char ch : std::string_view(item)) {
            if (ch == '"' || ch == '\\') a += '\\';
            a += ch;
        }
        a += '"';
    }
    a += '}';
    return a;
}

// Many rows in one statement whose text never changes, so it is parsed and planned once per
// connection: each column goes as one array parameter (text, in PostgreSQL's array syntax) and
// unnest() makes rows of them again. A VALUES list of 500 rows of 16 parameters cost a parse
// and a plan of its own every time.
void insert_many(PgStore::Connection& c, const std::string& head,
                 std::initializer_list<const char*> types, const std::vector<Params>& rows,
                 const std::string& tail) {
    if (rows.empty()) return;
    std::string sql = head + " SELECT * FROM unnest(";
    int k = 0;
    for (const char* type : types) {
        ++k;
        sql += (k > 1 ? ", $" : "$") + std::to_string(k) + "::" + type + "[]";
    }
    sql += ") " + tail;
    std::vector<std::vector<const char*>> values;
    values.reserve(rows.size());
    for (const auto& r : rows)
        values.push_back(r.pointers());
    Params arrays;
    for (std::size_t col = 0; col < types.size(); ++col) {
        std::string a = "{";
        for (std::size_t i = 0; i < values.size(); ++i) {
            if (i) a += ',';
            const char* v = col < values[i].size() ? values[i][col] : nullptr;
            if (!v) {
                a += "NULL";
                continue;
            }
            a += '"';
            for (const char* p = v; *p; ++p) {
                if (*p == '"' || *p == '\\') a += '\\';
                a += *p;
            }
            a += '"';
        }
        a += '}';
        arrays.add(a);
    }
    c.run(sql, arrays);
}

class PgTx final : public detail::CachedTx {
public:
    PgTx(PgStore& owner, std::unique_ptr<PgStore::Connection> c, bool write)
        : CachedTx(write), owner_(owner), c_(std::move(c)) {
        try {
            if (write_) {
                // Writers take turns on the log's lock; the end of the log is read after it
                // is granted (a statement of its own: READ COMMITTED reads what committed
                // before it started), so the seqs counted from it follow the last holder's.
                auto r = c_->script("BEGIN; SET LOCAL lock_timeout = '" +
                                    std::string(kLockTimeout) + "'; SELECT pg_advisory_xact_lock(" +
                                    std::to_string(kLockSpace) + ", " + std::to_string(kLogLock) +
                                    "); SELECT coalesce(max(seq), 0) FROM changes");
                seq_ = r.int64(0, 0);
            } else {
                // One snapshot for every read of the transaction.
                c_->script("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
            }
        } catch (...) {
            rollback_quietly();
            give_back();
            throw;
        }
    }
    ~PgTx() override {
        if (!done_) rollback_quietly();
        give_back();
    }

    void prefetch_rows(const std::vector<std::pair<std::string, std::string>>& keys) override {
        if (!write_) return; // a reader keeps only the few rows the read rule asks for again
        std::vector<std::string> entities, ids;
        for (const auto& [entity, id] : keys)
            if (!knows(entity, id)) {
                entities.push_back(entity);
                ids.push_back(id);
            }
        if (ids.empty()) return;
        auto r = c_->run("SELECT k.e, k.i, r.school, r.fields, r.seq, r.hlc, r.deleted, r.versions "
                         "FROM unnest($1::text[], $2::text[]) AS k(e, i) "
                         "LEFT JOIN rows r ON r.entity = k.e AND r.id = k.i",
                         Params().add(text_array(entities)).add(text_array(ids)));
        for (int i = 0; i < r.rows(); ++i) {
            Stored s;
            if (!r.null(i, 2)) {
                s.row = Row{r.text(i, 0),   r.text(i, 1),
                            r.text(i, 2),   detail::parse_or(r.view(i, 3), Json::object()),
                            r.int64(i, 4),  r.text(i, 5),
                            r.boolean(i, 6)};
                s.versions = r.text(i, 7);
            }
            keep_stored(r.view(i, 0), r.view(i, 1), std::move(s));
        }
    }

    std::vector<Row> rows_of_school(const std::string& school) override {
        flush_all();
        return rows_where("SELECT entity, id, school, fields, seq, hlc, deleted FROM rows WHERE "
                          "school = $1 ORDER BY seq",
                          school);
    }

    std::vector<Row> rows_of_entity(const std::string& entity) override {
        flush_all();
        return rows_where("SELECT entity, id, school, fields, seq, hlc, deleted FROM rows WHERE "
                          "entity = $1 ORDER BY id",
                          entity);
    }

    std::int64_t next_seq() override {
        writer_only();
        return ++seq_;
    }

    std::int64_t last_seq() override {
        if (write_) return seq_;
        return c_->run("SELECT coalesce(max(seq), 0) FROM changes").int64(0, 0);
    }

    void append_change(const LoggedChange& l) override {
        writer_only();
        const Change& c = l.change;
        std::string dumped;
        const std::string& fields =
            l.fields_json.empty() ? (dumped = c.fields.dump()) : l.fields_json;
        Params p;
        p.add(c.seq).add(c.op).add(c.entity).add(c.id).add(c.school).add(to_string(c.kind));
        p.add(fields).add(c.hlc).add(c.base).add(c.dseq).add(std::int64_t{c.schema});
        p.add(l.author).add(l.device).add(l.visit).add(l.for_device);
        p.add(protocol::encode_change(c, fields));
        changes_.push_back(std::move(p));
    }

    std::vector<LoggedChange> changes_after(std::int64_t since, int limit) override {
        flush_all();
        auto r = c_->run("SELECT seq, op, entity, row_id, school, kind, fields, hlc, base, dseq, "
                         "schema, author, device, visit, for_device FROM changes WHERE seq > $1 "
                         "ORDER BY seq LIMIT $2",
                         Params().add(since).add(std::int64_t{limit}));
        std::vector<LoggedChange> out;
        out.reserve(static_cast<std::size_t>(r.rows()));
        for (int i = 0; i < r.rows(); ++i) {
            LoggedChange l;
            Change& c = l.change;
            c.seq = r.int64(i, 0);
            c.op = r.text(i, 1);
            c.entity = r.text(i, 2);
            c.id = r.text(i, 3);
            c.school = r.text(i, 4);
            c.kind = r.view(i, 5) == "delete" ? ChangeKind::Delete : ChangeKind::Upsert;
            c.fields = detail::parse_or(r.view(i, 6), Json::object());
            c.hlc = r.text(i, 7);
            c.base = r.int64(i, 8);
            c.dseq = r.int64(i, 9);
            c.schema = static_cast<int>(r.int64(i, 10));
            l.author = r.text(i, 11);
            l.device = r.text(i, 12);
            l.visit = r.text(i, 13);
            l.for_device = r.text(i, 14);
            out.push_back(std::move(l));
        }
        return out;
    }

    std::vector<LoggedChange> changes_after_wire(std::int64_t since, int limit) override {
        flush_all();
        auto r = c_->run("SELECT seq, op, entity, row_id, school, kind, fields, hlc, base, dseq, "
                         "schema, visit, for_device, wire FROM changes WHERE seq > $1 "
                         "ORDER BY seq LIMIT $2",
                         Params().add(since).add(std::int64_t{limit}));
        std::vector<LoggedChange> out;
        out.reserve(static_cast<std::size_t>(r.rows()));
        for (int i = 0; i < r.rows(); ++i) {
            LoggedChange l;
            Change& c = l.change;
            c.seq = r.int64(i, 0);
            c.op = r.text(i, 1);
            c.entity = r.text(i, 2);
            c.id = r.text(i, 3);
            c.school = r.text(i, 4);
            c.kind = r.view(i, 5) == "delete" ? ChangeKind::Delete : ChangeKind::Upsert;
            l.fields_json = r.text(i, 6);
            if (l.fields_json.empty()) l.fields_json = "{}";
            c.hlc = r.text(i, 7);
            c.base = r.int64(i, 8);
            c.dseq = r.int64(i, 9);
            c.schema = static_cast<int>(r.int64(i, 10));
            l.visit = r.text(i, 11);
            l.for_device = r.text(i, 12);
            l.wire = r.text(i, 13);
            out.push_back(std::move(l));
        }
        return out;
    }

    std::vector<std::optional<StoredOp>> op_results(const std::vector<std::string>& ops) override {
        std::vector<std::optional<StoredOp>> out(ops.size());
        if (ops.empty()) return out;
        flush_all();
        auto r = c_->run("SELECT op, result, device FROM ops WHERE op = ANY($1::text[])",
                         Params().add(text_array(ops)));
        for (int i = 0; i < r.rows(); ++i) {
            const std::string op = r.text(i, 0);
            for (std::size_t k = 0; k < ops.size(); ++k) // the same id twice in one batch
                if (ops[k] == op) out[k] = StoredOp{r.text(i, 1), r.text(i, 2)};
        }
        return out;
    }

    void save_op_result(const std::string& op, const std::string& device,
                        const std::string& result) override {
        writer_only();
        Params p;
        p.add(op).add(device).add(result);
        ops_.push_back(std::move(p));
    }

    std::int64_t device_dseq(const std::string& device) override {
        auto r = c_->run("SELECT dseq FROM devices WHERE device = $1", Params().add(device));
        return r.rows() ? r.int64(0, 0) : 0;
    }

    void set_device_dseq(const std::string& device, const std::string& user,
                         std::int64_t dseq) override {
        c_->run("INSERT INTO devices (device, user_id, dseq, epoch) VALUES ($1, $2, $3, $4) "
                "ON CONFLICT (device) DO UPDATE SET dseq = excluded.dseq, user_id = "
                "excluded.user_id, epoch = excluded.epoch",
                Params().add(device).add(user).add(dseq).add(owner_.epoch().id));
    }

    std::string device_epoch(const std::string& device) override {
        auto r = c_->run("SELECT epoch FROM devices WHERE device = $1", Params().add(device));
        return r.rows() ? r.text(0, 0) : std::string();
    }

    std::vector<std::string> devices_of_user(const std::string& user_id) override {
        auto r = c_->run("SELECT device FROM devices WHERE starts_with(device, $1)",
                         Params().add(user_id + "/"));
        std::vector<std::string> out;
        for (int i = 0; i < r.rows(); ++i)
            out.push_back(r.text(i, 0));
        return out;
    }

    std::vector<std::string> device_schools(const std::string& device) override {
        auto r = c_->run("SELECT schools FROM devices WHERE device = $1", Params().add(device));
        std::vector<std::string> out;
        if (r.rows()) {
            Json j = detail::parse_or(r.view(0, 0), Json::array());
            for (const auto& s : j)
                if (s.is_string()) out.push_back(s.get<std::string>());
        }
        return out;
    }

    void set_device_schools(const std::string& device,
                            const std::vector<std::string>& schools) override {
        c_->run("INSERT INTO devices (device, user_id, schools, epoch) VALUES ($1, '', $2, $3) "
                "ON CONFLICT (device) DO UPDATE SET schools = excluded.schools",
                Params().add(device).add(Json(schools).dump()).add(owner_.epoch().id));
    }

    std::optional<Account> account_by_email(const std::string& email) override {
        return one_account(
            c_->run("SELECT id, email, fields, password_hash FROM accounts WHERE email = $1",
                    Params().add(email)));
    }

    std::optional<Account> account_by_id(const std::string& id) override {
        return one_account(
            c_->run("SELECT id, email, fields, password_hash FROM accounts WHERE id = $1",
                    Params().add(id)));
    }

    std::vector<Account> accounts() override {
        auto r = c_->run("SELECT id, email, fields, password_hash FROM accounts ORDER BY email");
        std::vector<Account> out;
        for (int i = 0; i < r.rows(); ++i)
            out.push_back(
                detail::account_from(r.text(i, 0), r.text(i, 1), r.view(i, 2), r.text(i, 3)));
        return out;
    }

    void put_account(const Account& a) override {
        c_->run("INSERT INTO accounts (id, email, fields, password_hash) VALUES ($1, $2, $3, $4) "
                "ON CONFLICT (id) DO UPDATE SET email = excluded.email, fields = excluded.fields, "
                "password_hash = excluded.password_hash",
                Params()
                    .add(a.user.id)
                    .add(a.user.email)
                    .add(a.user.to_fields().dump())
                    .add(a.password_hash));
    }

    void put_session(const std::string& token_hash, const Session& s) override {
        c_->run("INSERT INTO sessions (token_hash, user_id, device, expires_ms) "
                "VALUES ($1, $2, $3, $4)",
                Params().add(token_hash).add(s.user_id).add(s.device).add(s.expires_ms));
    }

    std::optional<Session> session(const std::string& token_hash) override {
        auto r = c_->run("SELECT user_id, device, expires_ms FROM sessions WHERE token_hash = $1",
                         Params().add(token_hash));
        if (!r.rows()) return std::nullopt;
        return Session{r.text(0, 0), r.text(0, 1), r.int64(0, 2)};
    }

    int end_sessions(const std::string& user_id) override {
        return static_cast<int>(
            c_->run("DELETE FROM sessions WHERE user_id = $1", Params().add(user_id)).affected());
    }

    int failures(const std::string& key, std::int64_t since_ms) override {
        return static_cast<int>(
            c_->run("SELECT count(*) FROM login_failures WHERE key = $1 AND at_ms >= $2",
                    Params().add(key).add(since_ms))
                .int64(0, 0));
    }

    void add_failure(const std::string& key, std::int64_t at_ms) override {
        c_->run("INSERT INTO login_failures (key, at_ms) VALUES ($1, $2)",
                Params().add(key).add(at_ms));
    }

    void clear_failures(const std::string& key) override {
        c_->run("DELETE FROM login_failures WHERE key = $1", Params().add(key));
    }

    void remove_failure(const std::string& key, std::int64_t at_ms) override {
        c_->run("DELETE FROM login_failures WHERE id = "
                "(SELECT id FROM login_failures WHERE key = $1 AND at_ms = $2 LIMIT 1)",
                Params().add(key).add(at_ms));
    }

    void clear_failures_with_prefix(const std::string& prefix) override {
        c_->run("DELETE FROM login_failures WHERE starts_with(key, $1)", Params().add(prefix));
    }

    std::optional<std::string> device_secret(const std::string& user_id,
                                             const std::string& device) override {
        auto r =
            c_->run("SELECT secret_hash FROM device_secrets WHERE user_id = $1 AND device = $2",
                    Params().add(user_id).add(device));
        if (!r.rows()) return std::nullopt;
        return r.text(0, 0);
    }

    void put_device_secret(const std::string& user_id, const std::string& device,
                           const std::string& hash) override {
        c_->run("INSERT INTO device_secrets (user_id, device, secret_hash) VALUES ($1, $2, $3) "
                "ON CONFLICT (user_id, device) DO UPDATE SET secret_hash = excluded.secret_hash",
                Params().add(user_id).add(device).add(hash));
    }

    std::optional<BlobInfo> blob(const std::string& sha256) override {
        auto r =
            c_->run("SELECT length, received, complete, created_by FROM blobs WHERE sha256 = $1",
                    Params().add(sha256));
        if (!r.rows()) return std::nullopt;
        return BlobInfo{sha256, r.int64(0, 0), r.int64(0, 1), r.boolean(0, 2), r.text(0, 3)};
    }

    void put_blob(const BlobInfo& b) override {
        c_->run(
            "INSERT INTO blobs (sha256, length, received, complete, created_by) "
            "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (sha256) DO UPDATE SET "
            "length = excluded.length, received = excluded.received, "
            "complete = excluded.complete, created_by = excluded.created_by",
            Params().add(b.sha256).add(b.length).add(b.received).add(b.complete).add(b.created_by));
    }

    bool blob_owned_by(const std::string& sha256, const std::string& user) override {
        return c_->run("SELECT 1 FROM blob_owners WHERE sha256 = $1 AND user_id = $2",
                       Params().add(sha256).add(user))
                   .rows() > 0;
    }

    void add_blob_owner(const std::string& sha256, const std::string& user) override {
        c_->run("INSERT INTO blob_owners (sha256, user_id) VALUES ($1, $2) "
                "ON CONFLICT DO NOTHING",
                Params().add(sha256).add(user));
    }

    std::vector<std::string> schools_referencing_blob(const std::string& sha256) override {
        flush_all();
        auto r = c_->run("SELECT DISTINCT school FROM rows WHERE entity = 'evidence' AND NOT "
                         "deleted AND (fields::jsonb) ->> 'sha256' = $1",
                         Params().add(sha256));
        std::vector<std::string> out;
        for (int i = 0; i < r.rows(); ++i)
            out.push_back(r.text(i, 0));
        return out;
    }

    std::vector<Row> evidence_referencing_blob(const std::string& sha256) override {
        flush_all();
        return rows_where("SELECT entity, id, school, fields, seq, hlc, deleted FROM rows WHERE "
                          "entity = 'evidence' AND NOT deleted AND "
                          "(fields::jsonb) ->> 'sha256' = $1 ORDER BY id",
                          sha256);
    }

    std::optional<Upload> upload(const std::string& sha256, const std::string& user) override {
        auto r = c_->run("SELECT length, committed, touched_ms FROM uploads WHERE sha256 = $1 AND "
                         "user_id = $2",
                         Params().add(sha256).add(user));
        if (!r.rows()) return std::nullopt;
        return Upload{sha256, user, r.int64(0, 0), r.int64(0, 1), r.int64(0, 2)};
    }

    std::vector<Upload> uploads(const std::string& user) override {
        auto r = c_->run("SELECT sha256, user_id, length, committed, touched_ms FROM uploads "
                         "WHERE $1 = '' OR user_id = $1 ORDER BY sha256, user_id",
                         Params().add(user));
        std::vector<Upload> out;
        for (int i = 0; i < r.rows(); ++i)
            out.push_back(
                Upload{r.text(i, 0), r.text(i, 1), r.int64(i, 2), r.int64(i, 3), r.int64(i, 4)});
        return out;
    }

    bool add_upload(const Upload& u) override {
        writer_only();
        return c_->run("INSERT INTO uploads (sha256, user_id, length, committed, touched_ms) "
                       "VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
                       Params().add(u.sha256).add(u.user).add(u.length).add(u.offset).add(
                           u.touched_ms))
                   .affected() > 0;
    }

    bool advance_upload(const std::string& sha256, const std::string& user, std::int64_t from,
                        std::int64_t to, std::int64_t touched_ms) override {
        writer_only();
        // READ COMMITTED: an UPDATE that waited for another server's update of the row reads
        // the row again, so the condition is checked against the offset that committed.
        return c_->run("UPDATE uploads SET committed = $1, touched_ms = $2 WHERE sha256 = $3 AND "
                       "user_id = $4 AND committed = $5",
                       Params().add(to).add(touched_ms).add(sha256).add(user).add(from))
                   .affected() > 0;
    }

    bool remove_upload(const std::string& sha256, const std::string& user,
                       std::int64_t touched_before) override {
        writer_only();
        return c_->run("DELETE FROM uploads WHERE sha256 = $1 AND user_id = $2 AND "
                       "($3::bigint <= 0 OR touched_ms < $3::bigint)",
                       Params().add(sha256).add(user).add(touched_before))
                   .affected() > 0;
    }

    void dump(const std::string& table, const std::function<void(const Json&)>& out) override {
        flush_all();
        columns_of(table); // checks the table is one a backup holds
        auto r = c_->once("SELECT * FROM " + table, Params());
        const int n = PQnfields(r.get());
        for (int i = 0; i < r.rows(); ++i) {
            Json record = Json::object();
            for (int k = 0; k < n; ++k) {
                const std::string name = backup_name(PQfname(r.get(), k));
                const Oid type = PQftype(r.get(), k);
                if (r.null(i, k))
                    record[name] = nullptr;
                else if (type == kInt8 || type == kInt4)
                    record[name] = r.int64(i, k);
                else if (type == kBool) // 0 or 1, as SQLite keeps it
                    record[name] = r.boolean(i, k) ? 1 : 0;
                else
                    record[name] = r.text(i, k);
            }
            out(record);
        }
    }

    void load(const std::string& table, const std::vector<Json>& records) override {
        writer_only();
        const auto columns = columns_of(table); // backup name -> (column, type)
        for (const Json& rec : records) {
            if (!rec.is_object())
                throw std::invalid_argument("a record of " + table + " is not a JSON object");
            std::string names, marks;
            Params p;
            int n = 0;
            for (auto it = rec.begin(); it != rec.end(); ++it) {
                auto col = columns.find(it.key());
                if (col == columns.end())
                    throw std::invalid_argument("a record of " + table + " has a column \"" +
                                                it.key().substr(0, 64) +
                                                "\" this store does not know");
                names += (names.empty() ? "" : ", ") + col->second.first;
                marks += (marks.empty() ? "$" : ", $") + std::to_string(++n);
                const Json& v = *it;
                const bool boolean = col->second.second == "boolean";
                if (v.is_null())
                    p.add_null();
                else if (v.is_boolean())
                    p.add(boolean ? (v.get<bool>() ? "t" : "f") : (v.get<bool>() ? "1" : "0"));
                else if (v.is_number_integer())
                    p.add(boolean ? std::string(v.get<std::int64_t>() ? "t" : "f")
                                  : std::to_string(v.get<std::int64_t>()));
                else if (v.is_string())
                    p.add(v.get_ref<const std::string&>());
                else
                    throw std::invalid_argument("a record of " + table + " has a value of \"" +
                                                it.key() + "\" that is not text or a number");
            }
            c_->run("INSERT INTO " + table + " (" + names + ") VALUES (" + marks + ")", p);
            // The log's end, as the writer counts it, follows what was loaded.
            if (table == "changes")
                if (auto seq = rec.find("seq"); seq != rec.end() && seq->is_number_integer())
                    seq_ = std::max(seq_, seq->get<std::int64_t>());
        }
    }

    void set_epoch(const Epoch& e) override {
        writer_only();
        const std::string sql = "INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) "
                                "DO UPDATE SET value = excluded.value";
        c_->run(sql, Params().add("epoch").add(e.id));
        c_->run(sql, Params().add("epoch_base").add(std::to_string(e.base)));
        owner_.set_epoch_cache(e);
    }

    void savepoint() override {
        writer_only();
        flush_all();
        c_->run("SAVEPOINT part");
        saved_seq_ = seq_;
    }

    void release_savepoint() override {
        flush_all();
        c_->run("RELEASE part");
    }

    void rollback_to_savepoint() override {
        // What the part read or wrote may be undone: read it again from the store.
        forget_rows();
        changes_.clear();
        ops_.clear();
        c_->run("ROLLBACK TO part");
        c_->run("RELEASE part");
        seq_ = saved_seq_;
    }

    void commit() override {
        flush_all();
        // The notification is sent by the commit itself, so other servers hear of it only once
        // its changes are there to read.
        std::string sql = "COMMIT";
        if (write_ && !appended.empty())
            sql = "SELECT pg_notify('" + std::string(kChannel) + "', " +
                  c_->literal(encode_notification(appended)) + "); COMMIT";
        auto r = c_->script(sql);
        done_ = true;
        if (r.command_status() != "COMMIT")
            throw PgError("", "PostgreSQL: the transaction was rolled back (" + r.command_status() +
                                  ") instead of committed");
        if (!appended.empty() && owner_.on_commit) owner_.on_commit(appended);
    }

private:
    Stored load_row(std::string_view entity, std::string_view id) override {
        auto r = c_->run("SELECT school, fields, seq, hlc, deleted, versions FROM rows "
                         "WHERE entity = $1 AND id = $2",
                         Params().add(entity).add(id));
        Stored s;
        if (r.rows()) {
            s.row = Row{std::string(entity), std::string(id),
                        r.text(0, 0),        detail::parse_or(r.view(0, 1), Json::object()),
                        r.int64(0, 2),       r.text(0, 3),
                        r.boolean(0, 4)};
            s.versions = r.text(0, 5);
        }
        return s;
    }

    void store_rows(const std::vector<RowWrite>& rows) override {
        std::vector<Params> with_versions, keep_versions;
        for (const RowWrite& w : rows) {
            const Row& r = *w.row;
            Params p;
            p.add(r.entity).add(r.id).add(r.school);
            p.add(w.fields ? *w.fields : r.fields.dump()).add(r.seq).add(r.hlc);
            p.add(r.deleted);
            if (w.versions) {
                p.add(*w.versions);
                with_versions.push_back(std::move(p));
            } else {
                keep_versions.push_back(std::move(p));
            }
        }
        const std::string update = "ON CONFLICT (entity, id) DO UPDATE SET "
                                   "school = excluded.school, fields = excluded.fields, "
                                   "seq = excluded.seq, hlc = excluded.hlc, "
                                   "deleted = excluded.deleted";
        insert_many(*c_,
                    "INSERT INTO rows (entity, id, school, fields, seq, hlc, deleted, versions)",
                    {"text", "text", "text", "text", "bigint", "text", "boolean", "text"},
                    with_versions, update + ", versions = excluded.versions");
        insert_many(*c_, "INSERT INTO rows (entity, id, school, fields, seq, hlc, deleted)",
                    {"text", "text", "text", "text", "bigint", "text", "boolean"}, keep_versions,
                    update);
    }

    // Rows, log entries and op results held in memory go out in a few statements.
    void flush_all() {
        flush_rows();
        if (!changes_.empty()) {
            insert_many(*c_,
                        "INSERT INTO changes (seq, op, entity, row_id, school, kind, fields, hlc, "
                        "base, dseq, schema, author, device, visit, for_device, wire)",
                        {"bigint", "text", "text", "text", "text", "text", "text", "text", "bigint",
                         "bigint", "integer", "text", "text", "text", "text", "text"},
                        changes_, "");
            changes_.clear();
        }
        if (!ops_.empty()) {
            insert_many(*c_, "INSERT INTO ops (op, device, result)", {"text", "text", "text"}, ops_,
                        "");
            ops_.clear();
        }
    }

    std::vector<Row> rows_where(const std::string& sql, const std::string& arg) {
        auto r = c_->run(sql, Params().add(arg));
        std::vector<Row> out;
        out.reserve(static_cast<std::size_t>(r.rows()));
        for (int i = 0; i < r.rows(); ++i)
            out.push_back(read_row(r, i));
        return out;
    }

    // The columns of a table a backup holds (kBackupTables), by their names in a backup: the
    // column here and its type. Anything else is refused.
    std::map<std::string, std::pair<std::string, std::string>>
    columns_of(const std::string& table) {
        bool known = false;
        for (const char* t : kBackupTables)
            known = known || table == t;
        if (!known) throw std::invalid_argument("\"" + table + "\" is not a table of a backup");
        auto r = c_->run("SELECT column_name, data_type FROM information_schema.columns WHERE "
                         "table_schema = current_schema() AND table_name = $1",
                         Params().add(table));
        std::map<std::string, std::pair<std::string, std::string>> out;
        for (int i = 0; i < r.rows(); ++i)
            out[backup_name(r.text(i, 0))] = {r.text(i, 0), r.text(i, 1)};
        return out;
    }

    static std::string backup_name(const std::string& column) {
        return column == "user_id" ? "user" : column;
    }

    static std::optional<Account> one_account(const PgResult& r) {
        if (!r.rows()) return std::nullopt;
        return detail::account_from(r.text(0, 0), r.text(0, 1), r.view(0, 2), r.text(0, 3));
    }

    void rollback_quietly() {
        try {
            if (c_ && c_->ok() && PQtransactionStatus(c_->conn) != PQTRANS_IDLE)
                c_->script("ROLLBACK");
        } catch (...) {
        }
    }

    void give_back() {
        if (!c_) return;
        if (write_)
            owner_.release_writer(std::move(c_));
        else
            owner_.release(std::move(c_));
    }

    PgStore& owner_;
    std::unique_ptr<PgStore::Connection> c_;
    bool done_ = false;
    std::int64_t seq_ = 0;       // the end of the log, read under the lock, counted in memory
    std::int64_t saved_seq_ = 0; // at the savepoint
    std::vector<Params> changes_, ops_;
};

// Runs the migration steps under their own lock; `mode` says whether a store may be made.
Status migrate(PgStore::Connection& c, PgStore::Mode mode, const PgTarget& target) {
    const std::string lock = std::to_string(kLockSpace) + ", " + std::to_string(kMigrateLock);
    c.script("SELECT pg_advisory_lock(" + lock + ")");
    struct Unlock {
        PgStore::Connection& c;
        std::string lock;
        ~Unlock() {
            try {
                c.script("SELECT pg_advisory_unlock(" + lock + ")");
            } catch (...) {
            }
        }
    } unlock{c, lock};
    const bool exists =
        c.script("SELECT to_regclass('sitevisit_schema') IS NOT NULL").boolean(0, 0);
    int current = 0;
    if (exists)
        current = static_cast<int>(c.script("SELECT version FROM sitevisit_schema").int64(0, 0));
    if (mode == PgStore::Mode::New && exists)
        return invalid("the PostgreSQL database " + target.text() +
                       " holds a store already; init makes a new store only where there is none");
    if (mode == PgStore::Mode::Existing && !exists)
        return Error{ErrorCode::Storage,
                     "there is no store in the PostgreSQL database " + target.text() +
                         ": run `sitevisit-server init` with this --store to start an empty "
                         "one, or restore the database from a backup"};
    const int latest = kSteps[std::size(kSteps) - 1].version;
    if (current > latest)
        return Error{ErrorCode::Unsupported,
                     "the PostgreSQL database " + target.text() +
                         " was written by a newer sitevisit-server (schema " +
                         std::to_string(current) + "); this build knows schema " +
                         std::to_string(latest)};
    for (const auto& step : kSteps) {
        if (step.version <= current) continue;
        c.script("BEGIN");
        try {
            c.script(step.sql);
            c.script("UPDATE sitevisit_schema SET version = " + std::to_string(step.version));
            c.script("COMMIT");
        } catch (...) {
            try {
                c.script("ROLLBACK");
            } catch (...) {
            }
            throw;
        }
    }
    return ok_status();
}

} // namespace

int pg_schema_version() {
    return kSteps[std::size(kSteps) - 1].version;
}

Result<std::unique_ptr<PgStore>> PgStore::open(const std::string& url, Mode mode, int readers,
                                               Database::Durability durability) {
    auto target = parse_store_url(url);
    if (!target) return target.error();
    auto store = std::unique_ptr<PgStore>(new PgStore());
    store->url_ = url;
    store->target_ = *target;
    std::string why;
    auto writer = open_connection(url, *target, &why);
    if (!writer) return Error{ErrorCode::Storage, why};
    try {
        if (auto st = migrate(*writer, mode, *target); !st) return st.error();
        // Normal: a commit does not wait for the disk (filling a new store in one go).
        if (durability == Database::Durability::Normal) {
            writer->setup = "SET synchronous_commit = off";
            writer->script(writer->setup);
        }
    } catch (const std::exception& e) {
        return Error{ErrorCode::Storage,
                     "opening the PostgreSQL store at " + target->text() + " failed: " + e.what()};
    }
    try {
        auto meta = writer->script("SELECT key, value FROM meta");
        for (int i = 0; i < meta.rows(); ++i) {
            if (meta.view(i, 0) == "epoch") store->epoch_.id = meta.text(i, 1);
            if (meta.view(i, 0) == "epoch_base") store->epoch_.base = std::stoll(meta.text(i, 1));
        }
    } catch (const std::exception& e) {
        return Error{ErrorCode::Storage, "reading the PostgreSQL store's epoch at " +
                                             target->text() + " failed: " + e.what()};
    }
    store->writer_pid_ = PQbackendPID(writer->conn);
    store->writer_ = std::move(writer);
    for (int i = 0; i < std::max(1, readers); ++i) {
        auto reader = open_connection(url, *target, &why);
        if (!reader) return Error{ErrorCode::Storage, why};
        store->idle_.push_back(std::move(reader));
    }
    return store;
}

PgStore::~PgStore() {
    watch_other_writers(false);
}

std::unique_ptr<PgStore::Connection> PgStore::take_reader() {
    std::unique_lock lock(mutex_);
    available_.wait(lock, [&] { return !idle_.empty(); });
    auto c = std::move(idle_.back());
    idle_.pop_back();
    return c;
}

namespace {
// A connection that broke (the database restarted, the network dropped) is made again before
// its next use; its prepared statements went with it.
bool usable(PgStore::Connection& c) {
    if (c.ok()) return true;
    PQreset(c.conn);
    c.prepared.clear();
    if (!c.ok()) return false;
    PQsetNoticeProcessor(c.conn, ignore_notice, nullptr);
    PQsetClientEncoding(c.conn, "UTF8");
    try {
        if (!c.setup.empty()) c.script(c.setup);
    } catch (const std::exception&) {
        return false;
    }
    return true;
}
} // namespace

Result<std::unique_ptr<StoreTx>> PgStore::begin(bool write) {
    std::unique_ptr<Connection> c;
    if (write) {
        // First come, first served: a ticket each, the connection to the lowest.
        std::unique_lock lock(writer_mutex_);
        const std::uint64_t ticket = next_ticket_++;
        writer_free_.wait(lock, [&] { return serving_ == ticket && writer_; });
        c = std::move(writer_);
    } else {
        c = take_reader();
    }
    if (!usable(*c)) {
        const std::string why = "cannot reach the PostgreSQL store at " + target_.text() + ": " +
                                trimmed(PQerrorMessage(c->conn));
        if (write)
            release_writer(std::move(c));
        else
            release(std::move(c));
        return Error{ErrorCode::Storage, why};
    }
    if (write) writer_pid_ = PQbackendPID(c->conn);
    try {
        return std::unique_ptr<StoreTx>(new PgTx(*this, std::move(c), write));
    } catch (const PgError& e) {
        // Another server held the log's lock past the wait: the caller may wait on.
        if (e.state() == "55P03") return Error{ErrorCode::Busy, e.what()};
        return Error{ErrorCode::Storage, e.what()};
    }
}

std::vector<std::string> PgStore::quick_check() {
    // PostgreSQL checks its own pages; what is checked here is that the store answers.
    auto c = take_reader();
    std::vector<std::string> problems;
    try {
        if (!usable(*c))
            problems.push_back("cannot reach " + target_.text() + ": " +
                               trimmed(PQerrorMessage(c->conn)));
        else
            c->script("SELECT version FROM sitevisit_schema");
    } catch (const std::exception& e) {
        problems.push_back(e.what());
    }
    release(std::move(c));
    return problems;
}

void PgStore::release(std::unique_ptr<Connection> c) {
    {
        std::lock_guard lock(mutex_);
        idle_.push_back(std::move(c));
    }
    available_.notify_one();
}

void PgStore::release_writer(std::unique_ptr<Connection> c) {
    {
        std::lock_guard lock(writer_mutex_);
        writer_ = std::move(c);
        ++serving_;
    }
    writer_free_.notify_all();
}

void PgStore::watch_other_writers(bool on) {
    if (!on) {
        stopping_ = true;
        if (listener_.joinable()) listener_.join();
        stopping_ = false;
        return;
    }
    if (listener_.joinable()) return;
    listener_ = std::thread([this] { listen_loop(); });
}

void PgStore::listen_loop() {
    std::unique_ptr<Connection> c;
    bool missed = false; // the connection broke: notifications may have been lost
    std::string why;
    while (!stopping_) {
        if (!c) {
            try {
                c = open_connection(url_, target_, &why);
                if (c) {
                    c->script(std::string("LISTEN ") + kChannel);
                    if (missed && on_commit) {
                        // Whatever committed meanwhile: every waiting pull looks again.
                        Appended all;
                        all.everyone = true;
                        all.last_seq = std::max<std::int64_t>(
                            1, c->script("SELECT coalesce(max(seq), 0) FROM changes").int64(0, 0));
                        on_commit(all);
                    }
                    missed = false;
                }
            } catch (const std::exception&) {
                c.reset();
            }
            if (!c) {
                missed = true;
                for (int i = 0; i < 10 && !stopping_; ++i)
                    std::this_thread::sleep_for(std::chrono::milliseconds(100));
                continue;
            }
        }
        pollfd p{PQsocket(c->conn), POLLIN, 0};
        if (::poll(&p, 1, 200) < 0) continue;
        if (!PQconsumeInput(c->conn)) {
            c.reset();
            missed = true;
            continue;
        }
        while (PGnotify* n = PQnotifies(c->conn)) {
            // Our own commits were reported by the committing thread already.
            if (n->be_pid != writer_pid_ && on_commit && n->extra)
                on_commit(decode_notification(n->extra));
            PQfreemem(n);
        }
    }
}

Result<std::vector<std::string>> pg_table_names(const std::string& url) {
    auto target = parse_store_url(url);
    if (!target) return target.error();
    std::string why;
    auto c = open_connection(url, *target, &why);
    if (!c) return Error{ErrorCode::Storage, why};
    try {
        auto r = c->script("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
                           "ORDER BY tablename");
        std::vector<std::string> out;
        for (int i = 0; i < r.rows(); ++i)
            out.push_back(r.text(i, 0));
        return out;
    } catch (const std::exception& e) {
        return Error{ErrorCode::Storage,
                     "listing the tables of " + target->text() + " failed: " + e.what()};
    }
}

Status pg_drop_tables_made_since(const std::string& url, const std::vector<std::string>& before) {
    auto now = pg_table_names(url);
    if (!now) return now.error();
    std::vector<std::string> made;
    for (const auto& t : *now)
        if (std::find(before.begin(), before.end(), t) == before.end()) made.push_back(t);
    if (made.empty()) return ok_status();
    auto target = parse_store_url(url);
    std::string why;
    auto c = open_connection(url, *target, &why);
    if (!c) return Error{ErrorCode::Storage, why};
    std::string sql = "DROP TABLE";
    for (std::size_t i = 0; i < made.size(); ++i) {
        sql += i ? ", " : " ";
        char* quoted = PQescapeIdentifier(c->conn, made[i].data(), made[i].size());
        if (!quoted) return Error{ErrorCode::Storage, "cannot quote a table name"};
        sql += quoted;
        PQfreemem(quoted);
    }
    try {
        c->script("BEGIN; " + sql + " CASCADE; COMMIT");
    } catch (const std::exception& e) {
        return Error{ErrorCode::Storage, "removing the tables a failed restore made in " +
                                             target->text() + " failed: " + e.what()};
    }
    return ok_status();
}

} // namespace sitevisit::server
