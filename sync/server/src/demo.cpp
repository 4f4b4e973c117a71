#include "sitevisit/server/demo.h"

#include "sitevisit/core/time_format.h"

#include <algorithm>
#include <map>
#include <sstream>
#include <vector>

namespace sitevisit::server {

namespace {

// A district sits in one region (the import reads the region from a district's first line), so
// the chronically underperforming schools of Harbor City, in receivership and overseen by the
// Office of Strategic Transformation, are listed under a district of their own in that region.
const char* const kSchoolsCsv =
    "org code,name,district code,district name,region,level,designation\n"
    "00350123,Lincoln Elementary,00359000,Harbor City Receivership Schools,Office of Strategic "
    "Transformation,elementary,chronically underperforming\n"
    "00350345,Seaport Middle,00359000,Harbor City Receivership Schools,Office of Strategic "
    "Transformation,middle,chronically underperforming\n"
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

// Every benchmark's line runs from its baseline 100 days ago to its target due in 200 days.
constexpr int kBaselineDay = -100, kDueDay = 200;

struct ReadingSpec {
    int day; // from today
    double value;
    const char* note = nullptr;
};

struct BenchmarkSpec {
    int initiative; // its index in the plan's initiatives
    const char *type, *audience, *measure, *unit;
    double baseline, target;
    const char *cadence, *direction;
    std::vector<ReadingSpec> readings;
};

struct InitiativeSpec {
    int objective; // its index in the plan's objectives
    const char *title, *owner;
    int start, end; // days from today
    const char* status;
};

struct ObjectiveSpec {
    const char* title;
    int practice;
};

struct PlanSpec {
    std::string school;
    const User* author;   // the school's receiver, or an admin
    const User* reporter; // who records the readings: the principal, receiver or an admin
    const char *kind, *title, *first_year, *last_year, *goal;
    std::vector<ObjectiveSpec> objectives;
    std::vector<InitiativeSpec> initiatives;
    std::vector<BenchmarkSpec> benchmarks;
};

// A visit and how it found each of the four practices (a level 0-3 per practice).
struct VisitSpec {
    std::string school;
    const User* lead;
    const char* kind;
    int days_ago;
    const char* levels;
    bool submit = true;
};

// Each indicator's rating: its practice's level, turned up or down a step for some indicators,
// differently at each visit, so ratings move both ways from one visit to the next.
int rating_of(const char* levels, int practice, int n, int visit_number) {
    static const int turn[] = {0, 1, 0, -1, 0};
    return std::clamp(levels[practice - 1] - '0' + turn[(3 * n + 2 * visit_number) % 5], 0, 3);
}

// The lead's words per practice; each visit picks one of two.
const char* const kStrengths[4][2] = {
    {"The leadership team meets weekly and follows up on what it agrees.",
     "Leaders share one goal per grade, posted in every room."},
    {"Teachers use exit tickets to regroup students the next day.",
     "Grade teams bring student work to their data meetings."},
    {"Tier 2 groups are small and meet at the scheduled times.",
     "Students with IEPs learn in the general classroom most of the day."},
    {"Adults greet students by name at the doors.",
     "The behavior plan is posted and used the same way in every room."}};
const char* const kAreasForGrowth[4][2] = {
    {"Walkthrough feedback does not yet reach every teacher.",
     "The district's support is not yet tied to the plan's benchmarks."},
    {"Data meetings review results but do not yet plan reteaching.",
     "Lesson objectives are posted but rarely referred to."},
    {"Progress is not yet monitored on a set schedule.",
     "Interventions are chosen by teacher rather than by need."},
    {"Families hear from the school mostly when there is a problem.",
     "Chronic absence is noticed late; calls start after many absences."}};

Json per_practice(const char* const (&texts)[4][2], int pick) {
    Json j = Json::object();
    for (int p = 0; p < 4; ++p)
        j[std::to_string(p + 1)] = texts[p][(pick + p) % 2];
    return j;
}

struct File {
    std::string school;
    const User* uploader;
    const char *title, *kind, *media;
    std::string bytes;
    const char* supports; // the measure of the benchmark it is evidence for
};

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
    NewUser admin{"admin@demo.sitevisit", "Ada Admin", "admin"};
    auto admin_user = service.add_user(admin, "admin-demo-2026");
    if (!admin_user) return admin_user.error();
    auto all = service.export_for(admin.email);
    if (!all) return all.error();
    const Json& rows = (*all)["rows"];
    std::map<std::string, std::string> region_by_name, district_by_code, school_by_code;
    for (auto it = rows["region"].begin(); it != rows["region"].end(); ++it)
        region_by_name[it.value()["fields"]["name"].get<std::string>()] = it.key();
    for (auto it = rows["district"].begin(); it != rows["district"].end(); ++it)
        district_by_code[it.value()["fields"]["code"].get<std::string>()] = it.key();
    for (auto it = rows["school"].begin(); it != rows["school"].end(); ++it)
        school_by_code[it.value()["fields"]["code"].get<std::string>()] = it.key();
    const std::string coastal = region_by_name["Coastal"],
                      receivership = district_by_code["00359000"],
                      harbor = district_by_code["00350000"], bayside = district_by_code["00360000"];
    const std::string lincoln = school_by_code["00350123"], seaport = school_by_code["00350345"],
                      harbor_middle = school_by_code["00350456"],
                      harbor_high = school_by_code["00350789"],
                      bayside_el = school_by_code["00360111"],
                      bayside_middle = school_by_code["00360222"];

