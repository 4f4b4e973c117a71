import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import SiteVisit

// A school: whether each benchmark is on track, and its visits.
Page {
    id: page
    property string schoolId
    signal openVisit(string visitId)
    signal openEvidence(string schoolId)
    signal openReflection(string schoolId)
    objectName: "schoolPage"
    title: school.name
    background: Rectangle { color: Theme.background }

    SchoolController {
        id: school
        schoolId: page.schoolId
    }
    EvidenceModel {
        id: readings // records readings through the same view model as evidence
        schoolId: page.schoolId
    }

    function newVisit() { newVisit.open() }

    StartVisitDialog {
        id: newVisit
        parent: Overlay.overlay
        anchors.centerIn: parent
        width: Math.min(page.width - 2 * Theme.margin, 480)
        kinds: school.visitKinds
        create: (kind, date) => {
            const id = school.startVisit(kind, date)
            newVisit.errorText = id.length ? "" : school.errorString()
            return id
        }
        onCreated: (id, today) => { if (today) page.openVisit(id) }
    }

    header: PageHeader {
        title: school.name
        onBack: page.StackView.view.pop()
    }

    ScrollView {
        anchors.fill: parent
        contentWidth: availableWidth
        ColumnLayout {
            width: parent.width
            spacing: Theme.spacing
            RowLayout {
                Layout.leftMargin: Theme.margin
                Layout.topMargin: Theme.margin
                Button {
                    text: qsTr("Evidence")
                    implicitHeight: Theme.touchTarget
                    Accessible.name: qsTr("Evidence of this school")
                    onClicked: page.openEvidence(page.schoolId)
                }
                Button {
                    text: qsTr("Annual reflection")
                    implicitHeight: Theme.touchTarget
                    Accessible.name: qsTr("Annual reflection on the plan")
                    onClicked: page.openReflection(page.schoolId)
                }
            }
            Label {
                Layout.fillWidth: true
                Layout.margins: Theme.margin
                text: qsTr("Benchmarks")
                font.pixelSize: Theme.fontTitle
                font.bold: true
                color: Theme.text
            }
            Repeater {
                model: school.benchmarks
                // A Column, not a nested layout: wrapped text settles its height in one pass.
                Column {
                    id: group
                    required property var modelData
                    Layout.fillWidth: true
                    spacing: Theme.spacing
                    // The plan's objectives head their benchmarks.
                    Label {
                        x: Theme.margin
                        width: group.width - 2 * Theme.margin
                        topPadding: Theme.spacing
                        visible: group.modelData.objectiveFirst
                        text: group.modelData.objective
                        font.pixelSize: Theme.fontBody
                        font.bold: true
                        color: Theme.mutedText
                        wrapMode: Text.WordWrap
                    }
                    BenchmarkCard {
                        x: Theme.margin
                        width: group.width - 2 * Theme.margin
                        benchmark: group.modelData
                        canRecord: readings.canUpload
                        record: (id, date, value) => readings.addReading(id, date, value, "")
                        errorFor: () => readings.errorString
                    }
                }
            }
            Label {
                Layout.margins: Theme.margin
                visible: school.benchmarks.length === 0
                text: qsTr("No plan benchmarks on this device.")
                color: Theme.mutedText
            }
            RowLayout {
                Layout.fillWidth: true
                Layout.margins: Theme.margin
                Label {
                    Layout.fillWidth: true
                    text: qsTr("Visits")
                    font.pixelSize: Theme.fontTitle
                    font.bold: true
                    color: Theme.text
                }
                Button {
                    objectName: "startVisitButton"
                    visible: school.canStartVisit
                    text: qsTr("Start a visit")
                    implicitHeight: Theme.touchTarget
                    Accessible.name: qsTr("Start a visit")
                    onClicked: page.newVisit()
                }
            }
            Repeater {
                model: school.visits
                ItemDelegate {
                    required property var modelData
                    Layout.fillWidth: true
                    Layout.leftMargin: Theme.margin
                    Layout.rightMargin: Theme.margin
                    implicitHeight: Theme.touchTarget + Theme.spacing
                    text: qsTr("%1 · %2 · %3").arg(modelData.date).arg(modelData.kindLabel).arg(modelData.statusLabel)
                    Accessible.name: text
                    background: Rectangle { color: Theme.surface; radius: Theme.radius; border.color: Theme.divider }
                    onClicked: page.openVisit(modelData.visitId)
                }
            }
            Item { Layout.preferredHeight: Theme.margin }
        }
    }
}
