#include "sitevisit/client/transport.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>

namespace sitevisit::client {

QString Reply::message() const {
    if (status == 0)
        return network_error.isEmpty() ? QStringLiteral("no answer from the server")
                                       : network_error;
    if (status >= 300 && status < 400) {
        const QByteArray to = headers.value("location");
        return QStringLiteral("the server answered %1, sending this device elsewhere%2; the device "
                              "follows no redirect "
                              "(check the server address)")
            .arg(status)
            .arg(to.isEmpty() ? QString()
                              : QStringLiteral(" (to %1)").arg(QString::fromUtf8(to.left(200))));
    }
    const auto doc = QJsonDocument::fromJson(body);
    const QJsonValue m =
        doc.object().value(QStringLiteral("error")).toObject().value(QStringLiteral("message"));
    return m.isString() && !m.toString().isEmpty()
               ? m.toString().left(500)
               : QStringLiteral("the server answered %1").arg(status);
}

QString insecure_server_reason(const QUrl& server) {
    if (!server.isValid() || server.host().isEmpty())
        return QStringLiteral("The server address should look like https://sitevisit.example.org");
    const QString scheme = server.scheme().toLower();
    if (scheme == QLatin1String("https")) return {};
    if (scheme == QLatin1String("http")) {
        const QString host = server.host().toLower();
        if (host == QLatin1String("localhost") || host == QLatin1String("127.0.0.1") ||
            host == QLatin1String("::1"))
            return {};
        return QStringLiteral("Use https:// for %1: over plain http your password and data could "
                              "be read on the way. "
                              "Plain http is only for this computer (localhost).")
            .arg(server.host());
    }
    return QStringLiteral("The server address should start with https://");
}

QList<QSslCertificate> read_ca_file(const QString& path, QString* error) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        if (error)
            *error = QStringLiteral("cannot read the certificate authority file %1").arg(path);
        return {};
    }
    const auto certs = QSslCertificate::fromData(f.read(4 * 1024 * 1024), QSsl::Pem);
    if (certs.isEmpty() && error)
        *error =
            QStringLiteral("%1 holds no PEM certificate (-----BEGIN CERTIFICATE-----)").arg(path);
    return certs;
}

} // namespace sitevisit::client
