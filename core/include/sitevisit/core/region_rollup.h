#pragma once

// A region rolled up for its regional director, by district and by Assistance Lead, from what
// the device holds: schools, benchmarks per status, visits done this quarter against the schools
// to visit, and next steps overdue.

#include "sitevisit/core/benchmark_status.h"
#include "sitevisit/core/permissions.h"
#include "sitevisit/core/store.h"

#include <array>
#include <string>
#include <vector>

namespace sitevisit {

struct RollupLine {
    std::string id;   // the district's or the lead's
    std::string name; // the district's name, or the lead's
    // A district: the leads whose caseload holds it. A lead: the districts of the caseload, in
    // the order of the person's record (districts outside the region included).
    std::vector<std::string> with;
    std::vector<std::string> with_ids;
    int schools = 0;
    // Benchmarks by derived status, indexed by BenchmarkStatus.
    std::array<int, 6> benchmarks{};
    // Visits submitted or reviewed whose start date falls in the quarter (a lead's: on their
    // team), and how many of the schools had at least one. Drafts are their team's alone, so a
    // director's device counts what was done, against every school being visited each quarter.
    int visits_done = 0;
    int schools_visited = 0;
    int overdue_steps = 0; // open, in progress or returned, past their due date
};

struct RegionRollup {
    std::string region;                     // id; empty for an admin: every region
    std::string region_name;                // "every region" for an admin
    std::string quarter;                    // "2026 Q4"
    std::string quarter_start, quarter_end; // ISO dates, both inside the quarter
    std::vector<RollupLine> districts;      // by name
    std::vector<RollupLine> leads;          // by name; active leads with a district here
};

// The reader's region (a regional director's; every region for an admin); others are refused.
// `today` is an ISO date; it names the quarter and what is overdue.
Result<RegionRollup> region_rollup(const Store& store, const User& reader,
                                   const std::string& today);

// The rollup as CSV, one line per district or per lead ("districts" or "leads"), with the same
// quoting as rows_to_csv.
Result<std::string> rollup_csv(const RegionRollup& rollup, const std::string& by);

// As JSON for scripts: {"region", "region_name", "quarter", "from", "to", "districts": [...],
// "leads": [...]}, each line {"id", "name", "with", "schools", "benchmarks": {status: n},
// "visits_done", "schools_visited", "overdue_steps"}.
Json rollup_json(const RegionRollup& rollup);

} // namespace sitevisit
