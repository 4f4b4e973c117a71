// Next steps in the app: made from a visit, worked by the principal, verified or returned by
// the lead, on stores synced from the real server; what core refuses is refused in words; the
// overdue flag follows the app's clock. And the visit summary: counts per continuum level beside
// the previous visit of the same kind, placeholder indicators neither offered nor counted.
#include "app_controller.h"
#include "caseload_model.h"
#include "harness.h"
#include "next_steps_model.h"
#include "qt_wait.h"
#include "school_controller.h"
#include "sitevisit/core/reference.h"
#include "visit_controller.h"

#include <QAbstractItemModelTester>
#include <QDateTime>
#include <gtest/gtest.h>
#include <map>

using namespace sitevisit;
using namespace sitevisit::e2e;
using sitevisit::testing::wait_for;

namespace {

using Steps = app::NextStepsModel;

QVariant field(const Steps& m, const QString& id, int role) {
    for (int r = 0; r < m.rowCount(); ++r)
        if (m.data(m.index(r), Steps::StepIdRole).toString() == id) return m.data(m.index(r), role);
    return {};
}

QString find_title(const Steps& m, const QString& title) {
    for (int r = 0; r < m.rowCount(); ++r)
        if (m.data(m.index(r), Steps::TitleRole).toString() == title)
            return m.data(m.index(r), Steps::StepIdRole).toString();
    return {};
}

bool synced(app::AppController& a) {
    a.syncNow();
    return wait_for([&] {
        return a.syncState() == client::SyncEngine::State::UpToDate && a.pendingChanges() == 0;
    });
}

} // namespace

