import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import SiteVisit

// Q4, what next: the school's next steps, and evidence still waiting for a review.
ColumnLayout {
    id: next
    property string schoolId
    // A district's own next steps: no evidence is kept there to review.
    property bool districtLevel: false
    signal openEvidence()
    spacing: Theme.spacing

    EvidenceModel {
        id: waiting
        schoolId: next.schoolId
        stateFilter: "waiting"
    }

    SectionTitle { text: qsTr("What next?") }
    // The school's next steps, who owns each and when it is due; overdue ones stand out.
    NextStepList {
        id: nextStepsSlot
        objectName: "nextStepsSlot"
        Layout.fillWidth: true
        school: next.schoolId
    }
    Label {
        visible: !next.districtLevel
        Layout.fillWidth: true
        Layout.topMargin: Theme.spacing
        text: qsTr("Open review requests")
        font.pixelSize: Theme.fontBody
        font.bold: true
        color: Theme.text
    }
    Label {
        Layout.fillWidth: true
        visible: !next.districtLevel && waiting.count === 0
        text: qsTr("No evidence is waiting for a review.")
        color: Theme.mutedText
        wrapMode: Text.Wrap
    }
    Repeater {
        objectName: "reviewRequests"
        model: waiting
        ItemDelegate {
            required property string title
            required property string detail
            Layout.fillWidth: true
            implicitHeight: Math.max(Theme.touchTarget, contentItem.implicitHeight + 2 * Theme.spacing)
            contentItem: Column {
                spacing: 2
                Label { width: parent.width; text: title; color: Theme.text; font.pixelSize: Theme.fontBody; elide: Text.ElideRight }
                Label { width: parent.width; text: qsTr("Waiting for review · %1").arg(detail); color: Theme.mutedText; font.pixelSize: Theme.fontSmall; elide: Text.ElideRight }
            }
            background: Rectangle { color: Theme.surface; radius: Theme.radius; border.color: Theme.divider }
            Accessible.name: qsTr("%1, waiting for review").arg(title)
            onClicked: next.openEvidence()
        }
    }
}
