// The app's view models on a real store synced from a real server, checked with
// QAbstractItemModelTester as the views would use them.
#include "harness.h"

#include "app_controller.h"
#include "caseload_model.h"
#include "school_controller.h"
#include "visit_controller.h"

#include <QAbstractItemModelTester>
#include <QEventLoop>
#include <QTimer>

#include <gtest/gtest.h>

using namespace sitevisit;
using namespace sitevisit::e2e;

namespace {

int model_warnings = 0;
QtMessageHandler previous = nullptr;
void count(QtMsgType t, const QMessageLogContext& c, const QString& m) {
    if (t != QtDebugMsg && t != QtInfoMsg && m.contains(QLatin1String("FAIL"))) ++model_warnings;
    if (previous) previous(t, c, m);
}

bool wait_for(const std::function<bool()>& done, int ms = 30000) {
    QEventLoop loop;
    QTimer tick;
    QObject::connect(&tick, &QTimer::timeout, &loop, [&] {
        if (done()) loop.quit();
    });
    tick.start(20);
    QTimer::singleShot(ms, &loop, &QEventLoop::quit);
    if (!done()) loop.exec();
    return done();
}

} // namespace

TEST(ViewModels, CaseloadAndVisitCaptureWorkOnASyncedStore) {
    ServerProcess server;
    ASSERT_EQ(server.admin({"demo"}).code, 0);
    server.start();
    previous = qInstallMessageHandler(count);
    auto store = std::move(Store::open({(server.data().parent_path() / "app.db").string()})).value();
    app::AppController app(std::move(store));
    app.signIn(QStringLiteral("http://127.0.0.1:%1").arg(server.port()), "lead@demo.sitevisit", "lead-demo-2026");
    ASSERT_TRUE(wait_for([&] { return !app.busy(); }));
    ASSERT_TRUE(app.signInError().isEmpty()) << app.signInError().toStdString();
    ASSERT_TRUE(wait_for([&] { return app.syncState() == "upToDate"; })) << app.syncMessage().toStdString();
    EXPECT_EQ(app.userRole(), "Assistance Lead");

    app::CaseloadModel caseload;
    QAbstractItemModelTester caseload_tester(&caseload, QAbstractItemModelTester::FailureReportingMode::Warning);
    caseload.setApp(&app);
    ASSERT_EQ(caseload.rowCount(), 6);
    EXPECT_EQ(caseload.data(caseload.index(0), app::CaseloadModel::DistrictRole).toString(), "Bayside"); // sorted by district
    bool receivership = false;
    for (int r = 0; r < caseload.rowCount(); ++r)
        if (caseload.data(caseload.index(r), app::CaseloadModel::DesignationRole).toString() == "Receivership") receivership = true;
    EXPECT_TRUE(receivership);

    app::SchoolController school;
    school.setApp(&app);
    school.setSchoolId(app.suggestedSchool());
    EXPECT_EQ(school.name(), "Lincoln Elementary");
    ASSERT_EQ(school.benchmarks().size(), 3);
    for (const auto& b : school.benchmarks()) EXPECT_FALSE(b.toMap()["statusLabel"].toString().isEmpty());
    EXPECT_TRUE(school.canStartVisit());
    const QString visit_id = school.startVisit();
    ASSERT_FALSE(visit_id.isEmpty()) << school.errorString().toStdString();

    app::VisitController visit;
    auto* indicators = qobject_cast<QAbstractItemModel*>(visit.indicators());
    QAbstractItemModelTester indicator_tester(indicators, QAbstractItemModelTester::FailureReportingMode::Warning);
    visit.setApp(&app);
    visit.setVisitId(visit_id);
    EXPECT_TRUE(visit.editable());
    ASSERT_EQ(visit.levels().size(), 4);
    EXPECT_EQ(visit.levels()[3], "Sustaining");
    ASSERT_EQ(indicators->rowCount(), 7); // practice 1 of the elementary rubric
    const QString first = indicators->data(indicators->index(0, 0), app::IndicatorListModel::IndicatorIdRole).toString();
    const int before = app.pendingChanges();
    EXPECT_TRUE(visit.rate(first, 2));
    EXPECT_TRUE(visit.setNote(first, "Objectives posted in every room"));
    EXPECT_TRUE(visit.setSource(first, "classroom_observation"));
    EXPECT_EQ(indicators->data(indicators->index(0, 0), app::IndicatorListModel::RatingRole).toInt(), 2);
    EXPECT_EQ(app.pendingChanges(), before + 3); // saved at every change
    EXPECT_EQ(visit.summary()[0].toMap()["mean"].toDouble(), 2.0);
    EXPECT_FALSE(visit.rate(first, 9));
    EXPECT_EQ(visit.errorString(), "rating must be 0-3 (No evidence .. Sustaining), got 9");
    visit.setPractice(4);
    EXPECT_EQ(indicators->rowCount(), 6);
    EXPECT_TRUE(visit.submit());
    EXPECT_FALSE(visit.editable());
    EXPECT_FALSE(visit.rate(first, 1));
    ASSERT_TRUE(wait_for([&] { return app.syncState() == "upToDate" && app.pendingChanges() == 0; })) << app.syncMessage().toStdString();
    // The server holds the rating.
    Json rows = Json::parse(server.admin({"export", "--user", "lead@demo.sitevisit"}).out)["rows"];
    bool found = false;
    for (auto it = rows["observation"].begin(); it != rows["observation"].end(); ++it)
        if (it.value()["fields"]["visit"] == visit_id.toStdString() && it.value()["fields"]["rating"] == 2) found = true;
    EXPECT_TRUE(found);
    qInstallMessageHandler(previous);
    EXPECT_EQ(model_warnings, 0);
}
