#include "sitevisit/platform/data_paths.h"

#include <QDir>
#include <QFile>
#include <QStandardPaths>

namespace sitevisit::platform {

namespace {

QString ensure(const QString& path, QString* error) {
    if (path.isEmpty() || !QDir().mkpath(path)) {
        if (error) *error = QStringLiteral("cannot create the data folder %1").arg(path);
        return {};
    }
    // The folder holds the owner's data: only they may enter it (0700).
    QFile::setPermissions(path,
                          QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    return QDir(path).absolutePath();
}

} // namespace

QString DataPaths::dataDir(QString* error) {
    QString dir = qEnvironmentVariable("SITEVISIT_DATA_DIR");
    if (dir.isEmpty()) dir = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
    if (dir.isEmpty()) dir = QDir::home().filePath(QStringLiteral(".local/share/sitevisit"));
    return ensure(dir, error);
}

QString DataPaths::storeFile(QString* error) {
    const QString dir = dataDir(error);
    return dir.isEmpty() ? QString() : QDir(dir).filePath(QStringLiteral("sitevisit.db"));
}

QString DataPaths::blobDir(QString* error) {
    const QString dir = dataDir(error);
    return dir.isEmpty() ? QString() : ensure(QDir(dir).filePath(QStringLiteral("blobs")), error);
}

} // namespace sitevisit::platform
