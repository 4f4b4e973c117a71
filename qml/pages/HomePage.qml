import QtQuick
import QtQuick.Controls
import QtQuick.Controls.Material
import QtQuick.Layouts
import SiteVisit

// The caseload: the schools in scope by district, with designation and visits.
Page {
    id: page
    signal openSchool(string schoolId)
    signal openDashboard()
    signal openReviewQueue()
    signal openRegion()
    objectName: "homePage"
    title: qsTr("Caseload")
    background: Rectangle { color: Theme.background }

    CaseloadModel {
        id: caseload
    }

    header: ToolBar {
        background: Rectangle { color: Theme.primary }
        RowLayout {
            anchors.fill: parent
            anchors.leftMargin: Theme.margin
            Label {
                Layout.fillWidth: true
                text: qsTr("%1 · %2").arg(App.userName).arg(App.userRole)
                font.pixelSize: Theme.fontTitle
                color: Theme.textOnPrimary
                elide: Text.ElideRight
            }
            ToolButton {
                text: qsTr("Benchmarks")
                Material.foreground: Theme.textOnPrimary
                implicitHeight: Theme.touchTarget
                Accessible.name: qsTr("Benchmarks of every school: status and evidence")
                onClicked: page.openDashboard()
            }
            ToolButton {
                visible: App.canSeeRegion
                text: qsTr("Region")
                Material.foreground: Theme.textOnPrimary
                implicitHeight: Theme.touchTarget
                Accessible.name: qsTr("The region by district and by lead; caseloads")
                onClicked: page.openRegion()
            }
            ToolButton {
                visible: App.canReview
                text: qsTr("Review")
                Material.foreground: Theme.textOnPrimary
                implicitHeight: Theme.touchTarget
                Accessible.name: qsTr("Evidence waiting for review")
                onClicked: page.openReviewQueue()
            }
            ToolButton {
                text: qsTr("Sign out")
                palette.buttonText: Theme.textOnPrimary
                Material.foreground: Theme.textOnPrimary
                implicitHeight: Theme.touchTarget
                Accessible.name: qsTr("Sign out")
                onClicked: App.signOut()
            }
        }
    }

    // Arrow keys move through the schools at once; Enter opens one.
    StackView.onActivated: list.forceActiveFocus()

    ListView {
        id: list
        anchors.fill: parent
        anchors.margins: Theme.spacing
        model: caseload
        clip: true
        spacing: Theme.spacing
        keyNavigationEnabled: true
        section.property: "district"
        section.delegate: Label {
            required property string section
            width: ListView.view.width
            topPadding: Theme.margin
            bottomPadding: Theme.spacing
            text: section
            font.pixelSize: Theme.fontTitle
            font.bold: true
            color: Theme.text
        }
        delegate: SchoolDelegate {
            width: ListView.view.width
            onClicked: page.openSchool(schoolId)
        }
        Label {
            anchors.centerIn: parent
            visible: list.count === 0
            width: parent.width - 2 * Theme.margin
            horizontalAlignment: Text.AlignHCenter
            wrapMode: Text.WordWrap
            text: qsTr("No schools on this device yet. Sync to receive your caseload.")
            color: Theme.mutedText
            font.pixelSize: Theme.fontBody
        }
    }
}
