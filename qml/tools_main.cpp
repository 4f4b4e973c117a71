// sitevisit-tools: the app with the same start-up as `sitevisit`, driven for checks instead of
// people: load every page and count QML warnings (--self-test), write every page as PNGs
// (--screenshots), or time the first frame and opening a visit (--bench-open-visit).
#include "app/app_controller.h"
#include "app/evidence_model.h"
#include "app_startup.h"

#include <QCommandLineParser>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QGuiApplication>
#include <QQuickWindow>
#include <QTimer>
#include <QtQml/qqmlextensionplugin.h>
#include <cstdio>
#include <iostream>

// The SiteVisit QML module is linked in statically.
Q_IMPORT_QML_PLUGIN(SiteVisitPlugin)

using namespace sitevisit;

namespace {

int warnings = 0;

void count_warnings(QtMsgType type, const QMessageLogContext& ctx, const QString& msg) {
    if (type == QtWarningMsg || type == QtCriticalMsg || type == QtFatalMsg) ++warnings;
    std::fprintf(stderr, "%s\n", qPrintable(qFormatLogMessage(type, ctx, msg)));
}

void wait(int ms) {
    QEventLoop loop;
    QTimer::singleShot(ms, &loop, &QEventLoop::quit);
    loop.exec();
}

void show_page(QQuickWindow* window, const QString& page, const QVariant& id = {}) {
    QMetaObject::invokeMethod(window, "showPage", Q_ARG(QVariant, page), Q_ARG(QVariant, id));
}

// Waits for the sync engine to finish what it started (at most a minute).
void wait_for_sync(app::AppController& controller) {
    QEventLoop done;
    QObject::connect(&controller.engine(), &client::SyncEngine::finished, &done, &QEventLoop::quit);
    QTimer::singleShot(60000, &done, &QEventLoop::quit);
    done.exec();
}

int self_test(QQuickWindow* window) {
    for (const char* p :
         {"signIn",         "signInTls",     "home",         "school",      "schoolHistory",
          "visit",          "evidence",      "review",       "newEvidence", "dashboard",
          "reflection",     "conflicts",     "newVisit",     "refused",     "nextStep",
          "visitSummary",   "visitComments", "teamRatings",  "region",      "regionLeads",
          "caseloadDialog", "reviewVisit",   "meeting",      "plan",        "planObjective",
          "meetingSteps",   "district",      "districtNext", "districtPlan"}) {
        show_page(window, QLatin1String(p));
        wait(200);
    }
    std::cout << "self-test: pages loaded, " << warnings << " QML warning(s)\n";
    return warnings == 0 ? 0 : 1;
}

// Figures for tests/bench/app_bench: from process start (the wall clock in the parent) to the
// first frame (the app's clock), and from asking for a visit to the frame that shows it.
int bench_open_visit(QQuickWindow* window, const Clock& clock, const QString& visit) {
    QEventLoop first;
    QObject::connect(window, &QQuickWindow::frameSwapped, &first, &QEventLoop::quit);
    QTimer::singleShot(30000, &first, &QEventLoop::quit);
    first.exec();
    std::cout << "first-frame " << clock.now_ms() << std::endl;
    QElapsedTimer t;
    t.start();
    QEventLoop shown;
    show_page(window, QStringLiteral("visit"), visit);
    QObject::connect(window, &QQuickWindow::frameSwapped, &shown, &QEventLoop::quit);
    QTimer::singleShot(30000, &shown, &QEventLoop::quit);
    shown.exec();
    std::cout << "visit-open-ms " << t.elapsed() << std::endl;
    return 0;
}

int screenshots(QQuickWindow* window, const QStringList& pages, const QString& folder) {
    QDir().mkpath(folder);
    const struct {
        int w, h;
        const char* name;
    } sizes[] = {{800, 1280, "tablet"}, {1366, 768, "laptop"}};
    for (const auto& s : sizes)
        for (const QString& p : pages) {
            // "school:ID" shows that school; a bare name the page's default.
            const QString name = p.section(QLatin1Char(':'), 0, 0);
            const QString id = p.section(QLatin1Char(':'), 1);
            window->resize(s.w, s.h);
            show_page(window, name, id.isEmpty() ? QVariant() : QVariant(id));
            wait(500);
            const QString file = QDir(folder).filePath(
                QString(p).replace(QLatin1Char(':'), QLatin1Char('-')) + QStringLiteral("-") +
                QLatin1String(s.name) + QStringLiteral(".png"));
            if (!window->grabWindow().save(file)) {
                std::cerr << "sitevisit-tools: cannot write " << file.toStdString() << "\n";
                return 1;
            }
            std::cout << "wrote " << file.toStdString() << "\n";
        }
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    app::AppStartup::prepareProcess(argc, argv);
    QGuiApplication application(argc, argv);
    QCommandLineParser cli;
    cli.setApplicationDescription(
        QStringLiteral("Site Visit tools: the app's self-test, screenshots and benchmark."));
    app::AppStartup startup(application, cli);
    QCommandLineOption selfTest({QStringLiteral("self-test")},
                                QStringLiteral("Load every page, report QML warnings, exit."));
    QCommandLineOption shots(
        {QStringLiteral("screenshots")},
        QStringLiteral("Write every page at tablet and laptop size to DIR, exit."),
        QStringLiteral("DIR"));
    QCommandLineOption pagesOpt(
        {QStringLiteral("pages")},
        QStringLiteral("With --screenshots: only these pages (comma-separated)."),
        QStringLiteral("LIST"));
    QCommandLineOption dark({QStringLiteral("dark")}, QStringLiteral("Dark theme."));
    QCommandLineOption benchVisit(
        {QStringLiteral("bench-open-visit")},
        QStringLiteral("Measure: first frame, then opening visit ID; print figures and exit."),
        QStringLiteral("ID"));
    cli.addOptions({selfTest, shots, pagesOpt, dark, benchVisit});
    cli.process(application);
    if (int(cli.isSet(selfTest)) + int(cli.isSet(shots)) + int(cli.isSet(benchVisit)) != 1) {
        std::cerr << "sitevisit-tools: give one of --self-test, --screenshots DIR, "
                     "--bench-open-visit ID (--help lists them)\n";
        return 2;
    }

    if (const int status = startup.open(); status != 0) return status;
    if (cli.isSet(selfTest)) qInstallMessageHandler(count_warnings);
    QQuickWindow* window = startup.load({{QStringLiteral("dark"), cli.isSet(dark)}});
    if (!window) return 1;
    if (!startup.signInIfAsked()) return 1;

    if (cli.isSet(benchVisit))
        return bench_open_visit(window, startup.controller().clock(), cli.value(benchVisit));
    if (cli.isSet(selfTest)) return self_test(window);

    app::AppController& controller = startup.controller();
    const QStringList pages = cli.isSet(pagesOpt) ? cli.value(pagesOpt).split(QLatin1Char(','))
                              : controller.signedIn()
                                  ? QStringList{QStringLiteral("home"),
                                                QStringLiteral("school"),
                                                QStringLiteral("schoolBenchmark"),
                                                QStringLiteral("schoolNext"),
                                                QStringLiteral("schoolHistory"),
                                                QStringLiteral("visit"),
                                                QStringLiteral("evidence"),
                                                QStringLiteral("dashboard"),
                                                QStringLiteral("conflicts")}
                                  : QStringList{QStringLiteral("signIn")};
    if (pages.contains(QStringLiteral("preview"))) {
        // The preview shows files on this device: fetch them first.
        app::EvidenceModel evidence;
        evidence.setApp(&controller);
        if (evidence.fetchAll() > 0) wait_for_sync(controller);
    }
    return screenshots(window, pages, cli.value(shots));
}
