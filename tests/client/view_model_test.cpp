// The app's view models on a real store synced from a real server, checked with
// QAbstractItemModelTester as the views would use them.
#include "app_controller.h"
#include "caseload_model.h"
#include "conflicts_model.h"
#include "dashboard_model.h"
#include "evidence_model.h"
#include "file_preview.h"
#include "harness.h"
#include "qt_wait.h"
#include "reflection_controller.h"
#include "region_controller.h"
#include "school_controller.h"
#include "sitevisit/client/device_state.h"
#include "sitevisit/core/hlc.h"
#include "sitevisit/core/region_rollup.h"
#include "team_controller.h"
#include "visit_controller.h"

#include <QAbstractItemModelTester>
#include <QDate>
#include <QDir>
#include <QEventLoop>
#include <QFile>
#include <QImage>
#include <QPageSize>
#include <QPainter>
#include <QPdfWriter>
#include <QSignalSpy>
#include <QTimer>
#include <QUrl>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <unistd.h>

using namespace sitevisit;
using namespace sitevisit::e2e;
using sitevisit::testing::wait_for;

namespace {

int model_warnings = 0;
QtMessageHandler previous = nullptr;
void count(QtMsgType t, const QMessageLogContext& c, const QString& m) {
    if (t != QtDebugMsg && t != QtInfoMsg && m.contains(QLatin1String("FAIL"))) ++model_warnings;
    if (previous) previous(t, c, m);
}

} // namespace

TEST(ViewModels, CaseloadAndVisitCaptureWorkOnASyncedStore) {
    ServerProcess server;
    ASSERT_EQ(server.admin({"demo"}).code, 0);
    server.start();
    previous = qInstallMessageHandler(count);
    auto store =
        std::move(Store::open({(server.data().parent_path() / "app.db").string()})).value();
    app::AppController app(std::move(store));
    // Bad input on the sign-in page: a sentence, and nothing stored.
    app.signIn("", "lead@demo.sitevisit", "x");
    EXPECT_EQ(app.signInError(), "Enter the server address, your email and your password.");
    app.signIn("ftp://example.org", "lead@demo.sitevisit", "x");
    EXPECT_EQ(app.signInError(),
              "The server address should look like https://sitevisit.example.org");
    app.signIn(QStringLiteral("http://127.0.0.1:%1").arg(server.port()), "lead@demo.sitevisit",
               "wrong-password");
    ASSERT_TRUE(wait_for([&] { return !app.busy(); }));
    EXPECT_EQ(app.signInError(), "the email or the password is wrong");
    EXPECT_FALSE(app.signedIn());
    app.signIn(QStringLiteral("http://127.0.0.1:%1").arg(server.port()), "lead@demo.sitevisit",
               "lead-demo-2026");
    ASSERT_TRUE(wait_for([&] { return !app.busy(); }));
    ASSERT_TRUE(app.signInError().isEmpty()) << app.signInError().toStdString();
    ASSERT_TRUE(wait_for([&] { return app.syncState() == client::SyncEngine::State::UpToDate; }))
        << app.syncMessage().toStdString();
    EXPECT_EQ(app.userRole(), "Assistance Lead");

    app::CaseloadModel caseload;
    QAbstractItemModelTester caseload_tester(
        &caseload, QAbstractItemModelTester::FailureReportingMode::Warning);
    caseload.setApp(&app);
    // Every school in the lead's scope, as the server has it.
    const Json in_scope = Json::parse(
        server.admin({"export", "--user", "lead@demo.sitevisit"}).out)["rows"]["school"];
    ASSERT_FALSE(in_scope.empty());
    // The one district of the lead's three that keeps a plan of its own (Bayside) also lists
    // it, first in its section; the others, with none, do not.
    int schools = 0, districts = 0;
    for (int r = 0; r < caseload.rowCount(); ++r)
        ++(caseload.data(caseload.index(r), app::CaseloadModel::DistrictLevelRole).toBool()
               ? districts
               : schools);
    ASSERT_EQ(schools, int(in_scope.size()));
    EXPECT_EQ(districts, 1);
    EXPECT_EQ(caseload.data(caseload.index(0), app::CaseloadModel::DistrictRole).toString(),
              "Bayside"); // sorted by district
    EXPECT_TRUE(caseload.data(caseload.index(0), app::CaseloadModel::DistrictLevelRole).toBool());
    bool receivership = false;
    for (int r = 0; r < caseload.rowCount(); ++r)
        if (caseload.data(caseload.index(r), app::CaseloadModel::DesignationRole).toString() ==
            "Receivership")
            receivership = true;
    EXPECT_TRUE(receivership);

    app::SchoolController school;
    school.setApp(&app);
    school.setSchoolId(app.suggestedSchool());
    EXPECT_EQ(school.name(), "Lincoln Elementary");
    ASSERT_EQ(school.benchmarks().size(), 3);
    for (const auto& b : school.benchmarks())
        EXPECT_FALSE(b.toMap()["statusLabel"].toString().isEmpty());
    EXPECT_TRUE(school.canStartVisit());
    const QString visit_id = school.startVisit();
    ASSERT_FALSE(visit_id.isEmpty()) << school.errorString().toStdString();

    app::VisitController visit;
    auto* indicators = qobject_cast<QAbstractItemModel*>(visit.indicators());
    QAbstractItemModelTester indicator_tester(
        indicators, QAbstractItemModelTester::FailureReportingMode::Warning);
    visit.setApp(&app);
    visit.setVisitId(visit_id);
    EXPECT_TRUE(visit.editable());
    ASSERT_EQ(visit.levels().size(), 4);
    EXPECT_EQ(visit.levels()[3], "Sustaining");
    ASSERT_EQ(indicators->rowCount(), 6); // practice 1 of the elementary rubric, no placeholder
    const QString first =
        indicators->data(indicators->index(0, 0), app::IndicatorListModel::IndicatorIdRole)
            .toString();
    const int before = app.pendingChanges();
    // An edit changes its row in place: the list keeps its delegates, scroll and focus.
    QSignalSpy resets(indicators, &QAbstractItemModel::modelReset),
        rows_changed(indicators, &QAbstractItemModel::dataChanged);
    EXPECT_TRUE(visit.rate(first, 2));
    EXPECT_EQ(resets.count(), 0);
    ASSERT_EQ(rows_changed.count(), 1);
    EXPECT_EQ(rows_changed[0][0].value<QModelIndex>().row(), 0);
    EXPECT_TRUE(visit.setNote(first, "Objectives posted in every room"));
    EXPECT_TRUE(visit.setSource(first, "classroom_observation"));
    EXPECT_EQ(
        indicators->data(indicators->index(0, 0), app::IndicatorListModel::RatingRole).toInt(), 2);
    EXPECT_EQ(app.pendingChanges(), before + 3); // saved at every change
    EXPECT_EQ(visit.summary()[0].toMap()["counts"].toList(), (QVariantList{0, 0, 1, 0}));
    EXPECT_FALSE(visit.rate(first, 9));
    EXPECT_EQ(visit.errorString(), "rating must be 0-3 (No evidence .. Sustaining), got 9");
    // A photo for the indicator, downscaled and queued; the evidence links the observation.
    const auto photo = server.data().parent_path() / "hallway.png";
    QImage image(3000, 2000, QImage::Format_RGB32);
    image.fill(Qt::gray);
    ASSERT_TRUE(image.save(QString::fromStdString(photo.string())));
    QSignalSpy attached(&visit, &app::VisitController::attached);
    ASSERT_TRUE(visit.attach(first, QUrl::fromLocalFile(QString::fromStdString(photo.string()))))
        << visit.errorString().toStdString();
    EXPECT_TRUE(visit.preparing()); // made ready on a worker, not here
    ASSERT_TRUE(wait_for([&] { return !visit.preparing(); })) << "still preparing";
    ASSERT_EQ(attached.count(), 1) << visit.errorString().toStdString();
    EXPECT_EQ(attached[0][0].toString(), first);
    EXPECT_EQ(indicators->data(indicators->index(0, 0), app::IndicatorListModel::FilesRole).toInt(),
              1);
    visit.setPractice(4);
    EXPECT_EQ(indicators->rowCount(), 5);
    EXPECT_TRUE(visit.submit());
    EXPECT_FALSE(visit.editable());
    EXPECT_FALSE(visit.rate(first, 1));
    ASSERT_TRUE(wait_for([&] {
        return app.syncState() == client::SyncEngine::State::UpToDate && app.pendingChanges() == 0;
    })) << app.syncMessage().toStdString();
    // The server holds the rating.
    Json rows = Json::parse(server.admin({"export", "--user", "lead@demo.sitevisit"}).out)["rows"];
    bool found = false;
    for (auto it = rows["observation"].begin(); it != rows["observation"].end(); ++it)
        if (it.value()["fields"]["visit"] == visit_id.toStdString() &&
            it.value()["fields"]["rating"] == 2)
            found = true;
    EXPECT_TRUE(found);
    bool photo_kept = false;
    for (auto it = rows["evidence"].begin(); it != rows["evidence"].end(); ++it)
        if (it.value()["fields"]["kind"] == "photo" &&
            it.value()["fields"].contains("observations"))
            photo_kept = std::filesystem::exists(server.data() / "blobs" /
                                                 it.value()["fields"]["sha256"].get<std::string>());
    EXPECT_TRUE(photo_kept);
    qInstallMessageHandler(previous);
    EXPECT_EQ(model_warnings, 0);
}

