#include "sitevisit/platform/share.h"

#include <QDesktopServices>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>
#include <QUrl>

namespace sitevisit::platform {

namespace {

// Desktops: no share sheet; the app saves a copy where the person chooses.
class NoShareSheet final : public Share {
public:
    bool hasShareSheet() const override { return false; }
    QString shareFile(const QString&, const QString&) override {
        return QStringLiteral("This system has no share sheet; save the file instead.");
    }
};

} // namespace

std::unique_ptr<Share> system_share() {
    return std::make_unique<NoShareSheet>();
}

QString save_copy(const QString& from, const QString& to) {
    if (QFileInfo(from).absoluteFilePath() == QFileInfo(to).absoluteFilePath()) return {};
    QFile in(from);
    if (!in.open(QIODevice::ReadOnly))
        return QStringLiteral("Cannot read %1: %2").arg(from, in.errorString());
    QSaveFile out(to);
    if (!out.open(QIODevice::WriteOnly))
        return QStringLiteral("Cannot write %1: %2").arg(to, out.errorString());
    while (!in.atEnd()) {
        const QByteArray chunk = in.read(1 << 16);
        if (chunk.isEmpty() || out.write(chunk) != chunk.size()) {
            out.cancelWriting();
            return QStringLiteral("Cannot write %1: %2").arg(to, out.errorString());
        }
    }
    if (!out.commit()) return QStringLiteral("Cannot write %1: %2").arg(to, out.errorString());
    return {};
}

bool open_file(const QString& path) {
    return QDesktopServices::openUrl(QUrl::fromLocalFile(path));
}

} // namespace sitevisit::platform
