import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import SiteVisit

// Every benchmark of the schools in scope with its derived status, the most worrying first,
// and the evidence waiting for review: is each plan on track?
Page {
    id: page
    signal openSchool(string schoolId)
    signal openEvidence(string schoolId, string benchmarkId)
    objectName: "dashboardPage"
    background: Rectangle { color: Theme.background }

    DashboardModel {
        id: dashboard
    }

    header: PageHeader {
        title: qsTr("Benchmarks")
        onBack: page.StackView.view.pop()
    }

    StackView.onActivated: list.forceActiveFocus()

    function colorOf(status) {
        switch (status) {
        case "on_track": case "met": return Theme.ok
        case "at_risk": case "no_data": return Theme.warning
        default: return Theme.danger
        }
    }

    ColumnLayout {
        anchors.fill: parent
        anchors.margins: Theme.margin
        spacing: Theme.spacing
        // One chip per status with its count; choosing one shows only those.
        Flow {
            Layout.fillWidth: true
            spacing: Theme.spacing
            Repeater {
                model: dashboard.summary
                Button {
                    required property var modelData
                    checkable: true
                    checked: dashboard.statusFilter === modelData.status
                    implicitHeight: Theme.touchTarget
                    text: qsTr("%1 · %2").arg(modelData.label).arg(modelData.count)
                    Accessible.name: qsTr("Show only %1 benchmarks (%2)").arg(modelData.label).arg(modelData.count)
                    onClicked: dashboard.statusFilter = checked ? modelData.status : ""
                    contentItem: Label {
                        text: parent.text
                        color: parent.checked ? Theme.textOnPrimary : page.colorOf(parent.modelData.status)
                        font.bold: true
                        horizontalAlignment: Text.AlignHCenter
                        verticalAlignment: Text.AlignVCenter
                    }
                    background: Rectangle {
                        radius: height / 2
                        color: parent.checked ? page.colorOf(parent.modelData.status) : Theme.surface
                        border.color: page.colorOf(parent.modelData.status)
                        border.width: parent.visualFocus ? 3 : 1
                    }
                }
            }
        }
        ListView {
            id: list
            Layout.fillWidth: true
            Layout.fillHeight: true
            clip: true
            spacing: Theme.spacing
            model: dashboard
            keyNavigationEnabled: true
            section.property: "schoolId"
            section.delegate: ItemDelegate {
                required property string section
                width: ListView.view.width
                implicitHeight: Theme.touchTarget
                readonly property string schoolName: dashboard.schoolName(section)
                text: qsTr("%1 ›").arg(schoolName)
                font.pixelSize: Theme.fontTitle
                font.bold: true
                Accessible.name: qsTr("Open %1").arg(schoolName)
                onClicked: page.openSchool(section)
            }
            delegate: ItemDelegate {
                id: row
                required property string benchmarkId
                required property string schoolId
                required property string schoolName
                required property string measure
                required property string status
                required property string statusLabel
                required property string reason
                required property string latest
                required property string target
                required property int evidenceCount
                required property int waiting
                width: ListView.view.width
                implicitHeight: body.implicitHeight + 2 * Theme.margin
                Accessible.name: qsTr("%1: %2. %3 evidence, %4 waiting for review").arg(measure).arg(statusLabel)
                                 .arg(evidenceCount).arg(waiting)
                onClicked: page.openEvidence(schoolId, benchmarkId)
                Keys.onReturnPressed: clicked()
                Keys.onEnterPressed: clicked()
                background: Rectangle {
                    radius: Theme.radius
                    color: Theme.surface
                    border.color: row.visualFocus ? Theme.primary : Theme.divider
                    border.width: row.visualFocus ? 2 : 1
                    Rectangle { width: 6; height: parent.height; radius: 3; color: page.colorOf(row.status) }
                }
                contentItem: Item {}
                ColumnLayout {
                    id: body
                    anchors.fill: parent
                    anchors.margins: Theme.margin
                    anchors.leftMargin: Theme.margin + 6
                    spacing: 4
                    RowLayout {
                        Layout.fillWidth: true
                        Label { Layout.fillWidth: true; text: row.measure; font.pixelSize: Theme.fontBody; font.bold: true; color: Theme.text; wrapMode: Text.WordWrap }
                        Label {
                            text: row.statusLabel
                            color: Theme.textOnStatus
                            font.pixelSize: Theme.fontSmall
                            font.bold: true
                            leftPadding: Theme.spacing; rightPadding: Theme.spacing; topPadding: 3; bottomPadding: 3
                            background: Rectangle { radius: height / 2; color: page.colorOf(row.status) }
                        }
                    }
                    Label { Layout.fillWidth: true; text: row.reason; color: Theme.mutedText; wrapMode: Text.WordWrap; font.pixelSize: Theme.fontSmall }
                    Label {
                        Layout.fillWidth: true
                        text: [row.latest.length ? qsTr("Latest %1").arg(row.latest) : qsTr("No readings yet"),
                               row.target.length ? qsTr("target %1").arg(row.target) : ""].filter(s => s.length).join(" · ")
                        color: Theme.text
                        font.pixelSize: Theme.fontSmall
                        wrapMode: Text.WordWrap
                    }
                    Label {
                        text: row.evidenceCount === 0 ? qsTr("No evidence linked yet")
                              : qsTr("%n evidence", "", row.evidenceCount) + (row.waiting > 0 ? qsTr(", %n waiting for review", "", row.waiting) : "")
                        color: row.waiting > 0 ? Theme.primary : Theme.mutedText
                        font.pixelSize: Theme.fontSmall
                        font.bold: row.waiting > 0
                    }
                }
            }
            Label {
                anchors.centerIn: parent
                visible: list.count === 0
                text: dashboard.statusFilter.length ? qsTr("No benchmarks with this status.") : qsTr("No benchmarks on this device yet.")
                color: Theme.mutedText
            }
        }
    }
}
