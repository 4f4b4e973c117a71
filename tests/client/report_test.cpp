// The visit report: what it says (counts per level, the change since the previous submitted visit
// of the same kind, photos on the device and not), read back from the PDF with poppler's
// pdftotext; who may make it; and sitevisit-cli's report command on a real SQLite file.
#include "app_controller.h"
#include "app_startup.h"
#include "pdf_text.h"
#include "qt_wait.h"
#include "report_fixture.h"
#include "sitevisit/core/entities.h"
#include "visit_controller.h"
#include "visit_report.h"

#include <QDir>
#include <QFileInfo>
#include <QProcess>
#include <QQmlApplicationEngine>
#include <QQuickItem>
#include <QQuickWindow>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtQml/qqmlextensionplugin.h>
#include <gtest/gtest.h>

Q_IMPORT_QML_PLUGIN(SiteVisitPlugin)

using namespace sitevisit;
using sitevisit::testing::pdf_text;
using sitevisit::testing::ReportScene;

namespace {

// A school with a previous monitoring visit (submitted), a later targeted visit (submitted; a
// different kind, so not compared) and this monitoring visit, still a draft.
struct Scene {
    QTemporaryDir tmp;
    ReportScene s{tmp.path() + QStringLiteral("/scene")};
    std::string previous, other_kind, visit;

    Scene() {
        previous = s.visit("monitoring", "2026-10-01");
        s.rate(previous, "1.1", 1);
        s.rate(previous, "1.2", 2);
        s.rate(previous, "1.3", 2);
        s.submit(previous);
        other_kind = s.visit("targeted", "2026-10-15");
        s.rate(other_kind, "1.1", 3); // were it compared, 1.1 would read "Down from Sustaining"
        s.submit(other_kind);

        visit = s.visit("monitoring", "2026-11-20");
        const std::string o11 =
            s.rate(visit, "1.1", 2, "Leaders named a goal for every grade in the staff meeting.",
                   "interview");
        s.rate(visit, "1.2", 1, "Teams meet, but agendas are set by the principal alone.");
        s.rate(visit, "1.3", 2);
        s.rate(visit, "1.4", 3, {}, "document_review");
        s.rate(visit, "2.1", 0, "No data wall or assessment calendar was found.");
        s.photo(o11, "1.1", "Goal board in the main hall", true);
        s.photo(o11, "1.1", "Grade 3 data chart", false);
        s.sign_in(s.lead);
    }
    report::FileLookup files() { return report::device_files(s.store()); }
};

const report::PracticeSection& practice(const report::VisitReport& r, int n) {
    return r.practices.at(size_t(n - 1));
}

} // namespace

TEST(VisitReport, CountsLevelsAndComparesWithThePreviousVisitOfTheSameKind) {
    Scene scene;
    auto r = report::build_visit_report(scene.s.store(), scene.s.lead, scene.visit, scene.files(),
                                        scene.s.clock());
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->school, "Lincoln Elementary");
    EXPECT_EQ(r->district, "Harbor City");
    EXPECT_EQ(r->kind, "Monitoring site visit");
    EXPECT_EQ(r->dates, "2026-11-20");
    EXPECT_EQ(r->team, "Lena Ortiz (Assistance Lead)");
    EXPECT_EQ(r->previous_visit, "2026-10-01"); // not the later targeted visit
    EXPECT_FALSE(r->submitted);
    EXPECT_EQ(r->made_at, "2026-11-30 10:05 UTC");
    ASSERT_EQ(r->practices.size(), 4u);

    // Practice 1 names six indicators (1.7 is a placeholder, neither listed nor counted).
    const auto& p1 = practice(*r, 1);
    EXPECT_EQ(p1.counts, (std::vector<int>{0, 1, 2, 1}));
    EXPECT_EQ(p1.unrated, 2);
    ASSERT_EQ(p1.indicators.size(), 4u);
    EXPECT_EQ(p1.indicators[0].code, "1.1");
    EXPECT_EQ(p1.indicators[0].change, report::Change::Up);
    EXPECT_EQ(p1.indicators[0].previous_level, "Developing");
    EXPECT_EQ(p1.indicators[0].source, "Interview");
    EXPECT_EQ(p1.indicators[1].change, report::Change::Down);
    EXPECT_EQ(p1.indicators[2].change, report::Change::Same);
    EXPECT_EQ(p1.indicators[3].change, report::Change::New);
    ASSERT_EQ(p1.indicators[0].photos.size(), 2u);
    int on_device = 0;
    for (const auto& photo : p1.indicators[0].photos)
        on_device += photo.file.isEmpty() ? 0 : 1;
    EXPECT_EQ(on_device, 1);

    const auto& p2 = practice(*r, 2);
    EXPECT_EQ(p2.counts, (std::vector<int>{1, 0, 0, 0}));
    EXPECT_EQ(p2.unrated, 3); // 2.2-2.4; 2.5-2.7 are placeholders
    EXPECT_EQ(practice(*r, 3).unrated, 5);
    EXPECT_EQ(practice(*r, 4).unrated, 5);
    EXPECT_TRUE(r->next_steps.empty());
}

