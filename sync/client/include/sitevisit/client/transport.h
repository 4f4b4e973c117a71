#pragma once

// The device's side of the sync contract's endpoints: the answer (Reply), the limits every
// request keeps (Timeouts), the http rule, and the Transport interface.

#include "sitevisit/protocol/messages.h"

#include <QByteArray>
#include <QList>
#include <QMap>
#include <QSslCertificate>
#include <QString>
#include <QUrl>
#include <functional>

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

// One function per endpoint of the sync contract. Answers come back later, on the caller's
// thread, never inside the call. NetworkTransport speaks HTTP over Qt Network; tests use a
// FakeTransport that answers from a script.
class Transport {
public:
    using Done = std::function<void(const Reply&)>;
    virtual ~Transport() = default;

    virtual void setServer(const QUrl& server) = 0;
    virtual QUrl server() const = 0;
    virtual void setToken(const QString& token) = 0;
    // Certificate authorities trusted besides the system's (a private CA); peers are always
    // verified.
    virtual void setExtraCaCertificates(const QList<QSslCertificate>& certs) = 0;

    virtual void health(Done done) = 0;
    virtual void login(const protocol::LoginRequest& request, Done done) = 0;
    virtual void push(const protocol::PushRequest& request, Done done) = 0;
    // `schema`: the data schema this device reads; the server holds back what it cannot.
    virtual void pull(std::int64_t since, int limit, int schema, Done done) = 0;
    // A pull the server may hold up to `wait_s` seconds, until a change this device may read
    // lands (live sync); the device waits wait_s + 15 s for the answer. A transport that
    // cannot hold answers as pull() does.
    virtual void pullWaiting(std::int64_t since, int limit, int schema, int wait_s, Done done) {
        (void)wait_s;
        pull(since, limit, schema, std::move(done));
    }
    // Drops the waiting pull if one is out: its answer never comes.
    virtual void cancelWaiting() {}
    virtual void blobOptions(Done done) = 0;
    virtual void blobCreate(const QString& sha256, std::int64_t length, Done done) = 0;
    virtual void blobHead(const QString& sha256, Done done) = 0;
    virtual void blobPatch(const QString& sha256, std::int64_t offset, std::int64_t length,
                           const QByteArray& chunk, Done done) = 0;
    // Bytes from `from`, at most `length` of them (0: to the end).
    virtual void blobGet(const QString& sha256, std::int64_t from, std::int64_t length,
                         Done done) = 0;
};

} // namespace sitevisit::client
