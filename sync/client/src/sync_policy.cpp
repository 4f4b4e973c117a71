#include "sitevisit/client/sync_policy.h"

#include "sitevisit/client/logging.h"

#include <QNetworkInformation>
#include <algorithm>

namespace sitevisit::client {

SyncPolicy::SyncPolicy(Options options, QObject* parent)
    : QObject(parent), options_(options),
      jitter_(options.jitter_seed ? *options.jitter_seed : std::random_device{}()) {
    retry_.setSingleShot(true);
    connect(&retry_, &QTimer::timeout, this, &SyncPolicy::due);
    if (options_.interval_ms > 0) {
        connect(&interval_, &QTimer::timeout, this, &SyncPolicy::due);
        interval_.start(options_.interval_ms);
    }
    // Connectivity hints only trigger an attempt: "unknown" is not "offline", and the requests
    // themselves decide. Without a backend the timer and the backoff retries still run.
    if (options_.watch_network &&
        QNetworkInformation::loadBackendByFeatures(QNetworkInformation::Feature::Reachability)) {
        connect(QNetworkInformation::instance(), &QNetworkInformation::reachabilityChanged, this,
                [this](QNetworkInformation::Reachability r) {
                    if (r != QNetworkInformation::Reachability::Disconnected) emit due();
                });
    }
}

void SyncPolicy::started() {
    retry_.stop();
}

void SyncPolicy::succeeded() {
    failures_ = 0;
}

void SyncPolicy::failed(bool retry) {
    if (!retry) return;
    const int delay = nextBackoffMs();
    qCDebug(lcSync) << "next attempt in" << delay << "ms (failure" << failures_ << ")";
    retry_.start(delay);
}

void SyncPolicy::requestSoon(int delay_ms) {
    if (retry_.isActive() && retry_.remainingTime() <= delay_ms) return;
    retry_.start(std::max(0, delay_ms));
}

int SyncPolicy::nextBackoffMs() {
    // Exponential backoff with full jitter, capped.
    const qint64 ceiling =
        std::min<qint64>(options_.backoff_max_ms, static_cast<qint64>(options_.backoff_first_ms)
                                                      << std::min(failures_, 20));
    ++failures_;
    std::uniform_int_distribution<qint64> pick(ceiling / 2, ceiling);
    return static_cast<int>(pick(jitter_));
}

} // namespace sitevisit::client