TEST(VisitReport, ThePdfSaysItInWords) {
    Scene scene;
    const QString pdf = scene.tmp.path() + QStringLiteral("/report.pdf");
    auto made = report::make_visit_report(scene.s.store(), scene.s.lead, scene.visit, pdf,
                                          scene.files(), scene.s.clock());
    ASSERT_TRUE(made.ok()) << made.error().message;
    EXPECT_GE(made->pages, 2);
    EXPECT_EQ(made->indicators, 5);
    EXPECT_EQ(made->photos, 1);
    EXPECT_EQ(made->photos_missing, 1);
    EXPECT_GT(made->bytes, 1000);

    const QString text = pdf_text(pdf);
    for (const char* expected :
         {"Lincoln Elementary", "Harbor City", "Monitoring site visit", "2026-11-20",
          "Lena Ortiz (Assistance Lead)",
          // every practice by its full name
          "Leadership, shared responsibility, and professional collaboration",
          "Intentional practices for improving instruction",
          "Student-specific supports and instruction to all students",
          "School climate and culture: a safe, orderly and respectful learning environment, with "
          "social, emotional and behavioral supports",
          // counts per level, practice 1
          "No evidence 0 · Developing 1 · Providing 2 · Sustaining 1 · not rated 2",
          // indicators: code, name, level, note, source, change
          "1.1 School leaders' high expectations", "Up from Developing", "Down from Providing",
          "Same as before", "New", "Leaders named a goal for every grade in the staff meeting.",
          "Source: Interview", "Source: Document review",
          "No data wall or assessment calendar was found.",
          // the photo on the device by its caption, the other by title, marked
          "Goal board in the main hall", "Grade 3 data chart", "Photo not downloaded",
          "Compared with The monitoring site visit of 2026-10-01", "Page 1 of",
          "Site visit report (draft)", "No next steps were recorded",
          "Change since the previous visit"})
        EXPECT_TRUE(text.contains(QString::fromUtf8(expected)))
            << "missing \"" << expected << "\" in: " << text.toStdString();
    // Placeholders are not listed; ratings are counted, never averaged.
    EXPECT_FALSE(text.contains(QStringLiteral("placeholder")));
    EXPECT_FALSE(text.contains(QStringLiteral("average"), Qt::CaseInsensitive) &&
                 !text.contains(QStringLiteral("does not average")));
}

TEST(VisitReport, ADraftIsItsTeamsTheSubmittedVisitTheSchools) {
    Scene scene;
    const QString pdf = scene.tmp.path() + QStringLiteral("/principal.pdf");
    auto& store = scene.s.store();
    for (const User* u : {&scene.s.principal, &scene.s.other_lead}) {
        auto refused =
            report::make_visit_report(store, *u, scene.visit, pdf, scene.files(), scene.s.clock());
        ASSERT_FALSE(refused.ok()) << u->name;
        EXPECT_EQ(refused.error().code, ErrorCode::Forbidden);
        EXPECT_NE(refused.error().message.find("draft"), std::string::npos)
            << refused.error().message;
        EXPECT_FALSE(QFileInfo::exists(pdf));
    }
    EXPECT_TRUE(report::build_visit_report(store, scene.s.admin, scene.visit, scene.files(),
                                           scene.s.clock())
                    .ok());

    scene.s.submit(scene.visit);
    auto made = report::make_visit_report(store, scene.s.principal, scene.visit, pdf, scene.files(),
                                          scene.s.clock());
    ASSERT_TRUE(made.ok()) << made.error().message;
    EXPECT_TRUE(pdf_text(pdf).contains(QStringLiteral("Status Submitted")));
    // Another school's principal reads nothing of this school.
    auto other = report::build_visit_report(store, scene.s.other_principal, scene.visit,
                                            scene.files(), scene.s.clock());
    ASSERT_FALSE(other.ok());
    EXPECT_EQ(other.error().code, ErrorCode::Forbidden);
    EXPECT_NE(other.error().message.find("outside the scope"), std::string::npos)
        << other.error().message;
    // A visit the device does not hold.
    auto missing = report::build_visit_report(store, scene.s.lead, "no-such-visit", scene.files(),
                                              scene.s.clock());
    ASSERT_FALSE(missing.ok());
    EXPECT_EQ(missing.error().code, ErrorCode::NotFound);
}

