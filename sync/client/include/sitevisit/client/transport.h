#pragma once

// One function per endpoint of the sync contract, over Qt Network. Every request has an
// inactivity timeout and an overall deadline; answers come back on the caller's thread.

#include "sitevisit/protocol/messages.h"

#include <QByteArray>
#include <QMap>
#include <QObject>
#include <QString>
#include <QUrl>

#include <functional>

class QNetworkAccessManager;
class QNetworkRequest;

namespace sitevisit::client {

struct Reply {
    int status = 0;           // HTTP status; 0 when no answer arrived
    QByteArray body;
    QMap<QByteArray, QByteArray> headers; // lower-case names
    QString network_error;    // why there was no answer (timeout, refused, cut)
    bool ok() const { return status >= 200 && status < 300; }
    // The server's {"error":{"message"}} or the network error, for the screen.
    QString message() const;
};

struct Timeouts {
    int inactivity_ms = 15000; // no byte moved for this long: give up
    int deadline_ms = 120000;  // the whole request
};

class Transport : public QObject {
    Q_OBJECT
public:
    using Done = std::function<void(const Reply&)>;

    Transport(QNetworkAccessManager& network, QUrl server, Timeouts timeouts = {}, QObject* parent = nullptr);

    void setServer(const QUrl& server) { server_ = server; }
    QUrl server() const { return server_; }
    void setToken(const QString& token) { token_ = token; }

    void health(Done done);
    void login(const protocol::LoginRequest& request, Done done);
    void push(const protocol::PushRequest& request, Done done);
    void pull(std::int64_t since, int limit, Done done);
    void blobOptions(Done done);
    void blobCreate(const QString& sha256, std::int64_t length, Done done);
    void blobHead(const QString& sha256, Done done);
    void blobPatch(const QString& sha256, std::int64_t offset, std::int64_t length, const QByteArray& chunk, Done done);
    // Bytes from `from`, at most `length` of them (0: to the end).
    void blobGet(const QString& sha256, std::int64_t from, std::int64_t length, Done done);

private:
    QNetworkRequest request(const QString& path) const;
    void send(const QByteArray& verb, QNetworkRequest request, const QByteArray& body, Done done);

    QNetworkAccessManager& network_;
    QUrl server_;
    QString token_;
    Timeouts timeouts_;
};

} // namespace sitevisit::client
