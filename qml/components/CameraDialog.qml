import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import SiteVisit

// The camera, full screen: the preview, a large shutter button, and cancel. The photo taken
// comes back through taken(file); the camera runs only while this is open.
Popup {
    id: dialog
    property bool busy: false
    property string errorText: ""
    signal taken(url file)

    parent: Overlay.overlay
    anchors.centerIn: parent
    width: parent ? parent.width : 800
    height: parent ? parent.height : 1280
    modal: true
    focus: true
    padding: 0
    background: Rectangle { color: "black" }
    onOpened: { errorText = ""; busy = false; App.startCamera(); shutter.forceActiveFocus() }
    onClosed: App.stopCamera()

    Connections {
        target: App
        enabled: dialog.opened
        function onPhotoTaken(file) {
            if (!dialog.busy) return
            dialog.busy = false
            dialog.close()
            dialog.taken(file)
        }
        function onPhotoFailed(message) {
            dialog.busy = false
            dialog.errorText = message
        }
    }

    contentItem: Item {
        CameraView {
            id: view
            anchors.fill: parent
            camera: App.camera
            Accessible.name: qsTr("Camera preview")
        }
        Label {
            anchors.top: parent.top
            anchors.horizontalCenter: parent.horizontalCenter
            anchors.topMargin: Theme.margin
            text: App.cameraName
            color: "white"
            padding: Theme.spacing
            background: Rectangle { color: "#80000000"; radius: Theme.radius }
        }
        Label {
            anchors.centerIn: parent
            visible: !view.hasFrame && dialog.errorText.length === 0
            text: qsTr("Starting the camera…")
            color: "white"
        }
        Label {
            anchors.bottom: controls.top
            anchors.horizontalCenter: parent.horizontalCenter
            anchors.bottomMargin: Theme.margin
            width: Math.min(parent.width - 2 * Theme.margin, 600)
            visible: dialog.errorText.length > 0
            text: dialog.errorText
            color: "white"
            wrapMode: Text.WordWrap
            horizontalAlignment: Text.AlignHCenter
            padding: Theme.spacing
            background: Rectangle { color: Theme.danger; radius: Theme.radius }
        }
        RowLayout {
            id: controls
            anchors.bottom: parent.bottom
            anchors.left: parent.left
            anchors.right: parent.right
            anchors.margins: Theme.margin * 2
            Button {
                id: cancel
                text: qsTr("Cancel")
                implicitHeight: Theme.touchTarget
                implicitWidth: Theme.touchTarget * 2
                Accessible.name: qsTr("Close the camera without a photo")
                onClicked: dialog.close()
                contentItem: Label { text: cancel.text; color: "white"; horizontalAlignment: Text.AlignHCenter; verticalAlignment: Text.AlignVCenter }
                background: Rectangle { radius: height / 2; color: "#60000000"; border.color: "white"; border.width: cancel.visualFocus ? 3 : 1 }
            }
            Item { Layout.fillWidth: true }
            RoundButton {
                id: shutter
                objectName: "shutterButton"
                implicitWidth: 80
                implicitHeight: 80
                enabled: !dialog.busy && view.hasFrame
                Accessible.name: qsTr("Take the photo")
                Keys.onSpacePressed: clicked()
                Keys.onReturnPressed: clicked()
                onClicked: { dialog.busy = true; dialog.errorText = ""; App.takePhoto() }
                background: Rectangle {
                    radius: width / 2
                    color: shutter.down ? "#dddddd" : "white"
                    opacity: shutter.enabled ? 1 : 0.5
                    border.color: shutter.visualFocus ? Theme.primary : "#888888"
                    border.width: 4
                }
                BusyIndicator { anchors.centerIn: parent; running: dialog.busy }
            }
            Item { Layout.fillWidth: true }
            Item { implicitWidth: Theme.touchTarget * 2 } // balances Cancel so the shutter sits centred
        }
    }
}
