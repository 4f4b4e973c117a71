// Attaching a file from the app: it is read, downscaled and hashed on a worker, so the GUI
// thread keeps drawing while a large file is made ready, and nothing is written if it fails.

#include "app_controller.h"
#include "evidence_model.h"
#include "harness.h"
#include "qt_wait.h"
#include "school_controller.h"
#include "visit_controller.h"

#include <QSignalSpy>
#include <QTimer>
#include <QUrl>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <string>

using namespace sitevisit;
using namespace sitevisit::e2e;
using sitevisit::testing::wait_for;

namespace {

QUrl url_of(const std::filesystem::path& p) {
    return QUrl::fromLocalFile(QString::fromStdString(p.string()));
}

bool sign_in(ServerProcess& server, app::AppController& app, const char* email,
             const char* password) {
    app.signIn(QStringLiteral("http://127.0.0.1:%1").arg(server.port()), email, password);
    return wait_for(
        [&] { return !app.busy() && app.syncState() == client::SyncEngine::State::UpToDate; });
}

int evidence_rows(app::AppController& app) {
    auto rows = app.store().list("evidence");
    return rows ? int(rows->size()) : -1;
}

} // namespace

TEST(Attach, TheEventLoopKeepsTurningWhileA50MbFileIsPrepared) {
    ServerProcess server;
    ASSERT_EQ(server.admin({"demo"}).code, 0);
    server.start();
    const auto dir = server.data().parent_path();
    app::AppController app(std::move(Store::open({(dir / "p.db").string()})).value());
    ASSERT_TRUE(sign_in(server, app, "principal@demo.sitevisit", "principal-demo-2026"))
        << app.syncMessage().toStdString();
    app::EvidenceModel evidence;
    evidence.setApp(&app);
    const auto big = dir / "board-minutes.pdf";
    {
        std::ofstream f(big, std::ios::binary);
        std::string chunk(1 << 20, '\0');
        for (int mb = 0; mb < 50; ++mb) {
            for (std::size_t i = 0; i < chunk.size(); ++i)
                chunk[i] = char((i * 31 + mb) & 0xff);
            f.write(chunk.data(), std::streamsize(chunk.size()));
        }
    }
    const int before = evidence.rowCount();
    QSignalSpy added(&evidence, &app::EvidenceModel::evidenceAdded),
        refused(&evidence, &app::EvidenceModel::evidenceRefused);
    int ticks = 0, ticks_at_done = -1;
    QObject::connect(&evidence, &app::EvidenceModel::evidenceAdded, [&] { ticks_at_done = ticks; });
    QTimer tick;
    QObject::connect(&tick, &QTimer::timeout, [&] { ++ticks; });
    tick.start(1);

    ASSERT_TRUE(evidence.addEvidence(url_of(big), "Board minutes", {}))
        << evidence.errorString().toStdString();
    EXPECT_TRUE(evidence.preparing()); // returned before the file was read
    EXPECT_EQ(ticks, 0);
    ASSERT_TRUE(wait_for([&] { return added.count() + refused.count() > 0; }, 120000));
    ASSERT_EQ(added.count(), 1) << evidence.errorString().toStdString();
    EXPECT_FALSE(evidence.preparing());
    // A frozen GUI thread would let the timer fire at most once before the answer.
    EXPECT_GE(ticks_at_done, 5);
    EXPECT_EQ(evidence.rowCount(), before + 1);
}

TEST(Attach, AFileThatCannotBePreparedWritesNoRow) {
    ServerProcess server;
    ASSERT_EQ(server.admin({"demo"}).code, 0);
    server.start();
    const auto dir = server.data().parent_path();

    app::AppController principal(std::move(Store::open({(dir / "p.db").string()})).value());
    ASSERT_TRUE(sign_in(server, principal, "principal@demo.sitevisit", "principal-demo-2026"));
    app::EvidenceModel evidence;
    evidence.setApp(&principal);
    const int rows = evidence_rows(principal);
    const int pending = principal.pendingChanges();
    QSignalSpy added(&evidence, &app::EvidenceModel::evidenceAdded),
        refused(&evidence, &app::EvidenceModel::evidenceRefused);
    ASSERT_TRUE(evidence.addEvidence(url_of(dir / "no-such-scan.pdf"), "Scan", {}));
    ASSERT_TRUE(wait_for([&] { return refused.count() == 1; }));
    EXPECT_EQ(added.count(), 0);
    EXPECT_FALSE(evidence.preparing());
    EXPECT_FALSE(evidence.errorString().isEmpty());
    EXPECT_EQ(evidence_rows(principal), rows);
    EXPECT_EQ(principal.pendingChanges(), pending);
    // Refused at once, before any work: no title.
    EXPECT_FALSE(evidence.addEvidence(url_of(dir / "no-such-scan.pdf"), " ", {}));
    EXPECT_FALSE(evidence.preparing());

    // On a visit neither the evidence nor the indicator's observation is made.
    app::AppController lead(std::move(Store::open({(dir / "l.db").string()})).value());
    ASSERT_TRUE(sign_in(server, lead, "lead@demo.sitevisit", "lead-demo-2026"));
    app::SchoolController school;
    school.setApp(&lead);
    school.setSchoolId(lead.suggestedSchool());
    const QString visit_id = school.startVisit();
    ASSERT_FALSE(visit_id.isEmpty()) << school.errorString().toStdString();
    app::VisitController visit;
    visit.setApp(&lead);
    visit.setVisitId(visit_id);
    auto* indicators = qobject_cast<QAbstractItemModel*>(visit.indicators());
    ASSERT_GT(indicators->rowCount(), 0);
    const QString first =
        indicators->data(indicators->index(0, 0), app::IndicatorListModel::IndicatorIdRole)
            .toString();
    const int lead_pending = lead.pendingChanges();
    const auto observations = lead.store().list("observation");
    ASSERT_TRUE(observations.ok());
    QSignalSpy attached(&visit, &app::VisitController::attached);
    ASSERT_TRUE(visit.attach(first, url_of(dir / "no-such-photo.jpg")));
    EXPECT_TRUE(visit.preparing());
    ASSERT_TRUE(wait_for([&] { return !visit.preparing(); }));
    EXPECT_EQ(attached.count(), 0);
    EXPECT_FALSE(visit.errorString().isEmpty());
    EXPECT_EQ(lead.pendingChanges(), lead_pending);
    EXPECT_EQ(lead.store().list("observation")->size(), observations->size());
    EXPECT_EQ(indicators->data(indicators->index(0, 0), app::IndicatorListModel::FilesRole).toInt(),
              0);
}
