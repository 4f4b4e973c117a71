#pragma once

// Transport over Qt Network. Every request has an inactivity timeout, an overall deadline and
// a cap on the answer's size, follows no redirect and keeps the http rule.

#include "sitevisit/client/transport.h"

#include <QNetworkReply>
#include <QObject>
#include <QPointer>

class QNetworkAccessManager;
class QNetworkRequest;

namespace sitevisit::client {

class NetworkTransport final : public QObject, public Transport {
    Q_OBJECT
public:
    NetworkTransport(QNetworkAccessManager& network, QUrl server, Timeouts timeouts = {},
                     QObject* parent = nullptr);

    void setServer(const QUrl& server) override { server_ = server; }
    QUrl server() const override { return server_; }
    void setToken(const QString& token) override { token_ = token; }
    void setExtraCaCertificates(const QList<QSslCertificate>& certs) override;
    // Whether pull answers may come gzipped (Accept-Encoding: gzip, which Qt inflates as it
    // reads; the answer cap counts the inflated bytes). Off: Accept-Encoding: identity. Worth
    // it on a slow network; on loopback it only costs.
    void setGzipPulls(bool on) { gzip_pulls_ = on; }

    void health(Done done) override;
    void login(const protocol::LoginRequest& request, Done done) override;
    void push(const protocol::PushRequest& request, Done done) override;
    void pull(std::int64_t since, int limit, int schema, Done done) override;
    void pullWaiting(std::int64_t since, int limit, int schema, int wait_s, Done done) override;
    void cancelWaiting() override;
    void blobOptions(Done done) override;
    void blobCreate(const QString& sha256, std::int64_t length, Done done) override;
    void blobHead(const QString& sha256, Done done) override;
    void blobPatch(const QString& sha256, std::int64_t offset, std::int64_t length,
                   const QByteArray& chunk, Done done) override;
    void blobGet(const QString& sha256, std::int64_t from, std::int64_t length, Done done) override;

private:
    QNetworkRequest request(const QString& path) const;
    // The reply in flight (none when refused before sending); `deadline_ms` > 0 replaces the
    // overall deadline for this request.
    QNetworkReply* send(const QByteArray& verb, QNetworkRequest request, const QByteArray& body,
                        Done done, int deadline_ms = 0);

    QNetworkAccessManager& network_;
    QUrl server_;
    QString token_;
    Timeouts timeouts_;
    QList<QSslCertificate> extra_ca_;
    QPointer<QNetworkReply> waiting_; // the waiting pull out now
    bool gzip_pulls_ = true;
};

} // namespace sitevisit::client
