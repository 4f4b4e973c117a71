import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import SiteVisit

// The annual reflection; each answer is saved when the field is left.
Page {
    id: page
    property string schoolId
    objectName: "reflectionPage"
    signal openPlan(string schoolId, string planId)
    background: Rectangle { color: Theme.background }

    ReflectionController {
        id: reflection
        schoolId: page.schoolId
    }

    header: PageHeader {
        title: qsTr("Reflection %1").arg(reflection.year)
        onBack: page.StackView.view.pop()
    }

    // For screenshots: the decisions and the submission, at the end.
    function showEnd() { scroll.ScrollBar.vertical.position = 1 - scroll.ScrollBar.vertical.size }

    ScrollView {
        id: scroll
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
                    { field: "stakeholders", label: qsTr("How were stakeholders involved?") },
                    { field: "district_systems", label: qsTr("How do district systems support the plan?") }
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
                Layout.fillWidth: true
                text: qsTr("What continues, is revised or is abandoned? Decide each objective and its initiatives, and say why.")
                font.bold: true
                wrapMode: Text.WordWrap
                color: Theme.text
            }
            Repeater {
                model: reflection.objectives
                ColumnLayout {
                    id: objectiveItem
                    required property var modelData
                    Layout.fillWidth: true
                    Layout.leftMargin: Theme.margin
                    Layout.rightMargin: Theme.margin
                    spacing: Theme.spacing / 2
                    DecisionRow {
                        itemId: objectiveItem.modelData.objectiveId
                        title: objectiveItem.modelData.title
                        decision: objectiveItem.modelData.decision
                        reason: objectiveItem.modelData.reason
                        bold: true
                    }
                    Repeater {
                        model: objectiveItem.modelData.decision === "abandon" ? [] : objectiveItem.modelData.initiatives
                        DecisionRow {
                            required property var modelData
                            Layout.leftMargin: Theme.margin * 2
                            itemId: modelData.initiativeId
                            title: modelData.title
                            decision: modelData.decision
                            reason: modelData.reason
                        }
                    }
                }
            }
            // Submission, then renewal.
            Rectangle {
                Layout.fillWidth: true
                Layout.margins: Theme.margin
                implicitHeight: submitColumn.implicitHeight + 2 * Theme.margin
                color: Theme.surface
                radius: 6
                border.color: Theme.divider
                visible: reflection.planTitle.length > 0
                ColumnLayout {
                    id: submitColumn
                    anchors.fill: parent
                    anchors.margins: Theme.margin
                    spacing: Theme.spacing
                    Label {
                        Layout.fillWidth: true
                        objectName: "reflectionState"
                        wrapMode: Text.WordWrap
                        color: Theme.text
                        font.bold: true
                        text: reflection.submitted
                              ? (reflection.renewedPlanId.length
                                 ? qsTr("Submitted. Renewed as %1.").arg(reflection.renewedPlan)
                                 : qsTr("Submitted. Next year's plan can now be made from these decisions."))
                              : reflection.gaps.length
                                ? qsTr("Before it is submitted:")
                                : qsTr("Ready to submit.")
                    }
                    Repeater {
                        model: reflection.submitted ? [] : reflection.gaps.slice(0, 6)
                        Label {
                            required property string modelData
                            Layout.fillWidth: true
                            text: "• " + modelData
                            wrapMode: Text.WordWrap
                            color: Theme.mutedText
                        }
                    }
                    Label {
                        visible: !reflection.submitted && reflection.gaps.length > 6
                        text: qsTr("and %n more", "", reflection.gaps.length - 6)
                        color: Theme.mutedText
                    }
                    Label {
                        Layout.fillWidth: true
                        visible: reflection.renewal.length > 0
                        text: reflection.renewal
                        wrapMode: Text.WordWrap
                        color: Theme.text
                    }
                    RowLayout {
                        PrimaryButton {
                            objectName: "submitReflection"
                            visible: !reflection.submitted
                            enabled: reflection.editable && reflection.gaps.length === 0
                            text: qsTr("Submit reflection…")
                            onClicked: submitDialog.open()
                        }
                        PrimaryButton {
                            objectName: "renewPlan"
                            visible: reflection.submitted && reflection.renewedPlanId.length === 0
                            enabled: reflection.canRenew
                            text: qsTr("Renew for next year…")
                            onClicked: renewDialog.open()
                        }
                        Button {
                            objectName: "openRenewedPlan"
                            visible: reflection.renewedPlanId.length > 0
                            implicitHeight: Theme.touchTarget
                            text: qsTr("Open next year's plan")
                            onClicked: page.openPlan(page.schoolId, reflection.renewedPlanId)
                        }
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

    // One decision: continue, revise or abandon, and why.
    component DecisionRow: ColumnLayout {
        id: row
        property string itemId
        property string title
        property string decision
        property string reason
        property bool bold: false
        Layout.fillWidth: true
        spacing: 2
        RowLayout {
            Layout.fillWidth: true
            Label { Layout.fillWidth: true; text: row.title; wrapMode: Text.WordWrap; color: Theme.text; font.bold: row.bold }
            ComboBox {
                Layout.preferredWidth: 180
                implicitHeight: Theme.touchTarget
                enabled: reflection.editable
                textRole: "label"
                valueRole: "value"
                model: [{ value: "", label: qsTr("Choose…") }, { value: "continue", label: qsTr("Continue") },
                        { value: "revise", label: qsTr("Revise") }, { value: "abandon", label: qsTr("Abandon") }]
                currentIndex: count > 0 ? Math.max(0, indexOfValue(row.decision)) : 0
                Accessible.name: qsTr("Decision for %1").arg(row.title)
                onActivated: reflection.setDecision(row.itemId, currentValue)
            }
        }
        TextField {
            Layout.fillWidth: true
            enabled: reflection.editable
            text: row.reason
            placeholderText: qsTr("Why?")
            Accessible.name: qsTr("Why, for %1").arg(row.title)
            onEditingFinished: reflection.setReason(row.itemId, text)
        }
    }

    Dialog {
        id: submitDialog
        objectName: "submitReflectionDialog"
        anchors.centerIn: Overlay.overlay
        width: Math.min(page.width - 2 * Theme.margin, 520)
        modal: true
        title: qsTr("Submit the reflection?")
        background: Rectangle { color: Theme.surface; radius: 8; border.color: Theme.divider }
        standardButtons: Dialog.Ok | Dialog.Cancel
        Label {
            width: parent.width
            wrapMode: Text.WordWrap
            color: Theme.text
            text: qsTr("Once submitted, the reflection on %1 no longer changes. The plan can then be renewed for next year from its decisions.").arg(reflection.year)
        }
        onAccepted: reflection.submit()
    }
    Dialog {
        id: renewDialog
        objectName: "renewPlanDialog"
        anchors.centerIn: Overlay.overlay
        width: Math.min(page.width - 2 * Theme.margin, 520)
        modal: true
        title: qsTr("Renew the plan for next year?")
        background: Rectangle { color: Theme.surface; radius: 8; border.color: Theme.divider }
        standardButtons: Dialog.Ok | Dialog.Cancel
        Label {
            width: parent.width
            wrapMode: Text.WordWrap
            color: Theme.text
            text: qsTr("Next year's plan starts as a draft with the objectives and initiatives that continue or are revised. Their benchmarks start again from their latest reading, due a year later. This year's plan stays as it is.")
        }
        onAccepted: {
            const id = reflection.renew()
            if (id.length) page.openPlan(page.schoolId, id)
        }
    }
}
