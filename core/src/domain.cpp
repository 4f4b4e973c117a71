#include "sitevisit/core/domain.h"

namespace sitevisit::domain {

namespace {
// Empty text, lists and nulls are "not set": left out of a new row so defaults apply; on an
// existing row nulls and empty lists are sent (the store keeps only what changed).
bool unset(const Json& v) {
    return v.is_null() || (v.is_string() && v.get_ref<const std::string&>().empty()) ||
           (v.is_array() && v.empty()) || (v.is_object() && v.empty());
}
} // namespace

#define SV_TYPE(Type, ENTITY_NAME, ...)                                                            \
    NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(Type, __VA_ARGS__)                             \
    template <> const char* entity_of<Type>() {                                                    \
        return ENTITY_NAME;                                                                        \
    }                                                                                              \
    template <> Result<Type> from_row<Type>(const Row& row) {                                      \
        if (row.entity != ENTITY_NAME)                                                             \
            return invalid(std::string("a ") + row.entity + " row is not a " + ENTITY_NAME);       \
        try {                                                                                      \
            Json j = row.fields;                                                                   \
            j["id"] = row.id;                                                                      \
            j["school"] = row.school;                                                              \
            return j.get<Type>();                                                                  \
        } catch (const Json::exception& e) {                                                       \
            return invalid(std::string(ENTITY_NAME) + " " + row.id +                               \
                           " does not fit: " + e.what());                                          \
        }                                                                                          \
    }                                                                                              \
    template <> WriteRequest to_request<Type>(const Type& v) {                                     \
        Json j = v;                                                                                \
        WriteRequest r{ENTITY_NAME, v.id, v.school, Json::object()};                               \
        j.erase("id");                                                                             \
        j.erase("school");                                                                         \
        for (auto it = j.begin(); it != j.end(); ++it)                                             \
            if (!unset(it.value()) || (!v.id.empty() && !it.value().is_string()))                  \
                r.fields[it.key()] = it.value();                                                   \
        return r;                                                                                  \
    }

SV_TYPE(Region, "region", id, school, name, code)
SV_TYPE(District, "district", id, school, region, code, name)
SV_TYPE(School, "school", id, school, district, code, name, level, category, designation,
        percentile)
SV_TYPE(Person, "user", id, school, email, name, role, region, districts, schools, active)
SV_TYPE(Plan, "plan", id, school, kind, title, first_year, last_year, goal, status, previous)
SV_TYPE(Objective, "objective", id, school, plan, title, practice, position)
SV_TYPE(Initiative, "initiative", id, school, objective, title, description, owner, start, end,
        status)
SV_TYPE(Benchmark, "benchmark", id, school, initiative, type, audience, measure, unit, baseline,
        baseline_date, target, due, cadence, direction)
SV_TYPE(Reading, "reading", id, school, benchmark, date, value, note, recorded_by)
SV_TYPE(Reflection, "reflection", id, school, plan, year, worked, worked_evidence, not_worked,
        not_worked_evidence, stakeholders, decisions, district_systems, reasons, status)
SV_TYPE(Visit, "visit", id, school, kind, rubric, start_date, end_date, team, status, strengths,
        areas_for_growth)
SV_TYPE(Observation, "observation", id, school, visit, indicator, rating, note, source, grade,
        subject, room, time)
SV_TYPE(Evidence, "evidence", id, school, title, description, kind, sha256, size, media_type,
        uploaded_by, taken_at, benchmarks, indicators, observations)
SV_TYPE(Review, "review", id, school, evidence, reviewer, decision, comment, at)
SV_TYPE(Comment, "comment", id, school, target_entity, target, author, body, at)
SV_TYPE(Conflict, "conflict", id, school, entity, row, field, winner_value, loser_value,
        winner_author, loser_author, winner_hlc, loser_hlc, status, resolution, resolved_by)
SV_TYPE(NextStep, "next_step", id, school, title, description, owner, due_date, status, return_note,
        visit, indicator, benchmark)

#undef SV_TYPE

} // namespace sitevisit::domain
