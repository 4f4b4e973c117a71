#include "sitevisit/client/sync_engine.h"

#include "sitevisit/core/time_format.h"

#include <QCryptographicHash>
#include <QFile>
#include <QLoggingCategory>
#include <QNetworkInformation>

Q_LOGGING_CATEGORY(lcSync, "sitevisit.sync")

namespace sitevisit::client {

SyncEngine::SyncEngine(Store& store, QNetworkAccessManager& network, Options options, QObject* parent)
    : QObject(parent), store_(store), transport_(network, QUrl(), options.timeouts, this), options_(options) {
    retry_.setSingleShot(true);
    connect(&retry_, &QTimer::timeout, this, &SyncEngine::syncNow);
    if (options_.interval_ms > 0) {
        connect(&interval_, &QTimer::timeout, this, &SyncEngine::syncNow);
        interval_.start(options_.interval_ms);
    }
    // Connectivity hints only trigger an attempt: "unknown" is not "offline", and the requests
    // themselves decide. Without a backend the timer and the backoff retries still run.
    if (QNetworkInformation::load(QNetworkInformation::Feature::Reachability)) {
        connect(QNetworkInformation::instance(), &QNetworkInformation::reachabilityChanged, this,
                [this](QNetworkInformation::Reachability r) {
                    if (r != QNetworkInformation::Reachability::Disconnected) syncNow();
                });
    }
    if (auto when = store_.last_sync(); when && !when->empty())
        last_sync_ = QDateTime::fromString(QString::fromStdString(*when), Qt::ISODate);
    if (auto s = store_.session(); s && *s) {
        transport_.setServer(QUrl(QString::fromStdString((*s)->server)));
        transport_.setToken(QString::fromStdString((*s)->token));
    } else {
        state_ = State::NeedsSignIn;
    }
}

std::optional<User> SyncEngine::user() const {
    auto s = store_.session();
    if (!s || !*s) return std::nullopt;
    const Json& u = (*s)->user;
    auto user = User::from_fields(u.value("id", ""), u);
    if (!user) return std::nullopt;
    user->email = u.value("email", "");
    user->name = u.value("name", "");
    return *user;
}

void SyncEngine::signIn(const QUrl& server, const QString& email, const QString& password,
                        std::function<void(QString)> done) {
    transport_.setServer(server);
    transport_.setToken({});
    protocol::LoginRequest request{email.toStdString(), password.toStdString(), store_.device_id()};
    transport_.login(request, [this, server, email, password, done = std::move(done)](const Reply& r) mutable {
        if (!r.ok()) {
            done(r.message());
            return;
        }
        Json j = Json::parse(r.body.toStdString(), nullptr, false);
        if (!j.is_object() || !j.contains("token") || !j.contains("user") || !j["user"].is_object()) {
            done(QStringLiteral("the server's answer to sign-in was not understood"));
            return;
        }
        // Someone else's data on this device: theirs is all on the server, or nothing changes.
        // The device then starts over empty, under a new id, and signs in again with it.
        const std::string user_id = j["user"].value("id", "");
        auto owner = store_.owner();
        if (!owner) {
            done(QString::fromStdString(owner.error().message));
            return;
        }
        // A device with data but no owner (from before owners were kept) counts as someone else's.
        if ((!owner->empty() && *owner != user_id) || (owner->empty() && store_.cursor() > 0)) {
            if (running_) { // the last person's sync is still writing
                done(tr("The last sync is still finishing; sign in again in a moment."));
                return;
            }
            if (auto st = store_.start_over(); !st) {
                done(tr("This device holds work of another person that has not reached the server: %1.")
                         .arg(QString::fromStdString(st.error().message)));
                return;
            }
            last_sync_ = {};
            emit storeReset();
            signIn(server, email, password, std::move(done));
            return;
        }
        finishSignIn(server, j, std::move(done));
    });
}

void SyncEngine::finishSignIn(const QUrl& server, const Json& answer, std::function<void(QString)> done) {
    Json user = answer["user"];
    Store::Session s{server.toString().toStdString(), answer["token"].get<std::string>(), answer.value("expires", ""), user};
    transport_.setToken(QString::fromStdString(s.token));
    // The server's file size limit, so a file too large is refused when it is attached,
    // not when it is uploaded days later.
    transport_.blobOptions([this, s, done](const Reply& o) mutable {
        const QByteArray max = o.headers.value("tus-max-size");
        if (!max.isEmpty()) s.user["max_blob_bytes"] = max.toLongLong();
        // The token goes to the credential store when there is one that works; otherwise
        // it stays in the device store, as on machines without a keyring.
        if (credentials_ && credentials_->write(QString::fromStdString(s.server), QString::fromStdString(s.token))) {
            s.user["token_in_credential_store"] = true;
            s.token.clear();
        }
        if (auto st = store_.set_session(s); !st) {
            done(QString::fromStdString(st.error().message));
            return;
        }
        setState(State::Offline);
        done({});
    });
}

void SyncEngine::setCredentialStore(platform::CredentialStore* credentials) {
    credentials_ = credentials;
    auto s = store_.session();
    if (!credentials_ || !s || !*s || !(*s)->user.value("token_in_credential_store", false)) return;
    QString error;
    if (auto token = credentials_->read(QString::fromStdString((*s)->server), &error)) {
        transport_.setToken(*token);
    } else {
        setState(State::NeedsSignIn, QStringLiteral("sign in again: the saved sign-in could not be read (%1); nothing on this device is lost").arg(error));
    }
}

void SyncEngine::signOut() {
    if (credentials_)
        if (auto s = store_.session(); s && *s) credentials_->remove(QString::fromStdString((*s)->server));
    (void)store_.set_session(std::nullopt);
    transport_.setToken({});
    setState(State::NeedsSignIn);
}

int SyncEngine::pendingChanges() const {
    auto n = store_.count_outbox("pending");
    return n ? static_cast<int>(*n) : 0;
}

qint64 SyncEngine::pendingBytes() const {
    auto jobs = store_.blob_jobs();
    qint64 n = 0;
    if (jobs)
        for (const auto& j : *jobs)
            if (j.direction == "up") n += j.size - j.sent;
    return n;
}

int SyncEngine::openConflicts() const {
    auto rows = store_.list("conflict", "status", "open");
    return rows ? static_cast<int>(rows->size()) : 0;
}

int SyncEngine::rejectedChanges() const {
    auto n = store_.count_outbox("rejected");
    return n ? static_cast<int>(*n) : 0;
}

void SyncEngine::setState(State s, const QString& error) {
    state_ = s;
    error_ = error;
    emit stateChanged();
    emit countsChanged();
}

void SyncEngine::syncNow() {
    if (running_) {
        again_ = true;
        return;
    }
    auto session = store_.session();
    if (!session || !*session) {
        setState(State::NeedsSignIn, QStringLiteral("sign in to sync"));
        emit finished(false);
        return;
    }
    running_ = true;
    again_ = false;
    retry_.stop();
    progress_ = {};
    progress_.changes_total = pendingChanges();
    progress_.bytes_total = pendingBytes();
    setState(State::Syncing);
    // Files first: the server takes an evidence row only once its file is there.
    uploadNext();
}

void SyncEngine::fail(const Reply& r, const QString& during) {
    running_ = false;
    if (r.status == 401) {
        // An expired session stops sync, never capture: local work stays in the outbox.
        setState(State::NeedsSignIn, QStringLiteral("your session ended; sign in again (nothing on this device is lost)"));
    } else if (r.status == 0) {
        setState(State::Offline, QStringLiteral("offline: %1 (%2); changes wait on this device").arg(r.message(), during));
        scheduleRetry();
    } else if (r.status == 426) {
        setState(State::Error, QStringLiteral("update the app: %1").arg(r.message()));
    } else {
        setState(State::Error, QStringLiteral("%1 failed: %2").arg(during, r.message()));
        scheduleRetry();
    }
    qCInfo(lcSync) << "sync stopped:" << error_;
    emit finished(false);
}

void SyncEngine::scheduleRetry() {
    // Exponential backoff with full jitter, capped.
    const qint64 ceiling = std::min<qint64>(options_.backoff_max_ms,
                                            static_cast<qint64>(options_.backoff_first_ms) << std::min(failures_, 20));
    ++failures_;
    std::uniform_int_distribution<qint64> pick(ceiling / 2, ceiling);
    retry_.start(static_cast<int>(pick(jitter_)));
}

void SyncEngine::pushNext() {
    auto batch = store_.pending_changes(options_.push_batch);
    if (!batch) {
        running_ = false;
        setState(State::Error, QString::fromStdString(batch.error().message));
        emit finished(false);
        return;
    }
    if (batch->empty()) {
        pullNext();
        return;
    }
    protocol::PushRequest request{store_.device_id(), *batch};
    transport_.push(request, [this, n = static_cast<int>(batch->size())](const Reply& r) {
        // 4xx with results: every op was refused, each with its reason.
        auto answer = protocol::decode_push_response(r.body.toStdString());
        if (!(r.ok() || ((r.status == 400 || r.status == 403) && answer))) {
            fail(r, QStringLiteral("sending changes"));
            return;
        }
        if (!answer) {
            fail(Reply{500, r.body, {}, {}}, QStringLiteral("reading the server's answer"));
            return;
        }
        std::vector<Store::Ack> acks;
        bool out_of_order = false;
        for (const auto& res : answer->results) {
            // Out of order is not a refusal of the change: it stays queued.
            if (res.code == "dseq_gap") {
                out_of_order = true;
                continue;
            }
            acks.push_back({res.op, protocol::to_string(res.status), res.seq, res.error});
        }
        if (auto st = store_.acknowledge(acks); !st) {
            running_ = false;
            setState(State::Error, QString::fromStdString(st.error().message));
            emit finished(false);
            return;
        }
        progress_.changes_done += n;
        emit progressChanged();
        emit countsChanged();
        if (out_of_order) return fail(Reply{409, {}, {}, {}}, QStringLiteral("sending changes in order"));
        pushNext();
    });
}

void SyncEngine::uploadNext() {
    auto jobs = store_.blob_jobs();
    if (jobs)
        for (const auto& job : *jobs)
            if (job.direction == "up") {
                // Resume from what the server has (HEAD), whatever this device thinks it sent.
                transport_.blobHead(QString::fromStdString(job.sha256), [this, job](const Reply& r) {
                    if (r.status == 404) {
                        transport_.blobCreate(QString::fromStdString(job.sha256), job.size, [this, job](const Reply& c) {
                            if (c.status != 201) return fail(c, QStringLiteral("starting an upload"));
                            uploadFrom(job, 0);
                        });
                        return;
                    }
                    if (!r.ok()) return fail(r, QStringLiteral("asking how far an upload got"));
                    uploadFrom(job, r.headers.value("upload-offset").toLongLong());
                });
                return;
            }
    pushNext();
}

void SyncEngine::uploadFrom(const Store::BlobJob& job, std::int64_t offset) {
    const QString sha = QString::fromStdString(job.sha256);
    if (offset >= job.size) {
        (void)store_.update_blob(job.sha256, job.size, "done");
        emit countsChanged();
        uploadNext();
        return;
    }
    QFile file(QString::fromStdString(job.path));
    if (!file.open(QIODevice::ReadOnly) || file.size() != job.size || !file.seek(offset)) {
        (void)store_.update_blob(job.sha256, offset, "failed",
                                 "the file " + job.path + " is gone or changed since it was attached");
        emit countsChanged();
        uploadNext();
        return;
    }
    const QByteArray chunk = file.read(options_.chunk_bytes);
    transport_.blobPatch(sha, offset, job.size, chunk, [this, job, offset, n = chunk.size()](const Reply& r) {
        if (r.status == 409) return uploadFrom(job, r.headers.value("upload-offset").toLongLong());
        if (r.status == 422) {
            (void)store_.update_blob(job.sha256, 0, "failed", "the server says the file does not match its hash");
            emit countsChanged();
            return uploadNext();
        }
        if (!r.ok()) return fail(r, QStringLiteral("uploading a file"));
        const std::int64_t now = r.headers.value("upload-offset", QByteArray::number(qlonglong(offset + n))).toLongLong();
        (void)store_.update_blob(job.sha256, now, "pending");
        progress_.bytes_done += n;
        emit progressChanged();
        uploadFrom(job, now);
    });
}

void SyncEngine::pullNext() {
    transport_.pull(store_.cursor(), options_.pull_limit, [this](const Reply& r) {
        if (!r.ok()) return fail(r, QStringLiteral("receiving changes"));
        auto page = protocol::decode_pull_response(r.body.toStdString());
        if (!page) return fail(Reply{500, {}, {}, QString::fromStdString(page.error().message)}, QStringLiteral("reading changes"));
        // One transaction for the page and its cursor: a cut sync never leaves half a page.
        auto applied = store_.apply_remote(page->ops, page->cursor);
        if (!applied) {
            running_ = false;
            setState(State::Error, QString::fromStdString(applied.error().message));
            emit finished(false);
            return;
        }
        if (page->more) return pullNext();
        downloadNext();
    });
}

void SyncEngine::downloadNext() {
    auto jobs = store_.blob_jobs();
    if (jobs)
        for (const auto& job : *jobs)
            if (job.direction == "down") return downloadFrom(job);
    done();
}

// Into PATH.part, resuming from its size (a Range request), checked against the hash before
// it becomes PATH.
void SyncEngine::downloadFrom(const Store::BlobJob& job) {
    const QString part = QString::fromStdString(job.path) + QStringLiteral(".part");
    QFile file(part);
    const qint64 have = file.exists() ? file.size() : 0;
    const QString sha = QString::fromStdString(job.sha256);
    auto finish = [this, job, part]() {
        QFile f(part);
        if (!f.open(QIODevice::ReadOnly)) return;
        QCryptographicHash hash(QCryptographicHash::Sha256);
        hash.addData(&f);
        f.close();
        if (hash.result().toHex().toStdString() != job.sha256) {
            QFile::remove(part);
            (void)store_.update_blob(job.sha256, 0, "failed", "the downloaded bytes do not match their hash; fetch it again");
        } else {
            QFile::remove(QString::fromStdString(job.path));
            QFile::rename(part, QString::fromStdString(job.path));
            (void)store_.update_blob(job.sha256, job.size, "done");
        }
        emit countsChanged();
    };
    if (job.size > 0 && have >= job.size) {
        finish();
        return downloadNext();
    }
    transport_.blobGet(sha, have, options_.chunk_bytes, [this, job, part, have, finish](const Reply& r) {
        if (r.status == 404) {
            (void)store_.update_blob(job.sha256, have, "failed", "the server has no file you may see under this hash");
            emit countsChanged();
            return downloadNext();
        }
        if (r.status == 416) { // nothing past what we hold
            finish();
            return downloadNext();
        }
        if (!(r.status == 200 || r.status == 206)) return fail(r, QStringLiteral("downloading a file"));
        QFile f(part);
        if (!f.open(r.status == 206 ? QIODevice::Append : QIODevice::WriteOnly | QIODevice::Truncate) ||
            f.write(r.body) != r.body.size() || !f.flush()) {
            running_ = false;
            setState(State::Error, QStringLiteral("cannot write %1: is the disk full?").arg(part));
            emit finished(false);
            return;
        }
        f.close();
        // The full length, from Content-Range ("bytes a-b/N") when it was a range.
        std::int64_t total = job.size;
        const QByteArray range = r.headers.value("content-range");
        if (const int slash = range.lastIndexOf('/'); slash >= 0) total = range.mid(slash + 1).toLongLong();
        else if (r.status == 200) total = r.body.size();
        const qint64 now = QFile(part).size();
        (void)store_.update_blob(job.sha256, now, "pending");
        progress_.bytes_done += r.body.size();
        emit progressChanged();
        if (now >= total) {
            finish();
            return downloadNext();
        }
        downloadFrom(Store::BlobJob{job.sha256, job.path, total, job.direction, now, job.state, {}});
    });
}

void SyncEngine::done() {
    running_ = false;
    failures_ = 0;
    last_sync_ = QDateTime::currentDateTimeUtc();
    (void)store_.set_last_sync(last_sync_.toString(Qt::ISODate).toStdString());
    setState(State::UpToDate);
    emit finished(true);
    if (again_) syncNow();
}

} // namespace sitevisit::client