namespace {

struct Cli {
    int code = -1;
    QString out, err;
};

Cli run_cli(const QStringList& args,
            const QProcessEnvironment& env = QProcessEnvironment::systemEnvironment()) {
    QProcess p;
    p.setProcessEnvironment(env);
    p.start(QStringLiteral(SITEVISIT_CLI_PATH), args);
    Cli c;
    if (!p.waitForFinished(60000)) {
        p.kill();
        return c;
    }
    c.code = p.exitCode();
    c.out = QString::fromUtf8(p.readAllStandardOutput());
    c.err = QString::fromUtf8(p.readAllStandardError());
    return c;
}

} // namespace

TEST(VisitReport, TheCliMakesItOfflineAndRefusesInWords) {
    Scene scene;
    const QString db = scene.s.dir() + QStringLiteral("/device.db");
    const QString visit = QString::fromStdString(scene.visit);
    scene.s.close();
    // No display and no platform set: the CLI draws offscreen by itself.
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    for (const char* var : {"QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY"})
        env.remove(QString::fromLatin1(var));

    const QString pdf = scene.tmp.path() + QStringLiteral("/cli.pdf");
    Cli made = run_cli({"--db", db, "report", visit, pdf}, env);
    ASSERT_EQ(made.code, 0) << made.err.toStdString();
    EXPECT_TRUE(made.out.contains(QStringLiteral("5 rated indicator(s), 1 photo(s), 1 not "
                                                 "downloaded")))
        << made.out.toStdString();
    const QString text = pdf_text(pdf);
    EXPECT_TRUE(text.contains(QStringLiteral("Lincoln Elementary"))) << text.toStdString();
    EXPECT_TRUE(text.contains(QStringLiteral("Photo not downloaded")));

    // The principal may not see the draft: refused with the reason, exit 1, no file.
    {
        auto store = std::move(Store::open({db.toStdString()})).value();
        ReportScene::sign_in_as(*store, scene.s.principal);
    }
    const QString refused_pdf = scene.tmp.path() + QStringLiteral("/refused.pdf");
    Cli refused = run_cli({"--db", db, "report", visit, refused_pdf}, env);
    EXPECT_EQ(refused.code, 1);
    EXPECT_TRUE(refused.err.contains(QStringLiteral("draft visit is made only by its team")))
        << refused.err.toStdString();
    EXPECT_FALSE(QFileInfo::exists(refused_pdf));
    Cli unknown = run_cli({"--db", db, "report", "no-such-visit", refused_pdf}, env);
    EXPECT_EQ(unknown.code, 1);
    EXPECT_TRUE(unknown.err.contains(QStringLiteral("not on this device")))
        << unknown.err.toStdString();
    EXPECT_FALSE(QFileInfo::exists(refused_pdf));

    // Usage and a store that cannot be opened.
    Cli usage = run_cli({"--db", db, "report", visit}, env);
    EXPECT_EQ(usage.code, 2);
    EXPECT_TRUE(usage.err.contains(QStringLiteral("report VISIT_ID OUT.pdf")));
    const QString not_a_db = scene.tmp.path() + QStringLiteral("/not-a-store.db");
    {
        QFile f(not_a_db);
        ASSERT_TRUE(f.open(QIODevice::WriteOnly));
        f.write(QByteArray(4096, 'x'));
    }
    Cli broken = run_cli({"--db", not_a_db, "report", visit, refused_pdf}, env);
    EXPECT_EQ(broken.code, 3) << broken.err.toStdString();
    EXPECT_FALSE(QFileInfo::exists(refused_pdf));
}

