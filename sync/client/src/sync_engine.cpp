#include "sitevisit/client/sync_engine.h"

#include "sitevisit/client/logging.h"
#include "sitevisit/client/malloc_heaps.h"
#include "sitevisit/client/network_transport.h"
#include "sitevisit/client/outbox_reader.h"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

Q_LOGGING_CATEGORY(lcSync, "sitevisit.sync", QtWarningMsg)
Q_LOGGING_CATEGORY(lcTransfer, "sitevisit.transfer", QtWarningMsg)
Q_LOGGING_CATEGORY(lcRefusal, "sitevisit.refusal", QtWarningMsg)

namespace sitevisit::client {

void limit_malloc_heaps() {
#if defined(__GLIBC__)
    mallopt(M_ARENA_MAX, 2);
#endif
}

namespace {
std::unique_ptr<Transport> network_transport(QNetworkAccessManager& network,
                                             const SyncEngine::Options& options) {
    auto t = std::make_unique<NetworkTransport>(network, QUrl(), options.timeouts);
    t->setGzipPulls(options.gzip_pulls);
    return t;
}
} // namespace

SyncEngine::SyncEngine(Store& store, QNetworkAccessManager& network, Options options,
                       QObject* parent)
    : SyncEngine(store, network_transport(network, options), options, parent) {
}

SyncEngine::SyncEngine(Store& store, std::unique_ptr<Transport> transport, Options options,
                       QObject* parent)
    : QObject(parent), store_(store), device_(store),
      clock_(options.clock ? *options.clock : SystemClock::instance()),
      transport_(std::move(transport)), outbox_(std::make_unique<OutboxReader>(store)),
      options_(options) {
    push_soon_.setSingleShot(true);
    connect(&push_soon_, &QTimer::timeout, this, &SyncEngine::syncNow);
    connect(&write_check_, &QTimer::timeout, this, &SyncEngine::checkWrites);
    reopen_.setSingleShot(true);
    connect(&reopen_, &QTimer::timeout, this, &SyncEngine::waitForChanges);
    sign_in_ = std::make_unique<SignIn>(store_, device_, *transport_,
                                        [this] { return transfers_->running(); });
    transfers_ =
        std::make_unique<Transfers>(store_, device_, *transport_, *outbox_,
                                    Transfers::Options{options.push_batch, options.pull_limit,
                                                       options.chunk_bytes, options.schema});
    policy_ = std::make_unique<SyncPolicy>(
        SyncPolicy::Options{options.backoff_first_ms, options.backoff_max_ms, options.interval_ms,
                            options.watch_network, options.jitter_seed});

    connect(policy_.get(), &SyncPolicy::due, this, &SyncEngine::syncNow);
    connect(transfers_.get(), &Transfers::progressChanged, this, &SyncEngine::progressChanged);
    connect(transfers_.get(), &Transfers::countsChanged, this, &SyncEngine::countsChanged);
    connect(transfers_.get(), &Transfers::finished, this, &SyncEngine::ended);
    connect(sign_in_.get(), &SignIn::signedInNow, this, [this] { setState(State::Offline); });
    connect(sign_in_.get(), &SignIn::storeReset, this, [this] {
        last_sync_ = {};
        emit storeReset();
    });
    connect(sign_in_.get(), &SignIn::tokenRead, this, [this] {
        if (again_) syncNow();
    });
    connect(sign_in_.get(), &SignIn::tokenLost, this, [this](const QString& why) {
        setState(State::NeedsSignIn, why);
        if (std::exchange(again_, false)) emit finished(false);
    });

    if (auto when = device_.last_sync(); when && !when->empty())
        last_sync_ = QDateTime::fromString(QString::fromStdString(*when), Qt::ISODate);
    else if (!when)
        qCWarning(lcSync) << "cannot read when the device last synced:"
                          << when.error().message.c_str();
    if (const QString why = sign_in_->restore(); !why.isEmpty()) {
        state_ = State::NeedsSignIn;
        error_ = why;
    } else if (!sign_in_->signedIn()) {
        state_ = State::NeedsSignIn;
    }
}

SyncEngine::~SyncEngine() = default;

QDateTime SyncEngine::now() const {
    return QDateTime::fromMSecsSinceEpoch(clock_.now_ms(), Qt::UTC);
}

void SyncEngine::signIn(const QUrl& server, const QString& email, const QString& password,
                        std::function<void(QString)> done) {
    sign_in_->signIn(server, email, password, std::move(done));
}

void SyncEngine::signOut() {
    if (transfers_->waiting()) {
        transfers_->cancelWaiting();
        waiting_pass_ = false;
    }
    setState(State::NeedsSignIn, sign_in_->signOut());
}

void SyncEngine::setCredentialStore(platform::CredentialStore* credentials) {
    sign_in_->setCredentialStore(credentials);
}

int SyncEngine::pendingChanges() const {
    auto n = store_.count_outbox(OutboxState::Pending);
    return n ? static_cast<int>(*n) : 0;
}

qint64 SyncEngine::pendingBytes() const {
    auto jobs = device_.blob_jobs();
    qint64 n = 0;
    if (jobs)
        for (const auto& j : *jobs)
            if (j.direction == BlobDirection::Up) n += j.size - j.sent;
    return n;
}

int SyncEngine::openConflicts() const {
    auto rows = store_.list("conflict", "status", "open");
    return rows ? static_cast<int>(rows->size()) : 0;
}

int SyncEngine::rejectedChanges() const {
    auto n = store_.count_outbox(OutboxState::Rejected);
    return n ? static_cast<int>(*n) : 0;
}

int SyncEngine::heldChanges() const {
    auto held = device_.held();
    return held ? static_cast<int>(held->count) : 0;
}

void SyncEngine::setState(State s, const QString& error) {
    state_ = s;
    error_ = error;
    emit stateChanged();
    emit countsChanged();
}

void SyncEngine::syncNow() {
    // A pull waiting at the server gives way: this pass pulls too.
    if (transfers_->waiting()) {
        transfers_->cancelWaiting();
        waiting_pass_ = false;
    }
    push_soon_.stop();
    reopen_.stop();
    // Running, or the token is still on its way from the credential store: once more after.
    if (transfers_->running() || sign_in_->tokenPending()) {
        again_ = true;
        return;
    }
    if (!sign_in_->signedIn()) {
        setState(State::NeedsSignIn, QStringLiteral("sign in to sync"));
        emit finished(false);
        return;
    }
    if (sign_in_->insecure()) {
        setState(State::NeedsSignIn, error_);
        emit finished(false);
        return;
    }
    again_ = false;
    policy_->started();
    started_ms_ = clock_.now_ms();
    setState(State::Syncing);
    transfers_->start(pendingChanges(), pendingBytes());
}

void SyncEngine::ended(const Transfers::Outcome& outcome) {
    using Kind = Transfers::Outcome::Kind;
    const bool waited = std::exchange(waiting_pass_, false);
    // One line per sync (a waiting pull that ended with nothing is not one).
    const qint64 took = clock_.now_ms() - started_ms_;
    const bool quiet = waited && outcome.kind == Kind::Done && transfers_->pulled() == 0;
    if (outcome.kind == Kind::Done && waited && !quiet)
        qCInfo(lcSync).noquote() << "changes arrived after waiting" << took
                                 << "ms:" << outcome.summary;
    else if (outcome.kind == Kind::Done && !quiet)
        qCInfo(lcSync).noquote() << "sync done in" << took << "ms:" << outcome.summary;
    else if (!quiet)
        qCInfo(lcSync).noquote() << QStringLiteral("sync stopped after %1 ms: %2 (%3)")
                                        .arg(took)
                                        .arg(outcome.message, outcome.summary);
    switch (outcome.kind) {
    case Kind::Done:
        policy_->succeeded();
        last_sync_ = now();
        // Only "last synced" after a restart depends on it: said in the log, sync goes on.
        if (auto st = device_.set_last_sync(last_sync_.toString(Qt::ISODate).toStdString()); !st)
            qCWarning(lcSync) << "cannot keep the time of this sync:" << st.error().message.c_str();
        setState(State::UpToDate);
        emit finished(true);
        if (again_) {
            syncNow();
        } else if (live_) {
            // A server that answered at once with nothing does not hold pulls: ask less often.
            if (waited && took < 1000 && transfers_->pulled() == 0)
                reopen_.start(5000);
            else
                waitForChanges();
        }
        return;
    case Kind::Insecure:
        sign_in_->setInsecure();
        setState(State::NeedsSignIn, outcome.message);
        break;
    case Kind::NeedsSignIn:
        setState(State::NeedsSignIn, outcome.message);
        break;
    case Kind::Offline:
        setState(State::Offline, outcome.message);
        break;
    case Kind::Error:
        setState(State::Error, outcome.message);
        break;
    }
    policy_->failed(outcome.retry);
    emit finished(false);
}

} // namespace sitevisit::client

