import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import SiteVisit

// Two people changed the same thing: both values, who and when; choose which one stays, or
// type a third.
Page {
    id: page
    objectName: "conflictsPage"
    background: Rectangle { color: Theme.background }

    ConflictsModel {
        id: conflicts
    }

    header: PageHeader {
        title: qsTr("Conflicts")
        onBack: page.StackView.view.pop()
    }

    ListView {
        id: list
        anchors.fill: parent
        anchors.margins: Theme.margin
        spacing: Theme.spacing
        clip: true
        model: conflicts
        header: Label {
            width: ListView.view.width
            visible: conflicts.errorString.length > 0
            height: visible ? implicitHeight + Theme.spacing : 0
            text: conflicts.errorString
            color: Theme.danger
            wrapMode: Text.WordWrap
        }
        delegate: Rectangle {
            id: card
            required property string conflictId
            required property string what
            required property string keptValue
            required property string keptBy
            required property string keptWhen
            required property string otherValue
            required property string otherBy
            required property string otherWhen
            required property string fieldHint
            width: ListView.view.width
            implicitHeight: body.implicitHeight + 2 * Theme.margin
            radius: Theme.radius
            color: Theme.surface
            border.color: Theme.divider
            ColumnLayout {
                id: body
                anchors.fill: parent
                anchors.margins: Theme.margin
                spacing: Theme.spacing
                Label { text: card.what; font.pixelSize: Theme.fontTitle; color: Theme.text; wrapMode: Text.WordWrap; Layout.fillWidth: true }
                GridLayout {
                    Layout.fillWidth: true
                    columns: width > 560 ? 2 : 1
                    Button {
                        Layout.fillWidth: true
                        implicitHeight: Theme.touchTarget * 1.5
                        text: qsTr("Keep “%1”\n%2, %3 (shown now)").arg(card.keptValue).arg(card.keptBy).arg(card.keptWhen)
                        Accessible.name: qsTr("Keep %1 by %2").arg(card.keptValue).arg(card.keptBy)
                        onClicked: conflicts.resolve(card.conflictId, true)
                    }
                    Button {
                        Layout.fillWidth: true
                        implicitHeight: Theme.touchTarget * 1.5
                        text: qsTr("Use “%1”\n%2, %3").arg(card.otherValue).arg(card.otherBy).arg(card.otherWhen)
                        Accessible.name: qsTr("Use %1 by %2").arg(card.otherValue).arg(card.otherBy)
                        onClicked: conflicts.resolve(card.conflictId, false)
                    }
                }
                // Or neither: a third value, checked like any other edit.
                Label {
                    Layout.fillWidth: true
                    text: qsTr("Or neither: type another value. %1.").arg(card.fieldHint)
                    color: Theme.mutedText
                    wrapMode: Text.WordWrap
                }
                RowLayout {
                    Layout.fillWidth: true
                    TextField {
                        id: third
                        Layout.fillWidth: true
                        implicitHeight: Theme.touchTarget
                        placeholderText: card.fieldHint
                        selectByMouse: true
                        Accessible.name: qsTr("Another value for %1").arg(card.what)
                        onAccepted: if (text.trim().length > 0) conflicts.resolveWith(card.conflictId, text)
                    }
                    Button {
                        implicitHeight: Theme.touchTarget
                        text: qsTr("Use this value")
                        enabled: third.text.trim().length > 0
                        Accessible.name: qsTr("Use the value typed for %1").arg(card.what)
                        onClicked: conflicts.resolveWith(card.conflictId, third.text)
                    }
                }
            }
        }
        Label {
            anchors.centerIn: parent
            visible: list.count === 0
            text: qsTr("No open conflicts.")
            color: Theme.mutedText
            font.pixelSize: Theme.fontBody
        }
    }
}
