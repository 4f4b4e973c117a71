// The school page's view models on a store synced from the demo server: the plan at a glance
// (goal, initiatives, benchmark status and its history), ratings across visits, comments, and
// the reflection's school year.
#include "app_controller.h"
#include "caseload_model.h"
#include "comments_model.h"
#include "harness.h"
#include "history_model.h"
#include "next_steps_model.h"
#include "plan_editor.h"
#include "plan_model.h"
#include "qt_wait.h"
#include "reflection_controller.h"
#include "school_controller.h"
#include "sitevisit/core/plan_cycle.h"
#include "sitevisit/core/queries.h"

#include <QAbstractItemModelTester>
#include <QDate>
#include <gtest/gtest.h>

using namespace sitevisit;
using namespace sitevisit::e2e;
using sitevisit::testing::wait_for;

namespace {

bool sign_in(ServerProcess& server, app::AppController& a, const char* email, const char* pw) {
    a.signIn(QStringLiteral("http://127.0.0.1:%1").arg(server.port()), email, pw);
    return wait_for(
        [&] { return !a.busy() && a.syncState() == client::SyncEngine::State::UpToDate; });
}

QVariantMap find(const QVariantList& list, const char* key, const QString& value) {
    for (const auto& v : list)
        if (v.toMap()[key].toString() == value) return v.toMap();
    return {};
}

} // namespace