    struct Person {
        NewUser user;
        const char* password;
    };
    std::vector<Person> people = {
        {{"director@demo.sitevisit", "Dana Director", "regional_director", coastal, {}, {}},
         "director-demo-2026"},
        {{"lead@demo.sitevisit",
          "Lena Lead",
          "assistance_lead",
          "",
          {},
          {harbor, bayside, receivership}},
         "lead-demo-2026"},
        {{"lead2@demo.sitevisit", "Leo Lead", "assistance_lead", "", {}, {bayside}},
         "lead2-demo-2026"},
        {{"principal@demo.sitevisit", "Paula Principal", "principal", "", {lincoln}, {}},
         "principal-demo-2026"},
        {{"principal2@demo.sitevisit", "Pete Principal", "principal", "", {bayside_el}, {}},
         "principal2-demo-2026"},
        {{"receiver@demo.sitevisit", "Rosa Receiver", "receiver", "", {lincoln, seaport}, {}},
         "receiver-demo-2026"},
        {{"district@demo.sitevisit", "Dora District", "district_leader", "", {}, {bayside}},
         "district-demo-2026"},
    };
    std::map<std::string, User> by_email;
    for (const auto& p : people) {
        auto u = service.add_user(p.user, p.password);
        if (!u) return u.error();
        by_email[p.user.email] = *u;
    }
    const User& lead = by_email["lead@demo.sitevisit"];
    const User& lead2 = by_email["lead2@demo.sitevisit"];
    const User& principal = by_email["principal@demo.sitevisit"];
    const User& principal2 = by_email["principal2@demo.sitevisit"];
    const User& receiver = by_email["receiver@demo.sitevisit"];
    const User& dora = by_email["district@demo.sitevisit"];
    const User admin_actor = *admin_user;

    Demo d{service, blobs, out};
    const Clock& clock = service.clock();
    const Reference& ref = Reference::builtin();