// The visit page's Report action: made on a worker with the server unreachable, then offered;
// on a desktop (no share sheet) it is saved where the person chooses, as a .pdf.
TEST(VisitReport, TheVisitPageMakesItInTheBackgroundThenSavesIt) {
    Scene scene;
    const QString data = scene.tmp.path() + QStringLiteral("/data");
    app::AppController app(scene.s.take(), {&scene.s.clock(), data});
    app::VisitController visit;
    visit.setApp(&app);
    visit.setVisitId(QString::fromStdString(scene.visit));
    EXPECT_TRUE(visit.canReport());
    EXPECT_FALSE(visit.canShare()); // desktop Linux: save-as instead

    QSignalSpy ready(&visit, &app::VisitController::reportReady);
    ASSERT_TRUE(visit.makeReport()) << visit.errorString().toStdString();
    EXPECT_TRUE(visit.makingReport()); // returned before the PDF was written
    EXPECT_EQ(visit.reportMessage(), QStringLiteral("Making the report…"));
    EXPECT_FALSE(visit.makeReport()); // one at a time
    ASSERT_TRUE(sitevisit::testing::wait_for([&] { return !ready.isEmpty(); }))
        << visit.errorString().toStdString();
    EXPECT_FALSE(visit.makingReport());
    const QString made = ready[0][0].toString();
    EXPECT_EQ(made, visit.reportFile());
    EXPECT_TRUE(made.startsWith(data + QStringLiteral("/reports/"))) << made.toStdString();
    EXPECT_TRUE(
        made.endsWith(QStringLiteral("Visit report - Lincoln Elementary - 2026-11-20.pdf")));
    EXPECT_TRUE(visit.reportMessage().startsWith(QStringLiteral("Report ready")));
    EXPECT_TRUE(pdf_text(made).contains(QStringLiteral("Lincoln Elementary")));
    EXPECT_TRUE(visit.reportSaveUrl().toLocalFile().endsWith(
        QStringLiteral("/Visit report - Lincoln Elementary - 2026-11-20.pdf")));

    const QString chosen = scene.tmp.path() + QStringLiteral("/usb/for-the-principal");
    QDir().mkpath(scene.tmp.path() + QStringLiteral("/usb"));
    ASSERT_TRUE(visit.saveReport(QUrl::fromLocalFile(chosen))) << visit.errorString().toStdString();
    EXPECT_EQ(visit.savedReport(), chosen + QStringLiteral(".pdf"));
    EXPECT_TRUE(QFileInfo::exists(chosen + QStringLiteral(".pdf")));
    EXPECT_TRUE(visit.reportMessage().startsWith(QStringLiteral("Saved to ")));
    EXPECT_FALSE(visit.saveReport(
        QUrl::fromLocalFile(scene.tmp.path() + QStringLiteral("/no-such-folder/r.pdf"))));
    EXPECT_TRUE(visit.errorString().startsWith(QStringLiteral("Cannot write")))
        << visit.errorString().toStdString();

    // The principal on this tablet: no report of a draft, and the page offers none.
    ReportScene::sign_in_as(app.store(), scene.s.principal);
    visit.reload();
    EXPECT_FALSE(visit.canReport());
    EXPECT_FALSE(visit.makeReport());
    EXPECT_NE(visit.errorString().indexOf(QStringLiteral("draft")), -1);
    // Once the visit is submitted, the principal opens its report too.
    ASSERT_TRUE(
        app.store().put(scene.s.lead, {"visit", scene.visit, "", {{"status", "submitted"}}}).ok());
    visit.reload();
    EXPECT_TRUE(visit.canReport());
    QSignalSpy principal_ready(&visit, &app::VisitController::reportReady);
    ASSERT_TRUE(visit.makeReport()) << visit.errorString().toStdString();
    ASSERT_TRUE(sitevisit::testing::wait_for([&] { return !principal_ready.isEmpty(); }))
        << visit.errorString().toStdString();
    EXPECT_TRUE(pdf_text(visit.reportFile()).contains(QStringLiteral("Status Submitted")));
}