TEST(SchoolView, ThePlanAtAGlanceAnswersTheQuestionsAndShowsWhenABenchmarkWentOffTrack) {
    ServerProcess server;
    ASSERT_EQ(server.admin({"demo"}).code, 0);
    server.start();
    const auto dir = server.data().parent_path();
    app::AppController principal(std::move(Store::open({(dir / "p.db").string()})).value());
    ASSERT_TRUE(sign_in(server, principal, "principal@demo.sitevisit", "principal-demo-2026"));
    const QString school = QString::fromStdString(principal.user()->schools.front());

    app::PlanModel plan;
    plan.setApp(&principal);
    plan.setSchoolId(school);
    // Q1: the goal.
    EXPECT_TRUE(plan.goal().startsWith("Every student reads")) << plan.goal().toStdString();
    EXPECT_EQ(plan.planTitle(), "Turnaround plan 2026-2029");
    // Q2: objectives in plan order, each with its initiatives: owner, dates, status.
    ASSERT_EQ(plan.objectives().size(), 2);
    const QVariantMap first = plan.objectives()[0].toMap();
    EXPECT_EQ(first["title"].toString(), "Every classroom uses data to adjust instruction");
    EXPECT_EQ(first["practice"].toInt(), 2);
    ASSERT_EQ(first["initiatives"].toList().size(), 1);
    const QVariantMap meetings = first["initiatives"].toList()[0].toMap();
    EXPECT_EQ(meetings["owner"].toString(), "Instructional coach");
    EXPECT_EQ(meetings["statusLabel"].toString(), "In progress");
    EXPECT_FALSE(meetings["start"].toString().isEmpty());
    EXPECT_FALSE(meetings["end"].toString().isEmpty());
    EXPECT_EQ(meetings["benchmarkIds"].toStringList().size(), 2);
    // Q3: benchmarks in plan order with derived status, reason and trajectory.
    ASSERT_EQ(plan.benchmarks().size(), 3);
    EXPECT_TRUE(plan.benchmarks()[0].toMap()["objectiveFirst"].toBool());
    EXPECT_FALSE(plan.benchmarks()[1].toMap()["objectiveFirst"].toBool());
    const QVariantMap absent = find(plan.benchmarks(), "measure", "Chronic absenteeism");
    EXPECT_EQ(absent["direction"].toString(), "lower");
    EXPECT_EQ(absent["status"].toString(), "on_track");
    EXPECT_FALSE(absent["reason"].toString().isEmpty());
    EXPECT_EQ(absent["readings"].toList().size(), 2);
    ASSERT_EQ(absent["history"].toList().size(), 2);
    // A principal records readings; the page offers the form only to those who may.
    EXPECT_TRUE(plan.canRecordReading());

    // A reading far behind the line: the status now is off track, and the history says it was
    // on track at the readings before.
    QVariantMap ela = find(plan.benchmarks(), "measure", "Students meeting ELA expectations");
    const QString today = principal.today().toString(Qt::ISODate);
    ASSERT_TRUE(
        principal.store()
            .put(*principal.user(), {"reading",
                                     "",
                                     "",
                                     {{"benchmark", ela["benchmarkId"].toString().toStdString()},
                                      {"date", today.toStdString()},
                                      {"value", 30.0}}})
            .ok());
    plan.reload();
    ela = find(plan.benchmarks(), "measure", "Students meeting ELA expectations");
    EXPECT_EQ(ela["status"].toString(), "off_track");
    const QVariantList history = ela["history"].toList();
    ASSERT_EQ(history.size(), 3);
    EXPECT_EQ(history[0].toMap()["status"].toString(), "on_track");
    EXPECT_EQ(history[1].toMap()["status"].toString(), "on_track");
    EXPECT_EQ(history[2].toMap()["status"].toString(), "off_track");
    EXPECT_EQ(history[2].toMap()["date"].toString(), today);
    EXPECT_EQ(history[2].toMap()["statusLabel"].toString(), "Off track");

    // A lead is not offered the reading form: core refuses leads readings.
    app::AppController lead(std::move(Store::open({(dir / "l.db").string()})).value());
    ASSERT_TRUE(sign_in(server, lead, "lead@demo.sitevisit", "lead-demo-2026"));
    app::PlanModel leads_plan;
    leads_plan.setApp(&lead);
    leads_plan.setSchoolId(school);
    EXPECT_EQ(leads_plan.benchmarks().size(), 3);
    EXPECT_FALSE(leads_plan.canRecordReading());
    // A receiver records readings for the school.
    app::AppController receiver(std::move(Store::open({(dir / "r.db").string()})).value());
    ASSERT_TRUE(sign_in(server, receiver, "receiver@demo.sitevisit", "receiver-demo-2026"));
    app::PlanModel receivers_plan;
    receivers_plan.setApp(&receiver);
    receivers_plan.setSchoolId(school);
    EXPECT_TRUE(receivers_plan.canRecordReading());

    // History: the school's submitted visits, as the server holds them, oldest first; every
    // indicator once per visit in its practice's distribution.
    const Json all =
        Json::parse(server.admin({"export", "--user", "admin@demo.sitevisit"}).out)["rows"];
    int submitted = 0;
    for (const auto& v : all["visit"])
        if (v["school"] == school.toStdString() && v["fields"]["status"] == "submitted")
            ++submitted;
    ASSERT_GE(submitted, 2) << "the demo's history has visits to compare";
    app::HistoryModel past;
    past.setApp(&lead);
    past.setSchoolId(school);
    ASSERT_EQ(past.visits().size(), submitted);
    for (int v = 1; v < submitted; ++v)
        EXPECT_LT(past.visits()[v - 1].toMap()["date"].toString(),
                  past.visits()[v].toMap()["date"].toString());
    EXPECT_EQ(past.levels().size(), 4);
    ASSERT_EQ(past.practices().size(), 4);
    ASSERT_FALSE(past.indicators().isEmpty());
    int rated_first_visit = 0;
    for (const auto& i : past.indicators()) {
        const QVariantList r = i.toMap()["ratings"].toList();
        ASSERT_EQ(r.size(), submitted);
        if (r[0].toInt() >= 0) ++rated_first_visit;
    }
    // The demo rates every named indicator; placeholders are not in the history.
    EXPECT_EQ(rated_first_visit, past.indicators().size());
    int counted = 0;
    for (const auto& p : past.practices()) {
        const QVariantList per_visit = p.toMap()["counts"].toList();
        ASSERT_EQ(per_visit.size(), submitted);
        for (const auto& c : per_visit[0].toList())
            counted += c.toInt();
    }
    EXPECT_EQ(counted, past.indicators().size());
    // The distribution agrees with the timeline: practice 2's level counts at the first visit.
    std::vector<int> expected(4, 0);
    for (const auto& i : past.indicators())
        if (i.toMap()["practice"].toInt() == 2)
            ++expected[std::size_t(i.toMap()["ratings"].toList()[0].toInt())];
    const QVariantList p2 = past.practices()[1].toMap()["counts"].toList()[0].toList();
    for (int level = 0; level < 4; ++level)
        EXPECT_EQ(p2[level].toInt(), expected[std::size_t(level)]) << "level " << level;
}

