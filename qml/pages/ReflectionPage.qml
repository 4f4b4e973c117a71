import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import SiteVisit

// The annual reflection; each answer is saved when the field is left.
Page {
    id: page
    property string schoolId
    objectName: "reflectionPage"
    background: Rectangle { color: Theme.background }

    ReflectionController {
        id: reflection
        schoolId: page.schoolId
    }

    header: PageHeader {
        title: qsTr("Reflection %1").arg(reflection.year)
        onBack: page.StackView.view.pop()
    }

    ScrollView {
        anchors.fill: parent
        contentWidth: availableWidth
        ColumnLayout {
            width: parent.width
            spacing: Theme.spacing
            // The school year reflected on: the current one unless another is chosen.
            RowLayout {
                Layout.fillWidth: true
                Layout.leftMargin: Theme.margin
                Layout.rightMargin: Theme.margin
                Layout.topMargin: Theme.margin
                Label { text: qsTr("School year"); color: Theme.text; font.pixelSize: Theme.fontBody }
                ComboBox {
                    objectName: "reflectionYear"
                    Layout.preferredWidth: 200
                    implicitHeight: Theme.touchTarget
                    model: reflection.years
                    currentIndex: Math.max(0, reflection.years.indexOf(reflection.year))
                    Accessible.name: qsTr("School year of the reflection")
                    onActivated: (index) => reflection.year = reflection.years[index]
                }
                Item { Layout.fillWidth: true }
            }
            Label {
                Layout.fillWidth: true
                Layout.margins: Theme.margin
                text: reflection.planTitle.length ? reflection.planTitle : qsTr("No plan for this school on this device.")
                font.pixelSize: Theme.fontTitle
                color: Theme.text
                wrapMode: Text.WordWrap
            }
            Repeater {
                model: [
                    { field: "worked", label: qsTr("What worked?") },
                    { field: "worked_evidence", label: qsTr("How do you know?") },
                    { field: "not_worked", label: qsTr("What did not work?") },
                    { field: "not_worked_evidence", label: qsTr("How do you know?") },
                    { field: "stakeholders", label: qsTr("How were stakeholders involved?") }
                ]
                ColumnLayout {
                    required property var modelData
                    Layout.fillWidth: true
                    Layout.leftMargin: Theme.margin
                    Layout.rightMargin: Theme.margin
                    Label { text: modelData.label; color: Theme.text; font.pixelSize: Theme.fontBody; font.bold: true }
                    TextArea {
                        Layout.fillWidth: true
                        Layout.minimumHeight: Theme.touchTarget * 2
                        wrapMode: TextEdit.Wrap
                        enabled: reflection.editable
                        text: reflection.answers[modelData.field] || ""
                        placeholderText: qsTr("Write here; it is saved when you move on")
                        Accessible.name: modelData.label
                        onEditingFinished: reflection.setAnswer(modelData.field, text)
                    }
                }
            }
            Label {
                Layout.margins: Theme.margin
                text: qsTr("Each objective: continue, revise or abandon?")
                font.bold: true
                color: Theme.text
            }
            Repeater {
                model: reflection.objectives
                RowLayout {
                    required property var modelData
                    Layout.fillWidth: true
                    Layout.leftMargin: Theme.margin
                    Layout.rightMargin: Theme.margin
                    Label { Layout.fillWidth: true; text: modelData.title; wrapMode: Text.WordWrap; color: Theme.text }
                    ComboBox {
                        Layout.preferredWidth: 200
                        implicitHeight: Theme.touchTarget
                        enabled: reflection.editable
                        textRole: "label"
                        valueRole: "value"
                        model: [{ value: "", label: qsTr("Choose…") }, { value: "continue", label: qsTr("Continue") },
                                { value: "revise", label: qsTr("Revise") }, { value: "abandon", label: qsTr("Abandon") }]
                        currentIndex: count > 0 ? Math.max(0, indexOfValue(modelData.decision)) : 0
                        Accessible.name: qsTr("Decision for %1").arg(modelData.title)
                        onActivated: reflection.setDecision(modelData.objectiveId, currentValue)
                    }
                }
            }
            Label {
                Layout.margins: Theme.margin
                text: reflection.errorString.length ? reflection.errorString
                      : reflection.savedAt.length ? qsTr("Saved on this device at %1").arg(reflection.savedAt) : ""
                color: reflection.errorString.length ? Theme.danger : Theme.mutedText
            }
        }
    }
}
