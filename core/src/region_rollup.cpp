#include "sitevisit/core/region_rollup.h"

#include "sitevisit/core/csv_export.h"
#include "sitevisit/core/plan_cycle.h"
#include "sitevisit/core/queries.h"
#include "sitevisit/core/time_format.h"
#include "sitevisit/core/values.h"

#include <algorithm>
#include <map>
#include <set>

namespace sitevisit {

namespace {

constexpr std::array<BenchmarkStatus, 6> kStatuses{
    BenchmarkStatus::NoData,   BenchmarkStatus::OnTrack, BenchmarkStatus::AtRisk,
    BenchmarkStatus::OffTrack, BenchmarkStatus::Met,     BenchmarkStatus::NotMet};

std::string two(int n) {
    return (n < 10 ? "0" : "") + std::to_string(n);
}

bool open_step(const Json& f) {
    auto s = parse_next_step_status(f.value("status", "open"));
    return s && *s != NextStepStatus::Done && *s != NextStepStatus::Verified;
}

std::vector<std::string> strings(const Json& f, const char* field) {
    std::vector<std::string> out;
    if (f.contains(field) && f[field].is_array())
        for (const auto& v : f[field])
            if (v.is_string()) out.push_back(v.get<std::string>());
    return out;
}

// What each school adds to a line: its benchmarks, its done visits (with their teams) and its
// overdue steps. A district's own rows (its plan's benchmarks, its next steps) add to the
// district's line the same way, without counting as a school.
struct SchoolFacts {
    std::string district;
    bool district_own = false;
    std::array<int, 6> benchmarks{};
    std::vector<std::vector<std::string>> done_visits; // each visit's team
    int overdue_steps = 0;
};

void add_school(RollupLine& line, const SchoolFacts& s, const std::string& lead = {}) {
    if (!s.district_own) ++line.schools;
    for (std::size_t i = 0; i < s.benchmarks.size(); ++i)
        line.benchmarks[i] += s.benchmarks[i];
    int done = 0;
    for (const auto& team : s.done_visits)
        if (lead.empty() || std::find(team.begin(), team.end(), lead) != team.end()) ++done;
    line.visits_done += done;
    if (done > 0) ++line.schools_visited;
    line.overdue_steps += s.overdue_steps;
}

} // namespace

Result<RegionRollup> region_rollup(const Store& store, const User& reader,
                                   const std::string& today) {
    if (reader.role != Role::RegionalDirector && reader.role != Role::Admin)
        return Error{ErrorCode::Forbidden, "the region view is for regional directors and admins"};
    if (reader.role == Role::RegionalDirector && reader.region.empty())
        return Error{ErrorCode::Forbidden, reader.email + " has no region"};
    const auto day = parse_date_days(today);
    if (!day || today.size() < 10) return invalid("today must be a date like 2026-11-30");

    RegionRollup out;
    out.region = reader.role == Role::Admin ? std::string() : reader.region;
    out.region_name = out.region.empty() ? "every region" : out.region;
    if (!out.region.empty())
        if (auto r = store.get("region", out.region); r && *r)
            out.region_name = (*r)->fields.value("name", out.region);
    const int year = std::stoi(today.substr(0, 4));
    const int month = std::stoi(today.substr(5, 2));
    const int q = (month - 1) / 3 + 1;
    out.quarter = std::to_string(year) + " Q" + std::to_string(q);
    out.quarter_start = std::to_string(year) + "-" + two(3 * q - 2) + "-01";
    out.quarter_end = std::to_string(year) + "-" + two(3 * q) + (q == 1 || q == 4 ? "-31" : "-30");

    std::map<std::string, std::vector<Row>> rows;
    for (const char* entity : {"district", "school", "benchmark", "visit", "next_step", "user"}) {
        auto r = store.list(entity);
        if (!r) return r.error();
        rows[entity] = std::move(*r);
    }
    auto list = [&rows](const char* entity) -> const std::vector<Row>& { return rows[entity]; };
    // The region's districts.
    std::map<std::string, RollupLine> districts;
    for (const auto& d : list("district"))
        if (!d.deleted && (out.region.empty() || d.fields.value("region", "") == out.region))
            districts[d.id] = RollupLine{d.id, d.fields.value("name", d.id)};
    // Facts per school of those districts.
    std::map<std::string, SchoolFacts> schools;
    for (const auto& [id, line] : districts) {
        schools[id].district = id;
        schools[id].district_own = true;
    }
    for (const auto& s : list("school"))
        if (!s.deleted && districts.count(s.fields.value("district", "")))
            schools[s.id].district = s.fields.value("district", "");
    // The benchmarks each school is held to this school year: not a draft of next year's plan,
    // not a renewed plan's.
    const int first = month >= 7 ? year : year - 1;
    auto held =
        benchmarks_in_effect(store, std::to_string(first) + "-" + std::to_string(first + 1));
    if (!held) return held.error();
    for (const auto& b : list("benchmark")) {
        auto it = schools.find(b.school);
        if (b.deleted || it == schools.end() || !held->count(b.id)) continue;
        auto report = benchmark_status(store, b.id, *day);
        if (!report && report.error().code == ErrorCode::Storage) return report.error();
        // A benchmark whose line cannot be drawn counts as having no readings to judge.
        ++it->second.benchmarks[static_cast<std::size_t>(report ? report->status
                                                                : BenchmarkStatus::NoData)];
    }
    for (const auto& v : list("visit")) {
        auto it = schools.find(v.school);
        if (v.deleted || it == schools.end() || v.fields.value("status", "draft") == "draft")
            continue;
        const std::string start = v.fields.value("start_date", "");
        if (start >= out.quarter_start && start <= out.quarter_end)
            it->second.done_visits.push_back(strings(v.fields, "team"));
    }
    for (const auto& s : list("next_step")) {
        auto it = schools.find(s.school);
        if (s.deleted || it == schools.end() || !open_step(s.fields)) continue;
        const std::string due = s.fields.value("due_date", "");
        if (!due.empty() && due < today) ++it->second.overdue_steps;
    }
    // Leads with a district here, and the districts each one holds.
    std::map<std::string, std::string> district_names;
    for (const auto& d : list("district"))
        district_names[d.id] = d.fields.value("name", d.id);
    for (const auto& u : list("user")) {
        if (u.deleted) continue;
        auto person = User::from_fields(u.id, u.fields);
        if (!person || person->role != Role::AssistanceLead || !person->active) continue;
        RollupLine lead{u.id, person->name};
        bool here = false;
        for (const auto& d : person->districts) {
            lead.with_ids.push_back(d);
            lead.with.push_back(district_names.count(d) ? district_names[d] : d);
            if (auto it = districts.find(d); it != districts.end()) {
                here = true;
                it->second.with.push_back(person->name);
                it->second.with_ids.push_back(u.id);
            }
        }
        if (!here) continue;
        for (const auto& [id, facts] : schools)
            if (std::find(person->districts.begin(), person->districts.end(), facts.district) !=
                person->districts.end())
                add_school(lead, facts, u.id);
        out.leads.push_back(std::move(lead));
    }
    for (const auto& [id, facts] : schools)
        add_school(districts[facts.district], facts);
    for (auto& [id, line] : districts) {
        // By name, each id beside its name.
        std::vector<std::pair<std::string, std::string>> leads;
        for (std::size_t i = 0; i < line.with.size(); ++i)
            leads.emplace_back(line.with[i], line.with_ids[i]);
        std::sort(leads.begin(), leads.end());
        line.with.clear();
        line.with_ids.clear();
        for (auto& [name, lead] : leads) {
            line.with.push_back(name);
            line.with_ids.push_back(lead);
        }
        out.districts.push_back(std::move(line));
    }
    auto by_name = [](const RollupLine& a, const RollupLine& b) {
        return std::tie(a.name, a.id) < std::tie(b.name, b.id);
    };
    std::sort(out.districts.begin(), out.districts.end(), by_name);
    std::sort(out.leads.begin(), out.leads.end(), by_name);
    return out;
}

Result<std::string> rollup_csv(const RegionRollup& rollup, const std::string& by) {
    if (by != "districts" && by != "leads")
        return invalid("a region view is by districts or by leads, not \"" + by.substr(0, 40) +
                       "\"");
    const bool leads = by == "leads";
    std::vector<std::string> header{leads ? "lead" : "district", leads ? "districts" : "leads",
                                    "schools"};
    for (auto s : kStatuses)
        header.push_back(std::string("benchmarks ") + label(s));
    for (const char* h : {"visits done", "schools visited", "overdue next steps", "quarter"})
        header.push_back(h);
    std::vector<std::vector<std::string>> lines;
    for (const auto& l : leads ? rollup.leads : rollup.districts) {
        std::string with;
        for (std::size_t i = 0; i < l.with.size(); ++i)
            with += (i ? "; " : "") + l.with[i];
        std::vector<std::string> cells{l.name, with, std::to_string(l.schools)};
        for (int n : l.benchmarks)
            cells.push_back(std::to_string(n));
        for (int n : {l.visits_done, l.schools_visited, l.overdue_steps})
            cells.push_back(std::to_string(n));
        cells.push_back(rollup.quarter);
        lines.push_back(std::move(cells));
    }
    return table_to_csv(header, lines);
}

Json rollup_json(const RegionRollup& rollup) {
    auto lines = [](const std::vector<RollupLine>& in) {
        Json out = Json::array();
        for (const auto& l : in) {
            Json benchmarks = Json::object();
            for (std::size_t i = 0; i < kStatuses.size(); ++i)
                benchmarks[to_string(kStatuses[i])] = l.benchmarks[i];
            out.push_back({{"id", l.id},
                           {"name", l.name},
                           {"with", l.with},
                           {"schools", l.schools},
                           {"benchmarks", benchmarks},
                           {"visits_done", l.visits_done},
                           {"schools_visited", l.schools_visited},
                           {"overdue_steps", l.overdue_steps}});
        }
        return out;
    };
    return {{"region", rollup.region.empty() ? Json(nullptr) : Json(rollup.region)},
            {"region_name", rollup.region_name},
            {"quarter", rollup.quarter},
            {"from", rollup.quarter_start},
            {"to", rollup.quarter_end},
            {"districts", lines(rollup.districts)},
            {"leads", lines(rollup.leads)}};
}

} // namespace sitevisit
