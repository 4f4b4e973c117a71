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
    // The next steps the meeting decided: [{title, owner, due, benchmark}]
    property var steps: []
    readonly property bool stepsReady: steps.every(s => s.title.trim().length > 0 && s.owner.length > 0 && s.due.length > 0)
    function addStep() {
        const owners = plan ? plan.owners : []
        steps = steps.concat([{ title: "", owner: owners.length ? owners[0].id : "", due: "", benchmark: "" }])
    }
    function setStep(index, key, value) {
        const next = steps.slice()
        next[index] = Object.assign({}, next[index])
        next[index][key] = value
        steps = next
    }
    function removeStep(index) {
        const next = steps.slice()
        next.splice(index, 1)
        steps = next
    }
    title: qsTr("Record a monitoring meeting")
    modal: true
    anchors.centerIn: Overlay.overlay
    width: Math.min(640, (parent ? parent.width : 640) - 2 * Theme.margin)
    height: Math.min(implicitHeight, (parent ? parent.height : 800) - 2 * Theme.margin)
    // Drawn here: the style's raised background is a layer effect some renderers leave out.
    background: Rectangle { color: Theme.surface; radius: Theme.radius; border.color: Theme.divider }
    onAboutToShow: {
        chosen = ({})
        steps = []
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
                text: qsTr("Next steps decided")
                color: Theme.text
            }
            Repeater {
                model: dialog.steps.length
                Rectangle {
                    id: stepBox
                    required property int index
                    readonly property var step: dialog.steps[index] || ({})
                    Layout.fillWidth: true
                    implicitHeight: stepForm.implicitHeight + 2 * Theme.spacing
                    color: "transparent"
                    radius: Theme.radius
                    border.color: Theme.divider
                    ColumnLayout {
                        id: stepForm
                        anchors.fill: parent
                        anchors.margins: Theme.spacing
                        RowLayout {
                            Layout.fillWidth: true
                            TextField {
                                objectName: "meetingStepTitle"
                                Layout.fillWidth: true
                                text: stepBox.step.title || ""
                                placeholderText: qsTr("What will be done")
                                Accessible.name: qsTr("Next step %1").arg(stepBox.index + 1)
                                onTextEdited: dialog.setStep(stepBox.index, "title", text)
                            }
                            ToolButton {
                                text: "✕"
                                Accessible.name: qsTr("Remove next step %1").arg(stepBox.index + 1)
                                onClicked: dialog.removeStep(stepBox.index)
                            }
                        }
                        Flow {
                            Layout.fillWidth: true
                            spacing: Theme.spacing
                            ComboBox {
                                width: 220
                                implicitHeight: Theme.touchTarget
                                model: dialog.plan ? dialog.plan.owners : []
                                textRole: "name"
                                valueRole: "id"
                                currentIndex: Math.max(0, indexOfValue(stepBox.step.owner))
                                Accessible.name: qsTr("Who owns it")
                                onActivated: dialog.setStep(stepBox.index, "owner", currentValue)
                            }
                            DateField {
                                width: 200
                                date: stepBox.step.due || ""
                                Accessible.name: qsTr("Due by: %1").arg(text)
                                onPicked: (day) => dialog.setStep(stepBox.index, "due", day)
                            }
                            ComboBox {
                                width: 240
                                implicitHeight: Theme.touchTarget
                                model: [{ benchmarkId: "", measure: qsTr("No benchmark") }].concat(dialog.plan ? dialog.plan.benchmarks : [])
                                textRole: "measure"
                                valueRole: "benchmarkId"
                                currentIndex: Math.max(0, indexOfValue(stepBox.step.benchmark))
                                Accessible.name: qsTr("Benchmark it serves")
                                onActivated: dialog.setStep(stepBox.index, "benchmark", currentValue)
                            }
                        }
                    }
                }
            }
            Button {
                objectName: "addMeetingStep"
                text: qsTr("Add a next step")
                implicitHeight: Theme.touchTarget
                enabled: dialog.plan && dialog.plan.owners.length > 0
                onClicked: dialog.addStep()
            }
            Label {
                Layout.fillWidth: true
                visible: dialog.steps.length > 0 && !dialog.stepsReady
                text: qsTr("Each next step needs what will be done, who owns it and when it is due.")
                color: Theme.mutedText
                wrapMode: Text.WordWrap
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
            enabled: dialog.count > 0 && dialog.stepsReady
            DialogButtonBox.buttonRole: DialogButtonBox.ApplyRole
            onClicked: {
                if (dialog.plan.recordMeeting(meetingDate.date, teamBox.currentValue,
                                              Object.keys(dialog.chosen), dialog.chosen, dialog.steps))
                    dialog.close()
            }
        }
    }
}
