#include "sitevisit/platform/camera.h"

#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QPainter>
#include <QTimer>

#ifdef SITEVISIT_HAVE_QTMULTIMEDIA
#include <QCamera>
#include <QImageCapture>
#include <QMediaCaptureSession>
#include <QMediaDevices>
#include <QVideoFrame>
#include <QVideoSink>
#endif

namespace sitevisit::platform {

QString new_photo_path(const QString& folder) {
    const QString stem = QStringLiteral("photo-") + QDateTime::currentDateTime().toString(
                                                        QStringLiteral("yyyyMMdd-HHmmss-zzz"));
    QString path = QDir(folder).filePath(stem + QStringLiteral(".jpg"));
    for (int n = 2; QFileInfo::exists(path); ++n)
        path = QDir(folder).filePath(stem + QStringLiteral("-%1.jpg").arg(n));
    return path;
}

namespace {

bool make_folder(const QString& folder, QString* error) {
    if (QDir().mkpath(folder)) return true;
    *error = Camera::tr("Cannot save photos in %1: the folder cannot be created.").arg(folder);
    return false;
}

// Draws a test card (colour bars, a circle and the time) at 15 frames a second.
class TestPatternCamera final : public Camera {
public:
    TestPatternCamera() {
        timer_.setInterval(66);
        connect(&timer_, &QTimer::timeout, this, [this] { setFrame(draw()); });
    }
    QString name() const override { return tr("Test card (no camera on this device)"); }
    bool active() const override { return timer_.isActive(); }
    void start() override {
        if (timer_.isActive()) return;
        setFrame(draw());
        timer_.start();
        emit activeChanged();
    }
    void stop() override {
        if (!timer_.isActive()) return;
        timer_.stop();
        clearFrame();
        emit activeChanged();
    }
    void capture(const QString& folder) override {
        QString error;
        if (!make_folder(folder, &error)) {
            emit failed(error);
            return;
        }
        const QString path = new_photo_path(folder);
        // A full-size photo, like a phone's: 3000 x 2000.
        if (!draw(QSize(3000, 2000)).save(path, "JPEG", 90)) {
            emit failed(tr("The photo could not be written to %1.").arg(path));
            return;
        }
        // Reported from the event loop, as a real camera does.
        QTimer::singleShot(0, this, [this, path] { emit captured(path); });
    }

private:
    QImage draw(QSize size = QSize(960, 640)) const {
        QImage img(size, QImage::Format_RGB32);
        QPainter p(&img);
        const QColor bars[] = {Qt::white,   Qt::yellow, Qt::cyan, Qt::green,
                               Qt::magenta, Qt::red,    Qt::blue, Qt::black};
        const int w = size.width() / 8;
        for (int i = 0; i < 8; ++i)
            p.fillRect(i * w, 0, i == 7 ? size.width() - 7 * w : w, size.height(), bars[i]);
        const qint64 ms = QDateTime::currentMSecsSinceEpoch();
        const int r = size.height() / 4;
        const double phase = (ms % 4000) / 4000.0;
        p.setRenderHint(QPainter::Antialiasing);
        p.setBrush(QColor(30, 30, 30));
        p.setPen(QPen(Qt::white, size.height() / 100.0));
        p.drawEllipse(QPointF(size.width() * (0.2 + 0.6 * phase), size.height() / 2.0), r, r);
        QFont f;
        f.setPixelSize(size.height() / 12);
        p.setFont(f);
        p.setPen(Qt::white);
        p.fillRect(0, size.height() - size.height() / 6, size.width(), size.height() / 6,
                   QColor(0, 0, 0, 180));
        p.drawText(QRect(0, size.height() - size.height() / 6, size.width(), size.height() / 6),
                   Qt::AlignCenter,
                   QDateTime::currentDateTime().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")));
        return img;
    }
    QTimer timer_;
};

#ifdef SITEVISIT_HAVE_QTMULTIMEDIA
// The default camera: preview frames from a video sink (at most 15 a second), photos through
// QImageCapture.
class MultimediaCamera final : public Camera {
public:
    explicit MultimediaCamera(const QCameraDevice& device)
        : camera_(device), name_(device.description()) {
        session_.setCamera(&camera_);
        session_.setImageCapture(&capture_);
        session_.setVideoSink(&sink_);
        connect(&sink_, &QVideoSink::videoFrameChanged, this, [this](const QVideoFrame& frame) {
            const qint64 now = QDateTime::currentMSecsSinceEpoch();
            if (now - last_frame_ms_ < 66) return;
            last_frame_ms_ = now;
            setFrame(frame.toImage());
        });
        connect(&camera_, &QCamera::activeChanged, this, &Camera::activeChanged);
        connect(&camera_, &QCamera::errorOccurred, this,
                [this](QCamera::Error, const QString& message) {
                    emit failed(tr("The camera stopped: %1").arg(message));
                });
        connect(&capture_, &QImageCapture::imageSaved, this,
                [this](int, const QString& path) { emit captured(path); });
        connect(&capture_, &QImageCapture::errorOccurred, this,
                [this](int, QImageCapture::Error, const QString& message) {
                    emit failed(tr("The photo was not taken: %1").arg(message));
                });
    }
    QString name() const override { return name_; }
    bool active() const override { return camera_.isActive(); }
    void start() override { camera_.start(); }
    void stop() override {
        camera_.stop();
        clearFrame();
    }
    void capture(const QString& folder) override {
        QString error;
        if (!make_folder(folder, &error)) {
            emit failed(error);
            return;
        }
        if (!capture_.isReadyForCapture()) {
            emit failed(tr("The camera is not ready yet; try again in a moment."));
            return;
        }
        capture_.setFileFormat(QImageCapture::JPEG);
        capture_.captureToFile(new_photo_path(folder));
    }

private:
    QCamera camera_;
    QMediaCaptureSession session_;
    QImageCapture capture_;
    QVideoSink sink_;
    QString name_;
    qint64 last_frame_ms_ = 0;
};
#endif

} // namespace

std::unique_ptr<Camera> system_camera() {
#ifdef SITEVISIT_HAVE_QTMULTIMEDIA
    const QCameraDevice device = QMediaDevices::defaultVideoInput();
    if (!device.isNull()) return std::make_unique<MultimediaCamera>(device);
#endif
    return nullptr;
}

std::unique_ptr<Camera> test_pattern_camera() {
    return std::make_unique<TestPatternCamera>();
}

} // namespace sitevisit::platform