// One conflict on a rating: this tablet rated 1 and synced; another tablet of the same lead
// pushed 3 with an older clock. Returns the observation's id.
static std::string make_rating_conflict(ServerProcess& server, app::AppController& app) {
    app.signIn(QStringLiteral("http://127.0.0.1:%1").arg(server.port()), "lead@demo.sitevisit",
               "lead-demo-2026");
    EXPECT_TRUE(wait_for(
        [&] { return !app.busy() && app.syncState() == client::SyncEngine::State::UpToDate; }));
    app::SchoolController school;
    school.setApp(&app);
    school.setSchoolId(app.suggestedSchool());
    const QString visit_id = school.startVisit();
    app::VisitController visit;
    visit.setApp(&app);
    visit.setVisitId(visit_id);
    auto* indicators = qobject_cast<QAbstractItemModel*>(visit.indicators());
    const QString ind =
        indicators->data(indicators->index(0, 0), app::IndicatorListModel::IndicatorIdRole)
            .toString();
    EXPECT_TRUE(visit.rate(ind, 1));
    app.syncNow();
    EXPECT_TRUE(wait_for([&] {
        return app.syncState() == client::SyncEngine::State::UpToDate && app.pendingChanges() == 0;
    }));
    std::string obs;
    for (const auto& o : *app.store().list("observation", "visit", visit_id.toStdString()))
        obs = o.id;
    Http http = server.http();
    const std::string token = login(http, "lead@demo.sitevisit", "lead-demo-2026", "tablet-2");
    Json op{{"op", "01a20000-0000-7000-8000-0000000000f1"},
            {"entity", "observation"},
            {"id", obs},
            {"school", app.suggestedSchool().toStdString()},
            {"kind", "upsert"},
            {"fields", {{"rating", 3}}},
            {"hlc", Hlc{SystemClock::instance().now_ms() - 1000, 0, "tablet-2"}.to_string()},
            {"base", 0},
            {"dseq", 1},
            {"schema", 1}};
    auto r = http.request("POST", "/v1/sync/push",
                          Json{{"device", "tablet-2"}, {"ops", Json::array({op})}}.dump(),
                          bearer(token));
    EXPECT_EQ(r.json()["results"][0]["status"], "conflict") << r.body;
    app.syncNow();
    EXPECT_TRUE(wait_for([&] { return app.syncState() == client::SyncEngine::State::UpToDate; }));
    return obs;
}

TEST(ViewModels, ConflictsShowBothValuesAndResolveEitherWay) {
    ServerProcess server;
    ASSERT_EQ(server.admin({"demo"}).code, 0);
    server.start();
    auto store = std::move(Store::open({(server.data().parent_path() / "c.db").string()})).value();
    app::AppController app(std::move(store));
    const std::string obs = make_rating_conflict(server, app);
    ASSERT_FALSE(obs.empty());

    app::ConflictsModel conflicts;
    QAbstractItemModelTester tester(&conflicts,
                                    QAbstractItemModelTester::FailureReportingMode::Warning);
    conflicts.setApp(&app);
    ASSERT_EQ(conflicts.rowCount(), 1);
    const QModelIndex i = conflicts.index(0);
    EXPECT_EQ(conflicts.data(i, app::ConflictsModel::KeptValueRole).toString(),
              "1 · Developing"); // this tablet's later edit won
    EXPECT_EQ(conflicts.data(i, app::ConflictsModel::OtherValueRole).toString(), "3 · Sustaining");
    EXPECT_EQ(conflicts.data(i, app::ConflictsModel::KeptByRole).toString(), "Lena Lead");
    EXPECT_FALSE(conflicts.data(i, app::ConflictsModel::OtherWhenRole).toString().isEmpty());
    EXPECT_TRUE(conflicts.data(i, app::ConflictsModel::WhatRole).toString().contains(" · 1.1 "));
    // Keep the other tablet's 3.
    ASSERT_TRUE(
        conflicts.resolve(conflicts.data(i, app::ConflictsModel::ConflictIdRole).toString(), false))
        << conflicts.errorString().toStdString();
    EXPECT_EQ(conflicts.rowCount(), 0);
    ASSERT_TRUE(wait_for([&] {
        return app.syncState() == client::SyncEngine::State::UpToDate && app.pendingChanges() == 0;
    }));
    Json rows = Json::parse(server.admin({"export", "--user", "lead@demo.sitevisit"}).out)["rows"];
    EXPECT_EQ(rows["observation"][obs]["fields"]["rating"], 3);
    for (auto it = rows["conflict"].begin(); it != rows["conflict"].end(); ++it)
        EXPECT_EQ(it.value()["fields"]["status"], "resolved");
}

