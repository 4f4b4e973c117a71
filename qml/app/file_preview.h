#pragma once

#include <QObject>
#include <QQmlEngine>
#include <QQuickImageProvider>
#include <QUrl>

namespace sitevisit::app {

// Pages of PDF evidence as images for QML: "image://pdf/<page>/<file URL>" renders page
// <page> (from 0) of the file at the size the Image asks for (its sourceSize), else at 150 dpi
// capped to 2048 px. Rendered with Qt PDF where this build has it; otherwise, and for a file
// that cannot be read, the provider returns an empty image and PdfPages says why.
class PdfPageProvider : public QQuickImageProvider {
public:
    PdfPageProvider() : QQuickImageProvider(QQuickImageProvider::Image) {}
    QImage requestImage(const QString& id, QSize* size, const QSize& requestedSize) override;

    // The same, for C++ callers and tests.
    static QImage render(const QString& file, int page, QSize size);
};

// What QML needs to page through a PDF: how many pages it has and, if it cannot be shown,
// why in words a person can act on.
class PdfPages : public QObject {
    Q_OBJECT
    QML_ELEMENT
    Q_PROPERTY(QUrl source READ source WRITE setSource NOTIFY changed)
    Q_PROPERTY(int pageCount READ pageCount NOTIFY changed)
    Q_PROPERTY(QString errorString READ errorString NOTIFY changed)
    Q_PROPERTY(bool supported READ supported CONSTANT)
public:
    explicit PdfPages(QObject* parent = nullptr) : QObject(parent) {}
    QUrl source() const { return source_; }
    void setSource(const QUrl& source);
    int pageCount() const { return pages_; }
    QString errorString() const { return error_; }
    // This build can render PDFs.
    static bool supported();

signals:
    void changed();

private:
    QUrl source_;
    int pages_ = 0;
    QString error_;
};

} // namespace sitevisit::app
