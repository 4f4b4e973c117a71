// What start-up hands the app besides its store: the clock and the data folder. A test steps
// the day instead of waiting for one, and finds the app's files where it was told to put them.
#include "app_controller.h"
#include "caseload_model.h"
#include "harness.h"
#include "qt_wait.h"
#include "school_controller.h"

#include <QDate>
#include <QDateTime>
#include <QImage>
#include <QUrl>
#include <gtest/gtest.h>
#include <optional>

using namespace sitevisit;
using namespace sitevisit::e2e;
using sitevisit::testing::wait_for;

// The app's day is its clock's, and its files go to the data folder it was given: both are
// handed in at start-up, so a test steps the day instead of waiting for one.
TEST(AppEnvironment, TheDayComesFromTheInjectedClockAndFilesFromTheGivenFolder) {
    ServerProcess server;
    ASSERT_EQ(server.admin({"demo"}).code, 0);
    server.start();
    const auto folder = server.data().parent_path() / "device-files";
    const QDate day = QDate::currentDate().addDays(3);
    ManualClock clock(QDateTime(day, QTime(9, 0)).toMSecsSinceEpoch());
    app::AppController app(
        std::move(Store::open({(server.data().parent_path() / "app.db").string()})).value(),
        app::AppEnvironment{&clock, QString::fromStdString(folder.string())});
    app.signIn(QStringLiteral("http://127.0.0.1:%1").arg(server.port()), "lead@demo.sitevisit",
               "lead-demo-2026");
    ASSERT_TRUE(wait_for([&] {
        return !app.busy() && app.syncState() == client::SyncEngine::State::UpToDate;
    })) << app.signInError().toStdString();
    EXPECT_EQ(app.today(), day);

    app::SchoolController school;
    school.setApp(&app);
    const QString sid = app.suggestedSchool();
    school.setSchoolId(sid);
    const QString visit = school.startVisit(); // today: the clock's day
    ASSERT_FALSE(visit.isEmpty()) << school.errorString().toStdString();
    auto row = app.store().get("visit", visit.toStdString());
    ASSERT_TRUE(row.ok() && *row);
    EXPECT_EQ((*row)->fields.value("start_date", ""), day.toString(Qt::ISODate).toStdString());

    app::CaseloadModel caseload;
    caseload.setApp(&app);
    auto of_school = [&](int role) {
        for (int r = 0; r < caseload.rowCount(); ++r)
            if (caseload.data(caseload.index(r), app::CaseloadModel::SchoolIdRole) == sid)
                return caseload.data(caseload.index(r), role).toString();
        return QStringLiteral("no such school");
    };
    auto next_visit = [&] { return of_school(app::CaseloadModel::NextVisitRole); };
    EXPECT_EQ(next_visit(), day.toString(Qt::ISODate)); // today's draft is under way
    EXPECT_EQ(of_school(app::CaseloadModel::UnderWayRole), "");
    clock.advance(std::int64_t{2} * 24 * 3600 * 1000);
    caseload.reload();
    EXPECT_NE(next_visit(), day.toString(Qt::ISODate)); // two days on it is not the next
    EXPECT_EQ(of_school(app::CaseloadModel::UnderWayRole), day.toString(Qt::ISODate))
        << "a draft begun before today shows as under way";

    // A photo made ready for upload is downscaled into the given folder, not beside the store.
    const auto photo = server.data().parent_path() / "wide.jpg";
    QImage(3000, 200, QImage::Format_RGB32).save(QString::fromStdString(photo.string()));
    std::optional<Result<client::Attachment>> attached;
    app.queueUpload(QUrl::fromLocalFile(QString::fromStdString(photo.string())), &app,
                    [&](Result<client::Attachment> a) { attached = std::move(a); });
    ASSERT_TRUE(wait_for([&] { return attached.has_value(); }));
    ASSERT_TRUE(attached->ok()) << attached->error().message;
    EXPECT_TRUE((*attached)->downscaled);
    EXPECT_EQ((*attached)->path.rfind((folder / "attachments").string(), 0), 0u)
        << (*attached)->path;
}
