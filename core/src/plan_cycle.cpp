#include "sitevisit/core/plan_cycle.h"

#include "sitevisit/core/time_format.h"

#include <algorithm>
#include <map>

namespace sitevisit {

namespace {

std::string year_text(int first) {
    return std::to_string(first) + "-" + std::to_string(first + 1);
}

int first_year_of(const Row& plan) {
    return parse_school_year(plan.fields.value("first_year", "")).value_or(0);
}

// Newest first: by first school year, then by id (made later).
void newest_first(std::vector<Row>& plans) {
    std::stable_sort(plans.begin(), plans.end(), [](const Row& a, const Row& b) {
        const int fa = first_year_of(a), fb = first_year_of(b);
        return fa != fb ? fa > fb : a.id > b.id;
    });
}

bool draft(const Row& plan) {
    return plan.fields.value("status", "") == "draft";
}

// Children of `parent` by their position (then id), live rows only.
Result<std::vector<Row>> children(const Store& store, const char* entity, const char* field,
                                  const std::string& parent) {
    auto rows = store.list(entity, field, parent);
    if (!rows) return rows.error();
    std::vector<Row> out;
    for (auto& r : *rows)
        if (!r.deleted) out.push_back(std::move(r));
    std::stable_sort(out.begin(), out.end(), [](const Row& a, const Row& b) {
        return a.fields.value("position", 0) < b.fields.value("position", 0);
    });
    return out;
}

// The same day a year later (28 February for 29 February).
std::string a_year_after(const std::string& date) {
    if (date.size() != 10) return date;
    std::string md = date.substr(4);
    if (md == "-02-29") md = "-02-28";
    return std::to_string(std::stoi(date.substr(0, 4)) + 1) + md;
}

bool blank(const Json& fields, const std::string& name) {
    const std::string t = fields.value(name, "");
    return t.find_first_not_of(" \t\r\n") == std::string::npos;
}

} // namespace

Result<std::vector<Row>> plans_of_school(const Store& store, std::string_view school) {
    auto rows = store.list("plan", "school", std::string(school));
    if (!rows) return rows.error();
    std::vector<Row> out;
    for (auto& r : *rows)
        if (!r.deleted) out.push_back(std::move(r));
    newest_first(out);
    return out;
}

const Row* plan_in_effect(const std::vector<Row>& plans, const std::string& school_year) {
    if (plans.empty()) return nullptr;
    const int year = parse_school_year(school_year).value_or(9999);
    for (const auto& p : plans) {
        if (draft(p) || first_year_of(p) > year) continue;
        const bool renewed = std::any_of(plans.begin(), plans.end(), [&](const Row& q) {
            return !draft(q) && q.fields.value("previous", "") == p.id && first_year_of(q) <= year;
        });
        if (!renewed) return &p;
    }
    return &plans.front();
}

Result<std::set<std::string>> benchmarks_in_effect(const Store& store,
                                                   const std::string& school_year) {
    auto plans = store.list("plan");
    if (!plans) return plans.error();
    std::map<std::string, std::vector<Row>> by_school;
    for (auto& p : *plans)
        if (!p.deleted) by_school[p.school].push_back(std::move(p));
    std::set<std::string> in_effect_plans;
    for (auto& [school, list] : by_school) {
        newest_first(list);
        if (const Row* p = plan_in_effect(list, school_year)) in_effect_plans.insert(p->id);
    }
    auto objectives = store.list("objective");
    if (!objectives) return objectives.error();
    std::set<std::string> kept_objectives;
    for (const auto& o : *objectives)
        if (!o.deleted && in_effect_plans.count(o.fields.value("plan", "")))
            kept_objectives.insert(o.id);
    auto initiatives = store.list("initiative");
    if (!initiatives) return initiatives.error();
    std::set<std::string> kept_initiatives;
    for (const auto& i : *initiatives)
        if (!i.deleted && kept_objectives.count(i.fields.value("objective", "")))
            kept_initiatives.insert(i.id);
    auto benchmarks = store.list("benchmark");
    if (!benchmarks) return benchmarks.error();
    std::set<std::string> out;
    for (const auto& b : *benchmarks)
        if (!b.deleted && kept_initiatives.count(b.fields.value("initiative", "")))
            out.insert(b.id);
    return out;
}

Result<PlanTree> plan_tree(const Store& store, std::string_view plan_id) {
    auto plan = store.get("plan", plan_id);
    if (!plan) return plan.error();
    if (!*plan || (*plan)->deleted)
        return Error{ErrorCode::NotFound,
                     "plan " + std::string(plan_id) + " is not on this device"};
    PlanTree tree{**plan, {}};
    auto objectives = children(store, "objective", "plan", tree.plan.id);
    if (!objectives) return objectives.error();
    for (auto& o : *objectives) {
        PlanTree::Objective obj{std::move(o), {}};
        auto initiatives = children(store, "initiative", "objective", obj.row.id);
        if (!initiatives) return initiatives.error();
        for (auto& i : *initiatives) {
            PlanTree::Initiative ini{std::move(i), {}};
            auto benchmarks = children(store, "benchmark", "initiative", ini.row.id);
            if (!benchmarks) return benchmarks.error();
            ini.benchmarks = std::move(*benchmarks);
            obj.initiatives.push_back(std::move(ini));
        }
        tree.objectives.push_back(std::move(obj));
    }
    return tree;
}

Result<std::vector<std::string>> reflection_gaps(const Store& store, const Row& reflection) {
    std::vector<std::string> gaps;
    const Json& f = reflection.fields;
    const std::pair<const char*, const char*> questions[] = {
        {"worked", "what worked"},
        {"worked_evidence", "how you know it worked"},
        {"not_worked", "what did not work"},
        {"not_worked_evidence", "how you know it did not work"},
        {"stakeholders", "how stakeholders were involved"},
        {"district_systems", "how district systems support the plan"}};
    for (const auto& [field, words] : questions)
        if (blank(f, field)) gaps.push_back(std::string("Answer ") + words + ".");
    auto tree = plan_tree(store, f.value("plan", ""));
    if (!tree) return tree.error();
    const Json decisions = f.value("decisions", Json::object());
    const Json reasons = f.value("reasons", Json::object());
    auto decided = [&](const Row& row, const char* what) {
        const std::string title = row.fields.value("title", row.id);
        if (!decisions.contains(row.id)) {
            gaps.push_back(std::string("Decide whether the ") + what + " \"" + title +
                           "\" continues, is revised or is abandoned.");
            return std::string();
        }
        if (blank(reasons, row.id))
            gaps.push_back(std::string("Say why the ") + what + " \"" + title + "\" " +
                           (decisions[row.id] == "continue" ? "continues"
                            : decisions[row.id] == "revise" ? "is revised"
                                                            : "is abandoned") +
                           ".");
        return decisions[row.id].get<std::string>();
    };
    for (const auto& o : tree->objectives) {
        if (decided(o.row, "objective") == "abandon") continue;
        for (const auto& i : o.initiatives)
            decided(i.row, "initiative");
    }
    return gaps;
}

Result<WriteResult> submit_reflection(Store& store, const User& actor,
                                      std::string_view reflection_id) {
    auto row = store.get("reflection", reflection_id);
    if (!row) return row.error();
    if (!*row || (*row)->deleted)
        return Error{ErrorCode::NotFound,
                     "reflection " + std::string(reflection_id) + " is not on this device"};
    if ((*row)->fields.value("status", "") == "submitted")
        return Error{ErrorCode::Conflict, "the reflection on " + (*row)->fields.value("year", "") +
                                              " is submitted already"};
    auto gaps = reflection_gaps(store, **row);
    if (!gaps) return gaps.error();
    if (!gaps->empty()) {
        std::string message = "the reflection is not finished: " + gaps->front();
        if (gaps->size() > 1) message += " (and " + std::to_string(gaps->size() - 1) + " more)";
        return invalid(message);
    }
    return store.put(actor,
                     {"reflection", std::string(reflection_id), "", Json{{"status", "submitted"}}});
}

Result<Renewal> renew_plan(Store& store, const User& actor, std::string_view plan_id,
                           const std::string& today) {
    auto tree = plan_tree(store, plan_id);
    if (!tree) return tree.error();
    const Row& old = tree->plan;
    if (draft(old))
        return Error{
            ErrorCode::Conflict,
            "this plan is a draft; submit it, and reflect on its year, before renewing it"};
    auto siblings = plans_of_school(store, old.school);
    if (!siblings) return siblings.error();
    for (const auto& p : *siblings)
        if (p.fields.value("previous", "") == old.id)
            return Error{ErrorCode::Conflict, "this plan was renewed already: \"" +
                                                  p.fields.value("title", "") + "\" " +
                                                  p.fields.value("first_year", "") + " to " +
                                                  p.fields.value("last_year", "")};
    // Its newest submitted reflection.
    auto reflections = store.list("reflection", "plan", old.id);
    if (!reflections) return reflections.error();
    const Row* reflection = nullptr;
    for (const auto& r : *reflections)
        if (!r.deleted && r.fields.value("status", "") == "submitted" &&
            (!reflection || r.fields.value("year", "") > reflection->fields.value("year", "")))
            reflection = &r;
    if (!reflection)
        return Error{ErrorCode::Conflict,
                     "submit this year's reflection first: renewing follows from its decisions "
                     "on each objective and initiative"};
    const Json decisions = reflection->fields.value("decisions", Json::object());
    auto kept = [&](const Row& row, const std::string& otherwise) {
        const std::string d = decisions.value(row.id, otherwise);
        return d == "continue" || d == "revise";
    };

    Renewal out;
    const int year = parse_school_year(reflection->fields.value("year", "")).value_or(0) + 1;
    const int last =
        std::max(parse_school_year(old.fields.value("last_year", "")).value_or(0), year + 2);
    out.first_year = year_text(year);
    out.last_year = year_text(last);
    out.plan = store.new_id();
    std::vector<WriteRequest> writes;
    Json plan_fields{{"kind", old.fields.value("kind", "sip")},
                     {"title", old.fields.value("title", "")},
                     {"first_year", out.first_year},
                     {"last_year", out.last_year},
                     {"status", "draft"},
                     {"previous", old.id}};
    if (!blank(old.fields, "goal")) plan_fields["goal"] = old.fields["goal"];
    writes.push_back({"plan", out.plan, old.school, plan_fields});
    for (const auto& o : tree->objectives) {
        // An objective added after the reflection was submitted has no decision: it goes on.
        if (!kept(o.row, "continue")) continue;
        const std::string objective = store.new_id();
        Json of{{"plan", out.plan},
                {"title", o.row.fields.value("title", "")},
                {"practice", o.row.fields.value("practice", 1)}};
        if (o.row.fields.contains("position")) of["position"] = o.row.fields["position"];
        writes.push_back({"objective", objective, "", of});
        ++out.objectives;
        for (const auto& i : o.initiatives) {
            if (!kept(i.row, decisions.value(o.row.id, ""))) continue;
            const std::string initiative = store.new_id();
            Json inf{{"objective", objective}, {"title", i.row.fields.value("title", "")}};
            for (const char* f : {"description", "owner"})
                if (!blank(i.row.fields, f)) inf[f] = i.row.fields[f];
            // Carried on: under way next year, unless it had not begun.
            const std::string status = i.row.fields.value("status", "");
            inf["status"] =
                status == "not_started" || status.empty() ? "not_started" : "in_progress";
            writes.push_back({"initiative", initiative, "", inf});
            ++out.initiatives;
            for (const auto& b : i.benchmarks) {
                Json bf = b.fields;
                bf.erase("initiative");
                bf["initiative"] = initiative;
                std::string baseline_date = today;
                auto readings = store.list("reading", "benchmark", b.id);
                if (!readings) return readings.error();
                const Row* newest = nullptr;
                for (const auto& r : *readings)
                    if (!newest || r.fields.value("date", "") >= newest->fields.value("date", ""))
                        newest = &r;
                if (newest) {
                    bf["baseline"] = newest->fields["value"];
                    baseline_date = newest->fields.value("date", today);
                }
                bf["baseline_date"] = baseline_date;
                std::string due = a_year_after(b.fields.value("due", today));
                if (due <= baseline_date) due = a_year_after(baseline_date);
                bf["due"] = due;
                const bool lower = bf.value("direction", "higher") == "lower";
                const double base = bf.value("baseline", 0.0), target = bf.value("target", 0.0);
                if (lower ? target >= base : target <= base) {
                    bf["target"] = bf["baseline"];
                    ++out.targets_met;
                }
                writes.push_back({"benchmark", store.new_id(), "", bf});
                ++out.benchmarks;
            }
        }
    }
    auto written = store.put_all(actor, writes);
    if (!written) return written.error();
    return out;
}

} // namespace sitevisit