TEST(ViewModels, AConflictIsSettledWithAThirdValueAndBadValuesChangeNothing) {
    ServerProcess server;
    ASSERT_EQ(server.admin({"demo"}).code, 0);
    server.start();
    app::AppController app(
        std::move(Store::open({(server.data().parent_path() / "t.db").string()})).value());
    const std::string obs = make_rating_conflict(server, app);
    app::ConflictsModel conflicts;
    QAbstractItemModelTester tester(&conflicts,
                                    QAbstractItemModelTester::FailureReportingMode::Warning);
    conflicts.setApp(&app);
    ASSERT_EQ(conflicts.rowCount(), 1);
    const QModelIndex i = conflicts.index(0);
    const QString id = conflicts.data(i, app::ConflictsModel::ConflictIdRole).toString();
    EXPECT_EQ(conflicts.data(i, app::ConflictsModel::EditTextRole).toString(), "1");
    EXPECT_EQ(conflicts.data(i, app::ConflictsModel::FieldHintRole).toString(),
              "A rating from 0 (No evidence) to 3 (Sustaining)");
    const auto pending = *app.store().outbox_count();
    // Not a number, and out of range: refused with the reason, nothing written, still open.
    EXPECT_FALSE(conflicts.resolveWith(id, "two"));
    EXPECT_TRUE(conflicts.errorString().contains("rating must be 0-3"))
        << conflicts.errorString().toStdString();
    EXPECT_FALSE(conflicts.resolveWith(id, "7"));
    EXPECT_TRUE(conflicts.errorString().contains("0-3")) << conflicts.errorString().toStdString();
    EXPECT_EQ(*app.store().outbox_count(), pending);
    EXPECT_EQ(conflicts.rowCount(), 1);
    EXPECT_EQ((*app.store().get("observation", obs))->fields["rating"], 1);
    // Neither 1 nor 3: the lead settles on 2.
    ASSERT_TRUE(conflicts.resolveWith(id, " 2 ")) << conflicts.errorString().toStdString();
    EXPECT_TRUE(conflicts.errorString().isEmpty());
    EXPECT_EQ(conflicts.rowCount(), 0);
    ASSERT_TRUE(wait_for([&] {
        return app.syncState() == client::SyncEngine::State::UpToDate && app.pendingChanges() == 0;
    }));
    Json rows = Json::parse(server.admin({"export", "--user", "lead@demo.sitevisit"}).out)["rows"];
    EXPECT_EQ(rows["observation"][obs]["fields"]["rating"], 2);
    for (auto it = rows["conflict"].begin(); it != rows["conflict"].end(); ++it) {
        EXPECT_EQ(it.value()["fields"]["status"], "resolved");
        EXPECT_EQ(it.value()["fields"]["resolution"], 2);
    }
}

TEST(ViewModels, APrincipalAddsEvidenceAndAReadingAndAReceiverReviewsIt) {
    ServerProcess server;
    ASSERT_EQ(server.admin({"demo"}).code, 0);
    server.start();
    const auto dir = server.data().parent_path();
    auto sign_in = [&](app::AppController& a, const char* email, const char* pw) {
        a.signIn(QStringLiteral("http://127.0.0.1:%1").arg(server.port()), email, pw);
        return wait_for(
            [&] { return !a.busy() && a.syncState() == client::SyncEngine::State::UpToDate; });
    };
    app::AppController principal(std::move(Store::open({(dir / "p.db").string()})).value());
    ASSERT_TRUE(sign_in(principal, "principal@demo.sitevisit", "principal-demo-2026"));
    app::EvidenceModel mine;
    QAbstractItemModelTester tester(&mine, QAbstractItemModelTester::FailureReportingMode::Warning);
    mine.setApp(&principal);
    EXPECT_TRUE(mine.canUpload());
    EXPECT_FALSE(mine.canReview());
    const int before = mine.rowCount();
    ASSERT_GE(mine.benchmarks().size(), 3);
    const QString bm = mine.benchmarks()[0].toMap()["benchmarkId"].toString();
    const auto file = dir / "sign-in-sheets.csv";
    {
        std::ofstream f(file);
        for (int i = 0; i < 500; ++i)
            f << "family " << i << ",called,2026-11-0" << (i % 9 + 1) << "\n";
    }
    EXPECT_FALSE(
        mine.addEvidence(QUrl::fromLocalFile(QString::fromStdString(file.string())), "  ", {bm}));
    EXPECT_EQ(mine.errorString(), "Give the evidence a title.");
    // Linked to a benchmark and to two indicators of the school's rubric, with a description.
    // Only indicators an admin has named are offered (the rubric's placeholders are not).
    int named = 0, placeholders = 0;
    for (const auto& ind : Reference::builtin().rubric("msv-2026-2027-elementary")->indicators)
        ++(ind.placeholder ? placeholders : named);
    ASSERT_GT(placeholders, 0);
    ASSERT_EQ(mine.indicators().size(), named);
    for (const QVariant& offered : mine.indicators())
        EXPECT_FALSE(offered.toMap()["label"].toString().contains(QStringLiteral("placeholder"),
                                                                  Qt::CaseInsensitive));
    const QString ind1 = mine.indicators()[0].toMap()["indicatorId"].toString();
    const QString ind2 = mine.indicators()[5].toMap()["indicatorId"].toString();
    QSignalSpy added(&mine, &app::EvidenceModel::evidenceAdded),
        refused(&mine, &app::EvidenceModel::evidenceRefused);
    // The file is made ready first; the bad link is refused when the row is written.
    EXPECT_TRUE(mine.addEvidence(QUrl::fromLocalFile(QString::fromStdString(file.string())),
                                 "Sheets", {bm}, {"no-such-indicator"}));
    EXPECT_TRUE(mine.preparing());
    ASSERT_TRUE(wait_for([&] { return refused.count() == 1; }));
    EXPECT_FALSE(mine.preparing());
    EXPECT_EQ(added.count(), 0);
    EXPECT_TRUE(mine.errorString().contains("no-such-indicator"))
        << mine.errorString().toStdString();
    EXPECT_EQ(mine.rowCount(), before);
    // The upload's row moves while the sync runs, without a model reset.
    QSignalSpy upload_moved(&mine, &QAbstractItemModel::dataChanged);
    // The row as it stands the moment it is stored, before the sync it starts has run.
    QString title_then, description_then, upload_then;
    int links_then = 0;
    double progress_then = -2;
    QObject::connect(&mine, &app::EvidenceModel::evidenceAdded, &mine, [&] {
        const QModelIndex top = mine.index(0);
        title_then = mine.data(top, app::EvidenceModel::TitleRole).toString();
        description_then = mine.data(top, app::EvidenceModel::DescriptionRole).toString();
        links_then = mine.data(top, app::EvidenceModel::LinksRole).toStringList().size();
        upload_then = mine.data(top, app::EvidenceModel::UploadRole).toString();
        progress_then = mine.data(top, app::EvidenceModel::UploadProgressRole).toDouble();
    });
    ASSERT_TRUE(mine.addEvidence(QUrl::fromLocalFile(QString::fromStdString(file.string())),
                                 "Sign-in sheets", {bm}, {ind1, ind2}, "Family calls, weeks 1-9"))
        << mine.errorString().toStdString();
    ASSERT_TRUE(wait_for([&] { return added.count() == 1; })) << mine.errorString().toStdString();
    EXPECT_EQ(refused.count(), 1);
    EXPECT_EQ(mine.rowCount(), before + 1);
    EXPECT_EQ(title_then, "Sign-in sheets");
    EXPECT_EQ(description_then, "Family calls, weeks 1-9");
    EXPECT_EQ(links_then, 3);
    EXPECT_TRUE(upload_then.startsWith("Waiting to upload")) << upload_then.toStdString();
    EXPECT_EQ(progress_then, 0.0);
    EXPECT_TRUE(mine.addReading(bm, QDate::currentDate().toString(Qt::ISODate), 38.0, "window 3"));
    EXPECT_FALSE(mine.addReading(bm, "2099-01-01", 1.0, ""));
    ASSERT_TRUE(wait_for([&] {
        return principal.syncState() == client::SyncEngine::State::UpToDate &&
               principal.pendingChanges() == 0;
    }));
    bool moved = false;
    for (const auto& args : upload_moved)
        moved = moved || args.at(2).value<QList<int>>().contains(app::EvidenceModel::UploadRole);
    EXPECT_TRUE(moved) << "no upload row changed while syncing";
    QString uploaded;
    for (int r = 0; r < mine.rowCount(); ++r)
        if (mine.data(mine.index(r), app::EvidenceModel::TitleRole).toString() == "Sign-in sheets")
            uploaded = mine.data(mine.index(r), app::EvidenceModel::UploadRole).toString();
    EXPECT_EQ(uploaded, "Uploaded");

    app::AppController receiver(std::move(Store::open({(dir / "r.db").string()})).value());
    ASSERT_TRUE(sign_in(receiver, "receiver@demo.sitevisit", "receiver-demo-2026"));
    app::EvidenceModel queue;
    queue.setApp(&receiver);
    queue.setStateFilter("waiting");
    QString id;
    for (int r = 0; r < queue.rowCount(); ++r)
        if (queue.data(queue.index(r), app::EvidenceModel::TitleRole).toString() ==
            "Sign-in sheets")
            id = queue.data(queue.index(r), app::EvidenceModel::EvidenceIdRole).toString();
    ASSERT_FALSE(id.isEmpty());
    EXPECT_TRUE(queue.canReview());
    // The queue narrowed to the benchmark holds it; narrowed to another benchmark, not.
    const int waiting_all = queue.waitingCount();
    queue.setBenchmarkFilter(bm);
    bool in_filter = false;
    for (int r = 0; r < queue.rowCount(); ++r) {
        in_filter |=
            queue.data(queue.index(r), app::EvidenceModel::EvidenceIdRole).toString() == id;
        EXPECT_TRUE(queue.data(queue.index(r), app::EvidenceModel::LinksRole)
                        .toStringList()
                        .join("|")
                        .contains(mine.benchmarks()[0].toMap()["measure"].toString()));
    }
    EXPECT_TRUE(in_filter);
    EXPECT_LE(queue.waitingCount(), waiting_all);
    for (const auto& other : queue.benchmarks())
        if (other.toMap()["benchmarkId"].toString() != bm) {
            queue.setBenchmarkFilter(other.toMap()["benchmarkId"].toString());
            for (int r = 0; r < queue.rowCount(); ++r)
                EXPECT_NE(queue.data(queue.index(r), app::EvidenceModel::EvidenceIdRole).toString(),
                          id);
        }
    queue.setBenchmarkFilter("");
    // Every file of the queue downloaded at once, to review offline.
    queue.setStateFilter("");
    ASSERT_GT(queue.missingFiles(), 0);
    EXPECT_EQ(queue.fetchAll(), queue.missingFiles());
    ASSERT_TRUE(wait_for([&] {
        return receiver.syncState() == client::SyncEngine::State::UpToDate &&
               queue.missingFiles() == 0;
    }));
    const QVariantMap pdf = queue.firstOnDevice("application/pdf");
    ASSERT_FALSE(pdf.isEmpty()) << "the demo holds a PDF";
    app::PdfPages pdf_pages;
    pdf_pages.setSource(pdf["localFile"].toUrl());
    EXPECT_EQ(pdf_pages.pageCount(), 2) << pdf_pages.errorString().toStdString();
    queue.setStateFilter("waiting");
    // The dashboard counts it as waiting under its benchmark.
    app::DashboardModel dashboard;
    QAbstractItemModelTester dashboard_tester(
        &dashboard, QAbstractItemModelTester::FailureReportingMode::Warning);
    dashboard.setApp(&receiver);
    auto dashboard_row = [&](const QString& benchmark) {
        for (int r = 0; r < dashboard.rowCount(); ++r)
            if (dashboard.data(dashboard.index(r), app::DashboardModel::BenchmarkIdRole)
                    .toString() == benchmark)
                return r;
        return -1;
    };
    ASSERT_GE(dashboard_row(bm), 0);
    const int waiting_before =
        dashboard.data(dashboard.index(dashboard_row(bm)), app::DashboardModel::WaitingRole)
            .toInt();
    EXPECT_GE(waiting_before, 1);
    int total = 0;
    for (const auto& s : dashboard.summary())
        total += s.toMap()["count"].toInt();
    EXPECT_EQ(total, dashboard.rowCount());
    const QString status =
        dashboard.data(dashboard.index(dashboard_row(bm)), app::DashboardModel::StatusRole)
            .toString();
    dashboard.setStatusFilter(status);
    for (int r = 0; r < dashboard.rowCount(); ++r)
        EXPECT_EQ(dashboard.data(dashboard.index(r), app::DashboardModel::StatusRole).toString(),
                  status);
    dashboard.setStatusFilter("");
    // "Needs more" tells the school what: not without a comment.
    EXPECT_FALSE(queue.review(id, "needs_more", "  "));
    EXPECT_TRUE(queue.errorString().contains("comment")) << queue.errorString().toStdString();
    ASSERT_TRUE(queue.review(id, "needs_more", "Add October too."));
    ASSERT_TRUE(wait_for([&] {
        return receiver.syncState() == client::SyncEngine::State::UpToDate &&
               receiver.pendingChanges() == 0;
    }));
    EXPECT_EQ(dashboard.data(dashboard.index(dashboard_row(bm)), app::DashboardModel::WaitingRole)
                  .toInt(),
              waiting_before - 1);
    principal.syncNow();
    ASSERT_TRUE(
        wait_for([&] { return principal.syncState() == client::SyncEngine::State::UpToDate; }));
    mine.setStateFilter("needs_more");
    bool seen = false;
    for (int r = 0; r < mine.rowCount(); ++r)
        if (mine.data(mine.index(r), app::EvidenceModel::EvidenceIdRole).toString() == id) {
            seen = true;
            EXPECT_EQ(mine.data(mine.index(r), app::EvidenceModel::LastCommentRole).toString(),
                      "Add October too.");
        }
    EXPECT_TRUE(seen);
}

