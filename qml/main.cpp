// sitevisit: the Site Visit app. Everything but wiring lives in the libraries.
#include "app/app_controller.h"
#include "app/evidence_model.h"
#include "app/file_preview.h"
#include "sitevisit/platform/camera.h"
#include "sitevisit/platform/credential_store.h"
#include "sitevisit/platform/data_paths.h"

#include <QCommandLineParser>
#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QGuiApplication>
#include <QQmlApplicationEngine>
#include <QQuickStyle>
#include <QQuickWindow>
#include <QTimer>
#include <QtQml/qqmlextensionplugin.h>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>

#ifndef _WIN32
#include <sys/stat.h>
#endif

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

} // namespace

int main(int argc, char** argv) {
#ifndef _WIN32
    ::umask(077); // what the app writes is its owner's: files 0600, folders 0700
#endif
    // Help needs no window: without a display it would stop at the window system first.
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if ((a == "--help" || a == "-h" || a == "-?" || a == "--help-all") &&
            qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
            qputenv("QT_QPA_PLATFORM", "offscreen");
    }
    QGuiApplication app(argc, argv);
    app.setApplicationName(QStringLiteral("sitevisit"));
    app.setOrganizationName(QStringLiteral("SiteVisit"));
    QQuickStyle::setStyle(QStringLiteral("Material"));

    QCommandLineParser cli;
    cli.setApplicationDescription(
        QStringLiteral("Site Visit: school turnaround site visits, offline first."));
    cli.addHelpOption();
    QCommandLineOption db({QStringLiteral("db")},
                          QStringLiteral("The device store (default: the app's data folder)."),
                          QStringLiteral("FILE"));
    QCommandLineOption server({QStringLiteral("server")},
                              QStringLiteral("The server to offer at sign-in."),
                              QStringLiteral("URL"));
    QCommandLineOption signIn(
        {QStringLiteral("sign-in")},
        QStringLiteral("Sign in as EMAIL at start (password from SITEVISIT_PASSWORD)."),
        QStringLiteral("EMAIL"));
    QCommandLineOption selfTest({QStringLiteral("self-test")},
                                QStringLiteral("Load every page, report QML warnings, exit."));
    QCommandLineOption shots(
        {QStringLiteral("screenshots")},
        QStringLiteral("Write every page at tablet and laptop size to DIR, exit."),
        QStringLiteral("DIR"));
    QCommandLineOption dark({QStringLiteral("dark")}, QStringLiteral("Dark theme."));
    QCommandLineOption benchVisit(
        {QStringLiteral("bench-open-visit")},
        QStringLiteral("Measure: first frame, then opening visit ID; print figures and exit."),
        QStringLiteral("ID"));
    QCommandLineOption cameraOpt(
        {QStringLiteral("camera")},
        QStringLiteral("Which camera: system (default; none if the device has none) or test-card."),
        QStringLiteral("KIND"), QStringLiteral("system"));
    QCommandLineOption pagesOpt(
        {QStringLiteral("pages")},
        QStringLiteral("With --screenshots: only these pages (comma-separated)."),
        QStringLiteral("LIST"));
    cli.addOptions({db, server, signIn, selfTest, shots, dark, benchVisit, pagesOpt, cameraOpt});
    cli.process(app);

    QString error;
    const QString path = cli.isSet(db) ? cli.value(db) : platform::DataPaths::storeFile(&error);
    if (path.isEmpty()) {
        std::cerr << "sitevisit: " << error.toStdString() << "\n";
        return 1;
    }
    auto store = Store::open({path.toStdString()});
    if (!store) {
        std::cerr << "sitevisit: " << store.error().message << "\n";
        return 1;
    }
    app::AppController controller(std::move(store).value());
    // The sign-in token in the platform's credential store where one works.
    auto credentials = platform::system_credential_store();
    controller.engine().setCredentialStore(credentials.get());
    if (cli.value(cameraOpt) == QLatin1String("test-card"))
        controller.setCamera(platform::test_pattern_camera());
    else if (cli.value(cameraOpt) != QLatin1String("system")) {
        std::cerr << "sitevisit: --camera takes system or test-card, got "
                  << cli.value(cameraOpt).toStdString() << "\n";
        return 2;
    }
    qmlRegisterSingletonInstance("SiteVisit", 1, 0, "App", &controller);

    if (cli.isSet(selfTest)) qInstallMessageHandler(count_warnings);
    QQmlApplicationEngine engine;
    engine.addImportPath(QStringLiteral(":/"));
    engine.addImageProvider(QStringLiteral("pdf"), new app::PdfPageProvider); // the engine owns it
    engine.setInitialProperties({{QStringLiteral("defaultServer"), cli.value(server)},
                                 {QStringLiteral("dark"), cli.isSet(dark)}});
    engine.load(QUrl(QStringLiteral("qrc:/SiteVisit/Main.qml")));
    if (engine.rootObjects().isEmpty()) return 1;
    auto* window = qobject_cast<QQuickWindow*>(engine.rootObjects().first());
    if (cli.value(cameraOpt) == QLatin1String("system")) {
        // Looked for once the first frame is up: Qt Multimedia's start-up is not on its way.
        QObject::connect(
            window, &QQuickWindow::frameSwapped, &controller,
            [&controller] { controller.setCamera(platform::system_camera()); },
            static_cast<Qt::ConnectionType>(Qt::QueuedConnection | Qt::SingleShotConnection));
    }

    if (cli.isSet(signIn)) {
        QEventLoop loop;
        QObject::connect(&controller, &app::AppController::busyChanged, &loop, [&] {
            if (!controller.busy()) loop.quit();
        });
        controller.signIn(cli.value(server), cli.value(signIn),
                          qEnvironmentVariable("SITEVISIT_PASSWORD"));
        if (controller.busy()) loop.exec();
        if (!controller.signInError().isEmpty()) {
            std::cerr << "sitevisit: sign-in failed: " << controller.signInError().toStdString()
                      << "\n";
            return 1;
        }
        QEventLoop synced;
        QObject::connect(&controller.engine(), &client::SyncEngine::finished, &synced,
                         &QEventLoop::quit);
        QTimer::singleShot(60000, &synced, &QEventLoop::quit);
        if (controller.engine().state() == client::SyncEngine::State::Syncing) synced.exec();
    }

    const QStringList pages =
        cli.isSet(pagesOpt) ? cli.value(pagesOpt).split(QLatin1Char(','))
        : controller.signedIn()
            ? QStringList{QStringLiteral("home"),      QStringLiteral("school"),
                          QStringLiteral("visit"),     QStringLiteral("evidence"),
                          QStringLiteral("dashboard"), QStringLiteral("conflicts")}
            : QStringList{QStringLiteral("signIn")};
    if (pages.contains(QStringLiteral("preview"))) {
        // The preview shows files on this device: fetch them first.
        app::EvidenceModel evidence;
        evidence.setApp(&controller);
        if (evidence.fetchAll() > 0) {
            QEventLoop fetched;
            QObject::connect(&controller.engine(), &client::SyncEngine::finished, &fetched,
                             &QEventLoop::quit);
            QTimer::singleShot(60000, &fetched, &QEventLoop::quit);
            fetched.exec();
        }
    }
    if (cli.isSet(benchVisit)) {
        // Figures for tests/bench/app_bench: from process start (steady clock in the parent)
        // to the first frame, and from asking for a visit to the frame that shows it.
        QEventLoop first;
        QObject::connect(window, &QQuickWindow::frameSwapped, &first, &QEventLoop::quit);
        QTimer::singleShot(30000, &first, &QEventLoop::quit);
        first.exec();
        std::cout << "first-frame " << QDateTime::currentMSecsSinceEpoch() << std::endl;
        QElapsedTimer t;
        t.start();
        QEventLoop shown;
        QMetaObject::invokeMethod(window, "showPage", Q_ARG(QVariant, QStringLiteral("visit")),
                                  Q_ARG(QVariant, cli.value(benchVisit)));
        QObject::connect(window, &QQuickWindow::frameSwapped, &shown, &QEventLoop::quit);
        QTimer::singleShot(30000, &shown, &QEventLoop::quit);
        shown.exec();
        std::cout << "visit-open-ms " << t.elapsed() << std::endl;
        return 0;
    }
    if (cli.isSet(selfTest)) {
        for (const QString& p :
             {QStringLiteral("signIn"), QStringLiteral("signInTls"), QStringLiteral("home"),
              QStringLiteral("school"), QStringLiteral("visit"), QStringLiteral("evidence"),
              QStringLiteral("review"), QStringLiteral("newEvidence"), QStringLiteral("dashboard"),
              QStringLiteral("reflection"), QStringLiteral("conflicts"), QStringLiteral("newVisit"),
              QStringLiteral("refused")}) {
            QMetaObject::invokeMethod(window, "showPage", Q_ARG(QVariant, p),
                                      Q_ARG(QVariant, QVariant()));
            wait(200);
        }
        std::cout << "self-test: pages loaded, " << warnings << " QML warning(s)\n";
        return warnings == 0 ? 0 : 1;
    }
    if (cli.isSet(shots)) {
        QDir().mkpath(cli.value(shots));
        const struct {
            int w, h;
            const char* name;
        } sizes[] = {{800, 1280, "tablet"}, {1366, 768, "laptop"}};
        const QStringList all = pages; // signed in: the pages of the data; signed out: sign-in
        for (const auto& s : sizes)
            for (const QString& p : all) {
                window->resize(s.w, s.h);
                QMetaObject::invokeMethod(window, "showPage", Q_ARG(QVariant, p),
                                          Q_ARG(QVariant, QVariant()));
                wait(500);
                const QString file = QDir(cli.value(shots))
                                         .filePath(p + QStringLiteral("-") + QLatin1String(s.name) +
                                                   QStringLiteral(".png"));
                if (!window->grabWindow().save(file)) {
                    std::cerr << "sitevisit: cannot write " << file.toStdString() << "\n";
                    return 1;
                }
                std::cout << "wrote " << file.toStdString() << "\n";
            }

        return 0;
    }
    // Open and signed in: sync straight away (the engine then keeps to its timer and hints).
    if (!cli.isSet(signIn)) QTimer::singleShot(0, &controller, &app::AppController::start);
    return app.exec();
}