TEST(ViewModels, NextStepsAreMadeWorkedVerifiedAndReturnedByTheRightPeople) {
    ServerProcess server;
    ASSERT_EQ(server.admin({"demo"}).code, 0);
    server.start();
    const auto dir = server.data().parent_path();
    ManualClock lead_clock(QDateTime::currentMSecsSinceEpoch());
    app::AppController lead(std::move(Store::open({(dir / "lead.db").string()})).value(),
                            app::AppEnvironment{&lead_clock, QString::fromStdString(dir.string())});
    app::AppController principal(std::move(Store::open({(dir / "p.db").string()})).value());
    auto sign_in = [&](app::AppController& a, const char* email, const char* pw) {
        a.signIn(QStringLiteral("http://127.0.0.1:%1").arg(server.port()), email, pw);
        return wait_for(
            [&] { return !a.busy() && a.syncState() == client::SyncEngine::State::UpToDate; });
    };
    ASSERT_TRUE(sign_in(lead, "lead@demo.sitevisit", "lead-demo-2026"));
    ASSERT_TRUE(sign_in(principal, "principal@demo.sitevisit", "principal-demo-2026"));
    const QString lincoln = lead.suggestedSchool();

    Steps mine;
    QAbstractItemModelTester tester(&mine, QAbstractItemModelTester::FailureReportingMode::Fatal);
    mine.setApp(&lead);
    mine.setSchoolId(lincoln);
    // The demo's steps at Lincoln: one overdue, one verified, one done waiting to be checked.
    ASSERT_EQ(mine.rowCount(), 5);
    EXPECT_EQ(mine.overdueCount(), 1);
    EXPECT_EQ(mine.openCount(), 3);
    EXPECT_TRUE(mine.data(mine.index(0), Steps::OverdueRole).toBool()); // overdue first
    EXPECT_EQ(mine.data(mine.index(0), Steps::OwnerNameRole).toString(), "Paula Principal");
    EXPECT_EQ(mine.data(mine.index(0), Steps::IndicatorCodeRole).toString(), "2.1");
    // Then what is still to do, then what is done and waits for a check, verified last.
    auto rank = [&](int row) {
        const QString status = mine.data(mine.index(row), Steps::StatusRole).toString();
        return status == "verified" ? 2 : status == "done" ? 1 : 0;
    };
    for (int row = 1; row < mine.rowCount(); ++row)
        EXPECT_LE(rank(row - 1), rank(row)) << "row " << row;
    EXPECT_EQ(rank(mine.rowCount() - 1), 2) << "the demo's verified step comes last";
    EXPECT_TRUE(mine.canMake());
    QString paula;
    QStringList owners;
    for (const auto& o : mine.owners()) {
        owners << o.toMap()["name"].toString();
        if (o.toMap()["name"] == "Paula Principal") paula = o.toMap()["id"].toString();
    }
    EXPECT_TRUE(owners.contains("Rosa Receiver"));
    EXPECT_FALSE(owners.contains("Pete Principal")); // another school's principal
    ASSERT_FALSE(paula.isEmpty());
    const QString done_step = find_title(mine, "Call every family after two absences");
    EXPECT_EQ(field(mine, done_step, Steps::StatusLabelRole).toString(), "Done");
    EXPECT_TRUE(field(mine, done_step, Steps::CanVerifyRole).toBool());
    EXPECT_FALSE(field(mine, done_step, Steps::OverdueRole).toBool()); // done: never overdue

    // Made by the lead for the principal; refusals in words.
    const QString due = lead.today().addDays(7).toString(Qt::ISODate);
    EXPECT_FALSE(mine.make("  ", "", paula, due));
    EXPECT_EQ(mine.errorString(), "Give the next step a title.");
    EXPECT_FALSE(mine.make("Walkthrough with the ELA coach", "", "", due));
    EXPECT_EQ(mine.errorString(), "Choose who will do the next step.");
    EXPECT_FALSE(mine.make("Walkthrough with the ELA coach", "", paula, "next week"));
    EXPECT_FALSE(mine.errorString().isEmpty());
    ASSERT_TRUE(mine.make("Walkthrough with the ELA coach", "Two classrooms a week", paula, due))
        << mine.errorString().toStdString();
    EXPECT_TRUE(mine.errorString().isEmpty());
    const QString step = find_title(mine, "Walkthrough with the ELA coach");
    ASSERT_FALSE(step.isEmpty());
    EXPECT_EQ(field(mine, step, Steps::StatusRole).toString(), "open");
    EXPECT_FALSE(field(mine, step, Steps::CanWorkRole).toBool());   // not the lead's to do
    EXPECT_FALSE(field(mine, step, Steps::CanVerifyRole).toBool()); // not done yet
    EXPECT_TRUE(field(mine, step, Steps::CanEditRole).toBool());
    EXPECT_FALSE(mine.markDone(step));
    EXPECT_FALSE(mine.errorString().isEmpty());
    ASSERT_TRUE(synced(lead)) << lead.syncMessage().toStdString();

    // The principal sees it and marks it done; a principal never verifies.
    ASSERT_TRUE(synced(principal));
    Steps theirs;
    theirs.setApp(&principal);
    theirs.setSchoolId(lincoln);
    ASSERT_FALSE(field(theirs, step, Steps::TitleRole).isNull());
    EXPECT_TRUE(field(theirs, step, Steps::CanWorkRole).toBool());
    EXPECT_FALSE(field(theirs, step, Steps::CanVerifyRole).toBool());
    EXPECT_TRUE(theirs.start(step));
    EXPECT_EQ(field(theirs, step, Steps::StatusLabelRole).toString(), "In progress");
    EXPECT_TRUE(theirs.markDone(step)) << theirs.errorString().toStdString();
    EXPECT_FALSE(theirs.verify(step));
    EXPECT_FALSE(theirs.errorString().isEmpty());
    ASSERT_TRUE(synced(principal));

    // The lead returns it (a note is required), the principal does it again, the lead verifies.
    ASSERT_TRUE(synced(lead));
    EXPECT_EQ(field(mine, step, Steps::StatusRole).toString(), "done");
    EXPECT_TRUE(field(mine, step, Steps::CanVerifyRole).toBool());
    EXPECT_FALSE(mine.sendBack(step, "  "));
    EXPECT_EQ(mine.errorString(), "Say what is still missing: a returned step needs a note.");
    EXPECT_TRUE(mine.sendBack(step, "Only one walkthrough so far; two a week were agreed."));
    EXPECT_EQ(field(mine, step, Steps::StatusLabelRole).toString(), "Returned");
    EXPECT_EQ(field(mine, step, Steps::ReturnNoteRole).toString(),
              "Only one walkthrough so far; two a week were agreed.");
    ASSERT_TRUE(synced(lead));
    ASSERT_TRUE(synced(principal));
    EXPECT_EQ(field(theirs, step, Steps::StatusRole).toString(), "returned");
    EXPECT_TRUE(theirs.markDone(step));
    ASSERT_TRUE(synced(principal));
    ASSERT_TRUE(synced(lead));
    EXPECT_TRUE(mine.verify(step)) << mine.errorString().toStdString();
    EXPECT_EQ(field(mine, step, Steps::StatusLabelRole).toString(), "Verified");
    EXPECT_FALSE(field(mine, step, Steps::CanEditRole).toBool()); // verified is final
    EXPECT_FALSE(mine.edit(step, "Another title", "", paula, due));
    ASSERT_TRUE(synced(lead));
    Json rows = Json::parse(server.admin({"export", "--user", "lead@demo.sitevisit"}).out)["rows"];
    ASSERT_TRUE(rows["next_step"].contains(step.toStdString()));
    EXPECT_EQ(rows["next_step"][step.toStdString()]["fields"]["status"], "verified");

    // Overdue follows the app's clock: a step due in two days is overdue five days on.
    const QString soon = lead.today().addDays(2).toString(Qt::ISODate);
    ASSERT_TRUE(mine.make("Send the walkthrough schedule", "", paula, soon));
    const QString later = find_title(mine, "Send the walkthrough schedule");
    EXPECT_FALSE(field(mine, later, Steps::OverdueRole).toBool());
    app::CaseloadModel caseload;
    caseload.setApp(&lead);
    auto caseload_row = [&] {
        for (int r = 0; r < caseload.rowCount(); ++r)
            if (caseload.data(caseload.index(r), app::CaseloadModel::SchoolIdRole) == lincoln)
                return r;
        return -1;
    };
    ASSERT_GE(caseload_row(), 0);
    EXPECT_EQ(caseload.data(caseload.index(caseload_row()), app::CaseloadModel::OpenStepsRole), 4);
    EXPECT_EQ(caseload.data(caseload.index(caseload_row()), app::CaseloadModel::OverdueStepsRole),
              1);
    lead_clock.advance(5LL * 24 * 3600 * 1000);
    mine.reload();
    caseload.reload();
    EXPECT_TRUE(field(mine, later, Steps::OverdueRole).toBool());
    EXPECT_EQ(mine.overdueCount(), 2);
    EXPECT_EQ(caseload.data(caseload.index(caseload_row()), app::CaseloadModel::OverdueStepsRole),
              2);
    EXPECT_GE(
        caseload.data(caseload.index(caseload_row()), app::CaseloadModel::WorryingBenchmarksRole)
            .toInt(),
        0);

    // Deleted, with what core says when it may not be.
    EXPECT_TRUE(mine.remove(later));
    EXPECT_TRUE(find_title(mine, "Send the walkthrough schedule").isEmpty());
    EXPECT_FALSE(mine.remove(step)); // verified: nothing about it changes any more
    EXPECT_FALSE(mine.errorString().isEmpty());
}