TEST(ViewModels, TheAnnualReflectionIsSavedAnswerByAnswer) {
    ServerProcess server;
    ASSERT_EQ(server.admin({"demo"}).code, 0);
    server.start();
    app::AppController principal(
        std::move(Store::open({(server.data().parent_path() / "p.db").string()})).value());
    principal.signIn(QStringLiteral("http://127.0.0.1:%1").arg(server.port()),
                     "principal@demo.sitevisit", "principal-demo-2026");
    ASSERT_TRUE(wait_for([&] {
        return !principal.busy() && principal.syncState() == client::SyncEngine::State::UpToDate;
    }));
    app::ReflectionController r;
    r.setApp(&principal);
    EXPECT_TRUE(r.editable());
    EXPECT_EQ(r.planTitle(), "Turnaround plan 2026-2029");
    ASSERT_EQ(r.objectives().size(), 2);
    EXPECT_TRUE(r.setAnswer("worked", "Weekly data meetings"));
    EXPECT_TRUE(r.setAnswer("worked_evidence", "Interim scores rose 6 points"));
    EXPECT_FALSE(r.setAnswer("mood", "fine"));
    const QString objective = r.objectives()[1].toMap()["objectiveId"].toString();
    EXPECT_TRUE(r.setDecision(objective, "revise"));
    EXPECT_EQ(r.objectives()[1].toMap()["decision"].toString(), "revise");
    EXPECT_EQ(r.answers()["worked"].toString(), "Weekly data meetings");
    principal.syncNow();
    ASSERT_TRUE(wait_for([&] {
        return principal.syncState() == client::SyncEngine::State::UpToDate &&
               principal.pendingChanges() == 0;
    })) << principal.syncMessage().toStdString();
    Json rows =
        Json::parse(server.admin({"export", "--user", "principal@demo.sitevisit"}).out)["rows"];
    ASSERT_EQ(rows["reflection"].size(), 1u);
    const Json& f = rows["reflection"].begin().value()["fields"];
    EXPECT_EQ(f["worked_evidence"], "Interim scores rose 6 points");
    EXPECT_EQ(f["decisions"][objective.toStdString()], "revise");
}

