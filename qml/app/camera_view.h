#pragma once

#include <QPointer>
#include <QQmlEngine>
#include <QQuickPaintedItem>

namespace sitevisit::platform {
class Camera;
}

namespace sitevisit::app {

// The camera's preview in the scene: the latest frame, fitted into the item.
class CameraView : public QQuickPaintedItem {
    Q_OBJECT
    QML_ELEMENT
    Q_PROPERTY(QObject* camera READ camera WRITE setCamera NOTIFY cameraChanged)
    Q_PROPERTY(bool hasFrame READ hasFrame NOTIFY frameChanged)
public:
    explicit CameraView(QQuickItem* parent = nullptr) : QQuickPaintedItem(parent) {}
    QObject* camera() const;
    void setCamera(QObject* camera);
    bool hasFrame() const;
    void paint(QPainter* painter) override;

signals:
    void cameraChanged();
    void frameChanged();

private:
    QPointer<platform::Camera> camera_;
};

} // namespace sitevisit::app
