#pragma once

#include <QImage>
#include <QObject>
#include <QString>
#include <memory>

namespace sitevisit::platform {

// A camera for photos of evidence. While started, preview frames arrive through
// frameChanged(); capture() writes a JPEG into a folder and reports its path through
// captured(), or says what went wrong through failed(). Calls return at once.
class Camera : public QObject {
    Q_OBJECT
public:
    using QObject::QObject;
    ~Camera() override = default;
    // What to call it on screen ("Back camera").
    virtual QString name() const = 0;
    virtual void start() = 0;
    virtual void stop() = 0;
    virtual bool active() const = 0;
    virtual void capture(const QString& folder) = 0;
    // The latest preview frame (null before the first one).
    QImage frame() const { return frame_; }

signals:
    void frameChanged();
    void activeChanged();
    void captured(const QString& path);
    void failed(const QString& message);

protected:
    // A camera stops with no frame, so a reopened preview waits for a fresh one.
    void clearFrame() {
        frame_ = QImage();
        emit frameChanged();
    }
    void setFrame(QImage frame) {
        frame_ = std::move(frame);
        emit frameChanged();
    }

private:
    QImage frame_;
};

// The device's camera through Qt Multimedia, or nullptr when this build has no Qt Multimedia
// or the machine has no camera (the app then offers the file picker only).
std::unique_ptr<Camera> system_camera();

// A stand-in that films a test card with a running clock: for machines without a camera
// (tests, screenshots, demos). Its photos are real JPEG files.
std::unique_ptr<Camera> test_pattern_camera();

// File name for a photo taken now in `folder`: photo-YYYYMMDD-HHMMSS-zzz.jpg (made unique).
QString new_photo_path(const QString& folder);

} // namespace sitevisit::platform
