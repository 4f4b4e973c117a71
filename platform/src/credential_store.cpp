#include "sitevisit/platform/credential_store.h"

#ifdef SITEVISIT_HAVE_QTKEYCHAIN
#include <qt6keychain/keychain.h>
#endif

namespace sitevisit::platform {

void MemoryCredentialStore::write(const QString& key, const QString& secret, Written done) {
    secrets_[key] = secret;
    if (done) done(true, {});
}

void MemoryCredentialStore::read(const QString& key, Read done) {
    auto it = secrets_.find(key);
    if (it == secrets_.end())
        done(std::nullopt, QStringLiteral("no saved sign-in"));
    else
        done(it->second, {});
}

void MemoryCredentialStore::remove(const QString& key, std::function<void(bool)> done) {
    const bool removed = secrets_.erase(key) > 0;
    if (done) done(removed);
}

#ifdef SITEVISIT_HAVE_QTKEYCHAIN
namespace {

const QString kService = QStringLiteral("Site Visit");

// qtkeychain's jobs are asynchronous: each call starts one and answers from its finished
// signal; the job deletes itself afterwards.
class KeychainStore final : public CredentialStore {
public:
    void write(const QString& key, const QString& secret, Written done) override {
        auto* job = new QKeychain::WritePasswordJob(kService);
        job->setKey(key);
        job->setTextData(secret);
        QObject::connect(job, &QKeychain::Job::finished,
                         [done = std::move(done)](QKeychain::Job* j) {
                             if (done) done(j->error() == QKeychain::NoError, j->errorString());
                         });
        job->start();
    }
    void read(const QString& key, Read done) override {
        auto* job = new QKeychain::ReadPasswordJob(kService);
        job->setKey(key);
        QObject::connect(job, &QKeychain::Job::finished,
                         [job, done = std::move(done)](QKeychain::Job* j) {
                             if (j->error() != QKeychain::NoError)
                                 done(std::nullopt, j->errorString());
                             else
                                 done(job->textData(), {});
                         });
        job->start();
    }
    void remove(const QString& key, std::function<void(bool)> done) override {
        auto* job = new QKeychain::DeletePasswordJob(kService);
        job->setKey(key);
        QObject::connect(job, &QKeychain::Job::finished,
                         [done = std::move(done)](QKeychain::Job* j) {
                             if (done) done(j->error() == QKeychain::NoError);
                         });
        job->start();
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
