#pragma once

// Who the device syncs as: sign-in and sign-out, the device takeover when another person signs
// in, the device secret, the trusted certificate authority, and the token (in the platform's
// credential store where one works, else in the device store). It sets the transport's
// server, token and certificates; SyncEngine turns its answers into the sync state.

#include "sitevisit/client/device_state.h"
#include "sitevisit/client/transport.h"
#include "sitevisit/core/permissions.h"
#include "sitevisit/platform/credential_store.h"

#include <QObject>
#include <functional>
#include <optional>

namespace sitevisit {
class Store;
}

namespace sitevisit::client {

class SignIn : public QObject {
    Q_OBJECT
public:
    // Why the last signIn() failed: refused by the server or by the http rule, an answer that
    // could not be decoded, or no answer at all.
    enum class Failure { None, Refused, Insecure, Undecodable, Network };

    // `sync_running`: whether a sync is writing now (a takeover waits for it to end).
    SignIn(Store& store, DeviceState& device, Transport& transport,
           std::function<bool()> sync_running, QObject* parent = nullptr);

    // Takes the stored session and certificate authority into the transport. The reason sync
    // must wait for a new sign-in ("" when it need not, or when no one is signed in).
    QString restore();
    void signIn(const QUrl& server, const QString& email, const QString& password,
                std::function<void(QString)> done);
    // The reason it could not all be forgotten, or "".
    QString signOut();
    QString setCaFile(const QString& path);
    QString caFile() const;
    void setCredentialStore(platform::CredentialStore* credentials);

    std::optional<User> user() const;
    bool signedIn() const;
    Failure lastFailure() const { return failure_; }
    // A session stored from before the http rule, over plain http to another machine.
    bool insecure() const { return insecure_; }
    void setInsecure() { insecure_ = true; }
    // The token is still being read from the credential store.
    bool tokenPending() const { return token_pending_; }

signals:
    void signedInNow();                 // a new session is stored
    void tokenLost(const QString& why); // the credential store could not give the token back
    void tokenRead();                   // the token came back from the credential store
    void storeReset();                  // the device started over for another person

private:
    void finish(const QUrl& server, const protocol::LoginResponse& answer,
                std::function<void(QString)> done);
    void deviceSecretFor(const QUrl& server, std::function<void(std::string)> done);
    void keepDeviceSecret(const QUrl& server, const std::string& secret);

    Store& store_;
    DeviceState& device_;
    Transport& transport_;
    std::function<bool()> sync_running_;
    platform::CredentialStore* credentials_ = nullptr;
    Failure failure_ = Failure::None;
    bool insecure_ = false;
    bool token_pending_ = false;
};

} // namespace sitevisit::client
