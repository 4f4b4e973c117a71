#include "sitevisit/client/attachments.h"

#include "sitevisit/client/file_hash.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QFutureWatcher>
#include <QImage>
#include <QImageReader>
#include <QMimeDatabase>
#include <QtConcurrent/QtConcurrentRun>

namespace sitevisit::client {

namespace {

QString megabytes(qint64 bytes) {
    return QString::number(bytes / (1024.0 * 1024.0), 'f', 1) + QStringLiteral(" MB");
}

} // namespace

Result<Attachment> prepare_attachment(const QString& file, const QString& work_dir,
                                      std::int64_t max_bytes, int long_edge, const Clock& clock) {
    QFileInfo info(file);
    if (!info.isFile() || !info.isReadable()) return invalid("cannot read " + file.toStdString());
    QString path = info.absoluteFilePath();
    QString mime = QMimeDatabase().mimeTypeForFile(path).name();
    bool downscaled = false;

    if (mime.startsWith(QStringLiteral("image/"))) {
        QImageReader reader(path);
        const QSize size = reader.size();
        if (size.isValid() && std::max(size.width(), size.height()) > long_edge) {
            reader.setAutoTransform(true); // keep the photo the right way up
            QImage image = reader.read();
            if (image.isNull())
                return invalid("cannot read the photo " + file.toStdString() + ": " +
                               reader.errorString().toStdString());
            image =
                image.scaled(long_edge, long_edge, Qt::KeepAspectRatio, Qt::SmoothTransformation);
            QDir().mkpath(work_dir);
            const QString out =
                QDir(work_dir).filePath(info.completeBaseName() + QStringLiteral("-") +
                                        QString::number(clock.now_ms()) + QStringLiteral(".jpg"));
            if (!image.save(out, "JPEG", 85))
                return invalid("cannot write the downscaled photo to " + out.toStdString());
            path = out;
            mime = QStringLiteral("image/jpeg");
            downscaled = true;
        }
    }

    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) return invalid("cannot read " + path.toStdString());
    if (f.size() > max_bytes)
        return invalid(QFileInfo(file).fileName().toStdString() + " is " +
                       megabytes(f.size()).toStdString() + "; the limit is " +
                       megabytes(max_bytes).toStdString());
    const QString digest = sha256_of_file(path);
    if (digest.isEmpty()) return invalid("cannot read " + path.toStdString());
    return Attachment{path.toStdString(), digest.toStdString(), mime.toStdString(), f.size(),
                      downscaled};
}

void prepare_attachment_async(const QString& file, const QString& work_dir, std::int64_t max_bytes,
                              QObject* context, std::function<void(Result<Attachment>)> done,
                              const Clock& clock) {
    using Answer = Result<Attachment>;
    auto* watcher = new QFutureWatcher<Answer>(context);
    QObject::connect(watcher, &QFutureWatcher<Answer>::finished, context,
                     [watcher, done = std::move(done)] {
                         watcher->deleteLater();
                         done(watcher->result());
                     });
    watcher->setFuture(QtConcurrent::run([file, work_dir, max_bytes, &clock] {
        return prepare_attachment(file, work_dir, max_bytes, 2048, clock);
    }));
}

} // namespace sitevisit::client
