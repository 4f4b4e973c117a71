#pragma once

#include "sitevisit/core/json.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sitevisit {

enum class FieldType {
    Text,
    Integer,
    Real,
    Bool,
    Date,       // "YYYY-MM-DD"
    DateTime,   // "YYYY-MM-DDTHH:MM:SS[.fff]Z"
    SchoolYear, // "2026-2027"
    Uuid,       // a reference to another row
    Enum,
    Sha256, // 64 lowercase hex digits
    Email,
    UuidList,  // JSON array of row ids
    TextList,  // JSON array of short strings (indicator ids)
    Object,    // JSON object (validated by the entity's own rule)
    Value,     // any JSON value (a conflict's two values)
    Rating,    // the continuum: 0..max from the reference data, or null for unrated
    Indicator, // an indicator id known to the reference data
    Source,    // an evidence source id known to the reference data
    Time,      // "HH:MM"
};

struct EnumValue {
    std::string value;
    std::string label;
    int since = 1; // the data schema that added this value
};

struct FieldSpec {
    std::string name;
    FieldType type = FieldType::Text;
    bool required = false;
    bool immutable = false; // fixed once the row exists (parents, scope keys)
    std::optional<double> min;
    std::optional<double> max;
    std::size_t max_length =
        0; // text length in characters (code points), or list size; 0 = the type's default
    std::vector<EnumValue> values;
    std::string references; // entity the Uuid points to
    int since = 1;          // the data schema that added this field
};

// Where a row's scope key points.
enum class ScopeKind {
    School,   // `school` is a school id (most rows; for `school` rows, their own id)
    District, // `school` holds the district id
    Region,   // `school` holds the region id
    Global,   // reference data and people: `school` is empty
};

// Each entity as a type, for the code that treats one specially (instead of comparing names).
enum class EntityKind {
    Other, // a spec made outside entity_specs()
    Region,
    District,
    School,
    User,
    Rubric,
    Indicator,
    Plan,
    Objective,
    Initiative,
    Benchmark,
    Reading,
    Reflection,
    Visit,
    Observation,
    Evidence,
    Review,
    Comment,
    Conflict,
    NextStep,
    Rating,
    Rater,
    MonitoringMeeting,
    PlanRevision,
};

struct EntitySpec {
    std::string name;
    ScopeKind scope = ScopeKind::School;
    bool uuid_ids =
        true; // false: reference data with readable ids ("msv-2026-2027-elementary/1.1")
    bool append_only = false;   // created, never edited or deleted (history)
    bool conflict_free = false; // concurrent edits resolve by clock without a conflict record
    std::string parent_field;   // the field naming the parent row whose school this row shares
    std::string parent_entity;
    std::vector<FieldSpec> fields;
    EntityKind kind = EntityKind::Other; // set by entity_specs() from the name
    int since = 1;                       // the data schema that added this entity

    const FieldSpec* field(std::string_view name) const;
    bool is(EntityKind k) const { return kind == k; }
};

// Every entity of DOMAIN.md, in dependency order (parents before children).
const std::vector<EntitySpec>& entity_specs();
const EntitySpec* find_entity(std::string_view name);
// The kind of the entity named so (Other for a name no spec has).
EntityKind entity_kind(std::string_view name);
std::string known_entities_text();

// The data schema version changes are written under (the `schema` of SYNC.md).
// 1: the first release. 2: next_step; plan goal; initiative owner, start, end, status;
// benchmark direction; visit strengths and areas for growth; comments on next steps.
// 3: team visits: each rater's own ratings (rating) and whether a rater is done (rater).
// 4: the district_leader role; monitoring meetings (monitoring_meeting).
// 5: plan status (draft, submitted) and previous; plan revisions (plan_revision); the
// reflection's district_systems, reasons and status.
// 6: a district's own rows: a district plan, its benchmarks and next steps kept at the district
// (their scope key is the district's id; permissions.h, kept_at_district).
constexpr int kDataSchemaVersion = 6;

// The lowest data schema that can read a change of `entity` carrying `fields` (an upsert's
// fields, or null for a delete): the newest of the entity, each field present and each enum
// value used. A device whose schema is lower is not sent the change (SYNC.md, "held back").
int schema_needed(const EntitySpec& entity, const Json& fields);

// What a device of data schema `schema` can be sent of an upsert: its fields without those
// newer than the schema (changes carry only the fields they change, so leaving some out never
// clears them). Nothing when the entity is newer, or a field it keeps uses a newer enum value.
std::optional<Json> readable_fields(const EntitySpec& entity, const Json& fields, int schema);

} // namespace sitevisit
