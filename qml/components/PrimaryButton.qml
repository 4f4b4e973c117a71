import QtQuick
import QtQuick.Controls
import SiteVisit

// The one action of a place that stands out (start a visit, verify a step): filled with the
// primary colour, drawn by the app itself so it looks the same under every renderer (the
// Material style's raised background is a layer effect that some renderers leave out).
Button {
    id: control
    implicitHeight: Theme.touchTarget
    contentItem: Label {
        text: control.text
        color: Theme.textOnPrimary
        font.bold: true
        horizontalAlignment: Text.AlignHCenter
        verticalAlignment: Text.AlignVCenter
    }
    background: Rectangle {
        implicitWidth: 64
        radius: Theme.radius
        color: control.down ? Qt.darker(Theme.primary, 1.2) : Theme.primary
        opacity: control.enabled ? 1 : 0.5
        border.width: control.visualFocus ? 2 : 0
        border.color: Theme.text
    }
}
