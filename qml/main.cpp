// sitevisit: the Site Visit app. Everything but wiring lives in the libraries; the self-test,
// screenshots and benchmarks are in sitevisit-tools (tools_main.cpp).
#include "app/app_controller.h"
#include "app_startup.h"

#include <QCommandLineParser>
#include <QDir>
#include <QGuiApplication>
#include <QTimer>
#include <QtQml/qqmlextensionplugin.h>

// The SiteVisit QML module is linked in statically.
Q_IMPORT_QML_PLUGIN(SiteVisitPlugin)

using namespace sitevisit;

int main(int argc, char** argv) {
    app::AppStartup::prepareProcess(argc, argv);
    QGuiApplication application(argc, argv);
    QCommandLineParser cli;
    cli.setApplicationDescription(
        QStringLiteral("Site Visit: school turnaround site visits, offline first."));
    app::AppStartup startup(application, cli);
    cli.process(application);

    if (const int status = startup.open(); status != 0) return status;
    // A person's window: it fits the screen and is remembered in the data folder (the tools
    // and tests keep the fixed tablet size and remember nothing).
    if (!startup.load({{QStringLiteral("fitScreen"), true},
                       {QStringLiteral("settingsFile"),
                        QDir(startup.dataDir()).filePath(QStringLiteral("window.ini"))}}))
        return 1;
    if (!startup.signInIfAsked()) return 1;
    // Live sync while the app is in front: what is written goes out about a second later, and
    // what others write arrives as it reaches the server. In the background, the timer.
    client::SyncEngine& engine = startup.controller().engine();
    auto follow = [&engine](Qt::ApplicationState state) {
        engine.setLive(state == Qt::ApplicationActive);
    };
    QObject::connect(&application, &QGuiApplication::applicationStateChanged, &engine, follow);
    follow(application.applicationState());
    // Open and signed in: sync straight away (the engine then keeps to its timer and hints);
    // a sign-in at start has already synced.
    if (!startup.signInAsked())
        QTimer::singleShot(0, &startup.controller(), &app::AppController::start);
    return application.exec();
}