TEST(ViewModels, TheVisitSummaryCountsLevelsBesideTheLastVisitOfTheSameKind) {
    ServerProcess server;
    ASSERT_EQ(server.admin({"demo"}).code, 0);
    server.start();
    const auto dir = server.data().parent_path();
    app::AppController lead(std::move(Store::open({(dir / "lead.db").string()})).value());
    lead.signIn(QStringLiteral("http://127.0.0.1:%1").arg(server.port()), "lead@demo.sitevisit",
                "lead-demo-2026");
    ASSERT_TRUE(wait_for(
        [&] { return !lead.busy() && lead.syncState() == client::SyncEngine::State::UpToDate; }));
    app::SchoolController school;
    school.setApp(&lead);
    school.setSchoolId(lead.suggestedSchool());
    const QString id = school.startVisit(); // monitoring, like the demo's visit 70 days ago
    ASSERT_FALSE(id.isEmpty()) << school.errorString().toStdString();

    app::VisitController visit;
    visit.setApp(&lead);
    visit.setVisitId(id);
    auto* indicators = qobject_cast<QAbstractItemModel*>(visit.indicators());
    // Practice 1 of the elementary rubric has 7 indicators; 1.7 is a placeholder.
    ASSERT_EQ(indicators->rowCount(), 6);
    for (int r = 0; r < indicators->rowCount(); ++r)
        EXPECT_NE(
            indicators->data(indicators->index(r, 0), app::IndicatorListModel::CodeRole).toString(),
            "1.7");
    EXPECT_EQ(visit.unrated(), 20); // 26 indicators, 6 of them placeholders
    EXPECT_EQ(visit.practices()[0].toMap()["total"].toInt(), 6);

    auto p1 = visit.summary()[0].toMap();
    EXPECT_FALSE(p1.contains("mean"));
    EXPECT_TRUE(p1["hasLast"].toBool());
    // Beside it, the school's latest monitoring visit as the server holds it: its practice 1
    // ratings counted per level, placeholders left out.
    const Json rows =
        Json::parse(server.admin({"export", "--user", "lead@demo.sitevisit"}).out)["rows"];
    std::string last_monitoring, last_date;
    for (auto it = rows["visit"].begin(); it != rows["visit"].end(); ++it) {
        const Json& f = it.value()["fields"];
        if (it.value()["school"] == lead.suggestedSchool().toStdString() &&
            f["kind"] == "monitoring" && f["status"] != "draft" &&
            f["start_date"].get<std::string>() > last_date) {
            last_monitoring = it.key();
            last_date = f["start_date"];
        }
    }
    ASSERT_FALSE(last_monitoring.empty()) << "the demo has a monitoring visit at the school";
    EXPECT_EQ(p1["lastDate"].toString().toStdString(), last_date);
    std::map<std::string, int> rated;
    for (const auto& o : rows["observation"])
        if (o["fields"]["visit"] == last_monitoring && o["fields"]["rating"].is_number_integer())
            rated[o["fields"]["indicator"]] = o["fields"]["rating"];
    QVariantList last_counts{0, 0, 0, 0};
    int last_unrated = 0;
    for (const auto& ind : Reference::builtin().rubric("msv-2026-2027-elementary")->indicators)
        if (ind.practice == 1 && !ind.placeholder) {
            auto r = rated.find(ind.id);
            if (r == rated.end())
                ++last_unrated;
            else
                last_counts[r->second] = last_counts[r->second].toInt() + 1;
        }
    EXPECT_EQ(last_unrated, 0) << "the demo rates every named indicator";
    EXPECT_EQ(p1["lastCounts"].toList(), last_counts);
    EXPECT_EQ(p1["lastUnrated"].toInt(), last_unrated);
    EXPECT_EQ(p1["counts"].toList(), (QVariantList{0, 0, 0, 0}));
    EXPECT_EQ(p1["unrated"].toInt(), 6);

    const QString first =
        indicators->data(indicators->index(0, 0), app::IndicatorListModel::IndicatorIdRole)
            .toString();
    const QString second =
        indicators->data(indicators->index(1, 0), app::IndicatorListModel::IndicatorIdRole)
            .toString();
    ASSERT_TRUE(visit.rate(first, 2));
    ASSERT_TRUE(visit.rate(second, 2));
    p1 = visit.summary()[0].toMap();
    EXPECT_EQ(p1["counts"].toList(), (QVariantList{0, 0, 2, 0}));
    EXPECT_EQ(p1["unrated"].toInt(), 4);
    EXPECT_EQ(visit.unrated(), 18);

    // Strengths and areas for growth, per practice, saved to the visit.
    EXPECT_TRUE(visit.setStrengths(1, "Objectives posted and referred to in every room."));
    EXPECT_TRUE(visit.setAreasForGrowth(2, "Exit tickets are collected but not yet used."));
    EXPECT_EQ(visit.strengths()["1"].toString(),
              "Objectives posted and referred to in every room.");
    EXPECT_EQ(visit.areasForGrowth()["2"].toString(),
              "Exit tickets are collected but not yet used.");
    EXPECT_TRUE(visit.setStrengths(1, ""));
    EXPECT_FALSE(visit.strengths().contains("1"));

    // In this new visit, indicator 2.1 shows the step an earlier visit asked for, still open.
    app::NextStepsModel earlier;
    earlier.setApp(&lead);
    earlier.setEarlierThan(id);
    earlier.setIndicatorId("msv-2026-2027-elementary/2.1");
    ASSERT_EQ(earlier.rowCount(), 1);
    EXPECT_TRUE(earlier.data(earlier.index(0), Steps::OverdueRole).toBool());
    earlier.setIndicatorId("msv-2026-2027-elementary/1.2"); // verified: nothing left to do
    EXPECT_EQ(earlier.rowCount(), 0);

    // A progress-monitoring visit compares with the demo's progress-monitoring visit instead.
    const QString pm = school.startVisit("progress_monitoring");
    if (!pm.isEmpty()) {
        visit.setVisitId(pm);
        EXPECT_TRUE(visit.summary()[0].toMap()["hasLast"].toBool());
        EXPECT_NE(visit.summary()[0].toMap()["lastDate"], p1["lastDate"]);
    }
}
