#include "sitevisit/server/demo.h"

#include "sitevisit/core/time_format.h"

#include <algorithm>
#include <sstream>
#include <vector>

namespace sitevisit::server {

namespace {

const char* const kSchoolsCsv =
    "org code,name,district code,district name,region,level,designation\n"
    "00350123,Lincoln Elementary,00350000,Harbor City,Coastal,elementary,chronically "
    "underperforming\n"
    "00350456,Harbor Middle,00350000,Harbor City,Coastal,middle,underperforming\n"
    "00350789,Harbor High,00350000,Harbor City,Coastal,secondary,broad/comprehensive support\n"
    "00360111,Bayside Elementary,00360000,Bayside,Coastal,elementary,focused/targeted support\n"
    "00360222,Bayside Middle,00360000,Bayside,Coastal,middle,underperforming\n"
    "00360333,Bayside High,00360000,Bayside,Coastal,secondary,none\n";

struct Demo {
    Service& service;
    BlobService& blobs;
    std::ostream& out;
    Status status = ok_status();

    std::string write(const User& actor, WriteRequest request) {
        if (!status) return {};
        auto r = service.admin_write(actor, request);
        if (!r) {
            status = Error{r.error().code, "demo: " + request.entity + ": " + r.error().message};
            return {};
        }
        return *r;
    }
};

// A small PDF of text pages (Helvetica), so the demo has a document to preview page by page.
std::string text_pdf(const std::vector<std::vector<std::string>>& pages) {
    auto escape = [](const std::string& t) {
        std::string e;
        for (char c : t) {
            if (c == '(' || c == ')' || c == '\\') e += '\\';
            e += c;
        }
        return e;
    };
    std::vector<std::string> objects; // object n is objects[n - 1]
    const std::size_t n = pages.size();
    std::string kids;
    for (std::size_t i = 0; i < n; ++i)
        kids += std::to_string(4 + 2 * i) + " 0 R ";
    objects.push_back("<< /Type /Catalog /Pages 2 0 R >>");
    objects.push_back("<< /Type /Pages /Kids [" + kids + "] /Count " + std::to_string(n) + " >>");
    objects.push_back("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>");
    for (std::size_t i = 0; i < n; ++i) {
        std::string content = "BT /F1 20 Tf 72 720 Td";
        bool first = true;
        for (const auto& line : pages[i]) {
            content += " (" + escape(line) + ") Tj 0 -" + std::string(first ? "34" : "20") + " Td";
            if (first) content += " /F1 12 Tf";
            first = false;
        }
        content += " ET";
        objects.push_back("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents " +
                          std::to_string(5 + 2 * i) +
                          " 0 R /Resources << /Font << /F1 3 0 R >> >> >>");
        objects.push_back("<< /Length " + std::to_string(content.size()) + " >>\nstream\n" +
                          content + "\nendstream");
    }
    std::string pdf = "%PDF-1.4\n";
    std::vector<std::size_t> offsets;
    for (std::size_t i = 0; i < objects.size(); ++i) {
        offsets.push_back(pdf.size());
        pdf += std::to_string(i + 1) + " 0 obj\n" + objects[i] + "\nendobj\n";
    }
    const std::size_t xref = pdf.size();
    pdf += "xref\n0 " + std::to_string(objects.size() + 1) + "\n0000000000 65535 f \n";
    for (std::size_t o : offsets) {
        std::string num = std::to_string(o);
        pdf += std::string(10 - num.size(), '0') + num + " 00000 n \n";
    }
    pdf += "trailer\n<< /Size " + std::to_string(objects.size() + 1) +
           " /Root 1 0 R >>\nstartxref\n" + std::to_string(xref) + "\n%%EOF\n";
    return pdf;
}

std::string day_offset(const Clock& clock, int days) {
    return format_date_days(clock.now_ms() / 86400000 + days);
}

} // namespace

Status seed_demo(Service& service, BlobService& blobs, std::ostream& out) {
    {
        auto users = service.list_users();
        if (!users) return users.error();
        if (!users->empty())
            return invalid("the data folder already holds users; run demo on an empty folder");
    }
    auto imported = service.import_schools(kSchoolsCsv);
    if (!imported) return imported.error();

    // The admin account, then the ids the import made, read through the admin's export.
    std::string region, harbor, bayside;
    std::vector<std::string> harbor_schools, bayside_schools;
    NewUser admin{"admin@demo.sitevisit", "Ada Admin", "admin"};
    auto admin_user = service.add_user(admin, "admin-demo-2026");
    if (!admin_user) return admin_user.error();
    auto all = service.export_for(admin.email);
    if (!all) return all.error();
    const Json& rows = (*all)["rows"];
    region = rows["region"].begin().key();
    for (auto it = rows["district"].begin(); it != rows["district"].end(); ++it)
        (it.value()["fields"]["code"] == "00350000" ? harbor : bayside) = it.key();
    std::map<std::string, std::string> school_by_code;
    for (auto it = rows["school"].begin(); it != rows["school"].end(); ++it) {
        school_by_code[it.value()["fields"]["code"].get<std::string>()] = it.key();
        (it.value()["fields"]["district"] == harbor ? harbor_schools : bayside_schools)
            .push_back(it.key());
    }
    const std::string lincoln = school_by_code["00350123"],
                      harbor_middle = school_by_code["00350456"],
                      bayside_el = school_by_code["00360111"];

    struct Person {
        NewUser user;
        const char* password;
    };
    std::vector<Person> people = {
        {{"director@demo.sitevisit", "Dana Director", "regional_director", region, {}, {}},
         "director-demo-2026"},
        {{"lead@demo.sitevisit", "Lena Lead", "assistance_lead", "", {}, {harbor, bayside}},
         "lead-demo-2026"},
        {{"lead2@demo.sitevisit", "Leo Lead", "assistance_lead", "", {}, {bayside}},
         "lead2-demo-2026"},
        {{"principal@demo.sitevisit", "Paula Principal", "principal", "", {lincoln}, {}},
         "principal-demo-2026"},
        {{"principal2@demo.sitevisit", "Pete Principal", "principal", "", {bayside_el}, {}},
         "principal2-demo-2026"},
        {{"receiver@demo.sitevisit", "Rosa Receiver", "receiver", "", {lincoln}, {}},
         "receiver-demo-2026"},
    };
    std::map<std::string, User> by_role;
    for (const auto& p : people) {
        auto u = service.add_user(p.user, p.password);
        if (!u) return u.error();
        by_role[p.user.email] = *u;
    }
    const User& lead = by_role["lead@demo.sitevisit"];
    const User& principal = by_role["principal@demo.sitevisit"];
    const User& principal2 = by_role["principal2@demo.sitevisit"];
    const User& receiver = by_role["receiver@demo.sitevisit"];
    User admin_actor = *admin_user;

    Demo d{service, blobs, out};
    const Clock& clock = service.clock();
    const Reference& ref = Reference::builtin();

    // Plans: the receiver writes Lincoln's turnaround plan; the admin writes the others.
    struct PlanSpec {
        std::string school;
        const User* author;
        const User* reporter;
        double ela_now, absent_now;
    };
    std::vector<PlanSpec> plans = {{lincoln, &receiver, &principal, 36.5, 23.0},
                                   {harbor_middle, &admin_actor, &admin_actor, 31.0, 27.5},
                                   {bayside_el, &admin_actor, &principal2, 47.0, 16.0}};
    const std::string start = day_offset(clock, -100), due = day_offset(clock, 200);
    std::vector<std::string> benchmarks_of_lincoln;
    for (const auto& p : plans) {
        auto plan =
            d.write(*p.author, {"plan",
                                "",
                                p.school,
                                {{"kind", "turnaround"},
                                 {"title", "Turnaround plan 2026-2029"},
                                 {"first_year", "2026-2027"},
                                 {"last_year", "2028-2029"},
                                 {"goal", "Every student reads and does math at grade level, "
                                          "because teachers adjust instruction to weekly data "
                                          "and students come to school every day."}}});
        auto o1 = d.write(*p.author, {"objective",
                                      "",
                                      "",
                                      {{"plan", plan},
                                       {"title", "Every classroom uses data to adjust instruction"},
                                       {"practice", 2},
                                       {"position", 1}}});
        auto o2 = d.write(*p.author, {"objective",
                                      "",
                                      "",
                                      {{"plan", plan},
                                       {"title", "Students attend, feel safe and are known"},
                                       {"practice", 4},
                                       {"position", 2}}});
        auto i1 = d.write(*p.author, {"initiative",
                                      "",
                                      "",
                                      {{"objective", o1},
                                       {"title", "Weekly data meetings by grade team"},
                                       {"owner", "Instructional coach"},
                                       {"start", start},
                                       {"end", due},
                                       {"status", "in_progress"}}});
        auto i2 = d.write(*p.author, {"initiative",
                                      "",
                                      "",
                                      {{"objective", o2},
                                       {"title", "Attendance team with family outreach"},
                                       {"owner", "Assistant principal"},
                                       {"start", day_offset(clock, -60)},
                                       {"end", due},
                                       {"status", "in_progress"}}});
        auto ela = d.write(*p.author, {"benchmark",
                                       "",
                                       "",
                                       {{"initiative", i1},
                                        {"type", "outcome"},
                                        {"audience", "students"},
                                        {"measure", "Students meeting ELA expectations"},
                                        {"unit", "%"},
                                        {"baseline", 30.0},
                                        {"baseline_date", start},
                                        {"target", 45.0},
                                        {"due", due},
                                        {"cadence", "monthly"},
                                        {"direction", "higher"}}});
        auto meetings =
            d.write(*p.author, {"benchmark",
                                "",
                                "",
                                {{"initiative", i1},
                                 {"type", "process"},
                                 {"audience", "educators"},
                                 {"measure", "Grade teams holding weekly data meetings"},
                                 {"unit", "teams"},
                                 {"baseline", 0.0},
                                 {"baseline_date", start},
                                 {"target", 6.0},
                                 {"due", due},
                                 {"cadence", "monthly"},
                                 {"direction", "higher"}}});
        auto absent = d.write(*p.author, {"benchmark",
                                          "",
                                          "",
                                          {{"initiative", i2},
                                           {"type", "annual_goal"},
                                           {"audience", "students"},
                                           {"measure", "Chronic absenteeism"},
                                           {"unit", "%"},
                                           {"baseline", 28.0},
                                           {"baseline_date", start},
                                           {"target", 18.0},
                                           {"due", due},
                                           {"cadence", "monthly"},
                                           {"direction", "lower"}}});
        if (p.school == lincoln) benchmarks_of_lincoln = {ela, meetings, absent};
        const User& who = *p.reporter;
        d.write(who, {"reading",
                      "",
                      "",
                      {{"benchmark", ela}, {"date", day_offset(clock, -60)}, {"value", 32.0}}});
        d.write(who, {"reading",
                      "",
                      "",
                      {{"benchmark", ela},
                       {"date", day_offset(clock, -20)},
                       {"value", p.ela_now},
                       {"note", "Interim assessment, window 2"}}});
        d.write(who, {"reading",
                      "",
                      "",
                      {{"benchmark", meetings}, {"date", day_offset(clock, -20)}, {"value", 2.0}}});
        d.write(who, {"reading",
                      "",
                      "",
                      {{"benchmark", absent}, {"date", day_offset(clock, -50)}, {"value", 26.0}}});
        d.write(
            who,
            {"reading",
             "",
             "",
             {{"benchmark", absent}, {"date", day_offset(clock, -15)}, {"value", p.absent_now}}});
    }

    // Past visits with ratings, submitted; one draft in progress.
    const std::string rubric_el = "msv-2026-2027-elementary",
                      rubric_sec = "msv-2026-2027-secondary";
    struct VisitSpec {
        std::string school, rubric;
        int days_ago;
        bool submit;
    };
    std::vector<std::string> visit_ids;
    for (const auto& v : std::vector<VisitSpec>{{lincoln, rubric_el, 70, true},
                                                {lincoln, rubric_el, 14, true},
                                                {harbor_middle, rubric_sec, 30, true},
                                                {bayside_el, rubric_el, 5, false}}) {
        auto visit =
            d.write(lead, {"visit",
                           "",
                           v.school,
                           {{"kind", v.days_ago > 60 ? "monitoring" : "progress_monitoring"},
                            {"rubric", v.rubric},
                            {"start_date", day_offset(clock, -v.days_ago)},
                            {"end_date", day_offset(clock, -v.days_ago)}}});
        int n = 0;
        for (const auto& ind : ref.rubric(v.rubric)->indicators) {
            ++n;
            if (!v.submit && n > 8) break;
            const int rating = std::min(3, (n + v.days_ago / 30) % 4 + (v.days_ago < 20 ? 1 : 0));
            d.write(lead, {"observation",
                           "",
                           "",
                           {{"visit", visit},
                            {"indicator", ind.id},
                            {"rating", rating},
                            {"note", "Seen in " + std::to_string(2 + n % 4) + " classrooms; " +
                                         (rating >= 2 ? "consistent across grades."
                                                      : "uneven across grades.")},
                            {"source", n % 3 == 0 ? "interview" : "classroom_observation"}}});
        }
        if (v.submit) d.write(lead, {"visit", visit, "", {{"status", "submitted"}}});
        visit_ids.push_back(visit);
    }

    // Next steps: what the visits and an at-risk benchmark asked, each owned by someone who
    // sees the school, in every state (one overdue at each designated school with a principal).
    if (d.status && visit_ids.size() == 4) {
        auto step = [&](const User& by, const std::string& school, const std::string& title,
                        const std::string& owner, int due_in, Json links = Json::object()) {
            Json fields = {{"title", title},
                           {"owner", owner},
                           {"due_date", day_offset(clock, due_in)},
                           {"status", "open"}};
            fields.update(links);
            return d.write(by, {"next_step", "", school, fields});
        };
        auto move = [&](const User& by, const std::string& id, const char* status) {
            d.write(by, {"next_step", id, "", {{"status", status}}});
        };
        const std::string earlier = visit_ids[0], last = visit_ids[1];
        // Verified: asked at the visit 70 days ago, done and checked since.
        auto posted =
            step(lead, lincoln, "Post the learning objective in every classroom", principal.id, -40,
                 {{"visit", earlier}, {"indicator", rubric_el + "/1.2"}});
        move(principal, posted, "done");
        move(lead, posted, "verified");
        // Overdue: asked at the last visit, not started.
        step(lead, lincoln, "Grade 3 team adds exit tickets to its weekly data meeting",
             principal.id, -3, {{"visit", last}, {"indicator", rubric_el + "/2.1"}});
        // In progress, due soon.
        auto greeters =
            step(lead, lincoln, "Morning greeters at both doors, every day", principal.id, 10,
                 {{"visit", last}, {"indicator", rubric_el + "/4.1"}});
        move(principal, greeters, "in_progress");
        // For the whole visit.
        step(lead, lincoln, "Share the visit's findings with all staff", principal.id, 21,
             {{"visit", last}});
        // Done, waiting to be verified: from the chronic absenteeism benchmark.
        if (benchmarks_of_lincoln.size() == 3) {
            auto calls = step(receiver, lincoln, "Call every family after two absences",
                              principal.id, -5, {{"benchmark", benchmarks_of_lincoln[2]}});
            move(principal, calls, "done");
        }
        // Bayside Elementary: on its own, overdue.
        step(lead, bayside_el, "Name the members of the attendance team", principal2.id, -2);
        // Harbor Middle (no principal on the demo): the lead's own.
        step(lead, harbor_middle, "Meet the new principal about the plan's first benchmarks",
             lead.id, 7);
    }

    // Evidence with small real files, uploaded by the principal.
    struct File {
        const char* title;
        const char* kind;
        const char* media;
        std::string bytes;
    };
    std::vector<File> files = {
        {"Attendance team meeting notes, October", "document", "text/plain",
         "Attendance team - October\n- 41 families reached by phone\n- 12 home visits\n- Next: "
         "morning greeters at both doors\n"},
        {"Grade 3 data meeting agenda", "document", "text/markdown",
         "# Grade 3 data meeting\n1. Interim results by standard\n2. Re-grouping for Tier 2\n3. "
         "Exit tickets for next week\n"},
        {"Interim assessment summary", "data", "text/csv",
         "grade,proficient_pct\n3,34\n4,38\n5,37\n"},
        {"Attendance improvement plan", "document", "application/pdf",
         text_pdf({{"Attendance improvement plan - Lincoln Elementary",
                    "Goal: chronic absenteeism from 28% to 18% by June.",
                    "1. Morning greeters at both doors, every day.",
                    "2. Attendance team meets weekly; calls after 2 absences.",
                    "3. Home visits after 5 absences, with the family liaison."},
                   {"Monitoring", "Weekly: absences by grade and by student group.",
                    "Monthly: chronic absenteeism rate, reported to the receiver.",
                    "Quarterly: review what worked with families and staff."}})},
    };
    for (std::size_t i = 0; i < files.size() && d.status; ++i) {
        std::string sha;
        if (auto st = blobs.put_local(principal.id, files[i].bytes, &sha); !st) return st;
        auto ev = d.write(principal,
                          {"evidence",
                           "",
                           lincoln,
                           {{"title", files[i].title},
                            {"kind", files[i].kind},
                            {"sha256", sha},
                            {"size", static_cast<std::int64_t>(files[i].bytes.size())},
                            {"media_type", files[i].media},
                            {"benchmarks", {benchmarks_of_lincoln[std::min<std::size_t>(i, 2)]}}}});
        if (i == 0)
            d.write(receiver,
                    {"review",
                     "",
                     "",
                     {{"evidence", ev},
                      {"decision", "accepted"},
                      {"comment", "Clear record of outreach; keep the weekly cadence."}}});
        if (i == 2)
            d.write(receiver,
                    {"review",
                     "",
                     "",
                     {{"evidence", ev},
                      {"decision", "needs_more"},
                      {"comment", "Please add the grade 4 and 5 breakdown by subgroup."}}});
    }
    if (!d.status) return d.status;

    out << "Demo data: 1 region, 2 districts, 6 schools, 3 plans, 4 visits, 7 next steps, 4 "
           "evidence files.\n"
        << "Sign in with (email / password):\n"
        << "  admin@demo.sitevisit / admin-demo-2026 (admin)\n";
    for (const auto& p : people)
        out << "  " << p.user.email << " / " << p.password << " (" << p.user.role << ")\n";
    return ok_status();
}

} // namespace sitevisit::server
