#pragma once

#include "sitevisit/core/json.h"
#include "sitevisit/core/result.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>

struct sqlite3;
struct sqlite3_stmt;

namespace sitevisit {

// Thrown inside the store layers only; their public calls turn it into an Error.
class SqliteError : public std::runtime_error {
public:
    SqliteError(int code, const std::string& what) : std::runtime_error(what), code_(code) {}
    int code() const { return code_; }

private:
    int code_;
};

class Statement {
public:
    Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;
    ~Statement();

    Statement& bind(int index, std::int64_t value);
    Statement& bind(int index, int value) { return bind(index, static_cast<std::int64_t>(value)); }
    Statement& bind(int index, double value);
    Statement& bind(int index, std::string_view value);
    Statement& bind(int index, const char* value) { return bind(index, std::string_view(value)); }
    Statement& bind(int index, const std::string& value) {
        return bind(index, std::string_view(value));
    }
    // Text SQLite reads in place instead of copying: it must stay as it is until the statement
    // is reset (run() resets it; so does Database::cached() when it hands the statement out).
    Statement& bind_borrowed(int index, std::string_view value);
    Statement& bind_null(int index);
    // Strings, numbers, booleans, null; lists and objects as JSON text.
    Statement& bind_json(int index, const Json& value);

    // true while a row is ready
    bool step();
    void run(); // step to completion
    void reset();

    int columns() const;
    bool is_null(int col) const;
    std::int64_t int64(int col) const;
    double real(int col) const;
    std::string text(int col) const;
    std::string_view text_view(int col) const;
    int column_type(int col) const;
    const char* column_name(int col) const;

private:
    sqlite3* db_;
    sqlite3_stmt* stmt_;
};

// A SQLite connection with a cache of prepared statements.
class Database {
public:
    enum class Durability { Normal, Full };

    static Result<std::unique_ptr<Database>> open(const std::string& path);
    ~Database();
    Database(const Database&) = delete;
    Database& operator=(const Database&) = delete;

    void exec(const std::string& sql);
    // Reset and ready for binding; stays cached for the connection's life.
    Statement& cached(const std::string& sql);
    std::unique_ptr<Statement> prepare(const std::string& sql);
    std::int64_t changes() const;
    std::int64_t last_insert_rowid() const;
    sqlite3* handle() { return db_; }
    void set_durability(Durability d);
    std::string path() const { return path_; }
    bool in_transaction() const;

private:
    explicit Database(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
    sqlite3* db_;
    std::string path_;
    std::unordered_map<std::string, std::unique_ptr<Statement>> cache_;
};

// BEGIN IMMEDIATE on construction, ROLLBACK unless commit() was called.
class Transaction {
public:
    explicit Transaction(Database& db);
    ~Transaction();
    void commit();

private:
    Database& db_;
    bool done_ = false;
};

[[noreturn]] void throw_sqlite(sqlite3* db, int rc, const std::string& context);

} // namespace sitevisit