    // Plans: one for every designated school, its receiver's or an admin's. Their benchmarks'
    // readings differ, so some are on track, some at risk or off track, one reached its target
    // early and one has no reading yet.
    const char* const kReadingGoal =
        "Every student reads and does math at grade level, because teachers adjust instruction "
        "to weekly data and students come to school every day.";
    const ObjectiveSpec kData{"Every classroom uses data to adjust instruction", 2};
    const ObjectiveSpec kAttend{"Students attend, feel safe and are known", 4};
    const std::vector<PlanSpec> plans = {
        {lincoln,
         &receiver,
         &principal,
         "turnaround",
         "Turnaround plan 2026-2029",
         "2026-2027",
         "2028-2029",
         kReadingGoal,
         {kData, kAttend},
         {{0, "Weekly data meetings by grade team", "Instructional coach", -100, 200,
           "in_progress"},
          {1, "Attendance team with family outreach", "Assistant principal", -60, 200,
           "in_progress"},
          {1, "Family welcome week before school starts", "Family liaison", -110, -90,
           "completed"}},
         {{0,
           "outcome",
           "students",
           "Students meeting ELA expectations",
           "%",
           30,
           45,
           "monthly",
           "higher",
           {{-60, 32}, {-20, 36.5, "Interim assessment, window 2"}}},
          {0,
           "process",
           "educators",
           "Grade teams holding weekly data meetings",
           "teams",
           0,
           6,
           "monthly",
           "higher",
           {{-20, 2}}},
          {1,
           "annual_goal",
           "students",
           "Chronic absenteeism",
           "%",
           28,
           18,
           "monthly",
           "lower",
           {{-50, 26}, {-15, 23}}}}},
        {seaport,
         &receiver,
         &receiver,
         "turnaround",
         "Turnaround plan 2026-2029",
         "2026-2027",
         "2028-2029",
         "Every student is taught grade-level math and English from one shared set of units, "
         "and knows an adult at school who follows their progress.",
         {{"Teachers plan lessons from shared grade-level units", 2},
          {"Every student is known well by an adult at school", 4}},
         {{0, "Common unit plans in math and English", "Math coach", -100, 200, "in_progress"},
          {1, "Advisory period three times a week", "Dean of students", 30, 200, "not_started"},
          {1, "Restorative circles in grade 6", "Dean of students", -90, 60, "on_hold"}},
         {{0,
           "outcome",
           "students",
           "Students meeting math expectations",
           "%",
           22,
           35,
           "monthly",
           "higher",
           {{-75, 23}, {-25, 21.5, "Interim assessment, window 2"}}},
          {0,
           "early_evidence",
           "educators",
           "Classrooms observed teaching from the shared unit",
           "%",
           10,
           80,
           "monthly",
           "higher",
           {{-40, 14}, {-10, 18}}},
          {1,
           "annual_goal",
           "students",
           "Students suspended at least once",
           "%",
           14,
           8,
           "quarterly",
           "lower",
           {}}}},
        {harbor_middle,
         &admin_actor,
         &admin_actor,
         "turnaround",
         "Turnaround plan 2026-2029",
         "2026-2027",
         "2028-2029",
         kReadingGoal,
         {kData, kAttend},
         {{0, "Weekly data meetings by grade team", "Instructional coach", -100, 200,
           "in_progress"},
          {1, "Attendance team with family outreach", "Assistant principal", -60, 200,
           "in_progress"},
          {0, "Extended day for grade 8 math", "Math department head", 45, 200, "not_started"}},
         {{0,
           "outcome",
           "students",
           "Students meeting ELA expectations",
           "%",
           30,
           45,
           "monthly",
           "higher",
           {{-60, 32}, {-20, 31, "Interim assessment, window 2"}}},
          {0,
           "process",
           "educators",
           "Grade teams holding weekly data meetings",
           "teams",
           0,
           6,
           "monthly",
           "higher",
           {{-25, 1}}},
          {1,
           "annual_goal",
           "students",
           "Chronic absenteeism",
           "%",
           28,
           18,
           "monthly",
           "lower",
           {{-50, 26}, {-15, 27.5}}}}},
        {harbor_high,
         &admin_actor,
         &admin_actor,
         "sip",
         "Sustainable improvement plan 2026-2029",
         "2026-2027",
         "2028-2029",
         "Every ninth grader finishes the year on track to graduate, in classrooms that share "
         "clear routines.",
         {{"Ninth graders pass every core course", 3},
          {"Classrooms share clear routines and expectations", 4}},
         {{0, "Ninth-grade success team meets weekly", "Grade 9 counselor", -100, 200,
           "in_progress"},
          {1, "One tardy policy for the whole school", "Assistant principal", -100, -20,
           "completed"},
          {1, "Peer observation cycles", "Department heads", -60, 150, "on_hold"}},
         {{0,
           "outcome",
           "students",
           "Ninth graders on track to graduate",
           "%",
           68,
           80,
           "monthly",
           "higher",
           {{-70, 69}, {-20, 75}}},
          {0,
           "early_evidence",
           "students",
           "Ninth graders failing two or more courses",
           "%",
           18,
           10,
           "monthly",
           "lower",
           {{-20, 17.5, "First quarter grades"}}},
          {1,
           "process",
           "students",
           "Students late to first period, daily average",
           "students",
           60,
           30,
           "weekly",
           "lower",
           {{-30, 50}, {-9, 44}}}}},
        {bayside_el,
         &admin_actor,
         &principal2,
         "sip",
         "Sustainable improvement plan 2026-2029",
         "2026-2027",
         "2028-2029",
         "Every child reads at grade level by the end of grade 2 and comes to school every day "
         "ready to learn.",
         {{"Daily small-group reading instruction in every K-2 room", 3},
          {"Students attend and families are partners", 4}},
         {{0, "Daily small-group reading blocks", "Reading specialist", -100, 200, "in_progress"},
          {1, "Attendance team with family outreach", "Assistant principal", -60, 200,
           "in_progress"},
          {1, "Attendance awards each quarter", "Assistant principal", -100, -40, "completed"}},
         {{0,
           "outcome",
           "students",
           "K-2 students reading at benchmark",
           "%",
           40,
           55,
           "monthly",
           "higher",
           {{-60, 44}, {-20, 49, "Fall screening, window 2"}}},
          {1,
           "annual_goal",
           "students",
           "Chronic absenteeism",
           "%",
           22,
           16,
           "monthly",
           "lower",
           {{-50, 19}, {-15, 15.5}}}}},
        {bayside_middle,
         &admin_actor,
         &admin_actor,
         "turnaround",
         "Turnaround plan 2026-2029",
         "2026-2027",
         "2028-2029",
         "Every student does math at grade level, taught by teachers and leaders who share "
         "responsibility for results.",
         {{"Leaders and teachers share responsibility for results", 1},
          {"Math instruction builds on what students already know", 2}},
         {{0, "Instructional leadership team meets every two weeks", "Principal", -100, 200,
           "in_progress"},
          {0, "Teacher leader roles with stipends", "District office", 20, 200, "not_started"},
          {1, "Math intervention block in grades 6-8", "Math coach", -80, 200, "in_progress"}},
         {{0,
           "process",
           "educators",
           "Leadership team meetings held as planned",
           "%",
           50,
           90,
           "monthly",
           "higher",
           {{-40, 60}, {-10, 64}}},
          {2,
           "outcome",
           "students",
           "Students meeting math expectations",
           "%",
           25,
           40,
           "monthly",
           "higher",
           {{-50, 24}, {-10, 25.5}}}}}, // The district's own plan, kept at the district: what its
                                        // office does for every school.
        {bayside,
         &dora,
         &dora,
         "district",
         "Bayside district plan 2026-2029",
         "2026-2027",
         "2028-2029",
         "Every Bayside school has a leader and a coach who stay, and data every teacher can use "
         "each week.",
         {{"The district keeps strong leaders and coaches in every school", 1},
          {"Every school gets its data within a week", 2}},
         {{0, "Coach in every school, hired and kept", "Human resources", -100, 200, "in_progress"},
          {1, "Weekly data reports to every principal", "District data office", -80, 200,
           "in_progress"}},
         {{0,
           "process",
           "educators",
           "Schools with a full-time instructional coach",
           "schools",
           1,
           3,
           "quarterly",
           "higher",
           {{-60, 2}}},
          {1,
           "process",
           "educators",
           "Days from test window to school data report",
           "days",
           21,
           7,
           "monthly",
           "lower",
           {{-50, 18}, {-15, 16}}}}},
    };
    // Each school's benchmarks by measure, for the evidence and next steps that name them.
    std::map<std::string, std::map<std::string, std::string>> benchmark_of;
    for (const auto& p : plans) {
        const std::string plan = d.write(*p.author, {"plan",
                                                     "",
                                                     p.school,
                                                     {{"kind", p.kind},
                                                      {"title", p.title},
                                                      {"first_year", p.first_year},
                                                      {"last_year", p.last_year},
                                                      {"goal", p.goal},
                                                      {"status", "submitted"}}});
        std::vector<std::string> objectives, initiatives;
        for (std::size_t i = 0; i < p.objectives.size(); ++i)
            objectives.push_back(d.write(*p.author, {"objective",
                                                     "",
                                                     "",
                                                     {{"plan", plan},
                                                      {"title", p.objectives[i].title},
                                                      {"practice", p.objectives[i].practice},
                                                      {"position", static_cast<int>(i) + 1}}}));
        for (const auto& i : p.initiatives)
            initiatives.push_back(d.write(*p.author, {"initiative",
                                                      "",
                                                      "",
                                                      {{"objective", objectives.at(i.objective)},
                                                       {"title", i.title},
                                                       {"owner", i.owner},
                                                       {"start", day_offset(clock, i.start)},
                                                       {"end", day_offset(clock, i.end)},
                                                       {"status", i.status}}}));
        for (const auto& b : p.benchmarks) {
            const std::string id =
                d.write(*p.author, {"benchmark",
                                    "",
                                    "",
                                    {{"initiative", initiatives.at(b.initiative)},
                                     {"type", b.type},
                                     {"audience", b.audience},
                                     {"measure", b.measure},
                                     {"unit", b.unit},
                                     {"baseline", b.baseline},
                                     {"baseline_date", day_offset(clock, kBaselineDay)},
                                     {"target", b.target},
                                     {"due", day_offset(clock, kDueDay)},
                                     {"cadence", b.cadence},
                                     {"direction", b.direction}}});
            benchmark_of[p.school][b.measure] = id;
            for (const auto& r : b.readings) {
                Json fields{
                    {"benchmark", id}, {"date", day_offset(clock, r.day)}, {"value", r.value}};
                if (r.note) fields["note"] = r.note;
                d.write(*p.reporter, {"reading", "", "", fields});
            }
        }
    }
    if (!d.status) return d.status;

