#pragma once

#include "sitevisit/client/attachments.h"
#include "sitevisit/client/sync_engine.h"
#include "sitevisit/core/clock.h"
#include "sitevisit/core/store.h"

#include <QDate>
#include <QNetworkAccessManager>
#include <QObject>
#include <QQmlEngine>
#include <functional>
#include <memory>

namespace sitevisit::platform {
class Camera;
}

namespace sitevisit::app {

// The sync engine's states in QML, `SyncEngine.UpToDate` and so on, for `App.syncState`.
struct SyncEngineForeign {
    Q_GADGET
    QML_FOREIGN(sitevisit::client::SyncEngine)
    QML_NAMED_ELEMENT(SyncEngine)
    QML_UNCREATABLE("The sync engine is the app's; QML sees its state through App.")
};

// What start-up hands the app besides its store: the wall clock (tests step a ManualClock) and
// the data folder for files (downloaded evidence, prepared uploads, photos), from platform's
// DataPaths or beside a store given with --db. An empty folder means beside the store.
struct AppEnvironment {
    const Clock* clock = &SystemClock::instance();
    QString dataDir;
};

// The app's one service object, made at start-up (app_startup.cpp) and handed to QML as the
// `App` singleton of the SiteVisit module: the store, the sync engine and the signed-in user,
// as properties and invokables. View models made in QML find it through their engine
// (AppController::of). No rules live here: they are core's; no SQL or JSON reaches QML.
class AppController : public QObject {
    Q_OBJECT
    Q_PROPERTY(bool signedIn READ signedIn NOTIFY sessionChanged)
    Q_PROPERTY(QString userName READ userName NOTIFY sessionChanged)
    Q_PROPERTY(QString userRole READ userRole NOTIFY sessionChanged)
    Q_PROPERTY(QString serverUrl READ serverUrl NOTIFY sessionChanged)
    Q_PROPERTY(bool canReview READ canReview NOTIFY sessionChanged)
    // A regional director or an admin: the region view and caseload assignment.
    Q_PROPERTY(bool canSeeRegion READ canSeeRegion NOTIFY sessionChanged)
    Q_PROPERTY(QObject* camera READ camera NOTIFY cameraChanged)
    Q_PROPERTY(bool cameraAvailable READ cameraAvailable NOTIFY cameraChanged)
    Q_PROPERTY(QString cameraName READ cameraName NOTIFY cameraChanged)
    // The state as the engine's enum (QML: SyncEngine.Syncing, ...); the words for the screen
    // are syncMessage's, here in C++ only.
    Q_PROPERTY(sitevisit::client::SyncEngine::State syncState READ syncState NOTIFY syncChanged)
    Q_PROPERTY(QString syncMessage READ syncMessage NOTIFY syncChanged)
    Q_PROPERTY(int pendingChanges READ pendingChanges NOTIFY syncChanged)
    Q_PROPERTY(int openConflicts READ openConflicts NOTIFY syncChanged)
    Q_PROPERTY(QString lastSync READ lastSync NOTIFY syncChanged)
    Q_PROPERTY(QString syncDetail READ syncDetail NOTIFY syncChanged)
    Q_PROPERTY(int refusedChanges READ refusedChanges NOTIFY syncChanged)
    // Changes the server holds back until the app is updated (a newer data schema's); the sync
    // bar says "Update the app to see 3 newer items".
    Q_PROPERTY(int heldChanges READ heldChanges NOTIFY syncChanged)
    Q_PROPERTY(QString signInServer READ signInServer NOTIFY sessionChanged)
    Q_PROPERTY(QString signInEmail READ signInEmail NOTIFY sessionChanged)
    Q_PROPERTY(double syncProgress READ syncProgress NOTIFY syncChanged)
    Q_PROPERTY(bool busy READ busy NOTIFY busyChanged)
    Q_PROPERTY(QString signInError READ signInError NOTIFY busyChanged)
    // A private certificate authority (PEM file path) trusted for the server; "" for none.
    Q_PROPERTY(QString caFile READ caFile NOTIFY sessionChanged)

public:
    explicit AppController(std::unique_ptr<Store> store, AppEnvironment environment = {},
                           QObject* parent = nullptr);
    ~AppController() override;

    // The App singleton of the QML engine that made `object` (a view model in a page); null
    // outside QML or before start-up registered one.
    static AppController* of(QObject* object);

