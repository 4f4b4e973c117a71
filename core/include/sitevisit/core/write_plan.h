#pragma once

#include "sitevisit/core/permissions.h"
#include "sitevisit/core/validation.h"

#include <functional>
#include <optional>
#include <string>

namespace sitevisit {

// A row as stored: fields that are set, plus the sync columns.
struct Row {
    std::string entity;
    std::string id;
    std::string school;
    Json fields = Json::object();
    std::int64_t seq = 0; // server sequence of the version last seen from (or given by) the server
    std::string hlc;
    bool deleted = false;
};

// A request to create or change one row.
struct WriteRequest {
    std::string entity;
    std::string id;     // empty: a new row with a new UUIDv7 (made by the store)
    std::string school; // scope key of a new top-level row; children take their parent's
    Json fields = Json::object();
};

// Where the rows of a scope key live: a school, with its district and region; or, for a
// district's own rows (their key is the district's id), the district and its region. `row`
// reads a stored row by entity and id; `missing` ends the message when the key is neither
// ("does not exist", "is not on this device").
Result<Place>
place_of_key(std::string_view key,
             const std::function<std::optional<Row>(const EntitySpec&, std::string_view)>& row,
             const char* missing);

// What access and the rubric check need of a visit.
struct VisitContext {
    std::string status;
    std::vector<std::string> team;
    std::string rubric;
    bool deleted = false; // its rules still hold for what hangs off it
};

// What planning a write needs to read of the rows already stored, wherever they are stored:
// the device store and the server each answer from their own tables.
class RowReader {
public:
    virtual ~RowReader() = default;
    virtual std::optional<Row> row(const EntitySpec& spec, std::string_view id) = 0;
    // The row as this reader keeps it in memory (nullopt: there is none), lent until the
    // reader's next write; null when the reader keeps no rows (ask row()). A parent read for
    // every child written is then not copied each time.
    virtual const std::optional<Row>* kept_row(const EntitySpec& /*spec*/,
                                               std::string_view /*id*/) {
        return nullptr;
    }
    virtual Result<Place> place_of_school(std::string_view school) = 0;
    // "on this device", "on the server": ends "visit X is not ..." messages.
    virtual const char* where() const = 0;
    // Cheaper than row() where the store can narrow the read; the default reads the row.
    virtual std::optional<VisitContext> visit(std::string_view id);
};

// What decide() needs of a team visit's `rating` or `rater` row with these fields: whose it is,
// and whether that person marked their ratings of the visit done.
void fill_rater_state(RowReader& rows, RowState& state, EntityKind kind, const Json& fields);

// A write checked against every rule, ready to be stored.
struct WritePlan {
    const EntitySpec* spec = nullptr;
    std::string id;
    std::string school;
    std::optional<Row> existing;
    bool is_delete = false;
    Json changed = Json::object(); // upsert: only the fields that differ from what is stored
    bool no_op() const { return !is_delete && existing && changed.empty(); }
};

// The one path every write takes, on the device and on the server: validate the fields, keep
// only what changes, fill defaults and authorship, find the row's school, check the whole row
// and the state rules, and ask decide(). `now_utc` stamps defaults such as a comment's time.
Result<WritePlan> plan_write(const Validator& validator, RowReader& rows, const User& actor,
                             const WriteRequest& request, const std::string& now_utc);
// The same write, its parts held by the caller (the server's incoming change) and not copied.
struct WriteView {
    const std::string& entity;
    const std::string& id;
    const std::string& school;
    const Json& fields;
};
Result<WritePlan> plan_write_of(const Validator& validator, RowReader& rows, const User& actor,
                                const WriteView& request, const std::string& now_utc);
Result<WritePlan> plan_delete(RowReader& rows, const User& actor, std::string_view entity,
                              std::string_view id);

// The plan_revision a write to a submitted plan (the plan, an objective, an initiative or a
// benchmark) leaves: which row, what changed (a removed row's last fields), and "submitted" for
// the write that submits a draft. None for a draft plan's parts or any other entity. The store
// writes it in the same transaction, so a submitted plan's history has every change.
std::optional<WriteRequest> plan_revision_for(RowReader& rows, const WritePlan& plan);

} // namespace sitevisit
