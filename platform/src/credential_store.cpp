#include "sitevisit/platform/credential_store.h"

#ifdef SITEVISIT_HAVE_QTKEYCHAIN
#include <qt6keychain/keychain.h>
#endif

#include <QEventLoop>

namespace sitevisit::platform {

bool MemoryCredentialStore::write(const QString& key, const QString& secret, QString*) {
    secrets_[key] = secret;
    return true;
}

std::optional<QString> MemoryCredentialStore::read(const QString& key, QString* error) {
    auto it = secrets_.find(key);
    if (it == secrets_.end()) {
        if (error) *error = QStringLiteral("no saved sign-in");
        return std::nullopt;
    }
    return it->second;
}

bool MemoryCredentialStore::remove(const QString& key) {
    return secrets_.erase(key) > 0;
}

#ifdef SITEVISIT_HAVE_QTKEYCHAIN
namespace {

const QString kService = QStringLiteral("Site Visit");

// qtkeychain's jobs are asynchronous; each call here waits for its job.
template <class Job> bool run(Job& job, QString* error) {
    QEventLoop loop;
    QObject::connect(&job, &QKeychain::Job::finished, &loop, &QEventLoop::quit);
    job.start();
    loop.exec();
    if (job.error() != QKeychain::NoError) {
        if (error) *error = job.errorString();
        return false;
    }
    return true;
}

class KeychainStore final : public CredentialStore {
public:
    bool write(const QString& key, const QString& secret, QString* error) override {
        QKeychain::WritePasswordJob job(kService);
        job.setAutoDelete(false);
        job.setKey(key);
        job.setTextData(secret);
        return run(job, error);
    }
    std::optional<QString> read(const QString& key, QString* error) override {
        QKeychain::ReadPasswordJob job(kService);
        job.setAutoDelete(false);
        job.setKey(key);
        if (!run(job, error)) return std::nullopt;
        return job.textData();
    }
    bool remove(const QString& key) override {
        QKeychain::DeletePasswordJob job(kService);
        job.setAutoDelete(false);
        job.setKey(key);
        return run(job, nullptr);
    }
};

} // namespace
#endif

std::unique_ptr<CredentialStore> system_credential_store() {
#ifdef SITEVISIT_HAVE_QTKEYCHAIN
    return std::make_unique<KeychainStore>();
#endif
    return nullptr;
}

} // namespace sitevisit::platform
