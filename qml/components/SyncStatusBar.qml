import QtQuick
import QtQuick.Controls
import QtQuick.Controls.Material
import QtQuick.Layouts
import SiteVisit

// Always visible: what has and has not reached the server, and a way to sync now.
Rectangle {
    id: bar
    property var app
    signal conflictsRequested()
    signal signInRequested()
    signal refusedRequested()
    implicitHeight: Math.max(Theme.touchTarget, row.implicitHeight + Theme.spacing)
    color: Theme.surface
    border.color: Theme.divider

    readonly property color stateColor: {
        switch (bar.app ? bar.app.syncState : "") {
        case "upToDate": return Theme.ok
        case "syncing": return Theme.primary
        case "offline": return Theme.warning
        default: return Theme.danger
        }
    }

    RowLayout {
        id: row
        anchors.fill: parent
        anchors.leftMargin: Theme.margin
        anchors.rightMargin: Theme.spacing
        spacing: Theme.spacing

        Rectangle {
            width: 12; height: 12; radius: 6
            color: bar.stateColor
            Accessible.ignored: true
        }
        ColumnLayout {
            Layout.fillWidth: true
            spacing: 0
            Label {
                Layout.fillWidth: true
                text: bar.app ? bar.app.syncMessage : ""
                color: Theme.text
                font.pixelSize: Theme.fontBody
                elide: Text.ElideRight
                Accessible.name: qsTr("Sync status: %1").arg(text)
            }
            Label {
                Layout.fillWidth: true
                text: bar.app ? qsTr("Last synced %1 · %n open conflict(s)", "", bar.app.openConflicts).arg(bar.app.lastSync) : ""
                color: Theme.mutedText
                font.pixelSize: Theme.fontSmall
                elide: Text.ElideRight
            }
            ProgressBar {
                Layout.fillWidth: true
                visible: bar.app && bar.app.syncState === "syncing"
                value: bar.app ? bar.app.syncProgress : 0
                Accessible.name: qsTr("Sync progress: %1").arg(bar.app ? bar.app.syncDetail : "")
            }
            Label {
                Layout.fillWidth: true
                visible: text.length > 0
                text: bar.app ? bar.app.syncDetail : ""
                color: Theme.mutedText
                font.pixelSize: Theme.fontSmall
                elide: Text.ElideRight
            }
        }
        Button {
            objectName: "refusedButton"
            visible: bar.app && bar.app.refusedChanges > 0
            text: qsTr("Refused (%1)").arg(bar.app ? bar.app.refusedChanges : 0)
            implicitHeight: Theme.touchTarget
            Material.foreground: Theme.danger
            Accessible.name: qsTr("Changes the server refused")
            onClicked: bar.refusedRequested()
        }
        Button {
            visible: bar.app && bar.app.openConflicts > 0
            text: qsTr("Conflicts (%1)").arg(bar.app ? bar.app.openConflicts : 0)
            implicitHeight: Theme.touchTarget
            Accessible.name: qsTr("Open conflicts")
            onClicked: bar.conflictsRequested()
        }
        Button {
            objectName: "signInAgainButton"
            visible: bar.app && bar.app.syncState === "needsSignIn"
            text: qsTr("Sign in")
            font.bold: true
            Material.foreground: Theme.primary
            implicitHeight: Theme.touchTarget
            Accessible.name: qsTr("Sign in again")
            onClicked: bar.signInRequested()
        }
        Button {
            visible: !bar.app || bar.app.syncState !== "needsSignIn"
            text: qsTr("Sync now")
            enabled: bar.app && bar.app.signedIn && bar.app.syncState !== "syncing"
            implicitHeight: Theme.touchTarget
            onClicked: bar.app.syncNow()
            Accessible.name: qsTr("Sync now")
        }
    }
}
