#pragma once

// One function per endpoint of the sync contract, over Qt Network. Every request has an
// inactivity timeout and an overall deadline; answers come back on the caller's thread.

#include "sitevisit/protocol/messages.h"

#include <QByteArray>
#include <QList>
#include <QMap>
#include <QObject>
#include <QSslCertificate>
#include <QString>
#include <QUrl>
#include <functional>

class QNetworkAccessManager;
class QNetworkRequest;

namespace sitevisit::client {

struct Reply {
    int status = 0; // HTTP status; 0 when no answer arrived
    QByteArray body;
    QMap<QByteArray, QByteArray> headers; // lower-case names
    QString network_error;                // why there was no answer (timeout, refused, cut)
    bool refused_insecure = false;        // not sent: plain http to another machine
    bool too_large = false;               // the answer passed Timeouts::max_answer_bytes
    bool ok() const { return status >= 200 && status < 300; }
    // The server's {"error":{"message"}} or the network error, for the screen.
    QString message() const;
};

struct Timeouts {
    int inactivity_ms = 15000; // no byte moved for this long: give up
    int deadline_ms = 120000;  // the whole request
    // The most of one answer the device reads; past it the reply is aborted (the server caps a
    // pull page at 8 MB, files come in 1 MB ranges).
    qint64 max_answer_bytes = 64LL * 1024 * 1024;
};

// Why a server address may not be used, in words asking for https; empty when it may.
// Plain http is allowed only to this machine (localhost, 127.0.0.1, ::1).
QString insecure_server_reason(const QUrl& server);

// The certificates in a PEM file, or an error in words.
QList<QSslCertificate> read_ca_file(const QString& path, QString* error);

class Transport : public QObject {
    Q_OBJECT
public:
    using Done = std::function<void(const Reply&)>;

    Transport(QNetworkAccessManager& network, QUrl server, Timeouts timeouts = {},
              QObject* parent = nullptr);

    void setServer(const QUrl& server) { server_ = server; }
    QUrl server() const { return server_; }
    void setToken(const QString& token) { token_ = token; }
    // Certificate authorities trusted besides the system's (a private CA); peers are always
    // verified.
    void setExtraCaCertificates(const QList<QSslCertificate>& certs);

    void health(Done done);
    void login(const protocol::LoginRequest& request, Done done);
    void push(const protocol::PushRequest& request, Done done);
    void pull(std::int64_t since, int limit, Done done);
    void blobOptions(Done done);
    void blobCreate(const QString& sha256, std::int64_t length, Done done);
    void blobHead(const QString& sha256, Done done);
    void blobPatch(const QString& sha256, std::int64_t offset, std::int64_t length,
                   const QByteArray& chunk, Done done);
    // Bytes from `from`, at most `length` of them (0: to the end).
    void blobGet(const QString& sha256, std::int64_t from, std::int64_t length, Done done);

private:
    QNetworkRequest request(const QString& path) const;
    void send(const QByteArray& verb, QNetworkRequest request, const QByteArray& body, Done done);

    QNetworkAccessManager& network_;
    QUrl server_;
    QString token_;
    Timeouts timeouts_;
    QList<QSslCertificate> extra_ca_;
};

} // namespace sitevisit::client
