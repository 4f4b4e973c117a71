// sitevisit-demo: what core can do, end to end, on a real SQLite file. Creates a school's
// plan with benchmarks and readings, a site visit with ratings, and prints the derived
// benchmark status and the visit summary.
#include "sitevisit/core/migrations.h"
#include "sitevisit/core/queries.h"
#include "sitevisit/core/store.h"
#include "sitevisit/core/time_format.h"

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <map>

using namespace sitevisit;

namespace {

std::string must(Result<WriteResult> r, const char* what) {
    if (!r) {
        std::cerr << "demo: " << what << " failed: " << r.error().message << "\n";
        std::exit(1);
    }
    return r->id;
}

User person(const std::string& id, const std::string& name, Role role) {
    User u;
    u.id = id;
    u.name = name;
    u.email = name.substr(0, name.find(' ')) + "@example.org";
    u.role = role;
    return u;
}

} // namespace

int main(int argc, char** argv) {
    std::string path = (std::filesystem::temp_directory_path() / "sitevisit-demo.db").string();
    for (int i = 1; i < argc; ++i) {
        if (!std::strcmp(argv[i], "--db") && i + 1 < argc) {
            path = argv[++i];
        } else {
            std::cerr << "usage: sitevisit-demo [--db FILE]   (default " << path << ", replaced)\n";
            return 2;
        }
    }
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);

    auto opened = Store::open({path});
    if (!opened) {
        std::cerr << "demo: " << opened.error().message << "\n";
        return 1;
    }
    Store& store = **opened;
    const Reference& ref = store.reference();

    User admin = person("0190a000-0000-7000-8000-000000000001", "Ada Admin", Role::Admin);
    auto region = must(store.put(admin, {"region", "", "", {{"name", "Coastal"}, {"code", "COAST"}}}), "region");
    auto district = must(store.put(admin, {"district", "", "", {{"region", region}, {"code", "00350000"}, {"name", "Harbor City"}}}), "district");
    auto school = must(store.put(admin, {"school", "", "", {{"district", district}, {"code", "00350123"}, {"name", "Lincoln Elementary"}, {"level", "elementary"}, {"percentile", 4}, {"designation", "chronically_underperforming"}}}), "school");

    User receiver = person("0190a000-0000-7000-8000-000000000002", "Rita Receiver", Role::Receiver);
    receiver.schools = {school};
    User principal = person("0190a000-0000-7000-8000-000000000003", "Paul Principal", Role::Principal);
    principal.schools = {school};
    User lead = person("0190a000-0000-7000-8000-000000000004", "Lena Lead", Role::AssistanceLead);
    lead.districts = {district};
    for (const User* u : {&admin, &receiver, &principal, &lead}) {
        Json f = u->to_fields();
        must(store.put(admin, {"user", u->id, "", f}), "user");
    }

    auto plan = must(store.put(receiver, {"plan", "", school, {{"kind", "turnaround"}, {"title", "Lincoln turnaround plan"}, {"first_year", "2026-2027"}, {"last_year", "2028-2029"}}}), "plan");
    auto objective = must(store.put(receiver, {"objective", "", "", {{"plan", plan}, {"title", "Every student attends and feels safe"}, {"practice", 4}}}), "objective");
    auto initiative = must(store.put(receiver, {"initiative", "", "", {{"objective", objective}, {"title", "Attendance team with family outreach"}}}), "initiative");
    auto absent = must(store.put(receiver, {"benchmark", "", "", {{"initiative", initiative}, {"type", "outcome"}, {"audience", "students"}, {"measure", "Chronic absenteeism"}, {"unit", "%"}, {"baseline", 28.0}, {"baseline_date", "2026-09-01"}, {"target", 18.0}, {"due", "2027-06-15"}, {"cadence", "monthly"}}}), "benchmark");
    auto walk = must(store.put(receiver, {"benchmark", "", "", {{"initiative", initiative}, {"type", "process"}, {"audience", "educators"}, {"measure", "Families reached by the attendance team"}, {"unit", "families"}, {"baseline", 0.0}, {"baseline_date", "2026-09-01"}, {"target", 120.0}, {"due", "2027-06-15"}, {"cadence", "monthly"}}}), "benchmark");

    must(store.put(principal, {"reading", "", "", {{"benchmark", absent}, {"date", "2026-10-01"}, {"value", 27.0}}}), "reading");
    must(store.put(principal, {"reading", "", "", {{"benchmark", absent}, {"date", "2026-11-01"}, {"value", 24.5}}}), "reading");
    must(store.put(principal, {"reading", "", "", {{"benchmark", walk}, {"date", "2026-11-01"}, {"value", 12.0}}}), "reading");

    const std::string rubric = "msv-2026-2027-elementary";
    auto visit = must(store.put(lead, {"visit", "", school, {{"kind", "monitoring"}, {"rubric", rubric}, {"start_date", "2026-11-18"}}}), "visit");
    int n = 0;
    for (const auto& ind : ref.rubric(rubric)->indicators) {
        if (n++ % 3) continue; // rate every third indicator
        must(store.put(lead, {"observation", "", "", {{"visit", visit}, {"indicator", ind.id}, {"rating", (n / 3) % 4}, {"note", "Seen in grade 3 and 4 classrooms."}, {"source", "classroom_observation"}}}), "observation");
    }

    std::cout << "Site Visit core demo — store " << path << " (schema " << user_version(store.database()) << ")\n\n";
    const std::int64_t today = store.clock().now_ms() / 86400000;
    std::cout << "Lincoln Elementary, plan \"Lincoln turnaround plan\" (today " << format_date_days(today) << ")\n";
    for (const auto& id : {absent, walk}) {
        auto row = store.get("benchmark", id);
        auto status = benchmark_status(store, id, today);
        std::cout << "  " << (*row)->fields["measure"].get<std::string>() << ": " << label(status->status)
                  << "\n      " << status->reason << "\n";
    }

    std::cout << "\nVisit " << visit << " (draft) ratings by practice:\n";
    std::map<int, std::pair<int, int>> by_practice;
    auto observations = store.list("observation", "visit", visit);
    for (const auto& obs : *observations) {
        const Indicator* ind = ref.indicator(obs.fields["indicator"].get<std::string>());
        auto& [sum, count] = by_practice[ind->practice];
        sum += obs.fields["rating"].get<int>();
        ++count;
    }
    for (const auto& [practice, sc] : by_practice)
        std::cout << "  " << practice << ". " << ref.practice(practice)->name.substr(0, 60) << ": "
                  << sc.second << " rated, mean " << static_cast<double>(sc.first) / sc.second << "\n";

    std::cout << "\nThe rules at work:\n";
    auto bad = store.put(lead, {"observation", "", "", {{"visit", visit}, {"indicator", ref.rubric(rubric)->indicators[1].id}, {"rating", 7}}});
    std::cout << "  lead rates 7:            refused: " << bad.error().message << "\n";
    auto peek = store.put(principal, {"observation", "", "", {{"visit", visit}, {"indicator", ref.rubric(rubric)->indicators[1].id}, {"rating", 2}}});
    std::cout << "  principal rates a draft: refused: " << peek.error().message << "\n";
    must(store.put(lead, {"visit", visit, "", {{"status", "submitted"}}}), "submit");
    auto late = store.put(lead, {"observation", "", "", {{"visit", visit}, {"indicator", ref.rubric(rubric)->indicators[1].id}, {"rating", 2}}});
    std::cout << "  lead rates after submit: refused: " << late.error().message << "\n";

    std::cout << "\nOutbox: " << *store.outbox_count() << " changes waiting for the server, dseq 1.."
              << store.last_dseq() << ", clock " << store.last_hlc().to_string() << "\n";
    auto entries = store.outbox(1);
    std::cout << "First change on the wire:\n  " << (*entries)[0].change.to_json().dump() << "\n";
    return 0;
}
