#include "camera_view.h"

#include "sitevisit/platform/camera.h"

#include <QPainter>

namespace sitevisit::app {

QObject* CameraView::camera() const {
    return camera_.data();
}

void CameraView::setCamera(QObject* camera) {
    auto* c = qobject_cast<platform::Camera*>(camera);
    if (c == camera_) return;
    if (camera_) disconnect(camera_, nullptr, this, nullptr);
    camera_ = c;
    if (camera_)
        connect(camera_, &platform::Camera::frameChanged, this, [this] {
            update();
            emit frameChanged();
        });
    emit cameraChanged();
    update();
}

bool CameraView::hasFrame() const {
    return camera_ && !camera_->frame().isNull();
}

void CameraView::paint(QPainter* painter) {
    painter->fillRect(boundingRect(), Qt::black);
    if (!camera_) return;
    const QImage frame = camera_->frame();
    if (frame.isNull()) return;
    QSizeF fitted = frame.size();
    fitted.scale(size(), Qt::KeepAspectRatio);
    const QRectF target((width() - fitted.width()) / 2, (height() - fitted.height()) / 2,
                        fitted.width(), fitted.height());
    painter->setRenderHint(QPainter::SmoothPixmapTransform);
    painter->drawImage(target, frame);
}

} // namespace sitevisit::app
