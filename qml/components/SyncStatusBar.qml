import QtQuick
import QtQuick.Controls
import QtQuick.Controls.Material
import QtQuick.Layouts
import SiteVisit

// Always visible: what has and has not reached the server, and a way to sync now. It shows what
// it is given (Main.qml binds it to the App singleton; tests give it values); the words come
// from C++ (AppController::syncMessage), the state as the sync engine's enum.
Rectangle {
    id: bar
    property int syncState: SyncEngine.Offline
    property string message: ""
    property string lastSync: ""
    property int pendingChanges: 0
    property int openConflicts: 0
    property int refusedChanges: 0
    // Changes the server holds back until the app is updated (a newer data schema's).
    property int heldChanges: 0
    property real progress: 0
    property string detail: ""
    property bool signedIn: false
    signal conflictsRequested()
    signal signInRequested()
    signal refusedRequested()
    signal syncRequested()
    implicitHeight: Math.max(Theme.touchTarget, row.implicitHeight + Theme.spacing)
    color: Theme.surface
    border.color: Theme.divider

    readonly property color stateColor: {
        switch (bar.syncState) {
        // Reachable, but something is not on the server yet: not green until it is.
        case SyncEngine.UpToDate: return bar.pendingChanges > 0 ? Theme.warning : Theme.ok
        case SyncEngine.Syncing: return Theme.primary
        case SyncEngine.Offline: return Theme.warning
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
                text: bar.message
                color: Theme.text
                font.pixelSize: Theme.fontBody
                elide: Text.ElideRight
                Accessible.name: qsTr("Sync status: %1").arg(text)
            }
            Label {
                objectName: "lastSyncLabel"
                Layout.fillWidth: true
                text: qsTr("Last synced %1 · %n open conflict(s)", "", bar.openConflicts).arg(bar.lastSync)
                color: Theme.mutedText
                font.pixelSize: Theme.fontSmall
                elide: Text.ElideRight
            }
            Label {
                objectName: "heldLabel"
                Layout.fillWidth: true
                visible: bar.heldChanges > 0
                text: visible ? qsTr("Update the app to see %n newer item(s)", "", bar.heldChanges) : ""
                color: Theme.warning
                font.pixelSize: Theme.fontSmall
                font.bold: true
                elide: Text.ElideRight
            }
            ProgressBar {
                Layout.fillWidth: true
                visible: bar.syncState === SyncEngine.Syncing
                value: bar.progress
                Accessible.name: qsTr("Sync progress: %1").arg(bar.detail)
            }
            Label {
                Layout.fillWidth: true
                visible: text.length > 0
                text: bar.detail
                color: Theme.mutedText
                font.pixelSize: Theme.fontSmall
                elide: Text.ElideRight
            }
        }
        Button {
            objectName: "refusedButton"
            visible: bar.refusedChanges > 0
            text: qsTr("Refused (%1)").arg(bar.refusedChanges)
            implicitHeight: Theme.touchTarget
            Material.foreground: Theme.danger
            Accessible.name: qsTr("Changes the server refused")
            onClicked: bar.refusedRequested()
        }
        Button {
            visible: bar.openConflicts > 0
            text: qsTr("Conflicts (%1)").arg(bar.openConflicts)
            implicitHeight: Theme.touchTarget
            Accessible.name: qsTr("Open conflicts")
            onClicked: bar.conflictsRequested()
        }
        Button {
            objectName: "signInAgainButton"
            visible: bar.syncState === SyncEngine.NeedsSignIn
            text: qsTr("Sign in")
            font.bold: true
            Material.foreground: Theme.primary
            implicitHeight: Theme.touchTarget
            Accessible.name: qsTr("Sign in again")
            onClicked: bar.signInRequested()
        }
        Button {
            objectName: "syncNowButton"
            visible: bar.syncState !== SyncEngine.NeedsSignIn
            text: qsTr("Sync now")
            enabled: bar.signedIn && bar.syncState !== SyncEngine.Syncing
            implicitHeight: Theme.touchTarget
            onClicked: bar.syncRequested()
            Accessible.name: qsTr("Sync now")
        }
    }
}
