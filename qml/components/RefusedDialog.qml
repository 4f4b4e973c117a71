import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import SiteVisit

// Changes the server would not take, each with what it was and the server's reason. The
// device keeps its own values; dismissing only clears the list once it has been read.
Dialog {
    id: dialog
    property var items: []
    objectName: "refusedDialog"
    title: qsTr("Changes the server refused")
    modal: true
    parent: Overlay.overlay
    background: Rectangle { color: Theme.surface; radius: Theme.radius; border.color: Theme.divider }
    height: Math.min(implicitHeight, parent ? parent.height - 2 * Theme.margin : 800)
    onAboutToShow: dialog.items = App.refusedList()

    contentItem: ColumnLayout {
        spacing: Theme.spacing
        Label {
            Layout.fillWidth: true
            text: qsTr("These edits stay on this device but did not reach the server, so others do not see them. Talk to the person who can change them there, or make the change again once it is allowed.")
            wrapMode: Text.WordWrap
            color: Theme.mutedText
        }
        ListView {
            id: list
            Layout.fillWidth: true
            Layout.fillHeight: true
            Layout.preferredHeight: contentHeight
            Layout.minimumHeight: Math.min(contentHeight, 120)
            clip: true
            spacing: Theme.spacing
            model: dialog.items
            delegate: ColumnLayout {
                required property var modelData
                width: ListView.view.width
                spacing: 2
                Label { Layout.fillWidth: true; text: modelData.what; font.bold: true; color: Theme.text; wrapMode: Text.WordWrap }
                Label { Layout.fillWidth: true; text: modelData.change; color: Theme.text; wrapMode: Text.WordWrap }
                Label { Layout.fillWidth: true; text: modelData.reason; color: Theme.danger; wrapMode: Text.WordWrap }
            }
        }
    }
    footer: DialogButtonBox {
        Button {
            text: qsTr("Dismiss")
            implicitHeight: Theme.touchTarget
            Accessible.name: qsTr("Dismiss the refused changes")
            DialogButtonBox.buttonRole: DialogButtonBox.AcceptRole
        }
        Button {
            text: qsTr("Close")
            implicitHeight: Theme.touchTarget
            Accessible.name: qsTr("Close")
            DialogButtonBox.buttonRole: DialogButtonBox.RejectRole
        }
    }
    onAccepted: App.dismissRefused()
}
