#include "sitevisit/client/sync_engine.h"

#include "sitevisit/core/time_format.h"

#include <QCryptographicHash>
#include <QFile>
#include <QLoggingCategory>
#include <QNetworkInformation>
#include <set>

Q_LOGGING_CATEGORY(lcSync, "sitevisit.sync")

namespace sitevisit::client {

SyncEngine::SyncEngine(Store& store, QNetworkAccessManager& network, Options options,
                       QObject* parent)
    : QObject(parent), store_(store), transport_(network, QUrl(), options.timeouts, this),
      options_(options) {
    retry_.setSingleShot(true);
    connect(&retry_, &QTimer::timeout, this, &SyncEngine::syncNow);
    if (options_.interval_ms > 0) {
        connect(&interval_, &QTimer::timeout, this, &SyncEngine::syncNow);
        interval_.start(options_.interval_ms);
    }
    // Connectivity hints only trigger an attempt: "unknown" is not "offline", and the requests
    // themselves decide. Without a backend the timer and the backoff retries still run.
    if (QNetworkInformation::loadBackendByFeatures(QNetworkInformation::Feature::Reachability)) {
        connect(QNetworkInformation::instance(), &QNetworkInformation::reachabilityChanged, this,
                [this](QNetworkInformation::Reachability r) {
                    if (r != QNetworkInformation::Reachability::Disconnected) syncNow();
                });
    }
    if (auto when = store_.last_sync(); when && !when->empty())
        last_sync_ = QDateTime::fromString(QString::fromStdString(*when), Qt::ISODate);
    if (auto ca = store_.ca_file(); ca && !ca->empty()) {
        QString error;
        const auto certs = read_ca_file(QString::fromStdString(*ca), &error);
        if (!certs.isEmpty())
            transport_.setExtraCaCertificates(certs);
        else
            qCWarning(lcSync) << "the trusted certificate authority cannot be used:" << error;
    }
    if (auto s = store_.session(); s && *s) {
        const QUrl server(QString::fromStdString((*s)->server));
        transport_.setServer(server);
        if (const QString why = insecure_server_reason(server); !why.isEmpty()) {
            // Signed in over plain http to another machine before the http rule: the token is
            // not sent again; the person signs in again over https.
            insecure_session_ = true;
            state_ = State::NeedsSignIn;
            error_ = QStringLiteral("sign in again over https: %1 (nothing on this device is lost)")
                         .arg(why);
        } else {
            transport_.setToken(QString::fromStdString((*s)->token));
        }
    } else {
        state_ = State::NeedsSignIn;
    }
}

QString SyncEngine::setCaFile(const QString& path) {
    QList<QSslCertificate> certs;
    if (!path.isEmpty()) {
        QString error;
        certs = read_ca_file(path, &error);
        if (certs.isEmpty()) return error;
    }
    if (auto st = store_.set_ca_file(path.toStdString()); !st)
        return QString::fromStdString(st.error().message);
    transport_.setExtraCaCertificates(certs);
    return {};
}

QString SyncEngine::caFile() const {
    auto ca = store_.ca_file();
    return ca ? QString::fromStdString(*ca) : QString();
}

namespace {
// Same scheme, host and port: a device secret goes back only to the server that gave it.
QString origin(const QUrl& u) {
    return u.scheme().toLower() + QStringLiteral("://") + u.host().toLower() + QLatin1Char(':') +
           QString::number(u.port(u.scheme().toLower() == QLatin1String("https") ? 443 : 80));
}
} // namespace

std::string SyncEngine::deviceSecretFor(const QUrl& server) {
    auto kept = store_.device_secret();
    if (!kept || !kept->is_object() || !kept->contains("server") || !(*kept)["server"].is_string())
        return {};
    if ((*kept)["server"].get<std::string>() != origin(server).toStdString()) return {};
    if (kept->value("keyring", false)) {
        if (!credentials_) return {};
        auto secret = credentials_->read(origin(server) + QStringLiteral(" device secret"));
        return secret ? secret->toStdString() : std::string();
    }
    return kept->contains("secret") && (*kept)["secret"].is_string()
               ? (*kept)["secret"].get<std::string>()
               : std::string();
}

void SyncEngine::keepDeviceSecret(const QUrl& server, const std::string& secret) {
    if (secret.empty()) return;
    Json kept{{"server", origin(server).toStdString()}};
    // With the token: in the credential store where one works, else in the device store.
    if (credentials_ && credentials_->write(origin(server) + QStringLiteral(" device secret"),
                                            QString::fromStdString(secret)))
        kept["keyring"] = true;
    else
        kept["secret"] = secret;
    (void)store_.set_device_secret(kept);
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
    // The http rule, before the password leaves the device.
    if (const QString why = insecure_server_reason(server); !why.isEmpty()) {
        sign_in_failure_ = SignInFailure::Insecure;
        done(why);
        return;
    }
    transport_.setServer(server);
    transport_.setToken({});
    protocol::LoginRequest request{email.toStdString(), password.toStdString(), store_.device_id(),
                                   deviceSecretFor(server)};
    transport_.login(
        request, [this, server, email, password, done = std::move(done)](const Reply& r) mutable {
            if (!r.ok()) {
                sign_in_failure_ = r.status == 0 ? (r.refused_insecure ? SignInFailure::Insecure
                                                                       : SignInFailure::Network)
                                                 : SignInFailure::Refused;
                done(r.message());
                return;
            }
            auto answer = protocol::decode_login_response(r.body.toStdString());
            if (!answer) {
                sign_in_failure_ = SignInFailure::Undecodable;
                done(QStringLiteral("the server's answer to sign-in could not be read: %1")
                         .arg(QString::fromStdString(answer.error().message)));
                return;
            }
            sign_in_failure_ = SignInFailure::None;
            // Someone else's data on this device: theirs is all on the server, or nothing changes.
            // The device then starts over empty, under a new id, and signs in again with it.
            const std::string user_id = answer->user["id"].get<std::string>();
            auto owner = store_.owner();
            if (!owner) {
                done(QString::fromStdString(owner.error().message));
                return;
            }
            // A device with data but no owner (from before owners were kept) counts as someone
            // else's.
            if ((!owner->empty() && *owner != user_id) || (owner->empty() && store_.cursor() > 0)) {
                if (running_) { // the last person's sync is still writing
                    done(tr("The last sync is still finishing; sign in again in a moment."));
                    return;
                }
                if (auto st = store_.start_over(); !st) {
                    done(tr("This device holds work of another person that has not reached the "
                            "server: %1.")
                             .arg(QString::fromStdString(st.error().message)));
                    return;
                }
                last_sync_ = {};
                emit storeReset();
                signIn(server, email, password, std::move(done));
                return;
            }
            finishSignIn(server, *answer, std::move(done));
        });
}

void SyncEngine::finishSignIn(const QUrl& server, const protocol::LoginResponse& answer,
                              std::function<void(QString)> done) {
    Store::Session s{server.toString().toStdString(), answer.token, answer.expires, answer.user};
    keepDeviceSecret(server, answer.device_secret);
    transport_.setToken(QString::fromStdString(s.token));
    // The server's file size limit, so a file too large is refused when it is attached,
    // not when it is uploaded days later.
    transport_.blobOptions([this, s, done](const Reply& o) mutable {
        bool number = false;
        const qlonglong max = o.headers.value("tus-max-size").toLongLong(&number);
        if (number && max > 0) s.user["max_blob_bytes"] = max;
        // The token goes to the credential store when there is one that works; otherwise
        // it stays in the device store, as on machines without a keyring.
        if (credentials_ && credentials_->write(QString::fromStdString(s.server),
                                                QString::fromStdString(s.token))) {
            s.user["token_in_credential_store"] = true;
            s.token.clear();
        }
        if (auto st = store_.set_session(s); !st) {
            done(QString::fromStdString(st.error().message));
            return;
        }
        insecure_session_ = false;
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
        setState(State::NeedsSignIn, QStringLiteral("sign in again: the saved sign-in could not be "
                                                    "read (%1); nothing on this device is lost")
                                         .arg(error));
    }
}

void SyncEngine::signOut() {
    if (credentials_)
        if (auto s = store_.session(); s && *s)
            credentials_->remove(QString::fromStdString((*s)->server));
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
    if (insecure_session_) {
        setState(State::NeedsSignIn, error_);
        emit finished(false);
        return;
    }
    running_ = true;
    again_ = false;
    cursor_reset_ = false;
    retry_.stop();
    progress_ = {};
    progress_.changes_total = pendingChanges();
    progress_.bytes_total = pendingBytes();
    setState(State::Syncing);
    // Files first: the server takes an evidence row only once its file is there.
    uploadNext();
}

void SyncEngine::stop(State state, const QString& message, bool retry) {
    running_ = false;
    setState(state, message);
    if (retry) scheduleRetry();
    qCInfo(lcSync) << "sync stopped:" << error_;
    emit finished(false);
}

void SyncEngine::fail(const Reply& r, const QString& during) {
    running_ = false;
    if (r.refused_insecure) {
        insecure_session_ = true;
        setState(State::NeedsSignIn,
                 QStringLiteral("sign in again over https: %1 (nothing on this device is lost)")
                     .arg(r.network_error));
    } else if (r.too_large) {
        setState(State::Error, QStringLiteral("%1 failed: %2").arg(during, r.message()));
        scheduleRetry();
    } else if (r.status == 401) {
        // An expired session stops sync, never capture: local work stays in the outbox.
        setState(
            State::NeedsSignIn,
            QStringLiteral("your session ended; sign in again (nothing on this device is lost)"));
    } else if (r.status == 0) {
        setState(State::Offline, QStringLiteral("offline: %1 (%2); changes wait on this device")
                                     .arg(r.message(), during));
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
    const qint64 ceiling =
        std::min<qint64>(options_.backoff_max_ms, static_cast<qint64>(options_.backoff_first_ms)
                                                      << std::min(failures_, 20));
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
    std::set<std::string> sent;
    for (const auto& c : *batch)
        sent.insert(c.op);
    transport_.push(request, [this, sent, n = static_cast<int>(batch->size())](const Reply& r) {
        // 4xx with results: every op was refused, each with its reason.
        auto answer = protocol::decode_push_response(r.body.toStdString());
        if (!(r.ok() || ((r.status == 400 || r.status == 403) && answer))) {
            fail(r, QStringLiteral("sending changes"));
            return;
        }
        if (!answer)
            return stop(
                State::Error,
                QStringLiteral("the server's answer to sending changes could not be read: %1")
                    .arg(QString::fromStdString(answer.error().message)),
                true);
        std::vector<Store::Ack> acks;
        bool out_of_order = false;
        for (const auto& res : answer->results) {
            if (!sent.count(res.op)) continue; // not one of ours: ignored
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
        if (out_of_order)
            return fail(Reply{409, {}, {}, {}}, QStringLiteral("sending changes in order"));
        // An answer that settles none of the changes sent would send them again at once, for
        // ever: stop, and try again after the backoff.
        if (acks.empty())
            return stop(State::Error,
                        QStringLiteral("sending changes failed: the server's answer settled none "
                                       "of the %1 change(s) sent; "
                                       "they wait on this device")
                            .arg(n),
                        true);
        pushNext();
    });
}

void SyncEngine::uploadNext() {
    auto jobs = store_.blob_jobs();
    if (jobs)
        for (const auto& job : *jobs)
            if (job.direction == "up") {
                // Resume from what the server has (HEAD), whatever this device thinks it sent.
                transport_.blobHead(QString::fromStdString(job.sha256), [this,
                                                                         job](const Reply& r) {
                    if (r.status == 404) {
                        transport_.blobCreate(QString::fromStdString(job.sha256), job.size,
                                              [this, job](const Reply& c) {
                                                  if (c.status != 201)
                                                      return fail(
                                                          c, QStringLiteral("starting an upload"));
                                                  uploadFrom(job, 0);
                                              });
                        return;
                    }
                    if (!r.ok()) return fail(r, QStringLiteral("asking how far an upload got"));
                    bool number = false;
                    const qlonglong offset = r.headers.value("upload-offset").toLongLong(&number);
                    if (!number || offset < 0)
                        return stop(State::Error,
                                    QStringLiteral("uploading a file failed: the server did not "
                                                   "say how far the upload got"),
                                    true);
                    // "All there" is believed only once this device has had every byte confirmed;
                    // otherwise the file would count as sent with nothing sent.
                    if (offset > job.size || (offset == job.size && job.sent < job.size)) {
                        (void)store_.update_blob(
                            job.sha256, job.sent, "failed",
                            "the server says it holds " + std::to_string(offset) +
                                " bytes of this " + std::to_string(job.size) +
                                "-byte file, which this device never finished sending; "
                                "if its evidence is refused, attach the file again");
                        emit countsChanged();
                        return uploadNext();
                    }
                    uploadFrom(job, offset);
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
                                 "the file " + job.path +
                                     " is gone or changed since it was attached");
        emit countsChanged();
        uploadNext();
        return;
    }
    const QByteArray chunk = file.read(options_.chunk_bytes);
    transport_.blobPatch(
        sha, offset, job.size, chunk, [this, job, offset, n = chunk.size()](const Reply& r) {
            bool number = false;
            const qlonglong told = r.headers.value("upload-offset").toLongLong(&number);
            if (r.status == 409) {
                // Jump to the server's offset, but only somewhere new and inside the file.
                if (!number || told == offset || told < 0 || told > job.size)
                    return stop(State::Error,
                                QStringLiteral("uploading a file failed: the server refused the "
                                               "offset %1 and named no usable one")
                                    .arg(offset),
                                true);
                if (told == job.size) {
                    (void)store_.update_blob(job.sha256, job.sent, "failed",
                                             "the server says it holds all of this file, which "
                                             "this device never finished sending; "
                                             "if its evidence is refused, attach the file again");
                    emit countsChanged();
                    return uploadNext();
                }
                return uploadFrom(job, told);
            }
            if (r.status == 422) {
                (void)store_.update_blob(job.sha256, 0, "failed",
                                         "the server says the file does not match its hash");
                emit countsChanged();
                return uploadNext();
            }
            if (!r.ok()) return fail(r, QStringLiteral("uploading a file"));
            const std::int64_t now =
                r.headers.contains("upload-offset") ? (number ? told : -1) : offset + n;
            // Each chunk must move the upload on, within what was sent.
            if (now <= offset || now > offset + n)
                return stop(State::Error,
                            QStringLiteral("uploading a file failed: the server's offset after a "
                                           "chunk did not move on; trying again later"),
                            true);
            (void)store_.update_blob(job.sha256, now, "pending");
            progress_.bytes_done += n;
            emit progressChanged();
            uploadFrom(job, now);
        });
}

void SyncEngine::pullNext() {
    const std::int64_t since = store_.cursor();
    transport_.pull(since, options_.pull_limit, [this, since](const Reply& r) {
        if (r.status == 409 && protocol::error_code(r.body.toStdString()) == "cursor_ahead") {
            // The server's log is behind this device's cursor (restored from a backup, or a
            // cursor that was never real): pull again from the start; applying is idempotent.
            if (cursor_reset_ || since == 0) return fail(r, QStringLiteral("receiving changes"));
            cursor_reset_ = true;
            qCInfo(lcSync) << "cursor" << since
                           << "is ahead of the server's log; pulling again from the start";
            if (auto st = store_.reset_cursor(); !st)
                return stop(State::Error, QString::fromStdString(st.error().message), false);
            return pullNext();
        }
        if (!r.ok()) return fail(r, QStringLiteral("receiving changes"));
        auto page = protocol::decode_pull_response(r.body.toStdString());
        if (!page)
            return stop(State::Error,
                        QStringLiteral("the server's changes could not be read: %1")
                            .arg(QString::fromStdString(page.error().message)),
                        true);
        std::vector<Store::SetAside> aside;
        for (const auto& a : page->set_aside)
            aside.push_back({a.seq, a.change, a.reason});
        for (const auto& a : page->set_aside)
            qCWarning(lcSync) << "a change was set aside:" << a.reason.c_str();
        // One transaction for the page and its cursor: a cut sync never leaves half a page.
        auto applied = store_.apply_remote(page->ops, page->cursor, aside);
        if (!applied) {
            running_ = false;
            setState(State::Error, QString::fromStdString(applied.error().message));
            emit finished(false);
            return;
        }
        if (page->more) {
            // "More" with a cursor that did not move would ask for the same page for ever.
            if (store_.cursor() <= since)
                return stop(State::Error,
                            QStringLiteral("receiving changes failed: the server said more changes "
                                           "wait but its cursor "
                                           "did not move (%1); trying again later")
                                .arg(since),
                            true);
            return pullNext();
        }
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
    constexpr qint64 kMaxFile = 8LL * 1024 * 1024 * 1024;
    const QString sha = QString::fromStdString(job.sha256);
    auto finish = [this, job, part]() {
        QFile f(part);
        if (!f.open(QIODevice::ReadOnly)) return;
        QCryptographicHash hash(QCryptographicHash::Sha256);
        hash.addData(&f);
        f.close();
        if (hash.result().toHex().toStdString() != job.sha256) {
            QFile::remove(part);
            (void)store_.update_blob(
                job.sha256, 0, "failed",
                "the downloaded bytes do not match their hash; fetch it again");
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
    transport_.blobGet(
        sha, have, options_.chunk_bytes, [this, job, part, have, finish](const Reply& r) {
            if (r.status == 404) {
                (void)store_.update_blob(job.sha256, have, "failed",
                                         "the server has no file you may see under this hash");
                emit countsChanged();
                return downloadNext();
            }
            if (r.status == 416) { // nothing past what we hold
                finish();
                return downloadNext();
            }
            if (!(r.status == 200 || r.status == 206))
                return fail(r, QStringLiteral("downloading a file"));
            // An answer without a byte would ask again at once, for ever.
            if (r.body.isEmpty())
                return stop(
                    State::Error,
                    QStringLiteral(
                        "downloading a file failed: the server sent no bytes; trying again later"),
                    true);
            QFile f(part);
            const bool opened = f.open(
                r.status == 206 ? QIODevice::Append : QIODevice::WriteOnly | QIODevice::Truncate);
            if (opened)
                f.setPermissions(QFileDevice::ReadOwner |
                                 QFileDevice::WriteOwner); // the owner's data: 0600
            if (!opened || f.write(r.body) != r.body.size() || !f.flush()) {
                running_ = false;
                setState(State::Error,
                         QStringLiteral("cannot write %1: is the disk full?").arg(part));
                emit finished(false);
                return;
            }
            f.close();
            // The full length, from Content-Range ("bytes a-b/N") when it was a range.
            std::int64_t total = job.size;
            const QByteArray range = r.headers.value("content-range");
            if (const int slash = range.lastIndexOf('/'); slash >= 0)
                total = range.mid(slash + 1).toLongLong();
            else if (r.status == 200)
                total = r.body.size();
            if (total <= 0 || total > kMaxFile || (job.size > 0 && total != job.size)) {
                QFile::remove(part);
                (void)store_.update_blob(job.sha256, 0, "failed",
                                         "the server gave this file a size that does not fit (" +
                                             std::to_string(total) + " bytes); fetch it again");
                emit countsChanged();
                return downloadNext();
            }
            const qint64 now = QFile(part).size();
            (void)store_.update_blob(job.sha256, now, "pending");
            progress_.bytes_done += r.body.size();
            emit progressChanged();
            if (now >= total) {
                finish();
                return downloadNext();
            }
            downloadFrom(
                Store::BlobJob{job.sha256, job.path, total, job.direction, now, job.state, {}});
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
