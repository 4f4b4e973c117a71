#pragma once

// The device half of the sync contract, as the app and sitevisit-cli see it: state, counts,
// progress and sign-in. It wires four parts, each with one job:
//   SignIn      who the device syncs as (session, takeover, device secret, trusted CA, token)
//   Transfers   one sync pass: files up, push, pull, files down
//   SyncPolicy  when to sync: timer, network back, backoff with jitter after a failure
//   Transport   the endpoints (NetworkTransport over Qt Network; a fake in tests)
// Never blocks capture: the store stays writable throughout, and a failed sync only waits and
// tries again.

#include "sitevisit/client/device_state.h"
#include "sitevisit/client/sign_in.h"
#include "sitevisit/client/sync_policy.h"
#include "sitevisit/client/transfers.h"
#include "sitevisit/client/transport.h"
#include "sitevisit/core/clock.h"
#include "sitevisit/core/store.h"
#include "sitevisit/platform/credential_store.h"

#include <QDateTime>
#include <QObject>
#include <QTimer>
#include <memory>
#include <optional>

class QNetworkAccessManager;

namespace sitevisit::client {

class OutboxReader;

class SyncEngine : public QObject {
    Q_OBJECT
    Q_PROPERTY(State state READ state NOTIFY stateChanged)
    Q_PROPERTY(QString errorString READ errorString NOTIFY stateChanged)
    Q_PROPERTY(int pendingChanges READ pendingChanges NOTIFY countsChanged)
    Q_PROPERTY(qint64 pendingBytes READ pendingBytes NOTIFY countsChanged)
    Q_PROPERTY(int openConflicts READ openConflicts NOTIFY countsChanged)
    Q_PROPERTY(int rejectedChanges READ rejectedChanges NOTIFY countsChanged)
    // Changes the server holds back until this app is updated (a newer data schema's).
    Q_PROPERTY(int heldChanges READ heldChanges NOTIFY countsChanged)
    Q_PROPERTY(QDateTime lastSync READ lastSync NOTIFY stateChanged)
public:
    enum class State { Offline, Syncing, UpToDate, NeedsSignIn, Error };
    Q_ENUM(State)

    struct Options {
        int push_batch = 500;
        int pull_limit = 1000;
        std::int64_t chunk_bytes = protocol::kUploadChunkBytes; // what one cut can waste
        int backoff_first_ms = 1000;
        int backoff_max_ms = 5 * 60 * 1000;
        int interval_ms = 5 * 60 * 1000; // the periodic trigger; 0: none
        Timeouts timeouts;
        const Clock* clock = nullptr;             // default: the system clock
        std::optional<std::uint32_t> jitter_seed; // the backoff's randomness; none: random
        bool watch_network = true;                // sync when the platform reports it back
        int schema = kDataSchemaVersion;          // the data schema asked for (older: tests)
        // Live sync (setLive): how long the server may hold a waiting pull, how soon after a
        // local write it is sent, and how often the store is looked at for writes made by
        // another process (sitevisit-cli beside the app).
        int live_wait_s = 30;
        int push_delay_ms = 750;
        int write_check_ms = 250;
        // Pull pages gzipped by the server (NetworkTransport only): fewer bytes on a slow
        // network, more CPU at both ends (on loopback it only costs).
        bool gzip_pulls = true;
    };

    SyncEngine(Store& store, QNetworkAccessManager& network, Options options,
               QObject* parent = nullptr);
    SyncEngine(Store& store, QNetworkAccessManager& network, QObject* parent = nullptr)
        : SyncEngine(store, network, Options{}, parent) {}
    // Over any transport (a FakeTransport in tests).
    SyncEngine(Store& store, std::unique_ptr<Transport> transport, Options options,
               QObject* parent = nullptr);
    ~SyncEngine() override;

