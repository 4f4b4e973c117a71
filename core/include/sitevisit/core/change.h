#pragma once

#include "sitevisit/core/entities.h"
#include "sitevisit/core/json.h"
#include "sitevisit/core/result.h"

#include <cstdint>
#include <string>

namespace sitevisit {

enum class ChangeKind { Upsert, Delete };
const char* to_string(ChangeKind kind);

// One change in the wire format of SYNC.md.
struct Change {
    std::string op; // idempotency key (UUID)
    std::string entity;
    std::string id;     // row id
    std::string school; // scope key
    ChangeKind kind = ChangeKind::Upsert;
    Json fields = Json::object(); // upsert: only the changed fields
    std::string hlc;
    std::int64_t base = 0; // server seq of the row as the device last saw it
    std::int64_t dseq = 0; // the device's own gapless counter
    int schema = kDataSchemaVersion;
    std::int64_t seq = 0; // server sequence, set on changes that come from a pull

    Json to_json() const;
    // Checks the envelope (types, UUIDs, known entity, clock); field values are checked by
    // the Validator where the change is applied.
    static Result<Change> from_json(const Json& j);
    // The same, taking the fields out of `j` instead of copying them (a decoded request that is
    // not read again).
    static Result<Change> from_json(Json&& j);
    // The checks from_json makes on the values once their types are right (UUIDs, known
    // entity, row id, school, clock, an upsert's fields, the numbers' ranges): for decoders
    // that fill a Change without a JSON tree. from_json runs it too, so the two cannot drift.
    Status check_envelope() const;
};

} // namespace sitevisit