// The lead's strengths and areas for growth per practice, and the next steps agreed at the
// visit: with their owner and due date, under their indicator or for the whole visit.
TEST(VisitReport, StrengthsGrowthAndNextSteps) {
    const EntitySpec* visit_spec = find_entity("visit");
    if (!find_entity("next_step") || !visit_spec->field("strengths"))
        GTEST_SKIP() << "this schema has no next steps or strengths yet";
    Scene scene;
    auto& s = scene.s;
    s.put(s.lead,
          {"visit",
           scene.visit,
           "",
           {{"strengths", {{"1", "Leaders share one goal per grade, posted in every room."}}},
            {"areas_for_growth",
             {{"1", "Teacher teams set their own agendas."},
              {"2", "An assessment calendar for the year."}}}}});
    s.put(s.lead, {"next_step",
                   "",
                   s.school,
                   {{"title", "Publish the assessment calendar"},
                    {"owner", s.principal.id},
                    {"due_date", "2027-01-15"},
                    {"status", "open"},
                    {"visit", scene.visit},
                    {"indicator", ReportScene::indicator("2.1")}}});
    s.put(s.lead, {"next_step",
                   "",
                   s.school,
                   {{"title", "Share the report with the leadership team"},
                    {"description", "At the December staff meeting."},
                    {"owner", s.principal.id},
                    {"due_date", "2026-12-10"},
                    {"status", "open"},
                    {"visit", scene.visit}}});
    auto r = report::build_visit_report(s.store(), s.lead, scene.visit, scene.files(), s.clock());
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(practice(*r, 1).strengths, "Leaders share one goal per grade, posted in every room.");
    EXPECT_EQ(practice(*r, 2).areas_for_growth, "An assessment calendar for the year.");
    EXPECT_TRUE(practice(*r, 3).strengths.isEmpty());
    ASSERT_EQ(r->next_steps.size(), 2u);
    EXPECT_EQ(r->next_steps[0].heading, "For the whole visit");
    EXPECT_EQ(r->next_steps[1].heading,
              "2.1 Use of student assessment data to inform classroom instruction");
    ASSERT_EQ(r->next_steps[1].steps.size(), 1u);
    EXPECT_EQ(r->next_steps[1].steps[0].owner, "Pat Lee");
    EXPECT_EQ(r->next_steps[1].steps[0].due_date, "2027-01-15");

    const QString pdf = scene.tmp.path() + QStringLiteral("/steps.pdf");
    ASSERT_TRUE(report::write_report_pdf(*r, pdf).ok());
    const QString text = pdf_text(pdf);
    for (const char* expected :
         {"Leaders share one goal per grade, posted in every room.",
          "Teacher teams set their own agendas.", "An assessment calendar for the year.",
          "Next steps", "For the whole visit", "Share the report with the leadership team",
          "At the December staff meeting.", "2026-12-10", "Publish the assessment calendar",
          "Pat Lee", "2027-01-15"})
        EXPECT_TRUE(text.contains(QString::fromUtf8(expected)))
            << "missing \"" << expected << "\" in: " << text.toStdString();
    EXPECT_FALSE(text.contains(QStringLiteral("No next steps were recorded")));
}

// The layout of strengths, areas for growth and next steps, from the content alone (whatever the
// schema of the store): long text wraps inside its box and nothing is lost between pages.
TEST(VisitReport, ThePdfLaysOutStrengthsAndStepsGiven) {
    Scene scene;
    auto r = report::build_visit_report(scene.s.store(), scene.s.lead, scene.visit, scene.files(),
                                        scene.s.clock());
    ASSERT_TRUE(r.ok()) << r.error().message;
    auto& p1 = r->practices[0];
    p1.strengths = QStringLiteral("Leaders share one goal per grade.\nIt is posted in every room.");
    p1.areas_for_growth =
        QStringLiteral("Teacher teams set their own agendas; ") +
        QStringLiteral("minutes are kept and read at the next meeting. ").repeated(6);
    report::StepGroup whole{QStringLiteral("For the whole visit"), {}};
    for (int i = 1; i <= 30; ++i)
        whole.steps.push_back(
            {QStringLiteral("Step number %1").arg(i),
             QStringLiteral("What is to be done <and> by when."), QStringLiteral("Pat Lee"),
             QStringLiteral("2027-01-%1").arg(i, 2, 10, QLatin1Char('0')), QStringLiteral("Open")});
    r->next_steps.push_back(whole);
    r->next_steps.push_back({QStringLiteral("2.1 Use of student assessment data"),
                             {{QStringLiteral("Publish the assessment calendar"),
                               {},
                               QStringLiteral("Lena Ortiz"),
                               QStringLiteral("2027-02-01"),
                               QStringLiteral("In progress")}}});
    const QString pdf = scene.tmp.path() + QStringLiteral("/laid-out.pdf");
    auto made = report::write_report_pdf(*r, pdf);
    ASSERT_TRUE(made.ok()) << made.error().message;
    if (qEnvironmentVariableIsSet("SITEVISIT_KEEP_REPORT"))
        QFile::copy(pdf, qEnvironmentVariable("SITEVISIT_KEEP_REPORT"));
    const QString text = pdf_text(pdf);
    for (const char* expected :
         {"Leaders share one goal per grade. It is posted in every room.",
          "minutes are kept and read at the next meeting.", "For the whole visit", "Step number 1 ",
          "Step number 30", "What is to be done <and> by when.", "2027-01-30",
          "2.1 Use of student assessment data", "Publish the assessment calendar", "In progress"})
        EXPECT_TRUE(text.contains(QString::fromUtf8(expected)))
            << "missing \"" << expected << "\" in: " << text.toStdString();
    EXPECT_EQ(text.count(QStringLiteral("Step number ")), 30);
    EXPECT_TRUE(text.contains(QStringLiteral("Page %1 of %1").arg(made->pages)));
}