TEST(SchoolView, CommentsAreAddedWhereAllowedAndRefusedWithAReason) {
    ServerProcess server;
    ASSERT_EQ(server.admin({"demo"}).code, 0);
    server.start();
    const auto dir = server.data().parent_path();
    app::AppController principal(std::move(Store::open({(dir / "p.db").string()})).value());
    ASSERT_TRUE(sign_in(server, principal, "principal@demo.sitevisit", "principal-demo-2026"));
    app::PlanModel plan;
    plan.setApp(&principal);
    plan.setSchoolId(QString::fromStdString(principal.user()->schools.front()));
    ASSERT_FALSE(plan.benchmarks().isEmpty());
    const QString benchmark = plan.benchmarks()[0].toMap()["benchmarkId"].toString();

    app::CommentsModel comments;
    QAbstractItemModelTester tester(&comments,
                                    QAbstractItemModelTester::FailureReportingMode::Warning);
    comments.setApp(&principal);
    comments.setTargetEntity("benchmark");
    comments.setTarget(benchmark);
    EXPECT_EQ(comments.rowCount(), 0);
    EXPECT_TRUE(comments.canComment());
    EXPECT_FALSE(comments.add("   "));
    EXPECT_EQ(comments.errorString(), "Write the comment first.");
    EXPECT_TRUE(comments.add("The November window moved a week later."))
        << comments.errorString().toStdString();
    ASSERT_EQ(comments.rowCount(), 1);
    EXPECT_TRUE(comments.errorString().isEmpty());
    EXPECT_EQ(comments.data(comments.index(0), app::CommentsModel::AuthorRole).toString(),
              "Paula Principal");
    EXPECT_EQ(comments.data(comments.index(0), app::CommentsModel::BodyRole).toString(),
              "The November window moved a week later.");
    EXPECT_FALSE(
        comments.data(comments.index(0), app::CommentsModel::WhenRole).toString().isEmpty());

    // The lead sees it after a sync, and adds one; it reaches the principal.
    ASSERT_TRUE(wait_for([&] { return principal.pendingChanges() == 0; }));
    app::AppController lead(std::move(Store::open({(dir / "l.db").string()})).value());
    ASSERT_TRUE(sign_in(server, lead, "lead@demo.sitevisit", "lead-demo-2026"));
    app::CommentsModel leads;
    leads.setApp(&lead);
    leads.setTargetEntity("benchmark");
    leads.setTarget(benchmark);
    ASSERT_EQ(leads.rowCount(), 1);
    EXPECT_TRUE(leads.add("Thanks: we will look at the December window."))
        << leads.errorString().toStdString();
    EXPECT_EQ(leads.rowCount(), 2);

    // A row this device does not hold (another school's) cannot be commented on.
    app::CommentsModel elsewhere;
    elsewhere.setApp(&principal);
    elsewhere.setTargetEntity("benchmark");
    elsewhere.setTarget("0190a000-0000-7000-8000-000000000000");
    EXPECT_FALSE(elsewhere.canComment());
    EXPECT_FALSE(elsewhere.add("Hello"));
    EXPECT_FALSE(elsewhere.errorString().isEmpty());
    EXPECT_EQ(elsewhere.rowCount(), 0);
    // Signed out: nothing to offer, nothing written.
    app::CommentsModel nobody;
    EXPECT_FALSE(nobody.canComment());
    EXPECT_FALSE(nobody.add("Hello"));
}

TEST(SchoolView, TheReflectionYearIsTheOneThatBeganOnTheLatestJulyFirstUnlessChosen) {
    EXPECT_EQ(app::school_year_of(QDate(2027, 6, 30)), "2026-2027");
    EXPECT_EQ(app::school_year_of(QDate(2027, 7, 1)), "2027-2028");
    EXPECT_EQ(app::school_year_of(QDate(2027, 1, 15)), "2026-2027");
    EXPECT_EQ(app::school_year_of(QDate(2026, 12, 31)), "2026-2027");

    ServerProcess server;
    ASSERT_EQ(server.admin({"demo"}).code, 0);
    server.start();
    const auto dir = server.data().parent_path();
    app::AppController receiver(std::move(Store::open({(dir / "r.db").string()})).value());
    ASSERT_TRUE(sign_in(server, receiver, "receiver@demo.sitevisit", "receiver-demo-2026"));
    app::ReflectionController r;
    r.setApp(&receiver);
    r.setSchoolId(QString::fromStdString(receiver.user()->schools.front()));
    // Receivers write the reflection for their schools.
    EXPECT_TRUE(r.editable());
    EXPECT_EQ(r.year(), app::school_year_of(receiver.today()));
    EXPECT_TRUE(r.years().contains("2026-2027"));
    EXPECT_TRUE(r.years().contains("2028-2029"));
    EXPECT_TRUE(r.setAnswer("worked", "Greeters at both doors"));
    r.setYear("2028-2029");
    EXPECT_EQ(r.year(), "2028-2029");
    EXPECT_TRUE(r.answers()["worked"].toString().isEmpty()); // another year, another reflection
    EXPECT_TRUE(r.setAnswer("worked", "Next year's answer"));
    auto rows = receiver.store().list("reflection");
    ASSERT_TRUE(rows.ok());
    ASSERT_EQ(rows->size(), 2u);
    r.setYear(app::school_year_of(receiver.today()));
    EXPECT_EQ(r.answers()["worked"].toString(), "Greeters at both doors");
}