    // The monitoring rhythm at Lincoln: the grade-level teams and the instructional leadership
    // team reviewed the plan's benchmarks, with what they saw.
    {
        const auto& lincoln_benchmarks = benchmark_of[lincoln];
        Json ids = Json::array(), notes = Json::object();
        for (const auto& [measure, id] : lincoln_benchmarks)
            ids.push_back(id);
        if (!ids.empty())
            notes[ids[0].get<std::string>()] = "Teams compared this month's figures with the line.";
        d.write(principal, {"monitoring_meeting",
                            "",
                            lincoln,
                            {{"date", day_offset(clock, -12)},
                             {"team", "instructional_leadership"},
                             {"benchmarks", ids},
                             {"notes", notes}}});
        if (!ids.empty())
            d.write(principal, {"monitoring_meeting",
                                "",
                                lincoln,
                                {{"date", day_offset(clock, -5)},
                                 {"team", "grade_level"},
                                 {"benchmarks", Json::array({ids[0]})}}});
    }
    if (!d.status) return d.status;

    // Visits: two or three submitted at every designated school, by the lead whose caseload
    // holds it, at least two of a kind so each compares with the last; one draft under way.
    // Only named indicators are rated: an admin names a placeholder before anyone rates it.
    const std::string rubric_el = "msv-2026-2027-elementary",
                      rubric_sec = "msv-2026-2027-secondary";
    auto rubric_of = [&](const std::string& school) {
        return school == lincoln || school == bayside_el ? rubric_el : rubric_sec;
    };
    const std::vector<VisitSpec> visits = {
        {lincoln, &lead, "monitoring", 70, "1011"},
        {lincoln, &lead, "progress_monitoring", 42, "1112"},
        {lincoln, &lead, "progress_monitoring", 14, "2122"},
        {seaport, &lead, "progress_monitoring", 49, "0110"},
        {seaport, &lead, "progress_monitoring", 12, "1101"},
        {harbor_middle, &lead, "progress_monitoring", 58, "1111"},
        {harbor_middle, &lead, "progress_monitoring", 30, "1021"},
        {harbor_high, &lead, "targeted", 66, "2212"},
        {harbor_high, &lead, "targeted", 17, "2222"},
        {bayside_el, &lead2, "progress_monitoring", 48, "2212"},
        {bayside_el, &lead2, "progress_monitoring", 19, "2323"},
        {bayside_el, &lead, "progress_monitoring", 5, "2323", false},
        {bayside_middle, &lead2, "progress_monitoring", 40, "1010"},
        {bayside_middle, &lead2, "progress_monitoring", 9, "1111"},
    };
    std::map<std::string, std::vector<std::string>> submitted; // per school, oldest first
    for (std::size_t v = 0; v < visits.size() && d.status; ++v) {
        const VisitSpec& spec = visits[v];
        const int visit_number = static_cast<int>(submitted[spec.school].size());
        const std::string rubric = rubric_of(spec.school);
        Json fields{{"kind", spec.kind},
                    {"rubric", rubric},
                    {"start_date", day_offset(clock, -spec.days_ago)},
                    {"end_date", day_offset(clock, -spec.days_ago)}};
        if (spec.submit) {
            fields["strengths"] = per_practice(kStrengths, static_cast<int>(v));
            fields["areas_for_growth"] = per_practice(kAreasForGrowth, static_cast<int>(v) + 1);
        }
        const std::string visit = d.write(*spec.lead, {"visit", "", spec.school, fields});
        int n = 0;
        for (const auto& ind : ref.rubric(rubric)->indicators) {
            if (ind.placeholder) continue;
            if (!spec.submit && n >= 8) break; // the draft is under way
            ++n;
            const int rating = rating_of(spec.levels, ind.practice, n, visit_number);
            d.write(*spec.lead,
                    {"observation",
                     "",
                     "",
                     {{"visit", visit},
                      {"indicator", ind.id},
                      {"rating", rating},
                      {"note",
                       "Seen in " + std::to_string(2 + n % 4) + " classrooms; " +
                           (rating >= 2 ? "consistent across grades." : "uneven across grades.")},
                      {"source", n % 3 == 0 ? "interview" : "classroom_observation"}}});
        }
        if (spec.submit) {
            d.write(*spec.lead, {"visit", visit, "", {{"status", "submitted"}}});
            submitted[spec.school].push_back(visit);
        }
    }
    if (!d.status) return d.status;

