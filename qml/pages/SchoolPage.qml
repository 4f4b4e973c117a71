import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import SiteVisit

// A school: whether each benchmark is on track, and its visits.
Page {
    id: page
    property var app
    property string schoolId
    signal openVisit(string visitId)
    signal openEvidence(string schoolId)
    signal openReflection(string schoolId)
    objectName: "schoolPage"
    title: school.name
    background: Rectangle { color: Theme.background }

    SchoolController {
        id: school
        app: page.app
        schoolId: page.schoolId
    }
    EvidenceModel {
        id: readings // records readings through the same view model as evidence
        app: page.app
        schoolId: page.schoolId
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
                BenchmarkCard {
                    required property var modelData
                    Layout.fillWidth: true
                    Layout.leftMargin: Theme.margin
                    Layout.rightMargin: Theme.margin
                    benchmark: modelData
                    canRecord: readings.canUpload
                    onReadingRecorded: (id, date, value) => {
                        if (!readings.addReading(id, date, value, "")) readingError.text = readings.errorString
                        else readingError.text = ""
                    }
                }
            }
            Label {
                id: readingError
                Layout.leftMargin: Theme.margin
                visible: text.length > 0
                color: Theme.danger
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
                    onClicked: {
                        var id = school.startVisit()
                        if (id.length) page.openVisit(id)
                        else visitError.text = school.errorString()
                    }
                }
            }
            Label { id: visitError; visible: text.length; color: Theme.danger; Layout.margins: Theme.margin }
            Repeater {
                model: school.visits
                ItemDelegate {
                    required property var modelData
                    Layout.fillWidth: true
                    Layout.leftMargin: Theme.margin
                    Layout.rightMargin: Theme.margin
                    implicitHeight: Theme.touchTarget + Theme.spacing
                    text: qsTr("%1 · %2 · %3").arg(modelData.date).arg(modelData.kind.replace("_", " ")).arg(modelData.status)
                    Accessible.name: text
                    background: Rectangle { color: Theme.surface; radius: Theme.radius; border.color: Theme.divider }
                    onClicked: page.openVisit(modelData.visitId)
                }
            }
            Item { Layout.preferredHeight: Theme.margin }
        }
    }
}