TEST(ViewModels, PdfEvidenceIsShownPageByPageAndUnreadableFilesSayWhy) {
    const auto dir =
        std::filesystem::temp_directory_path() / ("sitevisit-pdf-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const QString pdf = QString::fromStdString((dir / "plan.pdf").string());
    {
        QPdfWriter writer(pdf);
        writer.setPageSize(QPageSize(QPageSize::Letter));
        QPainter p(&writer);
        for (int page = 0; page < 3; ++page) {
            if (page) writer.newPage();
            p.fillRect(QRect(0, 0, writer.width() / 2, writer.height() / 4), Qt::black);
        }
    }
    app::PdfPages pages;
    ASSERT_TRUE(app::PdfPages::supported());
    pages.setSource(QUrl::fromLocalFile(pdf));
    EXPECT_EQ(pages.pageCount(), 3);
    EXPECT_TRUE(pages.errorString().isEmpty());
    // Page 2 fits the size asked for, keeps the page's shape, and shows the black block.
    app::PdfPageProvider provider;
    QSize size;
    const QImage image =
        provider.requestImage("1/" + QUrl::toPercentEncoding(QUrl::fromLocalFile(pdf).toString()),
                              &size, QSize(400, 400));
    ASSERT_FALSE(image.isNull());
    EXPECT_EQ(size, image.size());
    EXPECT_EQ(image.height(), 400);
    EXPECT_NEAR(image.width(), 400 * 8.5 / 11, 2);
    EXPECT_LT(qGray(image.pixel(10, 10)), 60); // the block, top left
    EXPECT_GT(qGray(image.pixel(image.width() - 10, image.height() - 10)), 200); // paper
    EXPECT_TRUE(provider.requestImage("3/" + QUrl::toPercentEncoding(pdf), &size, {})
                    .isNull()); // no page 4
    EXPECT_TRUE(provider.requestImage("x/" + pdf, &size, {}).isNull());
    // A file that is not a PDF, and one not downloaded yet.
    {
        std::ofstream f(dir / "broken.pdf");
        f << "%PDF-1.4 this is not really a pdf";
    }
    pages.setSource(QUrl::fromLocalFile(QString::fromStdString((dir / "broken.pdf").string())));
    EXPECT_EQ(pages.pageCount(), 0);
    EXPECT_EQ(pages.errorString(), "The file is not a PDF this app can read.");
    pages.setSource(QUrl::fromLocalFile(QString::fromStdString((dir / "absent.pdf").string())));
    EXPECT_EQ(pages.errorString(), "The file is not on this device yet.");
    std::filesystem::remove_all(dir);
}

TEST(ViewModels, ASecondPersonOnTheTabletNeverSeesOrSendsTheFirstOnesWork) {
    ServerProcess server;
    ASSERT_EQ(server.admin({"demo"}).code, 0);
    server.start();
    const QString url = QStringLiteral("http://127.0.0.1:%1").arg(server.port());
    app::AppController app(
        std::move(Store::open({(server.data().parent_path() / "shared.db").string()})).value());
    app.signIn(url, "lead@demo.sitevisit", "lead-demo-2026");
    ASSERT_TRUE(wait_for(
        [&] { return !app.busy() && app.syncState() == client::SyncEngine::State::UpToDate; }));
    const auto lead_schools = app.store().list("school")->size();
    // The lead rates offline and signs out before syncing.
    server.stop();
    app::SchoolController school;
    school.setApp(&app);
    school.setSchoolId(app.suggestedSchool());
    const QString visit = school.startVisit();
    ASSERT_FALSE(visit.isEmpty()) << school.errorString().toStdString();
    server.start();
    app.signOut();
    const auto pending = *app.store().outbox_count();
    ASSERT_GT(pending, 0);
    // The principal is refused, and the lead's work stays as it was.
    app.signIn(url, "principal@demo.sitevisit", "principal-demo-2026");
    ASSERT_TRUE(wait_for([&] { return !app.busy(); }));
    EXPECT_FALSE(app.signedIn());
    EXPECT_TRUE(app.signInError().contains("not on the server yet"))
        << app.signInError().toStdString();
    EXPECT_EQ(*app.store().outbox_count(), pending);
    EXPECT_TRUE(app.store().get("visit", visit.toStdString())->has_value());
    // The lead syncs and leaves; now the principal starts from an empty device and sees only
    // her school; her changes are numbered from 1 under a new device id and are accepted.
    app.signIn(url, "lead@demo.sitevisit", "lead-demo-2026");
    ASSERT_TRUE(wait_for([&] { return !app.busy() && app.signedIn(); }));
    app.syncNow();
    ASSERT_TRUE(wait_for([&] {
        return app.syncState() == client::SyncEngine::State::UpToDate && app.pendingChanges() == 0;
    }));
    const std::string lead_device = app.store().device_id();
    app.signOut();
    app.signIn(url, "principal@demo.sitevisit", "principal-demo-2026");
    ASSERT_TRUE(wait_for([&] {
        return !app.busy() && app.signedIn() &&
               app.syncState() == client::SyncEngine::State::UpToDate;
    })) << app.signInError().toStdString();
    EXPECT_NE(app.store().device_id(), lead_device);
    EXPECT_LT(app.store().list("school")->size(), lead_schools);
    EXPECT_FALSE(
        app.store().get("visit", visit.toStdString())->has_value()); // a draft of the lead's
    app::EvidenceModel evidence;
    evidence.setApp(&app);
    ASSERT_GT(evidence.benchmarks().size(), 0);
    EXPECT_TRUE(evidence.addReading(evidence.benchmarks()[0].toMap()["benchmarkId"].toString(),
                                    QDate::currentDate().toString(Qt::ISODate), 20.0, ""));
    ASSERT_TRUE(wait_for([&] {
        return app.syncState() == client::SyncEngine::State::UpToDate && app.pendingChanges() == 0;
    })) << app.syncMessage().toStdString();
}

TEST(ViewModels, RefusedChangesAreShownWithTheirReasonAndPlannedVisitsAreNext) {
    ServerProcess server;
    ASSERT_EQ(server.admin({"demo"}).code, 0);
    server.start();
    const auto db = server.data().parent_path() / "lead.db";
    auto sign_in = [&](app::AppController& a, const char* email, const char* pw) {
        a.signIn(QStringLiteral("http://127.0.0.1:%1").arg(server.port()), email, pw);
        return wait_for(
            [&] { return !a.busy() && a.syncState() == client::SyncEngine::State::UpToDate; });
    };
    auto app = std::make_unique<app::AppController>(std::move(Store::open({db.string()})).value());
    ASSERT_TRUE(sign_in(*app, "lead@demo.sitevisit", "lead-demo-2026"));
    const QString lincoln = app->suggestedSchool();

    // Benchmarks come under their plan's objectives.
    app::SchoolController school;
    school.setApp(app.get());
    school.setSchoolId(lincoln);
    ASSERT_FALSE(school.benchmarks().isEmpty());
    const QVariantMap first_benchmark = school.benchmarks()[0].toMap();
    EXPECT_TRUE(first_benchmark["objectiveFirst"].toBool());
    EXPECT_TRUE(first_benchmark["objective"].toString().contains("Practice"))
        << first_benchmark["objective"].toString().toStdString();

    // A visit planned for a later day is the school's next; today's draft is not its last.
    app::CaseloadModel caseload;
    caseload.setApp(app.get());
    auto row_of = [&](const QString& id) {
        for (int r = 0; r < caseload.rowCount(); ++r)
            if (caseload.data(caseload.index(r), app::CaseloadModel::SchoolIdRole).toString() == id)
                return caseload.index(r);
        return QModelIndex();
    };
    const QString last_before =
        caseload.data(row_of(lincoln), app::CaseloadModel::LastVisitRole).toString();
    const QString later = QDate::currentDate().addDays(14).toString(Qt::ISODate);
    ASSERT_FALSE(school.startVisit("targeted", later).isEmpty())
        << school.errorString().toStdString();
    EXPECT_TRUE(school.startVisit("monthly", later).isEmpty()); // not a kind of visit
    EXPECT_TRUE(school.errorString().contains("kind")) << school.errorString().toStdString();
    const int visits_before = int(school.visits().size());
    EXPECT_TRUE(school.startVisit("targeted", "2026-13-45").isEmpty()); // no such day
    EXPECT_TRUE(school.errorString().contains("start_date")) << school.errorString().toStdString();
    EXPECT_EQ(int(school.visits().size()), visits_before);
    EXPECT_EQ(caseload.data(row_of(lincoln), app::CaseloadModel::NextVisitRole).toString(), later);
    const QString visit_id = school.startVisit();
    ASSERT_FALSE(visit_id.isEmpty());
    EXPECT_EQ(caseload.data(row_of(lincoln), app::CaseloadModel::NextVisitRole).toString(),
              QDate::currentDate().toString(Qt::ISODate));
    EXPECT_EQ(caseload.data(row_of(lincoln), app::CaseloadModel::LastVisitRole).toString(),
              last_before);
    bool planned_listed = false;
    for (const auto& v : school.visits())
        if (v.toMap()["date"] == later)
            planned_listed =
                v.toMap()["kindLabel"] == "Targeted" && v.toMap()["statusLabel"] == "Draft";
    EXPECT_TRUE(planned_listed);

    // The lead rates on this tablet while her other tablet submits the visit: the server
    // refuses the late rating, and the app says which and why.
    app::VisitController visit;
    visit.setApp(app.get());
    visit.setVisitId(visit_id);
    auto* indicators = qobject_cast<QAbstractItemModel*>(visit.indicators());
    const QString ind1 =
        indicators->data(indicators->index(0, 0), app::IndicatorListModel::IndicatorIdRole)
            .toString();
    const QString ind2 =
        indicators->data(indicators->index(1, 0), app::IndicatorListModel::IndicatorIdRole)
            .toString();
    ASSERT_TRUE(visit.rate(ind1, 1));
    app->syncNow();
    ASSERT_TRUE(wait_for([&] {
        return app->syncState() == client::SyncEngine::State::UpToDate &&
               app->pendingChanges() == 0;
    }));
    EXPECT_EQ(visit.unrated(), 19); // 20 named indicators (26 less 6 placeholders), one rated
    Http http = server.http();
    const std::string token = login(http, "lead@demo.sitevisit", "lead-demo-2026", "tablet-2");
    const std::int64_t seen =
        (*app->store().get("visit", visit_id.toStdString()).value()).seq; // tablet-2 is up to date
    Json op{{"op", "01a20000-0000-7000-8000-0000000000f2"},
            {"entity", "visit"},
            {"id", visit_id.toStdString()},
            {"school", lincoln.toStdString()},
            {"kind", "upsert"},
            {"fields", {{"status", "submitted"}}},
            {"hlc", Hlc{SystemClock::instance().now_ms(), 0, "tablet-2"}.to_string()},
            {"base", seen},
            {"dseq", 1},
            {"schema", 1}};
    auto r = http.request("POST", "/v1/sync/push",
                          Json{{"device", "tablet-2"}, {"ops", Json::array({op})}}.dump(),
                          bearer(token));
    ASSERT_EQ(r.json()["results"][0]["status"], "applied") << r.body;
    ASSERT_TRUE(visit.rate(ind2, 2)); // this tablet has not heard yet
    app->syncNow();
    ASSERT_TRUE(wait_for([&] { return app->syncState() == client::SyncEngine::State::UpToDate; }))
        << app->syncMessage().toStdString();
    ASSERT_EQ(app->refusedChanges(), 1);
    const QVariantMap refused = app->refusedList()[0].toMap();
    EXPECT_TRUE(refused["what"].toString().contains("Lincoln Elementary"))
        << refused["what"].toString().toStdString();
    EXPECT_TRUE(refused["what"].toString().contains(" 1.2 "))
        << refused["what"].toString().toStdString();
    EXPECT_TRUE(refused["change"].toString().contains("2 · Providing"))
        << refused["change"].toString().toStdString();
    EXPECT_TRUE(refused["reason"].toString().contains("submitted"))
        << refused["reason"].toString().toStdString();
    EXPECT_TRUE(app->dismissRefused());
    EXPECT_EQ(app->refusedChanges(), 0);
    EXPECT_EQ(app->pendingChanges(), 0);

    // "Last synced" and the sign-in's server and email outlive the app and a sign-out.
    const QString last = app->lastSync();
    ASSERT_NE(last, "never");
    app->signOut();
    app.reset();
    app::AppController again(std::move(Store::open({db.string()})).value());
    EXPECT_EQ(again.lastSync(), last);
    EXPECT_EQ(again.signInEmail(), "lead@demo.sitevisit");
    EXPECT_EQ(again.signInServer(), QStringLiteral("http://127.0.0.1:%1").arg(server.port()));
}

// The http rule in the app: a remote plain-http address is refused before the password goes
// anywhere, and a session stored from before over such an address shows the sign-in form,
// asking for https; a private certificate authority is kept as a setting.
TEST(ViewModels, TheAppAsksForHttpsAndKeepsAPrivateAuthority) {
    const auto dir =
        std::filesystem::temp_directory_path() / ("sitevisit-https-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    {
        auto store = std::move(Store::open({(dir / "old.db").string()})).value();
        Json user{{"id", "0190a000-0000-7000-8000-0000000000a9"},
                  {"name", "Ada"},
                  {"email", "ada@example.org"},
                  {"role", "admin"}};
        ASSERT_TRUE(client::DeviceState(*store)
                        .set_session(client::DeviceState::Session{"http://sitevisit.example.org",
                                                                  "tok", "", user})
                        .ok());
        app::AppController app(std::move(store));
        EXPECT_FALSE(app.signedIn());
        EXPECT_NE(app.signInError().indexOf("https"), -1) << app.signInError().toStdString();
        EXPECT_EQ(app.engine().state(), client::SyncEngine::State::NeedsSignIn);
    }
    app::AppController app(std::move(Store::open({(dir / "new.db").string()})).value());
    app.signIn("http://sitevisit.example.org", "ada@example.org", "pw");
    EXPECT_FALSE(app.busy());
    EXPECT_NE(app.signInError().indexOf("https://"), -1) << app.signInError().toStdString();
    app.signIn("https://127.0.0.1:9", "ada@example.org", "pw",
               QString::fromStdString((dir / "missing.pem").string()));
    EXPECT_NE(app.signInError().indexOf("certificate authority"), -1)
        << app.signInError().toStdString();
    EXPECT_EQ(app.caFile(), "");
    std::filesystem::remove_all(dir);
}

// A team visit on two leads' devices through the real server: adding a colleague, each rating
// blind until marked done, the raters side by side, the visit's final rating and calibration.
TEST(ViewModels, ATeamVisitIsRatedBlindThenComparedOnBothDevices) {
    ServerProcess server;
    ASSERT_EQ(server.admin({"demo"}).code, 0);
    server.start();
    const auto dir = server.data().parent_path();
    auto sign_in = [&](app::AppController& a, const char* email, const char* pw) {
        a.signIn(QStringLiteral("http://127.0.0.1:%1").arg(server.port()), email, pw);
        return wait_for(
            [&] { return !a.busy() && a.syncState() == client::SyncEngine::State::UpToDate; });
    };
    auto sync = [&](app::AppController& a) {
        a.syncNow();
        return wait_for([&] {
            return a.syncState() == client::SyncEngine::State::UpToDate && a.pendingChanges() == 0;
        });
    };
    app::AppController lena(std::move(Store::open({(dir / "lena.db").string()})).value());
    app::AppController leo(std::move(Store::open({(dir / "leo.db").string()})).value());
    ASSERT_TRUE(sign_in(lena, "lead@demo.sitevisit", "lead-demo-2026"));
    ASSERT_TRUE(sign_in(leo, "lead2@demo.sitevisit", "lead2-demo-2026"));
    std::string bayside;
    for (const auto& s : *lena.store().list("school"))
        if (s.fields.value("name", "") == "Bayside Elementary") bayside = s.id;
    auto made = lena.store().put(*lena.user(), {"visit",
                                                "",
                                                bayside,
                                                {{"kind", "monitoring"},
                                                 {"rubric", "msv-2026-2027-elementary"},
                                                 {"start_date", "2026-11-30"}}});
    ASSERT_TRUE(made.ok()) << made.error().message;
    const QString visit = QString::fromStdString(made->id);

    app::TeamController mine;
    mine.setApp(&lena);
    mine.setVisitId(visit);
    EXPECT_FALSE(mine.teamVisit());
    EXPECT_TRUE(mine.canRate());
    // Leo's caseload covers the school: he is offered, and added.
    QString leo_id;
    for (const auto& c : mine.colleagues())
        if (c.toMap()["name"] == "Leo Lead") leo_id = c.toMap()["userId"].toString();
    ASSERT_FALSE(leo_id.isEmpty());
    ASSERT_TRUE(mine.addMember(leo_id)) << mine.errorString().toStdString();
    EXPECT_TRUE(mine.teamVisit());
    EXPECT_EQ(mine.members().size(), 2);
    // Nothing rated: marking done is refused with a reason.
    EXPECT_FALSE(mine.markDone());
    EXPECT_EQ(mine.errorString(), "Rate at least one indicator before marking your ratings done.");
    const QString i11 = "msv-2026-2027-elementary/1.1", i12 = "msv-2026-2027-elementary/1.2";
    ASSERT_TRUE(mine.rate(i11, 2));
    ASSERT_TRUE(mine.rate(i12, 3));
    EXPECT_EQ(mine.myRated(), 2);
    // On a team visit the visit page's level buttons are her own ratings too: they show hers,
    // write a rating of hers (not the visit's), and clear it.
    {
        app::VisitController page;
        page.setApp(&lena);
        page.setVisitId(visit);
        page.setPractice(1);
        ASSERT_TRUE(page.ratingOwn());
        EXPECT_FALSE(page.ownRatingsDone());
        auto* model = qobject_cast<QAbstractItemModel*>(page.indicators());
        auto shown = [&](const QString& ind) {
            for (int r = 0; r < model->rowCount(); ++r)
                if (model->index(r, 0).data(app::IndicatorListModel::IndicatorIdRole) == ind)
                    return model->index(r, 0).data(app::IndicatorListModel::RatingRole).toInt();
            return -2;
        };
        EXPECT_EQ(shown(i12), 3);
        const QString i13 = "msv-2026-2027-elementary/1.3";
        EXPECT_EQ(shown(i13), -1);
        ASSERT_TRUE(page.rate(i13, 1)) << page.errorString().toStdString();
        EXPECT_EQ(shown(i13), 1);
        EXPECT_EQ(page.practices()[0].toMap()["rated"], 3);
        mine.reload();
        EXPECT_EQ(mine.myRated(), 3);
        for (const auto& o : *lena.store().list("observation", "visit", visit.toStdString()))
            EXPECT_FALSE(o.fields.contains("rating")) << o.fields.dump();
        // Changed, not taken back: clearing is refused with the reason, and the level stays.
        ASSERT_TRUE(page.rate(i13, 2)) << page.errorString().toStdString();
        EXPECT_EQ(shown(i13), 2);
        EXPECT_FALSE(page.rate(i13, -1));
        EXPECT_EQ(page.errorString(),
                  "On a team visit your rating can be changed, not cleared: choose another level.");
        EXPECT_EQ(shown(i13), 2);
        mine.reload();
        EXPECT_EQ(mine.myRated(), 3);
    }
    ASSERT_TRUE(sync(lena));

    ASSERT_TRUE(sync(leo));
    app::TeamController his;
    his.setApp(&leo);
    his.setVisitId(visit);
    ASSERT_TRUE(his.teamVisit());
    ASSERT_TRUE(his.canRate());
    ASSERT_TRUE(his.rate(i11, 2));
    ASSERT_TRUE(his.rate(i12, 1));
    // Blind: Lena's levels are not on Leo's device.
    auto row_of = [](const app::TeamController& t, const QString& ind) {
        for (const auto& r : t.comparison())
            if (r.toMap()["indicatorId"] == ind) return r.toMap();
        return QVariantMap{};
    };
    EXPECT_EQ(row_of(his, i11)["levels"].toList(), (QVariantList{-1, 2})); // Lena, then Leo
    EXPECT_EQ(his.calibration()["pairs"], 0);
    ASSERT_TRUE(his.markDone());
    EXPECT_FALSE(his.canRate());
    EXPECT_FALSE(his.rate(i11, 0));
    EXPECT_EQ(his.errorString(),
              "your ratings of this visit are marked done; they can no longer change");
    ASSERT_TRUE(sync(leo));

    ASSERT_TRUE(sync(lena));
    ASSERT_TRUE(wait_for([&] {
        return row_of(mine, i11)["levels"].toList() == QVariantList{2, 2};
    })) << "Leo's ratings reach Lena once he is done";
    EXPECT_TRUE(mine.members()[1].toMap()["done"].toBool());
    EXPECT_EQ(mine.calibration()["pairs"], 2);
    EXPECT_DOUBLE_EQ(mine.calibration()["exact"].toDouble(), 0.5);
    EXPECT_DOUBLE_EQ(mine.calibration()["adjacent"].toDouble(), 0.5);
    // The pair over time: this is their one visit together so far.
    ASSERT_EQ(mine.pairsOverTime().size(), 1);
    const QVariantMap pair = mine.pairsOverTime()[0].toMap();
    EXPECT_TRUE(pair["names"] == "Lena Lead and Leo Lead" ||
                pair["names"] == "Leo Lead and Lena Lead")
        << pair["names"].toString().toStdString();
    EXPECT_EQ(pair["visits"], 1);
    EXPECT_EQ(pair["from"], "2026-11-30");
    EXPECT_EQ(pair["pairs"], 2);
    EXPECT_DOUBLE_EQ(pair["exact"].toDouble(), 0.5);
    // The lead sets the visit's own rating of 1.2 after comparing.
    ASSERT_TRUE(mine.setFinal(i12, 2));
    EXPECT_EQ(row_of(mine, i12)["final"], 2);
    // Taking Leo off the team asks nothing of the model but keeps his ratings.
    ASSERT_TRUE(mine.removeMember(leo_id));
    EXPECT_FALSE(mine.teamVisit());
    EXPECT_FALSE(mine.removeMember(QString::fromStdString(lena.user()->id)));
    EXPECT_EQ(mine.errorString(), "A visit keeps at least one person on its team.");
}

// The regional director's region view on a real server: the region by district and by lead,
// each view saved as CSV, and a lead's caseload assigned inside the region, which reaches the
// lead's device with the next sync.
TEST(ViewModels, ADirectorSeesTheRegionAndAssignsALeadsCaseload) {
    ServerProcess server;
    ASSERT_EQ(server.admin({"demo"}).code, 0);
    server.start();
    const auto dir = server.data().parent_path();
    auto sign_in = [&](app::AppController& a, const char* email, const char* pw) {
        a.signIn(QStringLiteral("http://127.0.0.1:%1").arg(server.port()), email, pw);
        return wait_for(
            [&] { return !a.busy() && a.syncState() == client::SyncEngine::State::UpToDate; });
    };
    auto sync = [&](app::AppController& a) {
        a.syncNow();
        return wait_for([&] {
            return a.syncState() == client::SyncEngine::State::UpToDate && a.pendingChanges() == 0;
        });
    };
    app::AppController dana(std::move(Store::open({(dir / "dana.db").string()})).value());
    app::AppController leo(std::move(Store::open({(dir / "leo.db").string()})).value());
    ASSERT_TRUE(sign_in(dana, "director@demo.sitevisit", "director-demo-2026"));
    ASSERT_TRUE(sign_in(leo, "lead2@demo.sitevisit", "lead2-demo-2026"));
    EXPECT_TRUE(dana.canSeeRegion());
    EXPECT_FALSE(leo.canSeeRegion());

    app::RegionController region;
    region.setApp(&dana);
    ASSERT_TRUE(region.available());
    EXPECT_EQ(region.regionName(), "Coastal");
    // Coastal's two districts; the receivership district is of another region.
    ASSERT_EQ(region.districts().size(), 2);
    const QVariantMap bayside = region.districts()[0].toMap();
    EXPECT_EQ(bayside["name"], "Bayside");
    EXPECT_EQ(bayside["schools"], 3);
    EXPECT_EQ(bayside["with"].toStringList(), (QStringList{"Lena Lead", "Leo Lead"}));
    ASSERT_EQ(region.leads().size(), 2);
    const QVariantMap leo_line = region.leads()[1].toMap();
    EXPECT_EQ(leo_line["name"], "Leo Lead");
    EXPECT_EQ(leo_line["with"].toStringList(), QStringList{"Bayside"});
    const QString leo_id = leo_line["id"].toString();
    // The page's figures are core's, computed on the same device.
    auto rollup =
        region_rollup(dana.store(), *dana.user(), dana.today().toString(Qt::ISODate).toStdString());
    ASSERT_TRUE(rollup.ok());
    EXPECT_EQ(bayside["visitsDone"], rollup->districts[0].visits_done);
    EXPECT_EQ(bayside["overdueSteps"], rollup->districts[0].overdue_steps);
    int chips = 0;
    for (const auto& b : bayside["benchmarks"].toList())
        chips += b.toMap()["count"].toInt();
    int benchmarks = 0;
    for (int n : rollup->districts[0].benchmarks)
        benchmarks += n;
    EXPECT_EQ(chips, benchmarks);
    EXPECT_GT(benchmarks, 0) << "the demo's Bayside schools have benchmarks";

    // Saved as CSV, by lead: what core writes, in the file chosen.
    const QString file = QString::fromStdString((dir / "coastal by lead").string());
    ASSERT_TRUE(region.saveCsv("leads", QUrl::fromLocalFile(file)))
        << region.errorString().toStdString();
    QFile saved(file + ".csv");
    ASSERT_TRUE(saved.open(QIODevice::ReadOnly));
    EXPECT_EQ(saved.readAll().toStdString(), *rollup_csv(*rollup, "leads"));
    EXPECT_EQ(region.message(), "Saved to " + QDir::toNativeSeparators(file + ".csv"));
    EXPECT_FALSE(region.saveCsv("leads", QUrl("https://example.org/x.csv")));
    EXPECT_EQ(region.errorString(), "Choose a file on this device to save to.");

    // A caseload of no district is refused with the reason, and nothing changes.
    EXPECT_FALSE(region.assignCaseload(leo_id, {}));
    EXPECT_EQ(region.errorString(), "an assistance lead's caseload is 1 to 3 districts");
    EXPECT_EQ(dana.pendingChanges(), 0);
    // Leo takes on Harbor City too; his next sync brings its schools.
    QStringList both;
    for (const auto& d : region.assignable())
        both.push_back(d.toMap()["id"].toString());
    ASSERT_EQ(both.size(), 2);
    ASSERT_TRUE(region.assignCaseload(leo_id, both)) << region.errorString().toStdString();
    EXPECT_EQ(region.errorString(), "");
    EXPECT_EQ(region.leads()[1].toMap()["with"].toStringList().size(), 2);
    ASSERT_TRUE(sync(dana));
    ASSERT_TRUE(sync(leo));
    app::CaseloadModel caseload;
    caseload.setApp(&leo);
    QStringList schools;
    for (int r = 0; r < caseload.rowCount(); ++r)
        schools.push_back(
            caseload.data(caseload.index(r), app::CaseloadModel::NameRole).toString());
    EXPECT_TRUE(schools.contains("Harbor Middle")) << schools.join(", ").toStdString();
    EXPECT_TRUE(schools.contains("Bayside Elementary"));
    EXPECT_FALSE(schools.contains("Lincoln Elementary"));

    // Lena keeps her receivership district when the director takes Harbor City from her.
    const QString lena_id = region.leads()[0].toMap()["id"].toString();
    ASSERT_TRUE(region.assignCaseload(lena_id, {both[0]})) << region.errorString().toStdString();
    EXPECT_EQ(region.leads()[0].toMap()["with"].toStringList(),
              (QStringList{"Harbor City Receivership Schools", "Bayside"}));

    // The review of a submitted visit: the director marks it reviewed with what the review
    // found; the lead on its team may not, and sees the review after a sync.
    QString submitted;
    for (const auto& v : *dana.store().list("visit"))
        if (v.fields.value("status", "") == "submitted" &&
            v.fields.value("team", Json::array()).size() == 1 &&
            v.fields["team"][0] == leo_id.toStdString())
            submitted = QString::fromStdString(v.id);
    if (submitted.isEmpty()) // a visit of Lena's at a Bayside school, then
        for (const auto& v : *dana.store().list("visit"))
            if (v.fields.value("status", "") == "submitted")
                submitted = QString::fromStdString(v.id);
    ASSERT_FALSE(submitted.isEmpty()) << "the demo has submitted visits in Coastal";
    app::VisitController review;
    review.setApp(&dana);
    review.setVisitId(submitted);
    ASSERT_TRUE(review.canMarkReviewed());
    EXPECT_EQ(review.reviewedBy(), "");
    EXPECT_FALSE(review.markReviewed("   "));
    EXPECT_EQ(review.errorString(),
              "a visit is marked reviewed with a comment saying what the review found");
    EXPECT_EQ(review.status(), "submitted");
    ASSERT_TRUE(review.markReviewed("Ratings match the evidence seen. "))
        << review.errorString().toStdString();
    EXPECT_EQ(review.status(), "reviewed");
    EXPECT_FALSE(review.canMarkReviewed());
    EXPECT_EQ(review.reviewedBy(), "Dana Director");
    EXPECT_EQ(review.reviewComment(), "Ratings match the evidence seen.");
    ASSERT_TRUE(sync(dana));
    ASSERT_TRUE(sync(leo));
    app::VisitController seen;
    seen.setApp(&leo);
    seen.setVisitId(submitted);
    EXPECT_EQ(seen.status(), "reviewed");
    EXPECT_FALSE(seen.canMarkReviewed());
    EXPECT_EQ(seen.reviewedBy(), "Dana Director");
    EXPECT_EQ(seen.reviewComment(), "Ratings match the evidence seen.");
}
