import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import SiteVisit

ToolBar {
    id: bar
    property string title
    signal back()
    background: Rectangle { color: Theme.primary }
    RowLayout {
        anchors.fill: parent
        ToolButton {
            text: "‹"
            font.pixelSize: Theme.fontHeadline
            implicitWidth: Theme.touchTarget
            implicitHeight: Theme.touchTarget
            contentItem: Label { text: parent.text; color: Theme.textOnPrimary; font: parent.font; horizontalAlignment: Text.AlignHCenter; verticalAlignment: Text.AlignVCenter }
            Accessible.name: qsTr("Back")
            onClicked: bar.back()
        }
        Label {
            Layout.fillWidth: true
            text: bar.title
            color: Theme.textOnPrimary
            font.pixelSize: Theme.fontTitle
            elide: Text.ElideRight
        }
    }
}