    // Next steps: what the visits and the benchmarks asked, each owned by someone who sees the
    // school, in every state, overdue at several schools. Principals (or a step's owner) do the
    // work; a lead, receiver or admin other than its owner verifies or returns it.
    auto step = [&](const User& by, const std::string& school, const std::string& title,
                    const std::string& owner, int due_in, Json links = Json::object()) {
        Json fields = {{"title", title},
                       {"owner", owner},
                       {"due_date", day_offset(clock, due_in)},
                       {"status", "open"}};
        fields.update(links);
        return d.write(by, {"next_step", "", school, fields});
    };
    auto move = [&](const User& by, const std::string& id, const char* status,
                    const char* note = nullptr) {
        Json fields{{"status", status}};
        if (note) fields["return_note"] = note;
        d.write(by, {"next_step", id, "", fields});
    };
    auto at_visit = [&](const std::string& visit, const std::string& indicator = {}) {
        Json links{{"visit", visit}};
        if (!indicator.empty()) links["indicator"] = indicator;
        return links;
    };
    auto for_benchmark = [&](const std::string& school, const std::string& measure) {
        return Json{{"benchmark", benchmark_of[school].at(measure)}};
    };
    {
        // Lincoln: asked at the monitoring visit and the last one, and from a benchmark.
        const std::string first = submitted[lincoln].front(), last = submitted[lincoln].back();
        auto posted = step(lead, lincoln, "Post the learning objective in every classroom",
                           principal.id, -40, at_visit(first, rubric_el + "/1.2"));
        move(principal, posted, "done");
        move(lead, posted, "verified");
        step(lead, lincoln, "Grade 3 team adds exit tickets to its weekly data meeting",
             principal.id, -3, at_visit(last, rubric_el + "/2.1")); // overdue
        auto greeters = step(lead, lincoln, "Morning greeters at both doors, every day",
                             principal.id, 10, at_visit(last, rubric_el + "/4.1"));
        move(principal, greeters, "in_progress");
        step(lead, lincoln, "Share the visit's findings with all staff", principal.id, 21,
             at_visit(last)); // for the whole visit
        auto calls = step(receiver, lincoln, "Call every family after two absences", principal.id,
                          -5, for_benchmark(lincoln, "Chronic absenteeism"));
        move(principal, calls, "done"); // waiting to be verified
    }
    {
        // Seaport Middle, with no principal on the demo: the receiver's and the lead's.
        const std::string last = submitted[seaport].back();
        auto calendar = step(lead, seaport, "Publish the unit calendar for every grade",
                             receiver.id, -10, at_visit(last, rubric_sec + "/2.3"));
        move(receiver, calendar, "done");
        move(lead, calendar, "returned",
             "The calendar covers math only; the English units are still missing.");
        auto model =
            step(receiver, seaport, "Model a data meeting with the grade 7 math team", lead.id, -20,
                 for_benchmark(seaport, "Students meeting math expectations"));
        move(lead, model, "done");
        move(receiver, model, "verified");
        step(lead, seaport, "Name an adult mentor for every student with five absences",
             receiver.id, -4, at_visit(last, rubric_sec + "/4.3")); // overdue
    }
    {
        // Bayside district's own next steps: the district leader's, one asked by the lead.
        step(dora, bayside, "Post the coach openings at Bayside Middle", dora.id, 12,
             for_benchmark(bayside, "Schools with a full-time instructional coach"));
        auto report =
            step(lead2, bayside, "Send each principal the fall screening by school", dora.id, -3,
                 for_benchmark(bayside, "Days from test window to school data report"));
        move(dora, report, "in_progress"); // and overdue
    }
    {
        // Harbor Middle and Harbor High: the lead's own until a principal is on the demo.
        step(lead, harbor_middle, "Meet the new principal about the plan's first benchmarks",
             lead.id, 7);
        auto list = step(lead, harbor_middle, "Send the district the grade 6 attendance list",
                         lead.id, -4, for_benchmark(harbor_middle, "Chronic absenteeism"));
        move(lead, list, "in_progress"); // and overdue
        auto meetings = step(lead, harbor_high, "Sit in on two ninth-grade team meetings", lead.id,
                             -6, at_visit(submitted[harbor_high].back(), rubric_sec + "/3.5"));
        move(lead, meetings, "done");
    }
    {
        // Bayside Elementary: the principal's, checked by the leads.
        step(lead, bayside_el, "Name the members of the attendance team", principal2.id,
             -2); // on its own, overdue
        const std::string first = submitted[bayside_el].front(),
                          last = submitted[bayside_el].back();
        auto invitation =
            step(lead2, bayside_el, "Send the family night invitation home in three languages",
                 principal2.id, -30, at_visit(first, rubric_el + "/4.4"));
        move(principal2, invitation, "done");
        move(lead2, invitation, "verified");
        auto rotation = step(lead2, bayside_el, "Post the small-group rotation in every K-2 room",
                             principal2.id, -12, at_visit(last, rubric_el + "/3.3"));
        move(principal2, rotation, "in_progress");
        move(principal2, rotation, "done");
        move(lead2, rotation, "returned",
             "Posted in kindergarten and grade 1; grade 2 rooms "
             "still need it.");
    }
    {
        // Bayside Middle: between its two leads.
        const std::string first = submitted[bayside_middle].front(),
                          last = submitted[bayside_middle].back();
        auto calendar = step(lead2, bayside_middle, "Share the leadership team's meeting calendar",
                             lead.id, -25, at_visit(first, rubric_sec + "/1.3"));
        move(lead, calendar, "done");
        move(lead2, calendar, "verified");
        auto block = step(lead2, bayside_middle, "Schedule the math intervention block for grade 7",
                          lead2.id, 12, at_visit(last, rubric_sec + "/3.4"));
        move(lead2, block, "in_progress");
        step(lead2, bayside_middle, "Observe three grade 8 math classes with the coach", lead2.id,
             -6, for_benchmark(bayside_middle, "Students meeting math expectations")); // overdue
    }
    if (!d.status) return d.status;

