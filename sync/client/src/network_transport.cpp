#include "sitevisit/client/network_transport.h"

#include <QHostAddress>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QSslConfiguration>
#include <QTimer>
#include <algorithm>
#include <memory>

namespace sitevisit::client {

NetworkTransport::NetworkTransport(QNetworkAccessManager& network, QUrl server, Timeouts timeouts,
                                   QObject* parent)
    : QObject(parent), network_(network), server_(std::move(server)), timeouts_(timeouts) {
}

void NetworkTransport::setExtraCaCertificates(const QList<QSslCertificate>& certs) {
    if (certs == extra_ca_) return;
    extra_ca_ = certs;
    // Qt keeps a connection to a host with the TLS settings it was made with: start afresh.
    network_.clearConnectionCache();
}

namespace {
const char* const kCancelled = "sitevisit_cancelled";
} // namespace

QNetworkRequest NetworkTransport::request(const QString& path) const {
    QUrl url = server_;
    url.setPath(url.path().chopped(url.path().endsWith('/') ? 1 : 0) + path);
    QNetworkRequest r(url);
    r.setTransferTimeout(timeouts_.inactivity_ms);
    // No redirect is followed: a 3xx comes back as an answer (an error in words), so the token
    // and the changes never go to another place.
    r.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    if (!extra_ca_.isEmpty()) {
        // The system's authorities plus the private one; the peer is verified either way.
        QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
        tls.setPeerVerifyMode(QSslSocket::VerifyPeer);
        tls.addCaCertificates(extra_ca_);
        r.setSslConfiguration(tls);
    }
    r.setHeader(QNetworkRequest::ContentTypeHeader, QStringLiteral("application/json"));
    if (!token_.isEmpty()) r.setRawHeader("Authorization", "Bearer " + token_.toUtf8());
    return r;
}

QNetworkReply* NetworkTransport::send(const QByteArray& verb, QNetworkRequest request,
                                      const QByteArray& body, Done done, int deadline_ms) {
    // The http rule, for every request (a session stored from before included): the token
    // never travels in clear to another machine.
    if (const QString why = insecure_server_reason(request.url()); !why.isEmpty()) {
        Reply r;
        r.network_error = why;
        r.refused_insecure = true;
        QTimer::singleShot(0, this, [r, done = std::move(done)] { done(r); });
        return nullptr;
    }
    QNetworkReply* reply = network_.sendCustomRequest(request, verb, body);
    // Qt stops reading from the network while this much waits unread: memory stays flat.
    reply->setReadBufferSize(1024 * 1024);
    auto* deadline = new QTimer(reply);
    deadline->setSingleShot(true);
    // Read as it arrives, and stop past the cap: memory stays bounded whatever the server sends.
    struct State {
        QByteArray body;
        bool too_large = false;
        bool timed_out = false;
    };
    auto state = std::make_shared<State>();
    const qint64 cap = timeouts_.max_answer_bytes;
    connect(deadline, &QTimer::timeout, reply, [reply, state] {
        state->timed_out = true;
        reply->abort();
    });
    deadline->start(deadline_ms > 0 ? deadline_ms : timeouts_.deadline_ms);
    connect(reply, &QNetworkReply::metaDataChanged, reply, [reply, state, cap] {
        const QVariant length = reply->header(QNetworkRequest::ContentLengthHeader);
        if (length.isValid() && length.toLongLong() > cap && !state->too_large) {
            state->too_large = true;
            reply->abort();
        } else if (length.isValid() && length.toLongLong() > 0 && state->body.isEmpty()) {
            // Room for the announced length at once (within the cap): no regrowth copies.
            state->body.reserve(static_cast<qsizetype>(length.toLongLong()));
        }
    });
    connect(reply, &QNetworkReply::readyRead, reply, [reply, state, cap] {
        if (state->too_large) return;
        // What Qt holds (at most its read buffer, see above). Not read(cap): that allocates
        // the whole cap (64 MB) for every piece that arrives.
        const QByteArray piece = reply->readAll();
        if (state->body.size() + piece.size() > cap) {
            state->too_large = true;
            state->body = QByteArray();
            reply->abort();
            return;
        }
        // Grows by doubling, but never past the cap: no buffer of twice the cap while the
        // last regrowth copies.
        if (state->body.size() + piece.size() > state->body.capacity())
            state->body.reserve(static_cast<qsizetype>(
                std::min<qint64>(cap, std::max<qint64>(2 * state->body.capacity(),
                                                       state->body.size() + piece.size()))));
        state->body += piece;
    });
    connect(
        reply, &QNetworkReply::finished, this,
        [reply, done = std::move(done), deadline, state, cap] {
            deadline->stop();
            if (reply->property(kCancelled).toBool()) {
                reply->deleteLater(); // dropped on purpose: nobody waits for it
                return;
            }
            Reply r;
            if (!state->too_large) {
                state->body += reply->readAll();
                if (state->body.size() > cap) state->too_large = true;
            }
            if (state->too_large) {
                r.network_error =
                    QStringLiteral(
                        "the server's answer is larger than %1 MB; the device stopped reading it")
                        .arg(cap / (1024 * 1024));
                r.too_large = true;
                reply->deleteLater();
                done(r);
                return;
            }
            r.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
            r.body = std::move(state->body);
            for (const auto& pair : reply->rawHeaderPairs())
                r.headers.insert(pair.first.toLower(), pair.second);
            if (r.status == 0) {
                switch (reply->error()) {
                case QNetworkReply::OperationCanceledError:
                case QNetworkReply::TimeoutError:
                    r.network_error = QStringLiteral("the server did not answer in time");
                    break;
                case QNetworkReply::ConnectionRefusedError:
                    r.network_error = QStringLiteral("the server is not reachable");
                    break;
                case QNetworkReply::HostNotFoundError:
                    r.network_error = QStringLiteral("the server's name is not known");
                    break;
                case QNetworkReply::SslHandshakeFailedError:
                    r.network_error =
                        QStringLiteral("the server's certificate could not be verified (%1); if it "
                                       "uses a private "
                                       "certificate authority, trust that authority's certificate "
                                       "(a PEM file) in the settings")
                            .arg(reply->errorString());
                    break;
                default:
                    r.network_error =
                        QStringLiteral("the connection was cut (%1)").arg(reply->errorString());
                }
            }
            reply->deleteLater();
            done(r);
        });
    return reply;
}

static QByteArray json(const Json& j) {
    return QByteArray::fromStdString(j.dump());
}

void NetworkTransport::health(Done done) {
    send("GET", request(QStringLiteral("/v1/health")), {}, std::move(done));
}

void NetworkTransport::login(const protocol::LoginRequest& r, Done done) {
    send("POST", request(QStringLiteral("/v1/auth/login")), json(protocol::encode(r)),
         std::move(done));
}

void NetworkTransport::push(const protocol::PushRequest& r, Done done) {
    send("POST", request(QStringLiteral("/v1/sync/push")), json(protocol::encode(r)),
         std::move(done));
}

void NetworkTransport::pull(std::int64_t since, int limit, int schema, Done done) {
    auto r = request(QStringLiteral("/v1/sync/pull"));
    QUrl url = r.url();
    url.setQuery(QStringLiteral("since=%1&limit=%2&schema=%3").arg(since).arg(limit).arg(schema));
    r.setUrl(url);
    // Without the header Qt asks for gzip itself and inflates what comes; with it set, Qt
    // leaves the body alone, so "identity" keeps pages plain.
    if (!gzip_pulls_) r.setRawHeader("Accept-Encoding", "identity");
    send("GET", r, {}, std::move(done));
}

void NetworkTransport::blobOptions(Done done) {
    send("OPTIONS", request(QStringLiteral("/v1/blobs")), {}, std::move(done));
}

void NetworkTransport::blobCreate(const QString& sha256, std::int64_t length, Done done) {
    auto r = request(QStringLiteral("/v1/blobs"));
    r.setRawHeader("Tus-Resumable", "1.0.0");
    r.setRawHeader("Upload-Length", QByteArray::number(static_cast<qlonglong>(length)));
    r.setRawHeader("Upload-Metadata", "sha256 " + sha256.toUtf8().toBase64());
    send("POST", r, {}, std::move(done));
}

void NetworkTransport::blobHead(const QString& sha256, Done done) {
    auto r = request(QStringLiteral("/v1/blobs/") + sha256);
    r.setRawHeader("Tus-Resumable", "1.0.0");
    send("HEAD", r, {}, std::move(done));
}

void NetworkTransport::blobPatch(const QString& sha256, std::int64_t offset, std::int64_t length,
                                 const QByteArray& chunk, Done done) {
    auto r = request(QStringLiteral("/v1/blobs/") + sha256);
    r.setRawHeader("Tus-Resumable", "1.0.0");
    r.setRawHeader("Upload-Offset", QByteArray::number(static_cast<qlonglong>(offset)));
    r.setRawHeader("Upload-Length", QByteArray::number(static_cast<qlonglong>(length)));
    r.setHeader(QNetworkRequest::ContentTypeHeader,
                QStringLiteral("application/offset+octet-stream"));
    send("PATCH", r, chunk, std::move(done));
}

void NetworkTransport::blobGet(const QString& sha256, std::int64_t from, std::int64_t length,
                               Done done) {
    auto r = request(QStringLiteral("/v1/blobs/") + sha256);
    if (from > 0 || length > 0)
        r.setRawHeader(
            "Range", "bytes=" + QByteArray::number(static_cast<qlonglong>(from)) + "-" +
                         (length > 0 ? QByteArray::number(static_cast<qlonglong>(from + length - 1))
                                     : QByteArray()));
    send("GET", r, {}, std::move(done));
}

} // namespace sitevisit::client

namespace sitevisit::client {

void NetworkTransport::pullWaiting(std::int64_t since, int limit, int schema, int wait_s,
                                   Done done) {
    auto r = request(QStringLiteral("/v1/sync/pull"));
    QUrl url = r.url();
    url.setQuery(QStringLiteral("since=%1&limit=%2&schema=%3&wait=%4")
                     .arg(since)
                     .arg(limit)
                     .arg(schema)
                     .arg(wait_s));
    r.setUrl(url);
    // The server sends nothing while it holds the pull: wait for it, and 15 s more.
    const int patience = (wait_s + 15) * 1000;
    r.setTransferTimeout(std::max(timeouts_.inactivity_ms, patience));
    if (!gzip_pulls_) r.setRawHeader("Accept-Encoding", "identity");
    cancelWaiting();
    waiting_ = send("GET", r, {}, std::move(done), patience + timeouts_.deadline_ms);
}

void NetworkTransport::cancelWaiting() {
    if (!waiting_) return;
    waiting_->setProperty(kCancelled, true);
    if (waiting_->isRunning()) waiting_->abort();
    waiting_ = nullptr;
}

} // namespace sitevisit::client
