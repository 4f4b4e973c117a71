import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import SiteVisit

// Next steps filtered by school, visit, indicator or benchmark, with what the signed-in person
// may do to each: start, mark done, verify, return with a note, change, delete; and each
// step's comments, opened when asked for. Overdue steps stand out in colour and in words.
// Self-contained: it keeps its own NextStepsModel and dialogs, so any page can drop it in with
// the filters it needs.
ColumnLayout {
    id: list
    property string school: ""
    property string visit: ""
    property string indicator: ""
    property string benchmark: ""
    // Only the steps for the whole visit (linked to `visit`, no indicator).
    property bool wholeVisit: false
    // What earlier visits (than this visit id) asked that is still to do.
    property string earlierThan: ""
    property string heading: ""
    // Offer "Add a next step" (when the person may make one here).
    property bool canAdd: true
    property string addText: qsTr("Add a next step")
    // What a new step is about, in words, for the dialog.
    property string about: ""
    // Nothing at all to show: no steps and nothing to add.
    // From the conditions, not from addButton.visible (that follows the list's own visibility).
    readonly property bool offersAdd: list.canAdd && list.steps.canMake
    readonly property bool empty: list.steps.count === 0 && !list.offersAdd
        // The dialogs, made the first time they are needed (a visit page holds many lists).
    property NextStepDialog stepDialog: null
    property Dialog returnDialog: null
    property Dialog deleteDialog: null
    Component.onDestruction: {
        for (const d of [list.stepDialog, list.returnDialog, list.deleteDialog])
            if (d) d.destroy()
    }
    function dialogOf(current, component) {
        return current || component.createObject(Overlay.overlay)
    }
    function openStep(id) {
        list.stepDialog = list.dialogOf(list.stepDialog, stepDialogComponent)
        list.stepDialog.openFor(id)
    }
    function askReturn(id, title) {
        list.returnDialog = list.dialogOf(list.returnDialog, returnDialogComponent)
        list.returnDialog.ask(id, title)
    }
    function askDelete(id, title) {
        list.deleteDialog = list.dialogOf(list.deleteDialog, deleteDialogComponent)
        list.deleteDialog.ask(id, title)
    }
    spacing: Theme.spacing
    visible: !empty

    // The steps shown: its own NextStepsModel over the filters (tests give a stand-in with the
    // same roles and invokables).
    property var steps: ownSteps
    NextStepsModel {
        id: ownSteps
        schoolId: list.school
        visitId: list.visit
        indicatorId: list.indicator
        benchmarkId: list.benchmark
        wholeVisitOnly: list.wholeVisit
        earlierThan: list.earlierThan
    }

    function dayInWords(iso) {
        const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso)
        return m ? new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]))
                       .toLocaleDateString(Qt.locale(), Locale.ShortFormat)
                 : iso
    }

    Label {
        Layout.fillWidth: true
        visible: list.heading.length > 0 && (list.steps.count > 0 || list.offersAdd)
        text: list.heading + (list.steps.overdueCount > 0 ? " · " + qsTr("%n overdue", "", list.steps.overdueCount) : "")
        font.bold: true
        color: Theme.text
        wrapMode: Text.WordWrap
    }

    Repeater {
        model: list.steps
        delegate: Rectangle {
            id: row
            required property string stepId
            required property string title
            required property string description
            required property string ownerName
            required property string dueDate
            required property string statusLabel
            required property string status
            required property string returnNote
            required property bool overdue
            required property string indicatorCode
            required property bool canWork
            required property bool canVerify
            required property bool canEdit
            required property int comments
            objectName: "nextStep_" + stepId
            Layout.fillWidth: true
            implicitHeight: content.implicitHeight + 2 * Theme.spacing
            radius: Theme.radius
            color: Theme.background
            border.width: overdue ? 2 : 1
            border.color: overdue ? Theme.danger : Theme.divider
            Accessible.role: Accessible.StaticText
            Accessible.name: (overdue ? qsTr("Overdue: ") : "") + title + ". " + statusLabel
                             + ". " + qsTr("%1, due %2").arg(ownerName).arg(list.dayInWords(dueDate))

            // Plain positioners: a wrapped title sizes the card without a layout pass.
            Column {
                id: content
                x: Theme.spacing
                y: Theme.spacing
                width: parent.width - 2 * Theme.spacing
                spacing: 4
                Row {
                    spacing: Theme.spacing
                    Label {
                        objectName: "overdueTag"
                        visible: row.overdue
                        text: qsTr("Overdue")
                        color: Theme.textOnStatus
                        font.bold: true
                        font.pixelSize: Theme.fontSmall
                        leftPadding: Theme.spacing
                        rightPadding: Theme.spacing
                        topPadding: 2
                        bottomPadding: 2
                        background: Rectangle { radius: height / 2; color: Theme.danger }
                    }
                    Label {
                        text: row.statusLabel
                        color: row.status === "verified" ? Theme.ok
                             : row.status === "returned" ? Theme.warning : Theme.mutedText
                        font.bold: true
                        font.pixelSize: Theme.fontSmall
                    }
                }
                Label {
                    width: parent.width
                    text: (row.indicatorCode && !list.indicator ? row.indicatorCode + "  " : "") + row.title
                    color: Theme.text
                    font.pixelSize: Theme.fontBody
                    wrapMode: Text.WordWrap
                }
                Label {
                    width: parent.width
                    text: qsTr("%1 · due %2").arg(row.ownerName).arg(list.dayInWords(row.dueDate))
                    color: row.overdue ? Theme.danger : Theme.mutedText
                    font.pixelSize: Theme.fontSmall
                    wrapMode: Text.WordWrap
                }
                Label {
                    width: parent.width
                    visible: row.description.length > 0
                    text: row.description
                    color: Theme.text
                    font.pixelSize: Theme.fontSmall
                    wrapMode: Text.WordWrap
                }
                Label {
                    width: parent.width
                    visible: row.status === "returned" && row.returnNote.length > 0
                    text: qsTr("Returned: %1").arg(row.returnNote)
                    color: Theme.warning
                    font.pixelSize: Theme.fontSmall
                    wrapMode: Text.WordWrap
                }
                Flow {
                    width: parent.width
                    spacing: Theme.spacing
                    Button {
                        objectName: "startStep"
                        visible: row.canWork && (row.status === "open" || row.status === "returned")
                        text: qsTr("Start")
                        implicitHeight: Theme.touchTarget
                        Accessible.name: qsTr("Mark %1 in progress").arg(row.title)
                        onClicked: list.steps.start(row.stepId)
                    }
                    Button {
                        objectName: "doneStep"
                        visible: row.canWork && row.status !== "done" && row.status !== "verified"
                        text: qsTr("Mark done")
                        implicitHeight: Theme.touchTarget
                        Accessible.name: qsTr("Mark %1 done").arg(row.title)
                        onClicked: list.steps.markDone(row.stepId)
                    }
                    PrimaryButton {
                        objectName: "verifyStep"
                        visible: row.canVerify && row.status === "done"
                        text: qsTr("Verify")
                        Accessible.name: qsTr("Verify %1").arg(row.title)
                        onClicked: list.steps.verify(row.stepId)
                    }
                    Button {
                        objectName: "returnStep"
                        visible: row.canVerify && row.status === "done"
                        text: qsTr("Return…")
                        implicitHeight: Theme.touchTarget
                        Accessible.name: qsTr("Return %1 with a note").arg(row.title)
                        onClicked: list.askReturn(row.stepId, row.title)
                    }
                    Button {
                        objectName: "editStep"
                        visible: row.canEdit && row.status !== "verified"
                        text: qsTr("Change…")
                        flat: true
                        implicitHeight: Theme.touchTarget
                        Accessible.name: qsTr("Change %1").arg(row.title)
                        onClicked: list.openStep(row.stepId)
                    }
                    Button {
                        objectName: "deleteStep"
                        visible: row.canEdit && row.status !== "verified"
                        text: qsTr("Delete…")
                        flat: true
                        implicitHeight: Theme.touchTarget
                        Accessible.name: qsTr("Delete %1").arg(row.title)
                        onClicked: list.askDelete(row.stepId, row.title)
                    }
                    Button {
                        id: showComments
                        objectName: "stepComments"
                        flat: true
                        checkable: true
                        implicitHeight: Theme.touchTarget
                        // Drawn here: a flat, checkable Material button draws a bar under its text.
                        background: Rectangle {
                            radius: Theme.radius
                            color: showComments.checked || showComments.down ? Theme.divider : "transparent"
                            border.width: showComments.visualFocus ? 2 : 0
                            border.color: Theme.primary
                        }
                        text: checked ? qsTr("Hide comments") : qsTr("Comments (%1)").arg(row.comments)
                        Accessible.name: checked ? qsTr("Hide the comments on %1").arg(row.title)
                                                 : qsTr("Comments on %1: %2").arg(row.title).arg(row.comments)
                    }
                }
                // The step's comments, made only when asked for.
                Loader {
                    objectName: "stepCommentsView"
                    width: parent.width
                    active: showComments.checked
                    visible: active
                    sourceComponent: Comments {
                        targetEntity: "next_step"
                        target: row.stepId
                    }
                }
            }
        }
    }

    Label {
        objectName: "nextStepsError"
        Layout.fillWidth: true
        visible: list.steps.errorString.length > 0 && !(list.stepDialog && list.stepDialog.opened)
                 && !(list.returnDialog && list.returnDialog.opened)
        text: list.steps.errorString
        color: Theme.danger
        wrapMode: Text.WordWrap
    }

    Button {
        id: addButton
        objectName: "addNextStep"
        visible: list.offersAdd
        text: list.addText
        implicitHeight: Theme.touchTarget
        Accessible.name: list.about ? qsTr("Add a next step for %1").arg(list.about) : list.addText
        onClicked: list.openStep("")
    }

    Component {
        id: stepDialogComponent
        NextStepDialog {
            steps: list.steps
            about: list.about
        }
    }

    Component {
        id: returnDialogComponent
        Dialog {
            id: returnDialog
            objectName: "returnStepDialog"
            property string stepId
            property string stepTitle
            anchors.centerIn: parent
            width: Math.min(520, (parent ? parent.width : 520) - 2 * Theme.margin)
            modal: true
            background: Rectangle { color: Theme.surface; radius: Theme.radius; border.color: Theme.divider }
            title: qsTr("Return the step")
            function ask(id, title) {
                stepId = id
                stepTitle = title
                note.text = ""
                returnError.text = ""
                open()
                note.forceActiveFocus()
            }
            ColumnLayout {
                width: parent.width
                spacing: Theme.spacing
                Label {
                    Layout.fillWidth: true
                    text: qsTr("What is still missing from “%1”? The owner sees this note.").arg(returnDialog.stepTitle)
                    wrapMode: Text.WordWrap
                    color: Theme.text
                }
                TextArea {
                    id: note
                    objectName: "returnNote"
                    Layout.fillWidth: true
                    Layout.preferredHeight: 96
                    wrapMode: TextEdit.Wrap
                    placeholderText: qsTr("A note is required")
                    Accessible.name: qsTr("Why the step is returned")
                }
                Label {
                    id: returnError
                    Layout.fillWidth: true
                    visible: text.length > 0
                    color: Theme.danger
                    wrapMode: Text.WordWrap
                }
            }
            footer: DialogButtonBox {
                Button {
                    objectName: "returnStepConfirm"
                    text: qsTr("Return")
                    implicitHeight: Theme.touchTarget
                    enabled: note.text.trim().length > 0
                    onClicked: {
                        if (list.steps.sendBack(returnDialog.stepId, note.text)) returnDialog.close()
                        else returnError.text = list.steps.errorString
                    }
                }
                Button {
                    text: qsTr("Cancel")
                    implicitHeight: Theme.touchTarget
                    onClicked: returnDialog.close()
                }
            }
        }
    }

    Component {
        id: deleteDialogComponent
        Dialog {
            id: deleteDialog
            objectName: "deleteStepDialog"
            property string stepId
            property string stepTitle
            anchors.centerIn: parent
            modal: true
            background: Rectangle { color: Theme.surface; radius: Theme.radius; border.color: Theme.divider }
            title: qsTr("Delete this next step?")
            standardButtons: Dialog.Yes | Dialog.No
            function ask(id, title) {
                stepId = id
                stepTitle = title
                open()
            }
            Label {
                width: 360
                wrapMode: Text.WordWrap
                text: qsTr("“%1” will be gone for everyone.").arg(deleteDialog.stepTitle)
            }
            onAccepted: list.steps.remove(deleteDialog.stepId)
        }
    }
}