    // Evidence with small real files, each linked to the benchmark it supports, and reviews.
    const std::vector<File> files = {
        {lincoln, &principal, "Attendance team meeting notes, October", "document", "text/plain",
         "Attendance team - October\n- 41 families reached by phone\n- 12 home visits\n- Next: "
         "morning greeters at both doors\n",
         "Chronic absenteeism"},
        {lincoln, &principal, "Grade 3 data meeting agenda", "document", "text/markdown",
         "# Grade 3 data meeting\n1. Interim results by standard\n2. Re-grouping for Tier 2\n3. "
         "Exit tickets for next week\n",
         "Grade teams holding weekly data meetings"},
        {lincoln, &principal, "Interim assessment summary", "data", "text/csv",
         "grade,proficient_pct\n3,34\n4,38\n5,37\n", "Students meeting ELA expectations"},
        {lincoln, &principal, "Attendance improvement plan", "document", "application/pdf",
         text_pdf({{"Attendance improvement plan - Lincoln Elementary",
                    "Goal: chronic absenteeism from 28% to 18% by June.",
                    "1. Morning greeters at both doors, every day.",
                    "2. Attendance team meets weekly; calls after 2 absences.",
                    "3. Home visits after 5 absences, with the family liaison."},
                   {"Monitoring", "Weekly: absences by grade and by student group.",
                    "Monthly: chronic absenteeism rate, reported to the receiver.",
                    "Quarterly: review what worked with families and staff."}}),
         "Chronic absenteeism"},
        {seaport, &lead, "Walkthrough notes: the shared unit in use", "document", "text/plain",
         "Walkthrough - Seaport Middle\n- 9 of 14 classrooms teaching from the shared unit\n- "
         "Grade 6 English not yet started\n",
         "Classrooms observed teaching from the shared unit"},
        {seaport, &receiver, "Grade 7 math interim results", "data", "text/csv",
         "class,meeting_pct\n7A,24\n7B,19\n7C,22\n", "Students meeting math expectations"},
        {bayside_el, &principal2, "Attendance by grade, October", "data", "text/csv",
         "grade,chronically_absent_pct\nK,18\n1,16\n2,15\n3,14\n4,15\n5,16\n",
         "Chronic absenteeism"},
        {bayside_el, &principal2, "K-2 reading screening, fall", "data", "text/csv",
         "grade,at_benchmark_pct\nK,52\n1,48\n2,47\n", "K-2 students reading at benchmark"},
        {harbor_middle, &lead, "Data meeting sign-in sheets, grade 6", "document", "text/plain",
         "Grade 6 data meeting sign-in\n- Week 1: 5 of 6 teachers\n- Week 2: 6 of 6 teachers\n",
         "Grade teams holding weekly data meetings"},
    };
    struct ReviewSpec {
        std::size_t file;
        const User* reviewer;
        const char *decision, *comment;
    };
    const std::vector<ReviewSpec> reviews = {
        {0, &receiver, "accepted", "Clear record of outreach; keep the weekly cadence."},
        {2, &receiver, "needs_more", "Please add the grade 4 and 5 breakdown by subgroup."},
        {4, &receiver, "accepted", "Matches what I saw on Tuesday's walkthrough."},
        {5, &lead, "needs_more", "Add grades 6 and 8 so the whole school is covered."},
        {6, &lead2, "accepted", "Thank you: grade 2 is already under the target."},
    };
    std::vector<std::string> evidence;
    for (const auto& f : files) {
        if (!d.status) break;
        std::string sha;
        if (auto st = blobs.put_local(f.uploader->id, f.bytes, &sha); !st) return st;
        evidence.push_back(
            d.write(*f.uploader, {"evidence",
                                  "",
                                  f.school,
                                  {{"title", f.title},
                                   {"kind", f.kind},
                                   {"sha256", sha},
                                   {"size", static_cast<std::int64_t>(f.bytes.size())},
                                   {"media_type", f.media},
                                   {"benchmarks", {benchmark_of[f.school].at(f.supports)}}}}));
    }
    for (const auto& r : reviews)
        if (d.status)
            d.write(*r.reviewer, {"review",
                                  "",
                                  "",
                                  {{"evidence", evidence.at(r.file)},
                                   {"decision", r.decision},
                                   {"comment", r.comment}}});
    if (!d.status) return d.status;

