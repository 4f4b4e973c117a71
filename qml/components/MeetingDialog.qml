import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import SiteVisit

// A monitoring meeting of one of the school's teams: when, which team, the benchmarks it
// reviewed with a note each. Stays open with the reason when the meeting is refused.
Dialog {
    id: dialog
    objectName: "meetingDialog"
    property var plan: null
    property var chosen: ({}) // benchmark id -> note ("" until written)
    readonly property int count: Object.keys(chosen).length
    title: qsTr("Record a monitoring meeting")
    modal: true
    anchors.centerIn: Overlay.overlay
    width: Math.min(640, (parent ? parent.width : 640) - 2 * Theme.margin)
    height: Math.min(implicitHeight, (parent ? parent.height : 800) - 2 * Theme.margin)
    // Drawn here: the style's raised background is a layer effect some renderers leave out.
    background: Rectangle { color: Theme.surface; radius: Theme.radius; border.color: Theme.divider }
    onAboutToShow: {
        chosen = ({})
        teamBox.currentIndex = 0
        meetingDate.date = Qt.formatDate(new Date(), "yyyy-MM-dd")
    }
    function toggle(id, on) {
        const next = Object.assign({}, chosen)
        if (on) next[id] = next[id] || ""
        else delete next[id]
        chosen = next
    }
    function setNote(id, text) {
        const next = Object.assign({}, chosen)
        next[id] = text
        chosen = next
    }

    contentItem: ScrollView {
        id: scroll
        clip: true
        contentWidth: availableWidth
        implicitHeight: form.implicitHeight
        ColumnLayout {
            id: form
            width: scroll.availableWidth
            spacing: Theme.spacing
            Label { text: qsTr("When"); color: Theme.text }
            DateField {
                id: meetingDate
                objectName: "meetingDateField"
                Layout.preferredWidth: 280
                Accessible.name: qsTr("Date of the meeting: %1").arg(text)
            }
            Label { text: qsTr("Which team"); color: Theme.text }
            ComboBox {
                id: teamBox
                objectName: "meetingTeamBox"
                Layout.fillWidth: true
                implicitHeight: Theme.touchTarget
                model: dialog.plan ? dialog.plan.meetingTeams : []
                textRole: "label"
                valueRole: "value"
                Accessible.name: qsTr("Team that met")
            }
            Label {
                text: qsTr("Benchmarks reviewed")
                color: Theme.text
            }
            Label {
                Layout.fillWidth: true
                visible: !dialog.plan || dialog.plan.benchmarks.length === 0
                text: qsTr("The plan has no benchmarks yet.")
                color: Theme.mutedText
                wrapMode: Text.WordWrap
            }
            Repeater {
                model: dialog.plan ? dialog.plan.benchmarks : []
                ColumnLayout {
                    required property var modelData
                    readonly property bool on: dialog.chosen[modelData.benchmarkId] !== undefined
                    Layout.fillWidth: true
                    spacing: 0
                    CheckBox {
                        Layout.fillWidth: true
                        text: modelData.measure
                        checked: parent.on
                        implicitHeight: Theme.touchTarget
                        onToggled: dialog.toggle(modelData.benchmarkId, checked)
                    }
                    TextField {
                        Layout.fillWidth: true
                        Layout.leftMargin: Theme.touchTarget
                        visible: parent.on
                        placeholderText: qsTr("What the team saw (optional)")
                        onTextEdited: dialog.setNote(modelData.benchmarkId, text)
                        Accessible.name: qsTr("Note on %1").arg(modelData.measure)
                    }
                }
            }
            Label {
                Layout.fillWidth: true
                visible: text.length > 0
                text: dialog.plan ? dialog.plan.errorString : ""
                color: Theme.danger
                wrapMode: Text.WordWrap
            }
        }
    }
    footer: DialogButtonBox {
        Button {
            text: qsTr("Cancel")
            DialogButtonBox.buttonRole: DialogButtonBox.RejectRole
        }
        Button {
            objectName: "recordMeetingButton"
            text: qsTr("Record")
            enabled: dialog.count > 0
            DialogButtonBox.buttonRole: DialogButtonBox.ApplyRole
            onClicked: {
                if (dialog.plan.recordMeeting(meetingDate.date, teamBox.currentValue,
                                              Object.keys(dialog.chosen), dialog.chosen))
                    dialog.close()
            }
        }
    }
}
