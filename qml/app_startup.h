#pragma once

#include <QCommandLineOption>
#include <QString>
#include <QVariantMap>
#include <memory>

class QCommandLineParser;
class QGuiApplication;
class QQmlApplicationEngine;
class QQuickWindow;

namespace sitevisit::platform {
class CredentialStore;
}

namespace sitevisit::app {

class AppController;

// Hands `controller` to QML as the `App` singleton of the SiteVisit module and loads Main.qml
// into `engine` with these initial properties; the window, or null when it did not load.
QQuickWindow* load_main_qml(QQmlApplicationEngine& engine, AppController& controller,
                            const QVariantMap& initialProperties = {});

// The start-up both executables share (`sitevisit`, and `sitevisit-tools` for self-test,
// screenshots and benchmarks): the options for the store, the server, the sign-in and the
// camera; the store, sync engine, clock and data folder wired into the AppController; the
// controller handed to QML as the `App` singleton; Main.qml loaded.
class AppStartup {
public:
    // Before the QGuiApplication: the file mode mask (077), and --help without a display.
    static void prepareProcess(int argc, char** argv);

    // Names the application, sets the style and adds the shared options to `cli`.
    AppStartup(QGuiApplication& app, QCommandLineParser& cli);
    ~AppStartup();

    // After cli.process(): opens the store and makes the controller. 0, or the exit status with
    // the reason on stderr.
    int open();
    // Registers the App singleton and loads Main.qml with these initial properties besides
    // the server to offer; the system camera is looked for after the first frame.
    QQuickWindow* load(const QVariantMap& initialProperties = {});
    // --sign-in EMAIL (password from SITEVISIT_PASSWORD): signs in and waits for the first sync.
    // False with the reason on stderr when the sign-in fails; true when none was asked for.
    bool signInIfAsked();
    // Whether --sign-in was given (the sign-in starts the first sync itself).
    bool signInAsked() const;

    // After open(): the folder the app keeps its files in (platform's, or beside --db's store).
    QString dataDir() const { return data_dir_; }
    AppController& controller() { return *controller_; }
    QQmlApplicationEngine& engine() { return *engine_; }

private:
    QCommandLineParser& cli_;
    QCommandLineOption db_, server_, sign_in_, camera_;
    QString data_dir_;
    std::unique_ptr<platform::CredentialStore> credentials_;
    std::unique_ptr<AppController> controller_;
    std::unique_ptr<QQmlApplicationEngine> engine_; // goes before the controller it shows
};

} // namespace sitevisit::app