    // What was made, counted from the rows themselves.
    auto made = service.export_for(admin.email);
    if (!made) return made.error();
    const Json& m = (*made)["rows"];
    auto count = [&](const char* entity) { return m.contains(entity) ? m[entity].size() : 0; };
    auto with = [&](const char* entity, const char* field, const char* value) {
        std::size_t n = 0;
        if (m.contains(entity))
            for (const auto& row : m[entity])
                n += row["fields"].value(field, "") == value ? 1 : 0;
        return n;
    };
    out << "Demo data: " << count("region") << " regions, " << count("district") << " districts, "
        << count("school") << " schools, " << count("plan") << " plans, " << count("benchmark")
        << " benchmarks, " << count("visit") << " visits (" << with("visit", "status", "submitted")
        << " submitted, " << with("visit", "status", "draft") << " draft), " << count("next_step")
        << " next steps (" << with("next_step", "status", "open") << " open, "
        << with("next_step", "status", "in_progress") << " in progress, "
        << with("next_step", "status", "done") << " done, "
        << with("next_step", "status", "verified") << " verified, "
        << with("next_step", "status", "returned") << " returned), " << count("evidence")
        << " evidence files, " << count("review") << " reviews.\n"
        << "Sign in with (email / password):\n"
        << "  admin@demo.sitevisit / admin-demo-2026 (admin)\n";
    for (const auto& p : people)
        out << "  " << p.user.email << " / " << p.password << " (" << p.user.role << ")\n";
    return ok_status();
}

} // namespace sitevisit::server
