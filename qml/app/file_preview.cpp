#include "file_preview.h"

#include <QFileInfo>
#include <QPainter>

#ifdef SITEVISIT_HAVE_QTPDF
#include <QPdfDocument>
#endif

namespace sitevisit::app {

namespace {

QString local_path(const QString& urlOrPath) {
    const QUrl url(urlOrPath);
    return url.isLocalFile() ? url.toLocalFile() : urlOrPath;
}

#ifdef SITEVISIT_HAVE_QTPDF
QString load_error(QPdfDocument::Error e) {
    switch (e) {
    case QPdfDocument::Error::None:
        return {};
    case QPdfDocument::Error::FileNotFound:
        return PdfPages::tr("The file is not on this device yet.");
    case QPdfDocument::Error::InvalidFileFormat:
        return PdfPages::tr("The file is not a PDF this app can read.");
    case QPdfDocument::Error::IncorrectPassword:
        return PdfPages::tr("The PDF is protected by a password.");
    case QPdfDocument::Error::UnsupportedSecurityScheme:
        return PdfPages::tr("The PDF uses a protection this app cannot open.");
    default:
        return PdfPages::tr("The PDF could not be read.");
    }
}
#endif

} // namespace

QImage PdfPageProvider::render(const QString& file, int page, QSize size) {
#ifdef SITEVISIT_HAVE_QTPDF
    QPdfDocument doc;
    if (doc.load(local_path(file)) != QPdfDocument::Error::None || page < 0 ||
        page >= doc.pageCount())
        return {};
    const QSizeF points = doc.pagePointSize(page);
    if (points.isEmpty()) return {};
    if (!size.isValid() || size.isEmpty()) {
        // 150 dpi, no side over 2048 px.
        QSizeF px = points * (150.0 / 72.0);
        if (px.width() > 2048 || px.height() > 2048) px.scale(2048, 2048, Qt::KeepAspectRatio);
        size = px.toSize();
    } else {
        // Fit the page inside what was asked for, keeping its shape.
        const int w = size.width() > 0 ? size.width() : 1 << 20,
                  h = size.height() > 0 ? size.height() : 1 << 20;
        size = points.scaled(QSizeF(w, h), Qt::KeepAspectRatio).toSize();
    }
    QImage image = doc.render(page, size);
    if (!image.isNull() && image.hasAlphaChannel()) {
        // PDF pages are paper: white under what the renderer leaves transparent.
        QImage paper(image.size(), QImage::Format_RGB32);
        paper.fill(Qt::white);
        QPainter(&paper).drawImage(0, 0, image);
        return paper;
    }
    return image;
#else
    Q_UNUSED(file);
    Q_UNUSED(page);
    Q_UNUSED(size);
    return {};
#endif
}

QImage PdfPageProvider::requestImage(const QString& id, QSize* size, const QSize& requestedSize) {
    const int slash = id.indexOf(QLatin1Char('/'));
    bool ok = false;
    const int page = slash > 0 ? id.left(slash).toInt(&ok) : -1;
    QImage image =
        ok ? render(QUrl::fromPercentEncoding(id.mid(slash + 1).toUtf8()), page, requestedSize)
           : QImage();
    if (size) *size = image.size();
    return image;
}

bool PdfPages::supported() {
#ifdef SITEVISIT_HAVE_QTPDF
    return true;
#else
    return false;
#endif
}

void PdfPages::setSource(const QUrl& source) {
    if (source == source_) return;
    source_ = source;
    pages_ = 0;
    error_.clear();
    if (!source_.isEmpty()) {
#ifdef SITEVISIT_HAVE_QTPDF
        QPdfDocument doc;
        const QString path = source_.isLocalFile() ? source_.toLocalFile() : source_.toString();
        if (!QFileInfo::exists(path))
            error_ = load_error(QPdfDocument::Error::FileNotFound);
        else if (auto e = doc.load(path); e != QPdfDocument::Error::None)
            error_ = load_error(e);
        else
            pages_ = doc.pageCount();
#else
        error_ = tr("This build cannot show PDFs; open the file with another app.");
#endif
    }
    emit changed();
}

} // namespace sitevisit::app
