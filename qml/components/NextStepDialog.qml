import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import SiteVisit

// Makes a next step, or changes one (`stepId` set): a title, what to do, who does it (one of
// `owners`, the people who can see the school) and by when. It writes through `steps` (a
// NextStepsModel) and stays open with the reason when the step is refused.
Dialog {
    id: dialog
    objectName: "nextStepDialog"
    property var steps: null
    property string stepId: ""
    // Links for a new step; empty ones are the list's filters (see NextStepsModel.make).
    property string visit: ""
    property string indicator: ""
    property string benchmark: ""
    // What the step is about, in words ("1.2 Clear expectations"), shown under the title.
    property string about: ""
    readonly property var owners: steps ? steps.owners : []
    signal saved()

    title: stepId ? qsTr("Change the next step") : qsTr("Add a next step")
    modal: true
    background: Rectangle { color: Theme.surface; radius: Theme.radius; border.color: Theme.divider }
    anchors.centerIn: Overlay.overlay
    width: Math.min(560, (parent ? parent.width : 560) - 2 * Theme.margin)

    // Fresh fields for a new step (in two weeks by default), or the step's own.
    function openFor(id) {
        dialog.stepId = id || ""
        const s = id && steps ? steps.step(id) : null
        titleField.text = s ? s.title : ""
        descriptionField.text = s ? s.description : ""
        const ownerId = s ? s.owner : ""
        ownerBox.currentIndex = owners.findIndex(o => o.id === ownerId) // a new step: no one yet
        const due = new Date()
        due.setDate(due.getDate() + 14)
        dueField.date = s ? s.dueDate : dueField.toIso(due)
        errorLabel.text = ""
        if (steps) steps.clearError()
        open()
        titleField.forceActiveFocus()
    }

    function save() {
        if (!steps) return false
        const owner = ownerBox.currentIndex >= 0 && owners.length ? owners[ownerBox.currentIndex].id : ""
        const ok = stepId
                ? steps.edit(stepId, titleField.text, descriptionField.text, owner, dueField.date)
                : steps.make(titleField.text, descriptionField.text, owner, dueField.date,
                             dialog.visit, dialog.indicator, dialog.benchmark)
        if (ok) {
            dialog.close()
            dialog.saved()
        } else {
            errorLabel.text = steps.errorString
        }
        return ok
    }

    ColumnLayout {
        width: parent.width // the dialog's height follows the column's
        spacing: Theme.spacing
        Label {
            Layout.fillWidth: true
            visible: dialog.about.length > 0
            text: dialog.about
            color: Theme.mutedText
            wrapMode: Text.WordWrap
        }
        Label { text: qsTr("What is to be done"); color: Theme.text }
        TextField {
            id: titleField
            objectName: "nextStepTitle"
            Layout.fillWidth: true
            implicitHeight: Theme.touchTarget
            placeholderText: qsTr("Title")
            Accessible.name: qsTr("Title of the next step")
            onAccepted: dialog.save()
        }
        TextArea {
            id: descriptionField
            objectName: "nextStepDescription"
            Layout.fillWidth: true
            Layout.preferredHeight: 96
            wrapMode: TextEdit.Wrap
            placeholderText: qsTr("Details (optional)")
            Accessible.name: qsTr("Details of the next step")
        }
        Label { text: qsTr("Who"); color: Theme.text }
        ComboBox {
            id: ownerBox
            objectName: "nextStepOwner"
            Layout.fillWidth: true
            implicitHeight: Theme.touchTarget
            model: dialog.owners
            textRole: "name"
            displayText: currentIndex >= 0 && currentIndex < dialog.owners.length
                         ? dialog.owners[currentIndex].name + " · " + dialog.owners[currentIndex].role
                         : dialog.owners.length ? qsTr("Choose who will do it")
                                                : qsTr("No one can see this school")
            delegate: ItemDelegate {
                required property var modelData
                required property int index
                width: ListView.view ? ListView.view.width : implicitWidth
                implicitHeight: Theme.touchTarget
                text: modelData.name + " · " + modelData.role
                highlighted: ownerBox.highlightedIndex === index
            }
            Accessible.name: qsTr("Who will do it")
        }
        Label { text: qsTr("By when"); color: Theme.text }
        DateField {
            id: dueField
            objectName: "nextStepDue"
            Layout.fillWidth: true
            Accessible.name: qsTr("Due date: %1").arg(text)
        }
        Label {
            id: errorLabel
            objectName: "nextStepError"
            Layout.fillWidth: true
            visible: text.length > 0
            color: Theme.danger
            wrapMode: Text.WordWrap
        }
    }

    footer: DialogButtonBox {
        Button {
            objectName: "nextStepSave"
            text: dialog.stepId ? qsTr("Save") : qsTr("Add")
            implicitHeight: Theme.touchTarget
            onClicked: dialog.save()
        }
        Button {
            text: qsTr("Cancel")
            implicitHeight: Theme.touchTarget
            onClicked: dialog.close()
        }
    }
}
