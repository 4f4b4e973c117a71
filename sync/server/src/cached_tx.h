#pragma once

// What the two backends' transactions share (private to the server library): rows read once
// and kept, writes held until the next flush, a row's field versions kept in one JSON value
// beside it, and the account and version encodings both stores write. A backend gives
// load_row() and store_rows(); the rest of StoreTx is its own.

#include "sitevisit/server/store.h"

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace sitevisit::server::detail {

// JSON text as stored, or `fallback` when it does not parse.
Json parse_or(std::string_view text, Json fallback);

// An account from its stored columns (the fields are the directory row's, as JSON text).
Account account_from(std::string id, std::string email, std::string_view fields,
                     std::string password_hash);

// A field's version in a row's `versions` value:
//   {"f": {field: seq}, "v": {"seq": [hlc, author, device]}}
// Fields set by one change share one entry of "v", so a row of five fields keeps one clock and
// author, not five.
FieldVersion version_in(const Json& versions, const std::string& field);
// `fields`, all set by one change at `version`.
void set_versions_in(Json& versions, const std::vector<std::string>& fields,
                     const FieldVersion& version);

class CachedTx : public StoreTx {
public:
    std::optional<Row> row(const EntitySpec& spec, std::string_view id) override;
    const std::optional<Row>* kept_row(const EntitySpec& spec, std::string_view id) override;
    Result<Place> place_of_school(std::string_view school) override;
    std::optional<VisitContext> visit(std::string_view id) override;
    const char* where() const override { return "on the server"; }
    std::vector<FieldVersion> field_versions(const std::string& entity, const std::string& id,
                                             const std::vector<std::string>& fields) override;
    void put_row(Row row) override;
    void put_row(Row row, std::string fields_json) override;
    std::shared_ptr<void> take_kept() override;
    void set_field_versions(const std::string& entity, const std::string& id,
                            const std::vector<std::string>& fields,
                            const FieldVersion& version) override;

protected:
    explicit CachedTx(bool write) : write_(write) {}

    // A row as stored, with its `versions` text ("{}" when it has none or is not there).
    struct Stored {
        std::optional<Row> row;
        std::string versions = "{}";
    };
    virtual Stored load_row(std::string_view entity, std::string_view id) = 0;
    // Rows to insert or replace, in the order first written; `versions` null: keep the
    // versions stored with the row (it was written without being read). `fields`, when not
    // null, is row->fields.dump() already made.
    struct RowWrite {
        const Row* row;
        const std::string* versions;
        const std::string* fields = nullptr;
    };
    virtual void store_rows(const std::vector<RowWrite>& rows) = 0;

    // Keeps a row read in a batch (prefetch_rows) unless this transaction knows it already.
    void keep_stored(std::string_view entity, std::string_view id, Stored stored);
    bool knows(std::string_view entity, std::string_view id) { return find(entity, id) != nullptr; }

    // Writes the rows held since the last flush (before a savepoint, a query over many rows,
    // or the commit).
    void flush_rows();
    // Forgets everything read or held (after a rollback to a savepoint).
    void forget_rows();
    void writer_only() const;

    const bool write_;

private:
    struct Cached {
        std::optional<Row> row;
        bool versions_known = false; // false: a row written without being read keeps its versions
        std::string versions_text = "{}";
        std::optional<Json> versions; // parsed on first use
        std::string fields_text;      // not empty: row->fields as JSON text
        bool fields_pending = false;  // row->fields not yet parsed from fields_text
        bool versions_dirty = false;
        bool dirty = false;
    };
    static std::string key(std::string_view entity, std::string_view id);
    // The writer keeps every row it reads; a reader only the few rows the read rule asks for
    // again and again (a pull may look at thousands of rows once each).
    bool caches(std::string_view entity) const;
    Cached* find(std::string_view entity, std::string_view id);
    Cached load(std::string_view entity, std::string_view id);
    Cached& keep(std::string_view entity, std::string_view id, Cached c);
    Cached& entry(std::string_view entity, std::string_view id);
    static Json& parsed_versions(Cached& c);
    // The kept row, its fields parsed if they were kept as text.
    static const std::optional<Row>& ready(Cached& c);
    // A row written: kept, to be stored at the next flush.
    Cached& hold(Row r);
    void mark_dirty(Cached& c);

    std::unordered_map<std::string, Cached> cache_;
    // Rows to write, in the order first written (an entry of cache_ keeps its place in memory
    // until cache_ is cleared, which clears this too).
    std::vector<Cached*> dirty_;
    std::string probe_; // a key being looked up
    std::unordered_map<std::string, Result<Place>> places_;
    std::unordered_map<std::string, std::optional<VisitContext>> visits_;
};

} // namespace sitevisit::server::detail
