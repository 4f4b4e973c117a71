#pragma once

// How the server decides a pushed change against what it stores: plain functions with no
// storage in them, so each rule is tested on its own (tests/unit/merge_rules_test.cpp). The
// push (push.cpp) reads the rows and field versions, asks these, and writes what they say.

#include "sitevisit/core/hlc.h"
#include "sitevisit/core/json.h"
#include "sitevisit/protocol/messages.h"
#include "sitevisit/server/store.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sitevisit::server::merge {

// One field two writers set concurrently: the value that stands and the one kept in a
// conflict record. A delete's winning value is null.
struct FieldConflict {
    std::string field;
    Json winner, loser;
    std::string winner_author, loser_author;
    std::string winner_hlc, loser_hlc;
};

// A device's clock orders conflicting edits; a stamp more than HlcClock::kMaxAheadMs past the
// server's wall clock is clamped to that bound (counter 0), so one bad clock cannot win every
// later conflict.
struct Stamp {
    Hlc hlc;
    bool clamped = false;
};
Stamp clamp_stamp(Hlc stamp, std::int64_t now_ms);

// The pushed change as the merge sees it.
struct Incoming {
    std::int64_t base = 0;      // the row's seq the device last saw
    std::string device_key;     // user/device: a device never conflicts with itself
    std::string author;         // user id
    Hlc stamp;                  // already clamped
    std::string hlc;            // stamp.to_string()
    bool conflict_free = false; // the entity resolves by clock without conflict records
};

// Was this field set by another device after the incoming change's base?
bool concurrent(const FieldVersion& stored, const Incoming& in);

// An edit of a live row, field by field: a field another device set after the base is
// concurrent and the higher clock wins (an unreadable stored clock loses). `changed` keeps the
// fields that win or were not concurrent; `lost` holds the stored values that beat the
// incoming ones (the server sends them again after the change); `conflicts` one record per
// concurrent field unless the entity is conflict-free. `versions[i]` belongs to `names[i]`.
struct FieldMerge {
    Json changed = Json::object();
    Json lost = Json::object();
    std::vector<FieldConflict> conflicts;
};
FieldMerge merge_fields(Json changed, const Json& stored_fields,
                        const std::vector<std::string>& names,
                        const std::vector<FieldVersion>& versions, const Incoming& in);

// A delete of a live row stands against concurrent edits; each edited field is kept as a
// conflict record (winner null, the stored value the loser).
std::vector<FieldConflict> delete_conflicts(const Json& stored_fields,
                                            const std::vector<std::string>& names,
                                            const std::vector<FieldVersion>& versions,
                                            const Incoming& in);

// An edit of a deleted row does not bring it back: every incoming field becomes a conflict
// record (winner null with the delete's clock, the edit the loser).
std::vector<FieldConflict> edit_of_deleted_conflicts(const Json& incoming_fields,
                                                     const Incoming& in,
                                                     const std::string& deleted_hlc);

// A change's fields applied to a stored row's: null removes a field.
void apply_fields(Json& row_fields, const Json& changed);

// The fields of the conflict row made for one conflicting field (status open).
Json conflict_fields(const std::string& entity, const std::string& row_id, const FieldConflict& c);
// A stored row keeps no null fields.
Json without_nulls(Json fields);

// A device numbers its changes 1, 2, 3 ... with no gaps; `expected` is the last one applied.
enum class Sequence { Next, Reused, Gap };
Sequence check_dseq(std::int64_t dseq, std::int64_t expected);
// The refusal for a reused or skipped number.
protocol::OpResult sequence_refusal(const std::string& op, std::int64_t dseq, std::int64_t expected,
                                    Sequence verdict);
// The refusal for an op id another device sent first.
protocol::OpResult op_reused(const std::string& op);

// An op id seen before answers the result stored the first time: `duplicate` with its seq,
// or `rejected` again with the same reason.
std::string stored_result(const protocol::OpResult& result);
protocol::OpResult replayed_result(const std::string& op, const std::string& stored);

} // namespace sitevisit::server::merge