    // Signs in and keeps the session in the store; `done` gets an empty string or the reason.
    // When another person's data is on the device it is removed first (storeReset()), unless
    // some of it has not reached the server: then the sign-in is refused and nothing changes.
    void signIn(const QUrl& server, const QString& email, const QString& password,
                std::function<void(QString)> done);
    void signOut();
    // Why the last signIn() failed, for exit codes.
    using SignInFailure = SignIn::Failure;
    SignInFailure lastSignInFailure() const { return sign_in_->lastFailure(); }
    // A session stored from before over plain http to another machine: sync refuses to send
    // until the person signs in again over https.
    bool sessionInsecure() const { return sign_in_->insecure(); }
    // A private certificate authority (PEM file) to trust for the server, kept in the device
    // store; "" trusts the system's authorities only. The reason when the file cannot be used.
    QString setCaFile(const QString& path) { return sign_in_->setCaFile(path); }
    QString caFile() const { return sign_in_->caFile(); }
    // Keep the token in the platform's credential store (where one works) rather than in the
    // device store. A token already there is read back (a sync asked for meanwhile waits).
    void setCredentialStore(platform::CredentialStore* credentials);

    // Starts a sync now unless one is running (it then runs once more after). A waiting pull
    // (live sync) is dropped for it.
    Q_INVOKABLE void syncNow();

    // Live sync: while on, changes written on this device (by any process) are sent about a
    // second later, and one pull waits at the server for changes from others, applied as
    // they land. The app turns it on while it is in front; `sitevisit-cli watch` for its run.
    void setLive(bool on);
    bool live() const { return live_; }

    State state() const { return state_; }
    QString errorString() const { return error_; }
    int pendingChanges() const;
    qint64 pendingBytes() const;
    int openConflicts() const;
    int rejectedChanges() const;
    int heldChanges() const;
    QDateTime lastSync() const { return last_sync_; }
    // The signed-in user (from the session), as core's User.
    std::optional<User> user() const { return sign_in_->user(); }
    // The session, file queue and settings this engine keeps in the store.
    DeviceState& deviceState() { return device_; }
    SyncPolicy& policy() { return *policy_; }

    // Progress of the sync running now.
    using Progress = Transfers::Progress;
    Progress progress() const { return transfers_->progress(); }
    // What the pass running or last ended moved: changes sent, received and refused.
    struct Moved {
        int sent = 0, received = 0, refused = 0;
    };
    // Recovering from a server restored from backup, or recovered (see Transfers::Recovery):
    // what the sync bar says about it. A recovery cut short by a restart shows as sending.
    Transfers::Recovery recovery() const {
        auto r = transfers_->recovery();
        if (store_.resyncing()) r.phase = Transfers::Recovery::Phase::Sending;
        return r;
    }
    Moved moved() const {
        return {transfers_->progress().changes_done, transfers_->pulled(), transfers_->refused()};
    }

signals:
    void stateChanged();
    void countsChanged();
    void progressChanged();
    void finished(bool ok); // one sync attempt ended
    void storeReset();      // the device started over for another person (see signIn)

private:
    void setState(State s, const QString& error = {});
    void ended(const Transfers::Outcome& outcome);
    // Live sync: opens the waiting pull (or sends first what waits); looks for local writes.
    void waitForChanges();
    void checkWrites();
    QDateTime now() const;

    Store& store_;
    DeviceState device_;
    const Clock& clock_;
    std::unique_ptr<Transport> transport_;
    std::unique_ptr<OutboxReader> outbox_;
    std::unique_ptr<SignIn> sign_in_;
    std::unique_ptr<Transfers> transfers_;
    std::unique_ptr<SyncPolicy> policy_;
    State state_ = State::Offline;
    QString error_;
    QDateTime last_sync_;
    std::int64_t started_ms_ = 0;
    bool again_ = false;
    Options options_;
    bool live_ = false;
    bool waiting_pass_ = false; // the pass running is a waiting one (live sync)
    QTimer push_soon_;          // a local write goes out when this fires
    QTimer write_check_;        // looks for writes made by another process
    QTimer reopen_;             // the next waiting pull, after one the server did not hold
    std::int64_t seen_version_ = -1, seen_dseq_ = -1;
};

} // namespace sitevisit::client
