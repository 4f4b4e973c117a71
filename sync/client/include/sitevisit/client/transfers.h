#pragma once

// One sync pass, start to end: files up (resuming from the server's offset), the outbox pushed
// in batches, pages pulled and applied until the server has no more (the next page asked for
// while the one before it is applied), files down. Each step
// checks that a repeat makes progress; how the pass ended comes back in finished().

#include "sitevisit/client/device_state.h"
#include "sitevisit/client/transport.h"
#include "sitevisit/core/entities.h"
#include "sitevisit/protocol/limits.h"

#include <QObject>
#include <QThreadPool>
#include <deque>
#include <optional>

namespace sitevisit {
class Store;
}

namespace sitevisit::client {

class OutboxReader;

class Transfers : public QObject {
    Q_OBJECT
public:
    struct Options {
        int push_batch = 500;
        int pull_limit = 1000;
        std::int64_t chunk_bytes = protocol::kUploadChunkBytes; // what one cut can waste
        int schema = kDataSchemaVersion;                        // the data schema this device reads
    };
    struct Progress {
        int changes_done = 0, changes_total = 0;
        qint64 bytes_done = 0, bytes_total = 0;
    };
    // How a pass ended, and whether to try again after the backoff.
    struct Outcome {
        enum class Kind { Done, Offline, NeedsSignIn, Insecure, Error };
        Kind kind = Kind::Done;
        QString message;
        bool retry = false;
        QString summary = {}; // what moved, for the log
    };

    Transfers(Store& store, DeviceState& device, Transport& transport, OutboxReader& outbox,
              Options options, QObject* parent = nullptr);
    ~Transfers() override;

    // Starts a pass with these totals for the progress.
    void start(int changes_total, qint64 bytes_total);
    // Starts a waiting pass (live sync): a pull the server holds up to `wait_s` seconds until
    // a change for this device lands, then the pages after it and files down, as in a pass.
    void startWaiting(int wait_s);
    // The waiting pass is still waiting for the server's first answer.
    bool waiting() const { return running_ && waiting_; }
    // Drops a waiting pass that is still waiting; finished() is not emitted for it.
    void cancelWaiting();
    bool running() const { return running_; }
    // Changes applied from the server in the pass running or last ended.
    int pulled() const { return pulled_; }
    // Changes the server refused in that pass.
    int refused() const { return refused_; }
    Progress progress() const { return progress_; }
    // Recovering from a server restored from backup (a new store epoch, or a log behind this
    // device's cursor): the changes and files sent again, and once the pull from the start is
    // done, the rows removed because the server no longer holds them.
    struct Recovery {
        enum class Phase { None, Sending, Done };
        Phase phase = Phase::None;
        std::int64_t resent = 0, files = 0, removed = 0;
        int finished = 0; // recoveries finished since this engine started
    };
    Recovery recovery() const { return recovery_; }

    // What an answer that is not the one hoped for means for the sync.
    static Outcome outcome_of(const Reply& reply, const QString& during);

signals:
    void progressChanged();
    void countsChanged();
    void finished(const sitevisit::client::Transfers::Outcome& outcome);

private:
    using Job = DeviceState::BlobJob;
    void end(Outcome outcome);
    void fail(const Reply& reply, const QString& during) { end(outcome_of(reply, during)); }
    void stop(const QString& message, bool retry = true);
    // Keeps a file's state; a store that cannot keep it stops the pass (else the same file
    // would be tried again at once, for ever).
    bool record(const Job& job, std::int64_t sent, BlobState state, const std::string& error = {});
    void uploadNext();
    void uploadFrom(const Job& job, std::int64_t offset);
    void pushNext();
    // Pulling: an answer is decoded on the decoder's thread while the page before it is
    // applied here and the next one is asked for; pages apply in the order asked.
    struct Page {
        std::uint64_t id = 0;
        std::int64_t since = 0;
        std::int64_t ahead = 0; // the cursor its head named for the page after it (0: none)
        Reply reply;
        bool decoding = false;
        std::optional<Result<protocol::PullResponse>> decoded; // set once decoded
    };
    void pullNext();
    void pullFrom(std::int64_t since, int wait_s = 0);
    void pulled(std::int64_t since, const Reply& reply);
    void askAhead();
    void decodeNext();
    void applyReady();
    // Applies one page; true when the pass goes on with the pages asked for after it.
    bool applyPage(Page& page);
    void dropAhead();
    void downloadNext();
    void downloadFrom(const Job& job);
    void downloadChecked(const Job& job, const QString& part);
    // A server answer named the store's epoch: adopted when the device has none; a different
    // one starts a recovery (true: the pass starts again from its first step).
    bool meetEpoch(const std::string& epoch);
    bool beginRecovery(const char* why);
    bool finishRecovery(const std::string& epoch);

    Store& store_;
    DeviceState& device_;
    Transport& transport_;
    OutboxReader& outbox_;
    Options options_;
    Progress progress_;
    bool running_ = false;
    bool cursor_reset_ = false; // this pass already went back to cursor 0 once
    // Pulling again what the server held back for an older data schema: from where, and
    // the schema the device had then (none: a normal pull from the store's cursor).
    struct CatchUp {
        std::int64_t since = 0;
        int schema = 0;
    };
    std::optional<CatchUp> catch_up_;
    // Counts chains of pull requests; answers to an older chain are not read (see pullFrom).
    std::uint64_t pull_token_ = 0;
    std::deque<Page> pages_;          // answered, not yet applied, in the order asked
    bool asking_ = false;             // a pull is on its way
    std::optional<std::int64_t> ask_; // the page to ask for next, once there is room
    std::uint64_t page_ids_ = 0;
    QThreadPool decoder_; // one thread: pull pages decoded off this one

    Recovery recovery_;
    int uploads_ = 0, downloads_ = 0, refused_ = 0, pulled_ = 0;
    bool waiting_ = false;
};

} // namespace sitevisit::client