// The monitoring rhythm on the school page: each benchmark says whether a reading or a meeting
// came each cadence period, and a principal records a meeting that a lead's device then shows.
TEST(SchoolView, AMonitoringMeetingKeepsABenchmarksRhythmAndReachesTheLead) {
    ServerProcess server;
    ASSERT_EQ(server.admin({"demo"}).code, 0);
    server.start();
    const auto dir = server.data().parent_path();
    app::AppController principal(std::move(Store::open({(dir / "p.db").string()})).value());
    app::AppController lead(std::move(Store::open({(dir / "l.db").string()})).value());
    ASSERT_TRUE(sign_in(server, principal, "principal@demo.sitevisit", "principal-demo-2026"));
    ASSERT_TRUE(sign_in(server, lead, "lead@demo.sitevisit", "lead-demo-2026"));
    const QString school = QString::fromStdString(principal.user()->schools.front());
    app::PlanModel plan;
    plan.setApp(&principal);
    plan.setSchoolId(school);
    ASSERT_TRUE(plan.canRecordMeeting());
    EXPECT_EQ(plan.meetingTeams().size(), 5);
    // The demo's two meetings at Lincoln, latest first.
    ASSERT_EQ(plan.meetings().size(), 2);
    EXPECT_EQ(plan.meetings()[0].toMap()["team"], "Grade-level team");
    EXPECT_EQ(plan.meetings()[1].toMap()["team"], "Instructional leadership team");
    EXPECT_GT(plan.meetings()[0].toMap()["date"].toString(),
              plan.meetings()[1].toMap()["date"].toString());
    ASSERT_FALSE(plan.benchmarks().isEmpty());
    // Every benchmark says something about its rhythm, and what it says follows core.
    const std::int64_t today = QDate(1970, 1, 1).daysTo(principal.today());
    for (const auto& b : plan.benchmarks()) {
        const QVariantMap m = b.toMap();
        auto core =
            benchmark_cadence(principal.store(), m["benchmarkId"].toString().toStdString(), today);
        ASSERT_TRUE(core.ok());
        EXPECT_EQ(m["rhythmKept"].toBool(), core->kept) << m["measure"].toString().toStdString();
        EXPECT_FALSE(m["rhythm"].toString().isEmpty());
    }
    // A meeting reviewing every benchmark today keeps every rhythm.
    QStringList ids;
    QVariantMap notes;
    for (const auto& b : plan.benchmarks())
        ids.push_back(b.toMap()["benchmarkId"].toString());
    notes[ids[0]] = "  Grade 3 and 4 teams met every week.  ";
    const QString date = principal.today().toString(Qt::ISODate);
    // Refused first: a meeting in the future, with the reason, and nothing stored.
    const QString later = principal.today().addDays(5).toString(Qt::ISODate);
    EXPECT_FALSE(plan.recordMeeting(later, "grade_level", ids, notes));
    EXPECT_EQ(plan.errorString(), "date " + later + " is in the future");
    EXPECT_EQ(plan.meetings().size(), 2);
    ASSERT_TRUE(plan.recordMeeting(date, "grade_level", ids, notes))
        << plan.errorString().toStdString();
    EXPECT_EQ(plan.errorString(), "");
    ASSERT_EQ(plan.meetings().size(), 3);
    EXPECT_EQ(plan.meetings()[0].toMap()["date"], date);
    EXPECT_EQ(plan.meetings()[0].toMap()["team"], "Grade-level team");
    EXPECT_EQ(plan.meetings()[0].toMap()["benchmarks"], ids.size());
    EXPECT_EQ(plan.meetings()[0].toMap()["notes"], 1);
    for (const auto& b : plan.benchmarks())
        EXPECT_TRUE(b.toMap()["rhythmKept"].toBool())
            << b.toMap()["rhythm"].toString().toStdString();
    const auto stored =
        *principal.store().list("monitoring_meeting", "school", school.toStdString());
    ASSERT_EQ(stored.size(), 3u);
    bool found = false;
    for (const auto& m : stored)
        if (m.fields.value("date", "") == date.toStdString() &&
            m.fields.value("team", "") == "grade_level") {
            found = true;
            EXPECT_EQ(m.fields["notes"][ids[0].toStdString()],
                      "Grade 3 and 4 teams met every week.");
        }
    EXPECT_TRUE(found);

    principal.syncNow();
    ASSERT_TRUE(wait_for([&] {
        return principal.syncState() == client::SyncEngine::State::UpToDate &&
               principal.pendingChanges() == 0;
    }));
    lead.syncNow();
    app::PlanModel seen;
    seen.setApp(&lead);
    seen.setSchoolId(school);
    ASSERT_TRUE(wait_for([&] {
        seen.reload();
        return seen.meetings().size() == 3;
    }));
    EXPECT_FALSE(seen.canRecordMeeting()); // a lead reads meetings; the school records them
}

