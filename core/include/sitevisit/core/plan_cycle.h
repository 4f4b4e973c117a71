#pragma once

// A plan's year: written as a draft and submitted; reflected on at the year's end (DESE's five
// questions, a decision and reason per objective and initiative), and renewed for the next
// year from what continues or is revised. Earlier plans stay as they were, readable.

#include "sitevisit/core/store.h"

#include <set>
#include <string>
#include <vector>

namespace sitevisit {

// A school's plans, newest first (by first year, then by id).
Result<std::vector<Row>> plans_of_school(const Store& store, std::string_view school);

// The plan a school works to in `school_year` ("2026-2027"): the newest plan that is not a
// draft, not renewed by a submitted plan, and begun by then; else the newest plan.
// `plans` as plans_of_school returns them.
const Row* plan_in_effect(const std::vector<Row>& plans, const std::string& school_year);

// The ids of the benchmarks each school is held to in `school_year`: those of its plan in
// effect. Drafts of next year's plan and renewed plans are not counted in status roll-ups.
Result<std::set<std::string>> benchmarks_in_effect(const Store& store,
                                                   const std::string& school_year);

// The objectives, initiatives and benchmarks of one plan, in plan order.
struct PlanTree {
    Row plan;
    struct Initiative {
        Row row;
        std::vector<Row> benchmarks;
    };
    struct Objective {
        Row row;
        std::vector<Initiative> initiatives;
    };
    std::vector<Objective> objectives;
};
Result<PlanTree> plan_tree(const Store& store, std::string_view plan_id);

// What a reflection still lacks before it is submitted, in words a person can act on: each
// of the five questions answered, a decision on every objective and on every initiative of an
// objective that is not abandoned, and a reason for each decision. Empty: ready.
Result<std::vector<std::string>> reflection_gaps(const Store& store, const Row& reflection);

// Submits the reflection once nothing is missing (else the first gaps, refused).
Result<WriteResult> submit_reflection(Store& store, const User& actor,
                                      std::string_view reflection_id);

struct Renewal {
    std::string plan; // the new plan's id
    std::string first_year, last_year;
    int objectives = 0, initiatives = 0, benchmarks = 0;
    int targets_met = 0; // benchmarks whose new baseline already met the target
};

// Makes next year's plan from `plan_id`'s newest submitted reflection, as a draft, in one
// transaction: objectives and initiatives that continue or are revised (an initiative without
// a decision goes with its objective), each kept initiative's benchmarks reset: the newest
// reading is the new baseline (else the old one), dated then (else `today`), due a year later;
// a target the new baseline already meets starts at the baseline, for the team to raise.
// Refused without a submitted reflection, or when the plan was renewed already.
Result<Renewal> renew_plan(Store& store, const User& actor, std::string_view plan_id,
                           const std::string& today);

} // namespace sitevisit
