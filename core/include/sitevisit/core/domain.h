#pragma once

// Typed value types for every entity of DOMAIN.md, for code that wants names instead of JSON
// (view models, the demo, tests). They convert to and from a row's fields; the store and the
// validator stay generic over entities.h, so these add no second set of rules.

#include "sitevisit/core/json.h"
#include "sitevisit/core/store.h"

#include <optional>
#include <string>
#include <vector>

namespace sitevisit::domain {

using Ids = std::vector<std::string>;

struct Region {
    std::string id, school, name, code;
};
struct District {
    std::string id, school, region, code, name;
};
struct School {
    std::string id, school, district, code, name, level, category, designation;
    std::optional<int> percentile;
};
struct Person {
    std::string id, school, email, name, role;
    std::optional<std::string> region;
    Ids districts, schools;
    std::optional<bool> active;
};
struct Plan {
    std::string id, school, kind, title, first_year, last_year, goal;
    std::string status;   // draft | submitted; empty: made before drafts, in effect
    std::string previous; // the plan this one renews
};
struct Objective {
    std::string id, school, plan, title;
    int practice = 0;
    std::optional<int> position;
};
struct Initiative {
    std::string id, school, objective, title, description, owner, start, end, status;
};
struct Benchmark {
    std::string id, school, initiative, type, audience, measure, unit;
    double baseline = 0;
    std::string baseline_date;
    double target = 0;
    std::string due, cadence;
    std::string direction; // "higher" (also when empty) or "lower" is better
};
struct Reading {
    std::string id, school, benchmark, date;
    double value = 0;
    std::string note, recorded_by;
};
struct Reflection {
    std::string id, school, plan, year, worked, worked_evidence, not_worked, not_worked_evidence,
        stakeholders, district_systems, status;
    // objective or initiative id -> continue | revise | abandon
    Json decisions = Json::object();
    Json reasons = Json::object(); // objective or initiative id -> why
};
struct Visit {
    std::string id, school, kind, rubric, start_date;
    std::optional<std::string> end_date;
    Ids team;
    std::string status;
    Json strengths = Json::object();        // practice number ("1".."4") -> text
    Json areas_for_growth = Json::object(); // practice number ("1".."4") -> text
};
struct Observation {
    std::string id, school, visit, indicator;
    std::optional<int> rating; // null: unrated
    std::string note;
    std::optional<std::string> source;
    std::string grade, subject, room;
    std::optional<std::string> time;
};
struct Evidence {
    std::string id, school, title, description, kind, sha256;
    std::int64_t size = 0;
    std::string media_type, uploaded_by;
    std::optional<std::string> taken_at;
    Ids benchmarks, indicators, observations;
};
struct Review {
    std::string id, school, evidence, reviewer, decision, comment, at;
};
struct Comment {
    std::string id, school, target_entity, target, author, body, at;
};
struct Conflict {
    std::string id, school, entity, row, field;
    Json winner_value, loser_value;
    std::string winner_author, loser_author, winner_hlc, loser_hlc, status;
    Json resolution;
    std::string resolved_by;
};
struct NextStep {
    std::string id, school, title, description, owner, due_date, status, return_note;
    std::optional<std::string> visit, indicator, benchmark;
};

// The entity name each type maps to.
template <class T> const char* entity_of();

// A typed value from a stored row; an error if the row's fields do not fit the type.
template <class T> Result<T> from_row(const Row& row);
// A write request carrying every field of the value (the store sends only what changed).
template <class T> WriteRequest to_request(const T& value);

} // namespace sitevisit::domain
