#pragma once

// When the device syncs: on a timer, when the platform reports the network back, again after a
// failure (exponential backoff with full jitter, capped), and soon after a request (the seam for
// "push about a second after a local write"). It only says when (due()); SyncEngine runs it.

#include <QObject>
#include <QTimer>
#include <cstdint>
#include <optional>
#include <random>

namespace sitevisit::client {

class SyncPolicy : public QObject {
    Q_OBJECT
public:
    struct Options {
        int backoff_first_ms = 1000;
        int backoff_max_ms = 5 * 60 * 1000;
        int interval_ms = 5 * 60 * 1000;          // the periodic trigger; 0: none
        bool watch_network = true;                // QNetworkInformation, where a backend exists
        std::optional<std::uint32_t> jitter_seed; // none: a random one
    };

    explicit SyncPolicy(Options options, QObject* parent = nullptr);

    // A sync starts now: a pending retry is dropped.
    void started();
    // It ended well: the backoff starts again from the first delay.
    void succeeded();
    // It failed; with `retry`, due() comes again after the next backoff delay.
    void failed(bool retry);
    // due() in about `delay_ms` unless it comes sooner anyway; for a local write to go out soon.
    void requestSoon(int delay_ms);

    // The next backoff delay (and one failure more): in [ceiling/2, ceiling], the ceiling
    // doubling from backoff_first_ms to backoff_max_ms.
    int nextBackoffMs();
    int failures() const { return failures_; }
    // The delay of the retry waiting, or -1 when none is.
    int retryPendingMs() const { return retry_.isActive() ? retry_.interval() : -1; }

signals:
    void due();

private:
    Options options_;
    int failures_ = 0;
    QTimer retry_;
    QTimer interval_;
    std::mt19937 jitter_;
};

} // namespace sitevisit::client
