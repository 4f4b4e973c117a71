#pragma once

#include <QString>
#include <map>
#include <memory>
#include <optional>

namespace sitevisit::platform {

// Secrets (the sign-in token) in the platform's credential store: the desktop keyring or the
// OS keychain through qtkeychain where it is available. Calls block briefly.
class CredentialStore {
public:
    virtual ~CredentialStore() = default;
    virtual bool write(const QString& key, const QString& secret, QString* error = nullptr) = 0;
    virtual std::optional<QString> read(const QString& key, QString* error = nullptr) = 0;
    virtual bool remove(const QString& key) = 0;
};

// The platform's store, or nullptr when this build or this machine has none (the caller then
// keeps the token in its own store, as before).
std::unique_ptr<CredentialStore> system_credential_store();

// For tests and machines without a keyring: kept in memory only.
class MemoryCredentialStore final : public CredentialStore {
public:
    bool write(const QString& key, const QString& secret, QString* = nullptr) override;
    std::optional<QString> read(const QString& key, QString* error = nullptr) override;
    bool remove(const QString& key) override;

private:
    std::map<QString, QString> secrets_;
};

} // namespace sitevisit::platform
