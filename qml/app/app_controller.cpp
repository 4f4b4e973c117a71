#include "app_controller.h"

#include "describe.h"
#include "sitevisit/core/capabilities.h"
#include "sitevisit/core/domain.h"
#include "sitevisit/platform/camera.h"

#include <QDir>
#include <QFileInfo>
#include <QLocale>
#include <QPointer>
#include <map>

namespace sitevisit::app {

AppController::AppController(std::unique_ptr<Store> store, AppEnvironment environment,
                             QObject* parent)
    : QObject(parent), store_(std::move(store)), clock_(environment.clock),
      data_dir_(!environment.dataDir.isEmpty()
                    ? environment.dataDir
                    : QFileInfo(QString::fromStdString(store_->database().path())).absolutePath()),
      engine_(std::make_unique<client::SyncEngine>(*store_, network_, this)) {
    connect(engine_.get(), &client::SyncEngine::stateChanged, this, &AppController::syncChanged);
    connect(engine_.get(), &client::SyncEngine::countsChanged, this, &AppController::syncChanged);
    connect(engine_.get(), &client::SyncEngine::progressChanged, this, &AppController::syncChanged);
    connect(engine_.get(), &client::SyncEngine::finished, this,
            [this](bool) { emit dataChanged(); });
    connect(engine_.get(), &client::SyncEngine::storeReset, this, [this] {
        // The files of the person before go with their rows.
        for (const QString& dir : {filesDir(), attachmentsDir(), capturesDir()})
            QDir(dir).removeRecursively();
        emit dataChanged();
    });
    // Every committed write, local or from a sync, reaches the view models from here.
    // Rows changed (a local write, an applied page, a resolution): the pages reload, and the
    // count of changes waiting to be sent may have moved.
    store_->subscribe([this](const StoreChange&) {
        emit dataChanged();
        emit syncChanged();
    });
    // Signed in before over plain http to another machine: the sign-in form asks for https.
    if (engine_->sessionInsecure()) sign_in_error_ = engine_->errorString();
}

AppController::~AppController() = default;

QDate AppController::today() const {
    return QDateTime::fromMSecsSinceEpoch(clock_->now_ms()).date();
}

AppController* AppController::of(QObject* object) {
    QQmlEngine* engine = object ? qmlEngine(object) : nullptr;
    const int type = qmlTypeId("SiteVisit", 1, 0, "App");
    return engine && type >= 0 ? engine->singletonInstance<AppController*>(type) : nullptr;
}

bool AppController::signedIn() const {
    return !engine_->sessionInsecure() && engine_->user().has_value();
}

QString AppController::userName() const {
    auto u = engine_->user();
    return u ? QString::fromStdString(u->name) : QString();
}

void AppController::setCamera(std::unique_ptr<platform::Camera> camera) {
    if (camera_) disconnect(camera_.get(), nullptr, this, nullptr);
    camera_ = std::move(camera);
    if (camera_) {
        connect(camera_.get(), &platform::Camera::captured, this,
                [this](const QString& path) { emit photoTaken(QUrl::fromLocalFile(path)); });
        connect(camera_.get(), &platform::Camera::failed, this, &AppController::photoFailed);
    }
    emit cameraChanged();
}

QObject* AppController::camera() const {
    return camera_.get();
}

QString AppController::cameraName() const {
    return camera_ ? camera_->name() : QString();
}

void AppController::startCamera() {
    if (camera_) camera_->start();
}

void AppController::stopCamera() {
    if (camera_) camera_->stop();
}

void AppController::takePhoto() {
    if (!camera_) {
        emit photoFailed(tr("This device has no camera; choose a file instead."));
        return;
    }
    camera_->capture(capturesDir());
}

bool AppController::canReview() const {
    auto u = engine_->user();
    return u && can(*u, Action::ReviewEvidence);
}

bool AppController::canSeeRegion() const {
    auto u = engine_->user();
    return u && (u->role == Role::RegionalDirector || u->role == Role::Admin);
}

QString AppController::userRole() const {
    auto u = engine_->user();
    return u ? tr(role_label(u->role)) : QString();
}

QString AppController::serverUrl() const {
    auto s = engine_->deviceState().session();
    return s && *s ? QString::fromStdString((*s)->server) : QString();
}

QString AppController::syncMessage() const {
    using S = client::SyncEngine::State;
    const int pending = engine_->pendingChanges();
    const QString waiting = tr("%n change(s) waiting", nullptr, pending);
    switch (engine_->state()) {
    case S::Syncing:
        return pending == 0 ? tr("Syncing…") : tr("Syncing… %1").arg(waiting);
    case S::UpToDate:
        // The server answers, but these have not reached it yet: not "up to date".
        return pending == 0 ? tr("Up to date")
                            : tr("%n change(s) waiting to be sent", nullptr, pending);
    case S::Offline:
        if (!engine_->lastSync().isValid() && engine_->errorString().isEmpty())
            return pending == 0 ? tr("Not synced yet") : tr("Not synced yet — %1").arg(waiting);
        return pending == 0 ? tr("Offline")
                            : tr("Offline — %n change(s) saved on this device", nullptr, pending);
    case S::NeedsSignIn:
        return pending == 0
                   ? tr("Sign in again to sync")
                   : tr("Sign in again to send %n change(s); nothing on this device is lost",
                        nullptr, pending);
    case S::Error:
        return pending == 0 ? engine_->errorString()
                            : tr("%1 (%2)").arg(engine_->errorString(), waiting);
    }
    return {};
}

QString AppController::syncDetail() const {
    using Phase = client::Transfers::Recovery::Phase;
    const auto r = engine_->recovery();
    QStringList parts;
    if (r.phase == Phase::Sending)
        // The server was restored from a backup: what it lacks goes again, then everything
        // comes again from the start.
        parts << tr("Server restored: sending again %n change(s) it may lack", nullptr,
                    static_cast<int>(r.resent));
    else if (r.phase == Phase::Done) {
        parts << tr("Recovered from the server's restore: %n change(s) sent again", nullptr,
                    static_cast<int>(r.resent));
        if (r.removed > 0)
            parts << tr("%n item(s) the server no longer holds removed from this device", nullptr,
                        static_cast<int>(r.removed));
    }
    if (engine_->state() != client::SyncEngine::State::Syncing)
        return parts.join(QStringLiteral(" · "));
    const auto p = engine_->progress();
    if (p.changes_total > 0)
        parts << tr("%1 of %n change(s)", nullptr, p.changes_total).arg(p.changes_done);
    if (p.bytes_total > 0)
        parts << tr("%1 of %2")
                     .arg(QLocale().formattedDataSize(p.bytes_done),
                          QLocale().formattedDataSize(p.bytes_total));
    return parts.join(QStringLiteral(" · "));
}

QString AppController::signInServer() const {
    if (auto s = engine_->deviceState().session(); s && *s)
        return QString::fromStdString((*s)->server);
    auto last = engine_->deviceState().last_sign_in();
    return last ? QString::fromStdString(last->first) : QString();
}

QString AppController::signInEmail() const {
    if (auto s = engine_->deviceState().session(); s && *s)
        return QString::fromStdString((*s)->user.value("email", ""));
    auto last = engine_->deviceState().last_sign_in();
    return last ? QString::fromStdString(last->second) : QString();
}

QVariantList AppController::refusedList() const {
    QVariantList out;
    auto refused = store_->rejected_changes();
    if (!refused) return out;
    for (const auto& e : *refused) {
        const EntitySpec* spec = find_entity(e.change.entity);
        QStringList values;
        for (const auto& [name, value] : e.change.fields.items()) {
            const FieldSpec* field = spec ? spec->field(name) : nullptr;
            // Which visit, which indicator: already said by describe_row.
            if (field && (field->type == FieldType::Uuid || field->type == FieldType::Indicator))
                continue;
            values << tr("%1 %2").arg(QString::fromStdString(name),
                                      describe_value(*store_, field, value));
        }
        if (e.change.kind == ChangeKind::Delete) values << tr("deleted");
        out << QVariantMap{{"what", describe_row(*store_, e.change.entity, e.change.id)},
                           {"change", values.join(QStringLiteral(", "))},
                           {"reason", QString::fromStdString(e.error)}};
    }
    return out;
}

bool AppController::dismissRefused() {
    if (auto st = store_->dismiss_rejected(); !st) return false;
    emit syncChanged();
    return true;
}

void AppController::start() {
    if (signedIn()) engine_->syncNow();
}

QString AppController::lastSync() const {
    const QDateTime t = engine_->lastSync();
    return t.isValid() ? QLocale().toString(t.toLocalTime(), QLocale::ShortFormat) : tr("never");
}

double AppController::syncProgress() const {
    const auto p = engine_->progress();
    const double total = p.changes_total + p.bytes_total / 4096.0;
    if (total <= 0) return 0;
    return std::min(1.0, (p.changes_done + p.bytes_done / 4096.0) / total);
}

void AppController::signIn(const QString& server, const QString& email, const QString& password,
                           const QString& caFile) {
    if (server.trimmed().isEmpty() || email.trimmed().isEmpty() || password.isEmpty()) {
        sign_in_error_ = tr("Enter the server address, your email and your password.");
        emit busyChanged();
        return;
    }
    const QUrl url = QUrl::fromUserInput(server.trimmed());
    if (!url.isValid() ||
        (url.scheme() != QLatin1String("http") && url.scheme() != QLatin1String("https"))) {
        sign_in_error_ = tr("The server address should look like https://sitevisit.example.org");
        emit busyChanged();
        return;
    }
    // Plain http only to this machine: checked here before the password goes anywhere.
    if (const QString why = client::insecure_server_reason(url); !why.isEmpty()) {
        sign_in_error_ = why;
        emit busyChanged();
        return;
    }
    QString ca = caFile.trimmed();
    if (ca.startsWith(QLatin1String("file:"))) ca = QUrl(ca).toLocalFile();
    if (ca != engine_->caFile()) {
        if (const QString e = engine_->setCaFile(ca); !e.isEmpty()) {
            sign_in_error_ = tr("The certificate authority file cannot be used: %1").arg(e);
            emit busyChanged();
            return;
        }
        emit sessionChanged();
    }
    busy_ = true;
    sign_in_error_.clear();
    emit busyChanged();
    const bool was_signed_in = signedIn();
    engine_->signIn(url, email.trimmed(), password, [this, was_signed_in](QString error) {
        busy_ = false;
        sign_in_error_ = error;
        emit busyChanged();
        // A refused sign-in leaves the form as it was typed, to correct and try again.
        if (error.isEmpty() || signedIn() != was_signed_in) emit sessionChanged();
        if (error.isEmpty()) engine_->syncNow();
    });
}

void AppController::signOut() {
    engine_->signOut();
    emit sessionChanged();
}

void AppController::syncNow() {
    engine_->syncNow();
}

void AppController::queueUpload(const QUrl& file, QObject* context,
                                std::function<void(Result<client::Attachment>)> done) {
    auto s = engine_->deviceState().session();
    const std::int64_t limit = s && *s ? (*s)->user.value("max_blob_bytes", protocol::kMaxBlobBytes)
                                       : protocol::kMaxBlobBytes;
    client::prepare_attachment_async(
        file.isLocalFile() ? file.toLocalFile() : file.toString(), attachmentsDir(), limit, context,
        [app = QPointer<AppController>(this),
         done = std::move(done)](Result<client::Attachment> a) {
            if (!app) return; // the app is closing: nothing to queue the file in
            if (a) {
                if (auto st = app->engine_->deviceState().queue_blob(
                        {a->sha256, a->path, a->size, BlobDirection::Up});
                    !st)
                    a = st.error();
            }
            done(std::move(a));
        });
}

QString AppController::suggestedSchool() const {
    std::map<std::string, int> visits;
    if (auto v = store_->list("visit"))
        for (const auto& r : *v)
            ++visits[r.school];
    std::string best;
    int most = -1;
    if (auto s = store_->list("school"))
        for (const auto& r : *s)
            if (visits[r.id] > most) {
                most = visits[r.id];
                best = r.id;
            }
    return QString::fromStdString(best);
}

QString AppController::suggestedDistrict() const {
    if (auto plans = store_->list("plan"))
        for (const auto& r : *plans)
            if (auto d = store_->get("district", r.school); !r.deleted && d && *d && !(*d)->deleted)
                return QString::fromStdString(r.school);
    return {};
}

QString AppController::suggestedVisit() const {
    auto u = engine_->user();
    // A draft of theirs first; for a regional director, a visit waiting for review.
    std::string draft, latest, latest_date;
    if (auto v = store_->list("visit"))
        for (const auto& r : *v) {
            auto visit = domain::from_row<domain::Visit>(r);
            if (!visit) continue;
            if (u && visit->status == "draft" && on_team(visit->team, u->id)) draft = visit->id;
            if (u && u->role == Role::RegionalDirector && visit->status == "submitted")
                draft = visit->id;
            if (visit->start_date > latest_date) {
                latest_date = visit->start_date;
                latest = visit->id;
            }
        }
    return QString::fromStdString(draft.empty() ? latest : draft);
}

} // namespace sitevisit::app
