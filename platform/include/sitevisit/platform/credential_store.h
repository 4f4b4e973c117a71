#pragma once

#include <QString>
#include <functional>
#include <map>
#include <memory>
#include <optional>

namespace sitevisit::platform {

// Secrets (the sign-in token) in the platform's credential store: the desktop keyring or the
// OS keychain through qtkeychain where it is available. Every call is asynchronous and never
// blocks or spins an event loop: its answer comes to `done` on the caller's thread (at once for
// the memory store, later for the keychain, whose desktop service may ask the user first).
class CredentialStore {
public:
    using Written = std::function<void(bool ok, const QString& error)>;
    using Read = std::function<void(std::optional<QString> secret, const QString& error)>;
    virtual ~CredentialStore() = default;
    virtual void write(const QString& key, const QString& secret, Written done) = 0;
    virtual void read(const QString& key, Read done) = 0;
    virtual void remove(const QString& key, std::function<void(bool removed)> done = {}) = 0;
};

// The platform's store, or nullptr when this build or this machine has none (the caller then
// keeps the token in its own store, as before).
std::unique_ptr<CredentialStore> system_credential_store();

// For tests and machines without a keyring: kept in memory only.
class MemoryCredentialStore final : public CredentialStore {
public:
    void write(const QString& key, const QString& secret, Written done) override;
    void read(const QString& key, Read done) override;
    void remove(const QString& key, std::function<void(bool)> done = {}) override;

private:
    std::map<QString, QString> secrets_;
};

} // namespace sitevisit::platform