// A principal writes next year's plan on the device, submits it, and a change after that is
// recorded with her name; she answers the reflection's five questions, decides each objective
// and initiative, submits it and renews the plan; her receiver's device sees it all.
TEST(SchoolView, APrincipalWritesSubmitsReflectsAndRenewsAPlanAndTheReceiverSeesItsHistory) {
    ServerProcess server;
    ASSERT_EQ(server.admin({"demo"}).code, 0);
    server.start();
    const auto dir = server.data().parent_path();
    app::AppController principal(std::move(Store::open({(dir / "p.db").string()})).value());
    app::AppController receiver(std::move(Store::open({(dir / "r.db").string()})).value());
    ASSERT_TRUE(sign_in(server, principal, "principal@demo.sitevisit", "principal-demo-2026"));
    ASSERT_TRUE(sign_in(server, receiver, "receiver@demo.sitevisit", "receiver-demo-2026"));
    const QString school = QString::fromStdString(principal.user()->schools.front());

    app::PlanModel shown;
    shown.setApp(&principal);
    shown.setSchoolId(school);
    ASSERT_TRUE(shown.canWritePlan());
    ASSERT_EQ(shown.plans().size(), 1);
    const QString demo_plan = shown.shownPlanId();
    const int demo_objectives = shown.objectives().size();

    // A new plan: refused without a title, with the reason; then a draft.
    app::PlanEditor editor;
    editor.setApp(&principal);
    editor.setSchoolId(school);
    ASSERT_TRUE(editor.editable());
    EXPECT_FALSE(editor.savePlan(
        {{"kind", "sip"}, {"first_year", "2027-2028"}, {"last_year", "2029-2030"}}));
    EXPECT_EQ(editor.errorString(), "plan needs title");
    EXPECT_TRUE(editor.planId().isEmpty());
    ASSERT_TRUE(editor.savePlan({{"title", "Lincoln 2027"},
                                 {"kind", "sip"},
                                 {"first_year", "2027-2028"},
                                 {"last_year", "2029-2030"},
                                 {"goal", "Every student reads"}}))
        << editor.errorString().toStdString();
    ASSERT_FALSE(editor.planId().isEmpty());
    EXPECT_TRUE(editor.draft());
    EXPECT_EQ(editor.submitGaps().size(), 1);
    ASSERT_TRUE(editor.saveObjective("", {{"title", "Tiered instruction"}, {"practice", 3}}));
    ASSERT_EQ(editor.objectives().size(), 1);
    const QVariantMap objective = editor.objectives()[0].toMap();
    EXPECT_EQ(objective["practice"], 3);
    ASSERT_TRUE(editor.saveInitiative("", objective["objectiveId"].toString(),
                                      {{"title", "Data meetings"},
                                       {"owner", "Math coach"},
                                       {"start", "2027-09-01"},
                                       {"end", ""},
                                       {"status", "not_started"}}));
    const QString initiative = editor.objectives()[0]
                                   .toMap()["initiatives"]
                                   .toList()[0]
                                   .toMap()["initiativeId"]
                                   .toString();
    QVariantMap bm{{"measure", "Reading proficiency"},
                   {"type", "outcome"},
                   {"audience", "students"},
                   {"unit", "%"},
                   {"baseline", "forty"},
                   {"baseline_date", "2027-06-01"},
                   {"target", "60"},
                   {"due", "2028-06-15"},
                   {"cadence", "monthly"},
                   {"direction", "higher"}};
    EXPECT_FALSE(editor.saveBenchmark("", initiative, bm));
    EXPECT_EQ(editor.errorString(), "baseline needs a number, got \"forty\"");
    bm["baseline"] = "40.5";
    ASSERT_TRUE(editor.saveBenchmark("", initiative, bm)) << editor.errorString().toStdString();
    EXPECT_TRUE(editor.submitGaps().isEmpty());
    // The draft does not replace the plan in effect on the school page; it is listed.
    shown.reload();
    EXPECT_EQ(shown.shownPlanId(), demo_plan);
    EXPECT_EQ(shown.plans().size(), 2);
    EXPECT_EQ(shown.objectives().size(), demo_objectives);
    EXPECT_TRUE(editor.revisions().isEmpty());
    ASSERT_TRUE(editor.submit()) << editor.errorString().toStdString();
    EXPECT_FALSE(editor.draft());
    const QVariantMap benchmark = editor.objectives()[0]
                                      .toMap()["initiatives"]
                                      .toList()[0]
                                      .toMap()["benchmarks"]
                                      .toList()[0]
                                      .toMap();
    EXPECT_EQ(benchmark["baseline"], "40.5");
    QVariantMap raise = bm;
    raise["target"] = "65";
    ASSERT_TRUE(editor.saveBenchmark(benchmark["benchmarkId"].toString(), initiative, raise));
    ASSERT_EQ(editor.revisions().size(), 2);
    QVariantMap newest = editor.revisions()[0].toMap();
    EXPECT_EQ(newest["by"], "Paula Principal");
    EXPECT_EQ(newest["action"], "changed");
    EXPECT_EQ(newest["title"], "Reading proficiency");
    EXPECT_EQ(newest["fields"], "target");
    EXPECT_EQ(editor.revisions()[1].toMap()["action"], "submitted");
    // Removing an initiative takes its benchmark, in one step, recorded.
    EXPECT_EQ(editor.removes("initiative", initiative), "1 benchmark");
    ASSERT_TRUE(editor.remove("initiative", initiative));
    EXPECT_TRUE(editor.objectives()[0].toMap()["initiatives"].toList().isEmpty());
    EXPECT_EQ(editor.revisions().size(), 4);

    // The reflection on the plan in effect: five questions, a decision and reason each.
    app::ReflectionController reflection;
    reflection.setApp(&principal);
    reflection.setSchoolId(school);
    ASSERT_EQ(reflection.planId(), demo_plan);
    ASSERT_TRUE(reflection.editable());
    for (const char* field :
         {"worked", "worked_evidence", "not_worked", "not_worked_evidence", "stakeholders"})
        ASSERT_TRUE(reflection.setAnswer(field, "Written")) << field;
    EXPECT_FALSE(reflection.submit());
    EXPECT_EQ(reflection.errorString().left(65),
              "the reflection is not finished: Answer how district systems suppo");
    ASSERT_TRUE(reflection.setAnswer("district_systems", "The district data team"));
    int decided = 0;
    for (const auto& o : reflection.objectives()) {
        const QVariantMap m = o.toMap();
        ASSERT_TRUE(reflection.setDecision(m["objectiveId"].toString(), "continue"));
        ASSERT_TRUE(reflection.setReason(m["objectiveId"].toString(), "It works"));
        for (const auto& i : m["initiatives"].toList()) {
            ASSERT_TRUE(reflection.setDecision(i.toMap()["initiativeId"].toString(), "revise"));
            ASSERT_TRUE(reflection.setReason(i.toMap()["initiativeId"].toString(), "Weekly"));
            ++decided;
        }
    }
    ASSERT_GT(decided, 0);
    EXPECT_TRUE(reflection.gaps().isEmpty()) << reflection.gaps().join("; ").toStdString();
    EXPECT_FALSE(reflection.canRenew());
    ASSERT_TRUE(reflection.submit()) << reflection.errorString().toStdString();
    EXPECT_TRUE(reflection.submitted());
    EXPECT_FALSE(reflection.editable());
    EXPECT_FALSE(reflection.setAnswer("worked", "Changed later"));
    ASSERT_TRUE(reflection.canRenew());
    const QString renewed = reflection.renew();
    ASSERT_FALSE(renewed.isEmpty()) << reflection.errorString().toStdString();
    EXPECT_EQ(reflection.renewedPlanId(), renewed);
    EXPECT_FALSE(reflection.canRenew());
    EXPECT_TRUE(reflection.renewal().startsWith("Made the 2027-2028 to "))
        << reflection.renewal().toStdString();
    app::PlanEditor next;
    next.setApp(&principal);
    next.setPlanId(renewed);
    EXPECT_TRUE(next.draft());
    EXPECT_EQ(next.objectives().size(), demo_objectives);
    EXPECT_EQ(next.plan()["previousTitle"], shown.planTitle());
    shown.reload();
    EXPECT_EQ(shown.plans().size(), 3);
    EXPECT_EQ(shown.shownPlanId(), demo_plan); // still this year's
    shown.setPlanId(renewed);
    EXPECT_EQ(shown.planStatus(), "draft");
    EXPECT_EQ(shown.objectives().size(), demo_objectives);

    // The receiver's device gets the plans, the reflection and the history.
    principal.syncNow();
    ASSERT_TRUE(wait_for([&] {
        return principal.syncState() == client::SyncEngine::State::UpToDate &&
               principal.pendingChanges() == 0;
    })) << principal.syncMessage().toStdString();
    EXPECT_EQ(principal.refusedChanges(), 0);
    receiver.syncNow();
    app::PlanEditor seen;
    seen.setApp(&receiver);
    seen.setSchoolId(school);
    seen.setPlanId(editor.planId());
    ASSERT_TRUE(wait_for([&] {
        seen.reload();
        return seen.revisions().size() == 4;
    }));
    EXPECT_EQ(seen.revisions()[3].toMap()["by"], "Paula Principal");
    EXPECT_TRUE(seen.editable());
    app::ReflectionController their;
    their.setApp(&receiver);
    their.setSchoolId(school);
    ASSERT_TRUE(wait_for([&] {
        their.reload();
        return their.submitted() && their.renewedPlanId() == renewed;
    }));
}

