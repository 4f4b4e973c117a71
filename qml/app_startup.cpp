#include "app_startup.h"

#include "app/app_controller.h"
#include "app/file_preview.h"
#include "app/translations.h"
#include "sitevisit/client/malloc_heaps.h"
#include "sitevisit/platform/camera.h"
#include "sitevisit/platform/credential_store.h"
#include "sitevisit/platform/data_paths.h"

#include <QCommandLineParser>
#include <QEventLoop>
#include <QFileInfo>
#include <QGuiApplication>
#include <QQmlApplicationEngine>
#include <QQuickStyle>
#include <QQuickWindow>
#include <QTimer>
#include <iostream>
#include <string>

#ifndef _WIN32
#include <sys/stat.h>
#endif

namespace sitevisit::app {

void AppStartup::prepareProcess(int argc, char** argv) {
    client::limit_malloc_heaps(); // before any thread: see malloc_heaps.h
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
}

AppStartup::AppStartup(QGuiApplication& app, QCommandLineParser& cli)
    : cli_(cli), db_({QStringLiteral("db")},
                     QStringLiteral("The device store (default: the app's data folder)."),
                     QStringLiteral("FILE")),
      server_({QStringLiteral("server")}, QStringLiteral("The server to offer at sign-in."),
              QStringLiteral("URL")),
      sign_in_({QStringLiteral("sign-in")},
               QStringLiteral("Sign in as EMAIL at start (password from SITEVISIT_PASSWORD)."),
               QStringLiteral("EMAIL")),
      camera_({QStringLiteral("camera")},
              QStringLiteral(
                  "Which camera: system (default; none if the device has none) or test-card."),
              QStringLiteral("KIND"), QStringLiteral("system")) {
    app.setApplicationName(QStringLiteral("sitevisit"));
    app.setOrganizationName(QStringLiteral("SiteVisit"));
    install_translations(app); // the plural forms of counts ("2 changes waiting")
    QQuickStyle::setStyle(QStringLiteral("Material"));
    cli_.addHelpOption();
    cli_.addOptions({db_, server_, sign_in_, camera_});
}

AppStartup::~AppStartup() = default;

int AppStartup::open() {
    // The store and the data folder: platform's, or the folder of a store given with --db.
    QString error;
    const QString path = cli_.isSet(db_) ? cli_.value(db_) : platform::DataPaths::storeFile(&error);
    const QString dataDir =
        cli_.isSet(db_) ? QFileInfo(path).absolutePath() : platform::DataPaths::dataDir(&error);
    if (path.isEmpty() || dataDir.isEmpty()) {
        std::cerr << "sitevisit: " << error.toStdString() << "\n";
        return 1;
    }
    auto store = Store::open({path.toStdString()});
    if (!store) {
        std::cerr << "sitevisit: " << store.error().message << "\n";
        return 1;
    }
    data_dir_ = dataDir;
    controller_ = std::make_unique<AppController>(
        std::move(store).value(), AppEnvironment{&SystemClock::instance(), dataDir});
    // The sign-in token in the platform's credential store where one works.
    credentials_ = platform::system_credential_store();
    controller_->engine().setCredentialStore(credentials_.get());
    if (cli_.value(camera_) == QLatin1String("test-card"))
        controller_->setCamera(platform::test_pattern_camera());
    else if (cli_.value(camera_) != QLatin1String("system")) {
        std::cerr << "sitevisit: --camera takes system or test-card, got "
                  << cli_.value(camera_).toStdString() << "\n";
        return 2;
    }
    return 0;
}

QQuickWindow* load_main_qml(QQmlApplicationEngine& engine, AppController& controller,
                            const QVariantMap& initialProperties) {
    qmlRegisterSingletonInstance("SiteVisit", 1, 0, "App", &controller);
    engine.addImportPath(QStringLiteral(":/"));
    engine.addImageProvider(QStringLiteral("pdf"), new PdfPageProvider); // the engine owns it
    engine.setInitialProperties(initialProperties);
    engine.load(QUrl(QStringLiteral("qrc:/SiteVisit/Main.qml")));
    if (engine.rootObjects().isEmpty()) return nullptr;
    return qobject_cast<QQuickWindow*>(engine.rootObjects().first());
}

QQuickWindow* AppStartup::load(const QVariantMap& initialProperties) {
    engine_ = std::make_unique<QQmlApplicationEngine>();
    QVariantMap properties = initialProperties;
    properties.insert(QStringLiteral("defaultServer"), cli_.value(server_));
    QQuickWindow* window = load_main_qml(*engine_, *controller_, properties);
    if (window && cli_.value(camera_) == QLatin1String("system")) {
        // Looked for once the first frame is up: Qt Multimedia's start-up is not on its way.
        AppController* controller = controller_.get();
        QObject::connect(
            window, &QQuickWindow::frameSwapped, controller,
            [controller] { controller->setCamera(platform::system_camera()); },
            static_cast<Qt::ConnectionType>(Qt::QueuedConnection | Qt::SingleShotConnection));
    }
    return window;
}

bool AppStartup::signInAsked() const {
    return cli_.isSet(sign_in_);
}

bool AppStartup::signInIfAsked() {
    if (!signInAsked()) return true;
    AppController& controller = *controller_;
    QEventLoop loop;
    QObject::connect(&controller, &AppController::busyChanged, &loop, [&] {
        if (!controller.busy()) loop.quit();
    });
    controller.signIn(cli_.value(server_), cli_.value(sign_in_),
                      qEnvironmentVariable("SITEVISIT_PASSWORD"));
    if (controller.busy()) loop.exec();
    if (!controller.signInError().isEmpty()) {
        std::cerr << "sitevisit: sign-in failed: " << controller.signInError().toStdString()
                  << "\n";
        return false;
    }
    QEventLoop synced;
    QObject::connect(&controller.engine(), &client::SyncEngine::finished, &synced,
                     &QEventLoop::quit);
    QTimer::singleShot(60000, &synced, &QEventLoop::quit);
    if (controller.engine().state() == client::SyncEngine::State::Syncing) synced.exec();
    return true;
}

} // namespace sitevisit::app