namespace {

QQuickItem* visible_item(QQuickItem* item, const QString& name) {
    if (!item) return nullptr;
    if (item->objectName() == name && item->isVisible()) return item;
    for (QQuickItem* child : item->childItems())
        if (QQuickItem* found = visible_item(child, name)) return found;
    return nullptr;
}

} // namespace

// The real visit page offscreen: the Report button makes the PDF with the server unreachable,
// says so meanwhile, then says it is ready and offers Save as.
TEST(VisitReport, TheVisitPagesReportButton) {
    Scene scene;
    // Save as starts in the documents folder, else home: here a home of the test's own.
    const QByteArray home = qgetenv("HOME");
    qputenv("HOME", scene.tmp.path().toUtf8());
    struct RestoreHome {
        QByteArray value;
        ~RestoreHome() { qputenv("HOME", value); }
    } restore{home};
    app::AppController controller(scene.s.take(),
                                  {&scene.s.clock(), scene.tmp.path() + QStringLiteral("/data")});
    QQmlApplicationEngine engine;
    QQuickWindow* window = app::load_main_qml(engine, controller);
    ASSERT_TRUE(window);
    QMetaObject::invokeMethod(window, "openVisit",
                              Q_ARG(QVariant, QString::fromStdString(scene.visit)));
    QQuickItem* root = window->contentItem();
    QQuickItem* button = nullptr;
    ASSERT_TRUE(sitevisit::testing::wait_for(
        [&] { return (button = visible_item(root, QStringLiteral("reportButton"))) != nullptr; },
        5000));
    QMetaObject::invokeMethod(button, "clicked");
    QQuickItem* message = visible_item(root, QStringLiteral("reportMessage"));
    ASSERT_TRUE(message);
    EXPECT_EQ(message->property("text").toString(), QStringLiteral("Making the report…"));
    EXPECT_FALSE(button->isEnabled()); // one report at a time
    ASSERT_TRUE(sitevisit::testing::wait_for([&] {
        return message->property("text").toString().startsWith(QStringLiteral("Report ready"));
    })) << message->property("text").toString().toStdString();
    EXPECT_TRUE(button->isEnabled());
    const QDir reports(scene.tmp.path() + QStringLiteral("/data/reports"));
    EXPECT_EQ(reports.entryList({QStringLiteral("*.pdf")}).size(), 1);

    // Offered at once: no share sheet here, so Save as, starting at the report's name.
    auto* dialog = window->findChild<QObject*>(QStringLiteral("saveReportDialog"));
    ASSERT_TRUE(dialog);
    ASSERT_TRUE(
        sitevisit::testing::wait_for([&] { return dialog->property("visible").toBool(); }, 5000));
    const QString chosen =
        scene.tmp.path() + QStringLiteral("/Visit report - Lincoln Elementary - 2026-11-20.pdf");
    EXPECT_EQ(dialog->property("selectedFile").toUrl(), QUrl::fromLocalFile(chosen));
    QMetaObject::invokeMethod(dialog, "accept");
    ASSERT_TRUE(sitevisit::testing::wait_for([&] { return QFileInfo::exists(chosen); }, 5000))
        << message->property("text").toString().toStdString();
    EXPECT_TRUE(message->property("text").toString().startsWith(QStringLiteral("Saved to ")))
        << message->property("text").toString().toStdString();
}
