#include "sitevisit/client/transfers.h"

#include "sitevisit/client/file_hash.h"
#include "sitevisit/client/logging.h"
#include "sitevisit/client/outbox_reader.h"
#include "sitevisit/core/store.h"

#include <QFile>
#include <QFutureWatcher>
#include <QtConcurrent/QtConcurrentRun>
#include <set>

namespace sitevisit::client {

using Kind = Transfers::Outcome::Kind;

namespace {
// A downloaded file past this size is not believed.
constexpr qint64 kMaxDownloadBytes = 8LL * 1024 * 1024 * 1024;
// Pull answers held (being decoded or waiting to be applied) before the next is asked for:
// enough to keep the server, the decoder and the store busy at once, and memory bounded.
constexpr std::size_t kPagesHeld = 2;
} // namespace

Transfers::Transfers(Store& store, DeviceState& device, Transport& transport, OutboxReader& outbox,
                     Options options, QObject* parent)
    : QObject(parent), store_(store), device_(device), transport_(transport), outbox_(outbox),
      options_(options) {
    decoder_.setMaxThreadCount(1);
    decoder_.setExpiryTimeout(-1);
}

Transfers::~Transfers() {
    ++pull_token_;
    decoder_.waitForDone();
}

void Transfers::start(int changes_total, qint64 bytes_total) {
    running_ = true;
    dropAhead();
    cursor_reset_ = false;
    catch_up_.reset();
    // After an update: what the server held back for the older app comes now.
    if (auto held = device_.held();
        held && held->since >= 0 && held->schema > 0 && held->schema < options_.schema) {
        catch_up_ = CatchUp{held->since, held->schema};
        qCInfo(lcSync) << "pulling again from" << held->since << "the" << held->count
                       << "changes held back for data schema" << held->schema;
    }
    uploads_ = downloads_ = refused_ = pulled_ = 0;
    waiting_ = false;
    progress_ = {};
    progress_.changes_total = changes_total;
    progress_.bytes_total = bytes_total;
    // Files first: the server takes an evidence row only once its file is there.
    uploadNext();
}

void Transfers::startWaiting(int wait_s) {
    running_ = true;
    dropAhead();
    waiting_ = true;
    cursor_reset_ = false;
    catch_up_.reset();
    uploads_ = downloads_ = refused_ = pulled_ = 0;
    progress_ = {};
    pullFrom(store_.cursor(), wait_s);
}

void Transfers::cancelWaiting() {
    if (!waiting()) return;
    dropAhead();
    transport_.cancelWaiting();
    running_ = false;
    waiting_ = false;
}

Transfers::Outcome Transfers::outcome_of(const Reply& r, const QString& during) {
    if (r.refused_insecure)
        return {Kind::Insecure,
                QStringLiteral("sign in again over https: %1 (nothing on this device is lost)")
                    .arg(r.network_error),
                false};
    if (r.too_large)
        return {Kind::Error, QStringLiteral("%1 failed: %2").arg(during, r.message()), true};
    if (r.status == 401) // an expired session stops sync, never capture
        return {Kind::NeedsSignIn,
                QStringLiteral("your session ended; sign in again (nothing on this device is "
                               "lost)"),
                false};
    if (r.status == 0)
        return {Kind::Offline,
                QStringLiteral("offline: %1 (%2); changes wait on this device")
                    .arg(r.message(), during),
                true};
    if (r.status == 426)
        return {Kind::Error, QStringLiteral("update the app: %1").arg(r.message()), false};
    return {Kind::Error, QStringLiteral("%1 failed: %2").arg(during, r.message()), true};
}

void Transfers::end(Outcome outcome) {
    running_ = false;
    dropAhead(); // a page asked for ahead is not read
    waiting_ = false;
    outcome.summary = QStringLiteral("%1 change(s) sent, %2 refused, %3 received, %4 file(s) up, "
                                     "%5 down, cursor %6")
                          .arg(progress_.changes_done)
                          .arg(refused_)
                          .arg(pulled_)
                          .arg(uploads_)
                          .arg(downloads_)
                          .arg(store_.cursor());
    emit finished(outcome);
}

void Transfers::stop(const QString& message, bool retry) {
    end({Kind::Error, message, retry});
}

bool Transfers::record(const Job& job, std::int64_t sent, BlobState state,
                       const std::string& error) {
    if (state == BlobState::Failed)
        qCInfo(lcRefusal) << "file" << job.sha256.c_str() << "failed:" << error.c_str();
    auto st = device_.update_blob(job.sha256, sent, state, error);
    if (st) return true;
    qCWarning(lcTransfer) << "cannot keep the state of file" << job.sha256.c_str() << ":"
                          << st.error().message.c_str();
    stop(QStringLiteral("cannot keep the state of a file on this device: %1")
             .arg(QString::fromStdString(st.error().message)));
    return false;
}

void Transfers::uploadNext() {
    auto jobs = device_.blob_jobs();
    if (!jobs)
        return stop(QStringLiteral("cannot read the files waiting to be sent: %1")
                        .arg(QString::fromStdString(jobs.error().message)));
    for (const auto& job : *jobs) {
        if (job.direction != BlobDirection::Up) continue;
        // Resume from what the server has (HEAD), whatever this device thinks it sent.
        transport_.blobHead(QString::fromStdString(job.sha256), [this, job](const Reply& r) {
            if (r.status == 404) {
                transport_.blobCreate(QString::fromStdString(job.sha256), job.size,
                                      [this, job](const Reply& c) {
                                          if (c.status != 201)
                                              return fail(c, QStringLiteral("starting an upload"));
                                          uploadFrom(job, 0);
                                      });
                return;
            }
            if (!r.ok()) return fail(r, QStringLiteral("asking how far an upload got"));
            bool number = false;
            const qlonglong offset = r.headers.value("upload-offset").toLongLong(&number);
            if (!number || offset < 0)
                return stop(QStringLiteral("uploading a file failed: the server did not say how "
                                           "far the upload got"));
            // "All there" is believed only once this device has had every byte confirmed;
            // otherwise the file would count as sent with nothing sent.
            if (offset > job.size || (offset == job.size && job.sent < job.size)) {
                if (!record(job, job.sent, BlobState::Failed,
                            "the server says it holds " + std::to_string(offset) +
                                " bytes of this " + std::to_string(job.size) +
                                "-byte file, which this device never finished sending; "
                                "if its evidence is refused, attach the file again"))
                    return;
                emit countsChanged();
                return uploadNext();
            }
            uploadFrom(job, offset);
        });
        return;
    }
    pushNext();
}

void Transfers::uploadFrom(const Job& job, std::int64_t offset) {
    const QString sha = QString::fromStdString(job.sha256);
    if (offset >= job.size) {
        if (!record(job, job.size, BlobState::Done)) return;
        ++uploads_;
        qCInfo(lcTransfer) << "uploaded" << sha << job.size << "bytes";
        emit countsChanged();
        return uploadNext();
    }
    QFile file(QString::fromStdString(job.path));
    if (!file.open(QIODevice::ReadOnly) || file.size() != job.size || !file.seek(offset)) {
        if (!record(job, offset, BlobState::Failed,
                    "the file " + job.path + " is gone or changed since it was attached"))
            return;
        emit countsChanged();
        return uploadNext();
    }
    const QByteArray chunk = file.read(options_.chunk_bytes);
    transport_.blobPatch(
        sha, offset, job.size, chunk, [this, job, offset, n = chunk.size()](const Reply& r) {
            bool number = false;
            const qlonglong told = r.headers.value("upload-offset").toLongLong(&number);
            if (r.status == 409) {
                // Jump to the server's offset, but only somewhere new and inside the file.
                if (!number || told == offset || told < 0 || told > job.size)
                    return stop(QStringLiteral("uploading a file failed: the server refused the "
                                               "offset %1 and named no usable one")
                                    .arg(offset));
                if (told == job.size) {
                    if (!record(
                            job, job.sent, BlobState::Failed,
                            "the server says it holds all of this file, which this device never "
                            "finished sending; if its evidence is refused, attach the file again"))
                        return;
                    emit countsChanged();
                    return uploadNext();
                }
                return uploadFrom(job, told);
            }
            if (r.status == 422) {
                if (!record(job, 0, BlobState::Failed,
                            "the server says the file does not match its hash"))
                    return;
                emit countsChanged();
                return uploadNext();
            }
            if (!r.ok()) return fail(r, QStringLiteral("uploading a file"));
            const std::int64_t now =
                r.headers.contains("upload-offset") ? (number ? told : -1) : offset + n;
            // Each chunk must move the upload on, within what was sent.
            if (now <= offset || now > offset + n)
                return stop(QStringLiteral("uploading a file failed: the server's offset after a "
                                           "chunk did not move on; trying again later"));
            if (!record(job, now, BlobState::Pending)) return;
            progress_.bytes_done += n;
            emit progressChanged();
            uploadFrom(job, now);
        });
}

void Transfers::pushNext() {
    // Only the batch, read off this thread (see OutboxReader).
    outbox_.next(options_.push_batch, [this](Result<std::vector<Change>> batch) {
        if (!batch) return stop(QString::fromStdString(batch.error().message), false);
        if (batch->empty()) return pullNext();
        protocol::PushRequest request{store_.device_id(), std::move(*batch), store_.epoch(),
                                      store_.resyncing()};
        std::set<std::string> sent;
        for (const auto& c : request.ops)
            sent.insert(c.op);
        const int n = static_cast<int>(request.ops.size());
        transport_.push(request, [this, sent, n](const Reply& r) {
            // 4xx with results: every op was refused, each with its reason.
            auto answer = protocol::decode_push_response(r.body.toStdString());
            if (!(r.ok() || ((r.status == 400 || r.status == 403) && answer)))
                return fail(r, QStringLiteral("sending changes"));
            if (!answer)
                return stop(
                    QStringLiteral("the server's answer to sending changes could not be read: %1")
                        .arg(QString::fromStdString(answer.error().message)));
            std::vector<Store::Ack> acks;
            bool out_of_order = false;
            for (const auto& res : answer->results) {
                if (!sent.count(res.op)) continue; // not one of ours: ignored
                // Out of order is not a refusal of the change: it stays queued.
                if (res.code == "dseq_gap") {
                    out_of_order = true;
                    continue;
                }
                const std::string status = protocol::to_string(res.status);
                if (status == "rejected") {
                    ++refused_;
                    qCInfo(lcRefusal) << "change" << res.op.c_str()
                                      << "refused by the server:" << res.error.c_str();
                }
                acks.push_back({res.op, status, res.seq, res.error});
            }
            if (auto st = store_.acknowledge(acks); !st)
                return stop(QString::fromStdString(st.error().message), false);
            progress_.changes_done += n;
            emit progressChanged();
            emit countsChanged();
            // A restored server: what it lacks goes again (a gap in the numbering is then
            // the restore's, not this device's).
            if (meetEpoch(answer->epoch)) return;
            if (out_of_order)
                return fail(Reply{409, {}, {}, {}}, QStringLiteral("sending changes in order"));
            // An answer that settles none of the changes sent would send them again at once,
            // for ever: stop, and try again after the backoff.
            if (acks.empty())
                return stop(QStringLiteral("sending changes failed: the server's answer settled "
                                           "none of the %1 change(s) sent; "
                                           "they wait on this device")
                                .arg(n));
            pushNext();
        });
    });
}

void Transfers::pullNext() {
    pullFrom(catch_up_ ? catch_up_->since : store_.cursor());
}

// Forgets every page asked for or answered but not applied: their answers are not read.
void Transfers::dropAhead() {
    ++pull_token_;
    pages_.clear();
    asking_ = false;
    ask_.reset();
}

void Transfers::pullFrom(std::int64_t since, int wait_s) {
    const std::uint64_t token = pull_token_;
    asking_ = true;
    auto done = [this, since, token](const Reply& r) {
        // A page asked for ahead that is no longer wanted (the pass ended, or a page before it
        // turned out to say otherwise).
        if (token != pull_token_ || !running_) return;
        asking_ = false;
        waiting_ = false;
        pulled(since, r);
    };
    if (wait_s > 0)
        transport_.pullWaiting(since, options_.pull_limit, options_.schema, wait_s,
                               std::move(done));
    else
        transport_.pull(since, options_.pull_limit, options_.schema, std::move(done));
}

// An answer: its head names the next page, which is asked for at once (the server prepares it
// while this one is decoded and applied); the page itself is decoded on the decoder's thread.
void Transfers::pulled(std::int64_t since, const Reply& r) {
    Page page;
    page.id = ++page_ids_;
    page.since = since;
    page.reply = r;
    if (r.ok()) {
        const std::string_view body(r.body.constData(), static_cast<std::size_t>(r.body.size()));
        if (auto head = protocol::peek_pull_head(body);
            !catch_up_ && head && head->more && head->cursor > since) {
            page.ahead = head->cursor;
            ask_ = head->cursor;
        }
    }
    pages_.push_back(std::move(page));
    decodeNext();
    askAhead();
    applyReady();
}

// The oldest answer not yet decoded goes to the decoder's thread once the page before it has
// left the queue to be applied, while the next answer is asked for and on its way: at most two
// decoded pages are held (the one applied and the next; a decoded page of 5,000 changes is
// several MB), the rest wait as bytes. With jemalloc the decoding beside the applying takes
// about a third off an initial sync on two cores; with glibc's malloc it gained nothing
// (docs/sync-engine.md, "The allocator").
void Transfers::decodeNext() {
    Page* next = nullptr;
    for (auto& p : pages_) {
        if (p.decoding) return; // one ahead is enough (decoding, or decoded and not applied)
        if (!next && p.reply.ok()) next = &p;
    }
    if (!next) return;
    Page& page = *next;
    page.decoding = true;
    const std::uint64_t id = page.id, token = pull_token_;
    auto* watcher = new QFutureWatcher<Result<protocol::PullResponse>>(this);
    connect(watcher, &QFutureWatcher<Result<protocol::PullResponse>>::finished, this,
            [this, watcher, id, token] {
                watcher->deleteLater();
                if (token != pull_token_ || !running_) return;
                for (auto& p : pages_)
                    if (p.id == id) {
                        p.decoded = watcher->future().takeResult();
                        p.reply.body = QByteArray(); // read: the changes are all it holds now
                    }
                applyReady();
            });
    // The body is shared, not copied: QByteArray counts references.
    watcher->setFuture(QtConcurrent::run(&decoder_, [body = page.reply.body] {
        return protocol::decode_pull_page(
            std::string_view(body.constData(), static_cast<std::size_t>(body.size())));
    }));
}

void Transfers::askAhead() {
    if (asking_ || !ask_ || pages_.size() >= kPagesHeld) return;
    const std::int64_t since = *ask_;
    ask_.reset();
    pullFrom(since);
}

// Pages apply in the order they were asked for, each once it is decoded. Before a page is
// applied, the next one goes to the decoder and the one after it is asked for, so the decoder
// thread, the server and this thread all work at once.
void Transfers::applyReady() {
    while (!pages_.empty() && (pages_.front().decoded || !pages_.front().reply.ok())) {
        Page page = std::move(pages_.front());
        pages_.pop_front();
        decodeNext();
        askAhead();
        if (!applyPage(page)) return;
    }
    decodeNext();
    askAhead();
}

bool Transfers::applyPage(Page& p) {
    const Reply& r = p.reply;
    const std::int64_t since = p.since;
    if (r.status == 409 && protocol::error_code(r.body.toStdString()) == "cursor_ahead") {
        // The server's log is behind this device's cursor (restored from a backup, or a
        // cursor that was never real): pull again from the start; applying is idempotent.
        dropAhead();
        if (cursor_reset_ || since == 0) {
            fail(r, QStringLiteral("receiving changes"));
            return false;
        }
        cursor_reset_ = true;
        qCInfo(lcSync) << "cursor" << since
                       << "is ahead of the server's log; pulling again from the start";
        if (store_.resyncing()) {
            if (auto st = store_.reset_cursor(); !st) {
                stop(QString::fromStdString(st.error().message), false);
                return false;
            }
            pullNext();
            return false;
        }
        beginRecovery("the server's log is behind this device");
        return false;
    }
    if (!r.ok()) {
        fail(r, QStringLiteral("receiving changes"));
        return false;
    }
    auto& page = *p.decoded;
    if (!page) {
        stop(QStringLiteral("the server's changes could not be read: %1")
                 .arg(QString::fromStdString(page.error().message)));
        return false;
    }
    if (meetEpoch(page->epoch)) return false; // not applied: the pass starts again
    std::int64_t ahead = p.ahead;
    if (ahead > 0 && !(page->more && page->cursor == ahead)) {
        dropAhead(); // not the page that follows this one
        ahead = 0;
    }
    std::vector<Store::SetAside> aside;
    for (const auto& a : page->set_aside) {
        aside.push_back({a.seq, a.change, a.reason});
        qCInfo(lcRefusal) << "a change from the server was set aside:" << a.reason.c_str();
    }
    // One transaction for the page and its cursor: a cut sync never leaves half a page.
    auto applied =
        store_.apply_remote(page->ops, page->cursor, aside, catch_up_ ? catch_up_->schema : 0);
    if (!applied) {
        stop(QString::fromStdString(applied.error().message), false);
        return false;
    }
    pulled_ += static_cast<int>(page->ops.size());
    if (page->held > 0) {
        if (auto st = device_.add_held(page->held, page->held_since, options_.schema); !st) {
            stop(QString::fromStdString(st.error().message), false);
            return false;
        }
        qCInfo(lcSync) << page->held << "changes held back by the server for a newer app";
        emit countsChanged();
    }
    if (catch_up_) {
        catch_up_->since = page->cursor;
        if (!page->more || page->cursor <= since) {
            // Caught up: what was held is on the device; go on from the store's cursor.
            if (auto st = device_.clear_held(); !st) {
                stop(QString::fromStdString(st.error().message), false);
                return false;
            }
            catch_up_.reset();
            emit countsChanged();
        }
        dropAhead();
        pullNext();
        return false;
    }
    if (page->more) {
        // "More" with a cursor that did not move would ask for the same page for ever.
        if (store_.cursor() <= since) {
            stop(QStringLiteral("receiving changes failed: the server said more "
                                "changes wait but its cursor did not move (%1); trying "
                                "again later")
                     .arg(since));
            return false;
        }
        if (ahead > 0 && store_.cursor() == ahead) return true; // the next page is on its way
        dropAhead();
        pullNext();
        return false;
    }
    dropAhead();
    if (store_.resyncing() && !finishRecovery(page->epoch)) return false;
    downloadNext();
    return false;
}

bool Transfers::meetEpoch(const std::string& epoch) {
    if (epoch.empty() || epoch == store_.epoch() || store_.resyncing()) return false;
    if (store_.epoch().empty()) {
        // The first server answer that names one (or a device from before epochs).
        if (auto st = store_.set_epoch(epoch); !st) {
            stop(QString::fromStdString(st.error().message), false);
            return true;
        }
        return false;
    }
    return beginRecovery("the server was restored from a backup (its store epoch changed)");
}

bool Transfers::beginRecovery(const char* why) {
    dropAhead();
    auto r = store_.begin_resync();
    if (!r) {
        stop(QString::fromStdString(r.error().message), false);
        return true;
    }
    recovery_.phase = Recovery::Phase::Sending;
    recovery_.resent = r->resent;
    recovery_.files = r->files;
    recovery_.removed = 0;
    qCInfo(lcSync).noquote() << QStringLiteral(
                                    "%1: sending again %2 change(s) and %3 file(s) it may lack, "
                                    "then receiving everything again from the start")
                                    .arg(QString::fromUtf8(why))
                                    .arg(r->resent)
                                    .arg(r->files);
    progress_.changes_total += static_cast<int>(r->resent);
    emit countsChanged();
    emit progressChanged();
    uploadNext(); // files, then the changes, then the pull from 0
    return true;
}

bool Transfers::finishRecovery(const std::string& epoch) {
    auto gone = store_.finish_resync(epoch.empty() ? store_.epoch() : epoch);
    if (!gone) {
        stop(QString::fromStdString(gone.error().message), false);
        return false;
    }
    recovery_.phase = Recovery::Phase::Done;
    recovery_.removed = *gone;
    ++recovery_.finished;
    qCInfo(lcSync).noquote()
        << QStringLiteral("recovered from the server's restore: %1 change(s) sent again, %2 "
                          "item(s) the server no longer holds removed from this device")
               .arg(recovery_.resent)
               .arg(*gone);
    emit countsChanged();
    return true;
}

void Transfers::downloadNext() {
    auto jobs = device_.blob_jobs();
    if (!jobs)
        return stop(QStringLiteral("cannot read the files waiting to be fetched: %1")
                        .arg(QString::fromStdString(jobs.error().message)));
    for (const auto& job : *jobs)
        if (job.direction == BlobDirection::Down) return downloadFrom(job);
    end({});
}

// PATH.part checked against the hash (on a worker thread) before it becomes PATH.
void Transfers::downloadChecked(const Job& job, const QString& part) {
    sha256_of_file_async(part, this, [this, job, part](const QString& digest) {
        if (digest.isEmpty()) return stop(QStringLiteral("cannot read %1 to check it").arg(part));
        if (digest.toStdString() != job.sha256) {
            QFile::remove(part);
            if (!record(job, 0, BlobState::Failed,
                        "the downloaded bytes do not match their hash; fetch it again"))
                return;
        } else {
            QFile::remove(QString::fromStdString(job.path));
            if (!QFile::rename(part, QString::fromStdString(job.path)))
                return stop(QStringLiteral("cannot move %1 into place").arg(part));
            if (!record(job, job.size, BlobState::Done)) return;
            ++downloads_;
            qCInfo(lcTransfer) << "downloaded" << digest << job.size << "bytes";
        }
        emit countsChanged();
        downloadNext();
    });
}

// Into PATH.part, resuming from its size (a Range request).
void Transfers::downloadFrom(const Job& job) {
    const QString part = QString::fromStdString(job.path) + QStringLiteral(".part");
    QFile file(part);
    const qint64 have = file.exists() ? file.size() : 0;
    if (job.size > 0 && have >= job.size) return downloadChecked(job, part);
    transport_.blobGet(
        QString::fromStdString(job.sha256), have, options_.chunk_bytes,
        [this, job, part, have](const Reply& r) {
            if (r.status == 404) {
                if (!record(job, have, BlobState::Failed,
                            "the server has no file you may see under this hash"))
                    return;
                emit countsChanged();
                return downloadNext();
            }
            if (r.status == 416) return downloadChecked(job, part); // nothing past what we hold
            if (!(r.status == 200 || r.status == 206))
                return fail(r, QStringLiteral("downloading a file"));
            // An answer without a byte would ask again at once, for ever.
            if (r.body.isEmpty())
                return stop(QStringLiteral(
                    "downloading a file failed: the server sent no bytes; trying again later"));
            QFile f(part);
            const bool opened = f.open(
                r.status == 206 ? QIODevice::Append : QIODevice::WriteOnly | QIODevice::Truncate);
            if (opened) // the owner's data: 0600
                f.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
            if (!opened || f.write(r.body) != r.body.size() || !f.flush())
                return stop(QStringLiteral("cannot write %1: is the disk full?").arg(part), false);
            f.close();
            // The full length, from Content-Range ("bytes a-b/N") when it was a range.
            std::int64_t total = job.size;
            const QByteArray range = r.headers.value("content-range");
            if (const int slash = range.lastIndexOf('/'); slash >= 0)
                total = range.mid(slash + 1).toLongLong();
            else if (r.status == 200)
                total = r.body.size();
            if (total <= 0 || total > kMaxDownloadBytes || (job.size > 0 && total != job.size)) {
                QFile::remove(part);
                if (!record(job, 0, BlobState::Failed,
                            "the server gave this file a size that does not fit (" +
                                std::to_string(total) + " bytes); fetch it again"))
                    return;
                emit countsChanged();
                return downloadNext();
            }
            const qint64 now = QFile(part).size();
            if (!record(job, now, BlobState::Pending)) return;
            progress_.bytes_done += r.body.size();
            emit progressChanged();
            if (now >= total)
                return downloadChecked(
                    {job.sha256, job.path, total, job.direction, now, job.state, {}}, part);
            downloadFrom(Job{job.sha256, job.path, total, job.direction, now, job.state, {}});
        });
}

} // namespace sitevisit::client