namespace sitevisit::client {

void SyncEngine::setLive(bool on) {
    if (live_ == on) return;
    live_ = on;
    if (!on) {
        write_check_.stop();
        push_soon_.stop();
        reopen_.stop();
        if (transfers_->waiting()) {
            transfers_->cancelWaiting();
            waiting_pass_ = false;
        }
        return;
    }
    seen_version_ = seen_dseq_ = -1;
    checkWrites();
    write_check_.start(std::max(50, options_.write_check_ms));
    if (!push_soon_.isActive()) waitForChanges();
}

void SyncEngine::waitForChanges() {
    if (!live_ || transfers_->running() || !sign_in_->signedIn() || sign_in_->insecure() ||
        sign_in_->tokenPending() || state_ == State::NeedsSignIn)
        return;
    // Backing off after a failure: the retry syncs, then waits.
    if (policy_->retryPendingMs() >= 0) return;
    if (again_ || pendingChanges() > 0) return syncNow();
    waiting_pass_ = true;
    started_ms_ = clock_.now_ms();
    transfers_->startWaiting(options_.live_wait_s);
}

// Writes by this process move the store's dseq; writes by another process (sitevisit-cli
// beside the app) move SQLite's data_version. Either, with changes waiting: send them soon.
void SyncEngine::checkWrites() {
    if (!live_) return;
    std::int64_t version = 0;
    try {
        auto& st = store_.database().cached("PRAGMA data_version");
        st.step();
        version = st.int64(0);
        st.reset();
    } catch (const std::exception& e) {
        qCWarning(lcSync) << "cannot look for changes made on this device:" << e.what();
        return;
    }
    const std::int64_t dseq = store_.last_dseq();
    if (version == seen_version_ && dseq == seen_dseq_) return;
    seen_version_ = version;
    seen_dseq_ = dseq;
    if (push_soon_.isActive() || pendingChanges() == 0) return;
    if (policy_->retryPendingMs() >= 0) return; // the retry after a failure sends them
    push_soon_.start(options_.push_delay_ms);
}

} // namespace sitevisit::client
