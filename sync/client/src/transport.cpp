#include "sitevisit/client/transport.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QTimer>

namespace sitevisit::client {

QString Reply::message() const {
    if (status == 0) return network_error.isEmpty() ? QStringLiteral("no answer from the server") : network_error;
    const auto doc = QJsonDocument::fromJson(body);
    const QString m = doc.object().value(QStringLiteral("error")).toObject().value(QStringLiteral("message")).toString();
    return m.isEmpty() ? QStringLiteral("the server answered %1").arg(status) : m;
}

Transport::Transport(QNetworkAccessManager& network, QUrl server, Timeouts timeouts, QObject* parent)
    : QObject(parent), network_(network), server_(std::move(server)), timeouts_(timeouts) {}

QNetworkRequest Transport::request(const QString& path) const {
    QUrl url = server_;
    url.setPath(url.path().chopped(url.path().endsWith('/') ? 1 : 0) + path);
    QNetworkRequest r(url);
    r.setTransferTimeout(timeouts_.inactivity_ms);
    r.setHeader(QNetworkRequest::ContentTypeHeader, QStringLiteral("application/json"));
    if (!token_.isEmpty()) r.setRawHeader("Authorization", "Bearer " + token_.toUtf8());
    return r;
}

void Transport::send(const QByteArray& verb, QNetworkRequest request, const QByteArray& body, Done done) {
    QNetworkReply* reply = network_.sendCustomRequest(request, verb, body);
    auto* deadline = new QTimer(reply);
    deadline->setSingleShot(true);
    connect(deadline, &QTimer::timeout, reply, [reply] { reply->abort(); });
    deadline->start(timeouts_.deadline_ms);
    connect(reply, &QNetworkReply::finished, this, [reply, done = std::move(done), deadline] {
        deadline->stop();
        Reply r;
        r.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        r.body = reply->readAll();
        for (const auto& pair : reply->rawHeaderPairs()) r.headers.insert(pair.first.toLower(), pair.second);
        if (r.status == 0) {
            switch (reply->error()) {
            case QNetworkReply::OperationCanceledError:
            case QNetworkReply::TimeoutError: r.network_error = QStringLiteral("the server did not answer in time"); break;
            case QNetworkReply::ConnectionRefusedError: r.network_error = QStringLiteral("the server is not reachable"); break;
            case QNetworkReply::HostNotFoundError: r.network_error = QStringLiteral("the server's name is not known"); break;
            default: r.network_error = QStringLiteral("the connection was cut (%1)").arg(reply->errorString());
            }
        }
        reply->deleteLater();
        done(r);
    });
}

static QByteArray json(const Json& j) { return QByteArray::fromStdString(j.dump()); }

void Transport::health(Done done) { send("GET", request(QStringLiteral("/v1/health")), {}, std::move(done)); }

void Transport::login(const protocol::LoginRequest& r, Done done) {
    send("POST", request(QStringLiteral("/v1/auth/login")), json(protocol::encode(r)), std::move(done));
}

void Transport::push(const protocol::PushRequest& r, Done done) {
    send("POST", request(QStringLiteral("/v1/sync/push")), json(protocol::encode(r)), std::move(done));
}

void Transport::pull(std::int64_t since, int limit, Done done) {
    auto r = request(QStringLiteral("/v1/sync/pull"));
    QUrl url = r.url();
    url.setQuery(QStringLiteral("since=%1&limit=%2").arg(since).arg(limit));
    r.setUrl(url);
    send("GET", r, {}, std::move(done));
}

void Transport::blobOptions(Done done) { send("OPTIONS", request(QStringLiteral("/v1/blobs")), {}, std::move(done)); }

void Transport::blobCreate(const QString& sha256, std::int64_t length, Done done) {
    auto r = request(QStringLiteral("/v1/blobs"));
    r.setRawHeader("Tus-Resumable", "1.0.0");
    r.setRawHeader("Upload-Length", QByteArray::number(static_cast<qlonglong>(length)));
    r.setRawHeader("Upload-Metadata", "sha256 " + sha256.toUtf8().toBase64());
    send("POST", r, {}, std::move(done));
}

void Transport::blobHead(const QString& sha256, Done done) {
    auto r = request(QStringLiteral("/v1/blobs/") + sha256);
    r.setRawHeader("Tus-Resumable", "1.0.0");
    send("HEAD", r, {}, std::move(done));
}

void Transport::blobPatch(const QString& sha256, std::int64_t offset, std::int64_t length, const QByteArray& chunk, Done done) {
    auto r = request(QStringLiteral("/v1/blobs/") + sha256);
    r.setRawHeader("Tus-Resumable", "1.0.0");
    r.setRawHeader("Upload-Offset", QByteArray::number(static_cast<qlonglong>(offset)));
    r.setRawHeader("Upload-Length", QByteArray::number(static_cast<qlonglong>(length)));
    r.setHeader(QNetworkRequest::ContentTypeHeader, QStringLiteral("application/offset+octet-stream"));
    send("PATCH", r, chunk, std::move(done));
}

void Transport::blobGet(const QString& sha256, std::int64_t from, std::int64_t length, Done done) {
    auto r = request(QStringLiteral("/v1/blobs/") + sha256);
    if (from > 0 || length > 0)
        r.setRawHeader("Range", "bytes=" + QByteArray::number(static_cast<qlonglong>(from)) + "-" +
                                    (length > 0 ? QByteArray::number(static_cast<qlonglong>(from + length - 1)) : QByteArray()));
    send("GET", r, {}, std::move(done));
}

} // namespace sitevisit::client
