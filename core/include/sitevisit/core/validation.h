#pragma once

#include "sitevisit/core/entities.h"
#include "sitevisit/core/json.h"
#include "sitevisit/core/reference.h"
#include "sitevisit/core/result.h"

namespace sitevisit {

// Checks values against the entity specs and the reference data, with messages a person can
// act on: "rating must be 0-3 (No evidence .. Sustaining), got 7".
class Validator {
public:
    explicit Validator(const Reference& reference) : ref_(reference) {}

    // One value for one field (null allowed unless the field is required).
    Status check_value(const FieldSpec& field, const Json& value) const;
    // A change's fields: an object of known fields with valid values.
    Status check_fields(const EntitySpec& entity, const Json& fields) const;
    // The whole row after the change: required fields present, rules across fields
    // (an end date not before the start, a plan of three school years or more, ...).
    Status check_row(const EntitySpec& entity, const Json& row) const;

    // What a person typed for a field, as the field's checked JSON value: "2" for a rating or
    // a whole number is 2, "yes" for a yes/no field is true, lists and objects are JSON,
    // empty text is null; then check_value (range, enum, length) as for any edit.
    Result<Json> value_from_text(const FieldSpec& field, std::string_view text) const;

    const Reference& reference() const { return ref_; }

private:
    const Reference& ref_;
};

// The id format an entity uses: a UUID, or a readable reference id.
Status check_row_id(const EntitySpec& entity, std::string_view id);

// Characters in UTF-8 text as a person counts them: code points (bytes that do not start one
// are not counted). Every "at most N characters" limit counts these.
std::size_t count_code_points(std::string_view utf8);

} // namespace sitevisit