// A meeting records the next steps it decided with it: both are stored, or neither.
TEST(SchoolView, AMeetingRecordsTheNextStepsItDecidedTogetherOrNotAtAll) {
    ServerProcess server;
    ASSERT_EQ(server.admin({"demo"}).code, 0);
    server.start();
    const auto dir = server.data().parent_path();
    app::AppController principal(std::move(Store::open({(dir / "p.db").string()})).value());
    ASSERT_TRUE(sign_in(server, principal, "principal@demo.sitevisit", "principal-demo-2026"));
    const QString school = QString::fromStdString(principal.user()->schools.front());
    app::PlanModel plan;
    plan.setApp(&principal);
    plan.setSchoolId(school);
    ASSERT_FALSE(plan.benchmarks().isEmpty());
    // Those who may own a step: people who see the school, the principal among them.
    QString paula;
    for (const auto& o : plan.owners())
        if (o.toMap()["name"] == "Paula Principal") paula = o.toMap()["id"].toString();
    ASSERT_FALSE(paula.isEmpty());
    const QString bm = plan.benchmarks()[0].toMap()["benchmarkId"].toString();
    const QString today = principal.today().toString(Qt::ISODate);
    const QString due = principal.today().addDays(14).toString(Qt::ISODate);
    const auto steps_before =
        principal.store().list("next_step", "school", school.toStdString())->size();
    const int meetings_before = plan.meetings().size();
    // A step without a due date is refused, and the meeting with it.
    QVariantList steps{QVariantMap{{"title", "Share the reading data with families"},
                                   {"owner", paula},
                                   {"due", ""},
                                   {"benchmark", bm}}};
    EXPECT_FALSE(plan.recordMeeting(today, "grade_level", {bm}, {}, steps));
    EXPECT_TRUE(plan.errorString().contains("due_date")) << plan.errorString().toStdString();
    EXPECT_EQ(plan.meetings().size(), meetings_before);
    EXPECT_EQ(principal.store().list("next_step", "school", school.toStdString())->size(),
              steps_before);
    steps[0] = QVariantMap{{"title", "Share the reading data with families"},
                           {"owner", paula},
                           {"due", due},
                           {"benchmark", bm}};
    ASSERT_TRUE(plan.recordMeeting(today, "grade_level", {bm}, {}, steps))
        << plan.errorString().toStdString();
    EXPECT_EQ(plan.meetings().size(), meetings_before + 1);
    const auto all = *principal.store().list("next_step", "school", school.toStdString());
    ASSERT_EQ(all.size(), steps_before + 1);
    const auto meetings =
        *principal.store().list("monitoring_meeting", "school", school.toStdString());
    const Row* recorded = nullptr;
    for (const auto& m : meetings)
        if (m.fields.contains("next_steps")) recorded = &m;
    ASSERT_NE(recorded, nullptr);
    ASSERT_EQ(recorded->fields["next_steps"].size(), 1u);
    auto step =
        principal.store().get("next_step", recorded->fields["next_steps"][0].get<std::string>());
    ASSERT_TRUE(step.ok() && *step);
    EXPECT_EQ((*step)->fields.value("title", ""), "Share the reading data with families");
    EXPECT_EQ((*step)->fields.value("owner", ""), paula.toStdString());
    EXPECT_EQ((*step)->fields.value("due_date", ""), due.toStdString());
    EXPECT_EQ((*step)->fields.value("benchmark", ""), bm.toStdString());
    EXPECT_EQ((*step)->fields.value("status", ""), "open");
}

