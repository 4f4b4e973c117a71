import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import SiteVisit

ItemDelegate {
    id: delegate
    required property string schoolId
    required property string name
    required property string designation
    required property bool receivership
    required property string lastVisit
    required property string nextVisit
    required property string underWay
    required property string level
    required property int worryingBenchmarks
    required property int openSteps
    required property int overdueSteps
    // The district's own plan and next steps rather than a school.
    required property bool districtLevel

    implicitHeight: Math.max(Theme.touchTarget * 1.5, content.implicitHeight + 2 * Theme.spacing)
    Accessible.name: qsTr("%1, %2. %3").arg(name).arg(designation).arg(counts.text + " " + overdue.text)
    Keys.onReturnPressed: clicked()
    Keys.onEnterPressed: clicked()
    background: Rectangle {
        color: Theme.surface
        radius: Theme.radius
        border.color: delegate.activeFocus ? Theme.primary : Theme.divider
        border.width: delegate.activeFocus ? 2 : 1
    }
    contentItem: ColumnLayout {
        id: content
        spacing: 2
        Label {
            Layout.fillWidth: true
            text: delegate.name
            font.pixelSize: Theme.fontTitle
            color: Theme.text
            elide: Text.ElideRight
        }
        Label {
            Layout.fillWidth: true
            text: delegate.designation
            font.pixelSize: Theme.fontBody
            color: delegate.receivership ? Theme.danger : Theme.mutedText
            font.italic: delegate.districtLevel
        }
        Label {
            Layout.fillWidth: true
            visible: !delegate.districtLevel
            text: qsTr("Last visit: %1 · Next visit: %2")
                    .arg(delegate.lastVisit.length ? delegate.lastVisit : qsTr("none"))
                    .arg(delegate.nextVisit.length ? delegate.nextVisit : qsTr("not planned"))
                  + (delegate.underWay.length ? " · " + qsTr("Visit under way since %1").arg(delegate.underWay) : "")
            font.pixelSize: Theme.fontSmall
            color: Theme.mutedText
            elide: Text.ElideRight
        }
        RowLayout {
            Layout.fillWidth: true
            spacing: Theme.spacing
            Label {
                id: counts
                objectName: "caseloadCounts"
                Layout.fillWidth: true
                text: qsTr("%n benchmark(s) off track or at risk", "", delegate.worryingBenchmarks)
                      + " · " + qsTr("%n open next step(s)", "", delegate.openSteps)
                font.pixelSize: Theme.fontSmall
                color: delegate.worryingBenchmarks > 0 ? Theme.warning : Theme.mutedText
                elide: Text.ElideRight
            }
            Label {
                id: overdue
                objectName: "caseloadOverdue"
                visible: delegate.overdueSteps > 0
                text: visible ? qsTr("%n overdue", "", delegate.overdueSteps) : ""
                color: Theme.textOnStatus
                font.bold: true
                font.pixelSize: Theme.fontSmall
                leftPadding: Theme.spacing
                rightPadding: Theme.spacing
                topPadding: 2
                bottomPadding: 2
                background: Rectangle { radius: height / 2; color: Theme.danger }
            }
        }
    }
}
