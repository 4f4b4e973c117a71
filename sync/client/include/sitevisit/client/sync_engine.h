#pragma once

// The device half of the sync contract: uploads evidence files in resumable chunks, pushes the
// outbox in batches, pulls until the server has nothing more, applies each page through
// core in one transaction with its cursor. Never blocks capture: the store stays writable
// throughout, and a failed sync only waits and tries again (exponential backoff with jitter).

#include "sitevisit/client/transport.h"
#include "sitevisit/core/store.h"
#include "sitevisit/platform/credential_store.h"

#include <QDateTime>
#include <QObject>
#include <QTimer>
#include <random>

class QNetworkAccessManager;

namespace sitevisit::client {

class SyncEngine : public QObject {
    Q_OBJECT
    Q_PROPERTY(State state READ state NOTIFY stateChanged)
    Q_PROPERTY(QString errorString READ errorString NOTIFY stateChanged)
    Q_PROPERTY(int pendingChanges READ pendingChanges NOTIFY countsChanged)
    Q_PROPERTY(qint64 pendingBytes READ pendingBytes NOTIFY countsChanged)
    Q_PROPERTY(int openConflicts READ openConflicts NOTIFY countsChanged)
    Q_PROPERTY(int rejectedChanges READ rejectedChanges NOTIFY countsChanged)
    Q_PROPERTY(QDateTime lastSync READ lastSync NOTIFY stateChanged)
public:
    enum class State { Offline, Syncing, UpToDate, NeedsSignIn, Error };
    Q_ENUM(State)

    struct Options {
        int push_batch = 500;
        int pull_limit = 1000;
        std::int64_t chunk_bytes = 1024 * 1024; // what one cut can waste
        int backoff_first_ms = 1000;
        int backoff_max_ms = 5 * 60 * 1000;
        int interval_ms = 5 * 60 * 1000; // the periodic trigger; 0: none
        Timeouts timeouts;
    };

    SyncEngine(Store& store, QNetworkAccessManager& network, Options options,
               QObject* parent = nullptr);
    SyncEngine(Store& store, QNetworkAccessManager& network, QObject* parent = nullptr)
        : SyncEngine(store, network, Options{}, parent) {}

    // Signs in and keeps the session in the store; `done` gets an empty string or the reason.
    // When another person's data is on the device it is removed first (storeReset()), unless
    // some of it has not reached the server: then the sign-in is refused and nothing changes.
    void signIn(const QUrl& server, const QString& email, const QString& password,
                std::function<void(QString)> done);
    void signOut();
    // Why the last signIn() failed, for exit codes: refused by the server or by the http rule,
    // an answer that could not be decoded, or no answer at all.
    enum class SignInFailure { None, Refused, Insecure, Undecodable, Network };
    SignInFailure lastSignInFailure() const { return sign_in_failure_; }
    // A session stored from before over plain http to another machine: sync refuses to send
    // until the person signs in again over https.
    bool sessionInsecure() const { return insecure_session_; }
    // A private certificate authority (PEM file) to trust for the server, kept in the device
    // store; "" trusts the system's authorities only. The reason when the file cannot be used.
    QString setCaFile(const QString& path);
    QString caFile() const;
    // Keep the token in the platform's credential store (where one works) rather than in the
    // device store. A token already there is read back at once.
    void setCredentialStore(platform::CredentialStore* credentials);

    // Starts a sync now unless one is running (it then runs once more after).
    Q_INVOKABLE void syncNow();

    State state() const { return state_; }
    QString errorString() const { return error_; }
    int pendingChanges() const;
    qint64 pendingBytes() const;
    int openConflicts() const;
    int rejectedChanges() const;
    QDateTime lastSync() const { return last_sync_; }
    // The signed-in user (from the session), as core's User.
    std::optional<User> user() const;

    // Progress of the sync running now.
    struct Progress {
        int changes_done = 0, changes_total = 0;
        qint64 bytes_done = 0, bytes_total = 0;
    };
    Progress progress() const { return progress_; }

signals:
    void stateChanged();
    void countsChanged();
    void progressChanged();
    void finished(bool ok); // one sync attempt ended
    void storeReset();      // the device started over for another person (see signIn)

private:
    void setState(State s, const QString& error = {});
    void finishSignIn(const QUrl& server, const protocol::LoginResponse& answer,
                      std::function<void(QString)> done);
    void fail(const Reply& reply, const QString& during);
    // Stops this sync with a message; `retry`: again after the backoff.
    void stop(State state, const QString& message, bool retry);
    std::string deviceSecretFor(const QUrl& server);
    void keepDeviceSecret(const QUrl& server, const std::string& secret);
    void pushNext();
    void uploadNext();
    void uploadFrom(const Store::BlobJob& job, std::int64_t offset);
    void pullNext();
    void downloadNext();
    void downloadFrom(const Store::BlobJob& job);
    void done();
    void scheduleRetry();

    Store& store_;
    platform::CredentialStore* credentials_ = nullptr;
    Transport transport_;
    Options options_;
    State state_ = State::Offline;
    QString error_;
    QDateTime last_sync_;
    Progress progress_;
    bool running_ = false;
    bool again_ = false;
    int failures_ = 0;
    bool cursor_reset_ = false; // this sync already went back to cursor 0 once
    bool insecure_session_ = false;
    SignInFailure sign_in_failure_ = SignInFailure::None;
    QTimer retry_;
    QTimer interval_;
    std::mt19937 jitter_{std::random_device{}()};
};

} // namespace sitevisit::client