// A district's own plan and next steps on the district leader's device: the caseload lists the
// district first in its section; the school page, given the district, shows its plan and
// benchmarks without visits; the district leader changes a benchmark and makes a next step, and
// the district's lead sees both after a sync. A principal of one of its schools sees none of it.
TEST(SchoolView, ADistrictLeaderKeepsTheDistrictsOwnPlanAndItsLeadSeesIt) {
    ServerProcess server;
    ASSERT_EQ(server.admin({"demo"}).code, 0);
    server.start();
    const auto dir = server.data().parent_path();
    app::AppController dora(std::move(Store::open({(dir / "d.db").string()})).value());
    app::AppController leo(std::move(Store::open({(dir / "l.db").string()})).value());
    app::AppController pete(std::move(Store::open({(dir / "p.db").string()})).value());
    ASSERT_TRUE(sign_in(server, dora, "district@demo.sitevisit", "district-demo-2026"));
    ASSERT_TRUE(sign_in(server, leo, "lead2@demo.sitevisit", "lead2-demo-2026"));
    ASSERT_TRUE(sign_in(server, pete, "principal2@demo.sitevisit", "principal2-demo-2026"));
    const QString district = QString::fromStdString(dora.user()->districts.front());

    // The caseload: the district's own entry first, with its steps counted.
    app::CaseloadModel caseload;
    QAbstractItemModelTester tester(&caseload);
    caseload.setApp(&dora);
    ASSERT_GT(caseload.rowCount(), 1);
    const QModelIndex first = caseload.index(0, 0);
    EXPECT_TRUE(caseload.data(first, app::CaseloadModel::DistrictLevelRole).toBool());
    EXPECT_EQ(caseload.data(first, app::CaseloadModel::SchoolIdRole).toString(), district);
    EXPECT_EQ(caseload.data(first, app::CaseloadModel::OpenStepsRole).toInt(), 2);
    EXPECT_EQ(caseload.data(first, app::CaseloadModel::OverdueStepsRole).toInt(), 1);
    for (int i = 1; i < caseload.rowCount(); ++i)
        EXPECT_FALSE(
            caseload.data(caseload.index(i, 0), app::CaseloadModel::DistrictLevelRole).toBool());

    app::SchoolController page;
    page.setApp(&dora);
    page.setSchoolId(district);
    EXPECT_TRUE(page.districtLevel());
    EXPECT_TRUE(page.name().endsWith("· district plan")) << page.name().toStdString();
    EXPECT_EQ(page.benchmarks().size(), 2);
    EXPECT_TRUE(page.visits().isEmpty());
    EXPECT_FALSE(page.canStartVisit());
    app::PlanModel plan;
    plan.setApp(&dora);
    plan.setSchoolId(district);
    EXPECT_EQ(plan.planTitle(), "Bayside district plan 2026-2029");
    EXPECT_TRUE(plan.canWritePlan());
    EXPECT_FALSE(plan.canRecordMeeting());

    // The editor offers only a district plan here, and records the change.
    app::PlanEditor editor;
    editor.setApp(&dora);
    editor.setSchoolId(district);
    editor.setPlanId(plan.shownPlanId());
    ASSERT_TRUE(editor.editable());
    const QVariantList kinds = editor.choices()["kind"].toList();
    ASSERT_EQ(kinds.size(), 1);
    EXPECT_EQ(kinds[0].toMap()["value"].toString(), "district");
    const QVariantMap coach =
        find(plan.benchmarks(), "measure", "Schools with a full-time instructional coach");
    ASSERT_FALSE(coach.isEmpty());
    const QString benchmark = coach["benchmarkId"].toString();
    auto row = dora.store().get("benchmark", benchmark.toStdString());
    ASSERT_TRUE(row.ok() && *row);
    QVariantMap fields;
    for (const char* f : {"measure", "type", "audience", "unit", "baseline", "baseline_date", "due",
                          "cadence", "direction"}) {
        const Json& v = (*row)->fields[f];
        fields[f] = v.is_string() ? QString::fromStdString(v.get<std::string>())
                                  : QString::number(v.get<double>());
    }
    fields["target"] = "4";
    ASSERT_TRUE(editor.saveBenchmark(
        benchmark, QString::fromStdString((*row)->fields["initiative"].get<std::string>()), fields))
        << editor.errorString().toStdString();
    EXPECT_EQ(editor.revisions().size(), 1);

    // A next step of the district's own, owned by the district leader.
    app::NextStepsModel steps;
    steps.setApp(&dora);
    steps.setSchoolId(district);
    ASSERT_TRUE(steps.canMake());
    const int before = steps.rowCount();
    ASSERT_TRUE(steps.make("Agree the coach job description with principals", "",
                           QString::fromStdString(dora.user()->id), "2026-12-18", {}, {},
                           benchmark))
        << steps.errorString().toStdString();
    EXPECT_EQ(steps.rowCount(), before + 1);

    dora.syncNow();
    ASSERT_TRUE(wait_for([&] {
        return dora.syncState() == client::SyncEngine::State::UpToDate &&
               dora.pendingChanges() == 0;
    }));
    leo.syncNow();
    app::NextStepsModel seen;
    seen.setApp(&leo);
    seen.setSchoolId(district);
    ASSERT_TRUE(wait_for([&] {
        seen.reload();
        return seen.rowCount() == before + 1;
    }));
    auto target = leo.store().get("benchmark", benchmark.toStdString());
    ASSERT_TRUE(target.ok() && *target);
    EXPECT_EQ((*target)->fields.value("target", 0.0), 4.0);
    // Its history once: the device's own revision, none added by the server.
    auto history = leo.store().list("plan_revision", "row", benchmark.toStdString());
    ASSERT_TRUE(history.ok());
    EXPECT_EQ(history->size(), 1u);

    // The principal of one of the district's schools: no district entry, no district rows.
    app::CaseloadModel petes;
    petes.setApp(&pete);
    for (int i = 0; i < petes.rowCount(); ++i)
        EXPECT_FALSE(petes.data(petes.index(i, 0), app::CaseloadModel::DistrictLevelRole).toBool());
    auto none = pete.store().list("benchmark", "school", district.toStdString());
    ASSERT_TRUE(none.ok());
    EXPECT_TRUE(none->empty());
}