    bool signedIn() const;
    QString userName() const;
    QString userRole() const;
    QString serverUrl() const;
    // Receivers (and admins) decide on evidence.
    bool canReview() const;
    bool canSeeRegion() const;
    client::SyncEngine::State syncState() const { return engine_->state(); }
    QString syncMessage() const;
    int pendingChanges() const { return engine_->pendingChanges(); }
    int openConflicts() const { return engine_->openConflicts(); }
    QString lastSync() const;
    // While syncing: how far, in changes and bytes ("12 of 40 changes · 1.2 MB of 3.4 MB").
    QString syncDetail() const;
    // Changes the server refused (kept with its reason until dismissed).
    int refusedChanges() const { return engine_->rejectedChanges(); }
    // {what, change, reason} per refused change, in words.
    Q_INVOKABLE QVariantList refusedList() const;
    int heldChanges() const { return engine_->heldChanges(); }
    // Forgets the refused changes (the server never took them; the device keeps its values).
    Q_INVOKABLE bool dismissRefused();
    // To fill in the sign-in form: the session's server and email, else the last sign-in's.
    QString signInServer() const;
    QString signInEmail() const;
    // After the first frame: a signed-in app syncs straight away.
    Q_INVOKABLE void start();
    double syncProgress() const;
    bool busy() const { return busy_; }
    QString signInError() const { return sign_in_error_; }

    // The camera, or none: the file picker only. main looks for the system's camera after the
    // first frame (Qt Multimedia's start-up is not on the way to the first screen).
    void setCamera(std::unique_ptr<platform::Camera> camera);
    QObject* camera() const;
    bool cameraAvailable() const { return camera_ != nullptr; }
    QString cameraName() const;
    Q_INVOKABLE void startCamera();
    Q_INVOKABLE void stopCamera();
    // Takes a photo into the app's captures folder; photoTaken(url) or photoFailed(message).
    Q_INVOKABLE void takePhoto();

    // `caFile`: a PEM file of a private certificate authority to trust ("" for none), kept in
    // the device store. Plain http is refused to any machine but this one.
    Q_INVOKABLE void signIn(const QString& server, const QString& email, const QString& password,
                            const QString& caFile = QString());
    QString caFile() const { return engine_->caFile(); }
    Q_INVOKABLE void signOut();
    Q_INVOKABLE void syncNow();
    // For a first look (screenshots, self-test): the school with the most visits, and a visit
    // this user can work on (a draft of theirs, else the latest).
    Q_INVOKABLE QString suggestedSchool() const;
    // A district whose own plan is on this device (for screenshots and the self-test), or "".
    Q_INVOKABLE QString suggestedDistrict() const;
    Q_INVOKABLE QString suggestedVisit() const;

    // Makes a file ready on a worker (photos downscaled, over the server's limit refused,
    // hashed) and then queues its upload here on the GUI thread, so a large file never freezes
    // the app. `done` runs on `context`'s thread with the attachment for an evidence row to
    // name, or the reason; not at all if `context` is gone by then.
    void queueUpload(const QUrl& file, QObject* context,
                     std::function<void(Result<client::Attachment>)> done);

    // Today on this device (its local day), from the injected clock.
    QDate today() const;
    const Clock& clock() const { return *clock_; }
    // Evidence files downloaded for viewing; files made ready for upload; photos taken.
    QString filesDir() const { return data_dir_ + QStringLiteral("/files"); }
    QString attachmentsDir() const { return data_dir_ + QStringLiteral("/attachments"); }
    QString capturesDir() const { return data_dir_ + QStringLiteral("/captures"); }

    Store& store() { return *store_; }
    client::SyncEngine& engine() { return *engine_; }
    std::optional<User> user() const { return engine_->user(); }

signals:
    void sessionChanged();
    void syncChanged();
    void busyChanged();
    void dataChanged(); // rows changed (a sync applied a page, or a local write)
    void cameraChanged();
    void photoTaken(const QUrl& file);
    void photoFailed(const QString& message);

private:
    std::unique_ptr<Store> store_;
    const Clock* clock_;
    QString data_dir_;
    QNetworkAccessManager network_;
    std::unique_ptr<client::SyncEngine> engine_;
    std::unique_ptr<platform::Camera> camera_;
    bool busy_ = false;
    QString sign_in_error_;
};

// Points a view model at the app and has it reload whenever the app's rows change. False when
// it already pointed there.
template <class Model> bool follow_app(Model* model, AppController*& current, AppController* next) {
    if (next == current) return false;
    if (current) QObject::disconnect(current, nullptr, model, nullptr);
    current = next;
    if (current) QObject::connect(current, &AppController::dataChanged, model, &Model::reload);
    return true;
}

} // namespace sitevisit::app
