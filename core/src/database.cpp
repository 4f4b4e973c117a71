#include "sitevisit/core/database.h"

#include <sqlite3.h>

namespace sitevisit {

void throw_sqlite(sqlite3* db, int rc, const std::string& context) {
    std::string msg = context + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
    throw SqliteError(rc, msg);
}

Statement::~Statement() {
    sqlite3_finalize(stmt_);
}

#define SV_CHECK_BIND(expr)                                                                        \
    do {                                                                                           \
        int rc_ = (expr);                                                                          \
        if (rc_ != SQLITE_OK) throw_sqlite(db_, rc_, "bind");                                      \
    } while (0)

Statement& Statement::bind(int i, std::int64_t v) {
    SV_CHECK_BIND(sqlite3_bind_int64(stmt_, i, v));
    return *this;
}
Statement& Statement::bind(int i, double v) {
    SV_CHECK_BIND(sqlite3_bind_double(stmt_, i, v));
    return *this;
}
Statement& Statement::bind(int i, std::string_view v) {
    SV_CHECK_BIND(
        sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT));
    return *this;
}
Statement& Statement::bind_borrowed(int i, std::string_view v) {
    SV_CHECK_BIND(sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_STATIC));
    return *this;
}
Statement& Statement::bind_null(int i) {
    SV_CHECK_BIND(sqlite3_bind_null(stmt_, i));
    return *this;
}
Statement& Statement::bind_json(int i, const Json& v) {
    switch (v.type()) {
    case Json::value_t::null:
        return bind_null(i);
    case Json::value_t::boolean:
        return bind(i, static_cast<std::int64_t>(v.get<bool>() ? 1 : 0));
    case Json::value_t::number_integer:
        return bind(i, v.get<std::int64_t>());
    case Json::value_t::number_unsigned:
        return bind(i, static_cast<std::int64_t>(v.get<std::uint64_t>()));
    case Json::value_t::number_float:
        return bind(i, v.get<double>());
    case Json::value_t::string:
        return bind(i, std::string_view(v.get_ref<const std::string&>()));
    default:
        return bind(i, v.dump());
    }
}

bool Statement::step() {
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    std::string sql = sqlite3_sql(stmt_) ? sqlite3_sql(stmt_) : "";
    sqlite3_reset(stmt_);
    throw_sqlite(db_, rc, "step [" + sql.substr(0, 80) + "]");
}

void Statement::run() {
    while (step()) {
    }
    reset();
}

void Statement::reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
}

int Statement::columns() const {
    return sqlite3_column_count(stmt_);
}
bool Statement::is_null(int c) const {
    return sqlite3_column_type(stmt_, c) == SQLITE_NULL;
}
std::int64_t Statement::int64(int c) const {
    return sqlite3_column_int64(stmt_, c);
}
double Statement::real(int c) const {
    return sqlite3_column_double(stmt_, c);
}
std::string Statement::text(int c) const {
    return std::string(text_view(c));
}
std::string_view Statement::text_view(int c) const {
    auto p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, c));
    if (!p) return {};
    return {p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, c))};
}
int Statement::column_type(int c) const {
    return sqlite3_column_type(stmt_, c);
}
const char* Statement::column_name(int c) const {
    return sqlite3_column_name(stmt_, c);
}

Result<std::unique_ptr<Database>> Database::open(const std::string& path) {
    sqlite3* db = nullptr;
    int rc =
        sqlite3_open_v2(path.c_str(), &db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc != SQLITE_OK) {
        std::string msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
        sqlite3_close(db);
        return Error{ErrorCode::Storage, "cannot open " + path + ": " + msg};
    }
    std::unique_ptr<Database> out(new Database(db, path));
    try {
        sqlite3_busy_timeout(db, 5000);
        sqlite3_extended_result_codes(db, 1);
        out->exec("PRAGMA journal_mode=WAL");
        out->exec("PRAGMA foreign_keys=OFF");
        out->set_durability(Durability::Full);
        // A file that is not SQLite fails here, before anything is written.
        out->exec("SELECT count(*) FROM sqlite_master");
    } catch (const SqliteError& e) {
        return Error{ErrorCode::Storage, "cannot open " + path + ": " + e.what()};
    }
    return out;
}

Database::~Database() {
    cache_.clear();
    sqlite3_close(db_);
}

void Database::exec(const std::string& sql) {
    char* err = nullptr;
    int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err);
    if (rc != SQLITE_OK) {
        std::string msg = err ? err : sqlite3_errstr(rc);
        sqlite3_free(err);
        throw SqliteError(rc, "exec: " + msg);
    }
}

std::unique_ptr<Statement> Database::prepare(const std::string& sql) {
    sqlite3_stmt* st = nullptr;
    int rc = sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()),
                                SQLITE_PREPARE_PERSISTENT, &st, nullptr);
    if (rc != SQLITE_OK) throw_sqlite(db_, rc, "prepare [" + sql.substr(0, 120) + "]");
    return std::make_unique<Statement>(db_, st);
}

Statement& Database::cached(const std::string& sql) {
    auto it = cache_.find(sql);
    if (it == cache_.end()) it = cache_.emplace(sql, prepare(sql)).first;
    it->second->reset();
    return *it->second;
}

std::int64_t Database::changes() const {
    return sqlite3_changes64(db_);
}
std::int64_t Database::last_insert_rowid() const {
    return sqlite3_last_insert_rowid(db_);
}
bool Database::in_transaction() const {
    return !sqlite3_get_autocommit(db_);
}

void Database::set_durability(Durability d) {
    // WAL + NORMAL survives the app being killed; FULL also survives power loss.
    exec(d == Durability::Full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL");
}

Transaction::Transaction(Database& db) : db_(db) {
    db_.cached("BEGIN IMMEDIATE").run();
}

Transaction::~Transaction() {
    if (!done_ && db_.in_transaction()) {
        try {
            db_.cached("ROLLBACK").run();
        } catch (...) {
        }
    }
}

void Transaction::commit() {
    db_.cached("COMMIT").run();
    done_ = true;
}

} // namespace sitevisit
