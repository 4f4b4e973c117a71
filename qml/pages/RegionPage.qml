import QtQuick
import QtQuick.Controls
import QtQuick.Dialogs
import QtQuick.Layouts
import SiteVisit

// A regional director's region (every region for an admin), by district and by Assistance
// Lead: schools, benchmarks per status, visits done this quarter, overdue next steps. Each view
// is saved as CSV for the state's own reporting; a lead's caseload is assigned from here.
Page {
    id: page
    objectName: "regionPage"
    background: Rectangle { color: Theme.background }
    property alias byLead: tabs.currentIndex

    RegionController {
        id: region
    }

    header: PageHeader {
        title: qsTr("Region · %1").arg(region.regionName)
        onBack: page.StackView.view.pop()
    }

    function colorOf(status) {
        switch (status) {
        case "on_track": case "met": return Theme.ok
        case "at_risk": case "no_data": return Theme.warning
        default: return Theme.danger
        }
    }
    // For the self-test and screenshots: the caseload dialog of the first lead.
    function assignFirst() {
        tabs.currentIndex = 1
        if (region.leads.length > 0) assign.openFor(region.leads[0])
    }

    ColumnLayout {
        anchors.fill: parent
        spacing: 0
        TabBar {
            id: tabs
            Layout.fillWidth: true
            TabButton { text: qsTr("By district (%1)").arg(region.districts.length); implicitHeight: Theme.touchTarget }
            TabButton { text: qsTr("By lead (%1)").arg(region.leads.length); implicitHeight: Theme.touchTarget }
        }
        RowLayout {
            Layout.fillWidth: true
            Layout.margins: Theme.margin
            spacing: Theme.spacing
            Label {
                Layout.fillWidth: true
                text: qsTr("This quarter: %1").arg(region.quarter)
                color: Theme.text
                font.pixelSize: Theme.fontBody
                wrapMode: Text.WordWrap
            }
            Button {
                objectName: "saveCsvButton"
                text: qsTr("Save as CSV")
                implicitHeight: Theme.touchTarget
                Accessible.name: tabs.currentIndex === 1 ? qsTr("Save the view by lead as CSV") : qsTr("Save the view by district as CSV")
                onClicked: {
                    saveCsv.by = tabs.currentIndex === 1 ? "leads" : "districts"
                    saveCsv.selectedFile = region.csvSaveUrl(saveCsv.by)
                    saveCsv.open()
                }
            }
        }
        Label {
            Layout.fillWidth: true
            Layout.leftMargin: Theme.margin
            Layout.rightMargin: Theme.margin
            visible: text.length > 0
            text: region.errorString.length ? region.errorString : region.message
            color: region.errorString.length ? Theme.danger : Theme.mutedText
            wrapMode: Text.WordWrap
        }
        ListView {
            id: list
            objectName: "regionList"
            Layout.fillWidth: true
            Layout.fillHeight: true
            clip: true
            spacing: Theme.spacing
            topMargin: Theme.spacing
            bottomMargin: Theme.margin
            model: tabs.currentIndex === 1 ? region.leads : region.districts
            delegate: Rectangle {
                id: card
                required property var modelData
                readonly property bool lead: tabs.currentIndex === 1
                width: list.width - 2 * Theme.margin
                x: Theme.margin
                height: body.implicitHeight + 2 * Theme.margin
                radius: Theme.radius
                color: Theme.surface
                border.color: Theme.divider
                ColumnLayout {
                    id: body
                    anchors.fill: parent
                    anchors.margins: Theme.margin
                    spacing: 4
                    RowLayout {
                        Layout.fillWidth: true
                        Label {
                            Layout.fillWidth: true
                            text: card.modelData.name
                            font.pixelSize: Theme.fontTitle
                            font.bold: true
                            color: Theme.text
                            wrapMode: Text.WordWrap
                        }
                        Button {
                            visible: card.lead
                            text: qsTr("Caseload…")
                            implicitHeight: Theme.touchTarget
                            Accessible.name: qsTr("Assign the caseload of %1").arg(card.modelData.name)
                            onClicked: assign.openFor(card.modelData)
                        }
                    }
                    Label {
                        Layout.fillWidth: true
                        text: card.lead ? qsTr("Districts: %1").arg(card.modelData.with.join(", "))
                              : card.modelData.with.length ? qsTr("Leads: %1").arg(card.modelData.with.join(", "))
                              : qsTr("No Assistance Lead has this district")
                        color: card.lead || card.modelData.with.length ? Theme.mutedText : Theme.danger
                        wrapMode: Text.WordWrap
                    }
                    Label {
                        Layout.fillWidth: true
                        wrapMode: Text.WordWrap
                        color: Theme.text
                        text: qsTr("%n school(s)", "", card.modelData.schools) + " · "
                              + qsTr("%n visit(s) done this quarter", "", card.modelData.visitsDone) + " · "
                              + qsTr("%1 of %2 visited").arg(card.modelData.schoolsVisited).arg(card.modelData.schools)
                    }
                    Label {
                        Layout.fillWidth: true
                        text: card.modelData.overdueSteps > 0 ? qsTr("%n next step(s) overdue", "", card.modelData.overdueSteps) : qsTr("No next step overdue")
                        color: card.modelData.overdueSteps > 0 ? Theme.danger : Theme.mutedText
                        font.bold: card.modelData.overdueSteps > 0
                    }
                    Flow {
                        Layout.fillWidth: true
                        spacing: Theme.spacing
                        Label {
                            visible: card.modelData.benchmarks.length === 0
                            text: qsTr("No benchmarks yet")
                            color: Theme.mutedText
                        }
                        Repeater {
                            model: card.modelData.benchmarks
                            Label {
                                required property var modelData
                                text: qsTr("%1 · %2").arg(modelData.label).arg(modelData.count)
                                color: Theme.textOnStatus
                                font.pixelSize: Theme.fontSmall
                                font.bold: true
                                leftPadding: Theme.spacing; rightPadding: Theme.spacing; topPadding: 3; bottomPadding: 3
                                background: Rectangle { radius: height / 2; color: page.colorOf(modelData.status) }
                            }
                        }
                    }
                }
            }
            Label {
                anchors.centerIn: parent
                width: parent.width - 2 * Theme.margin
                visible: list.count === 0
                horizontalAlignment: Text.AlignHCenter
                wrapMode: Text.WordWrap
                text: tabs.currentIndex === 1 ? qsTr("No Assistance Lead works in this region yet.") : qsTr("No districts on this device yet. Sync to receive the region.")
                color: Theme.mutedText
            }
        }
    }

    FileDialog {
        id: saveCsv
        property string by: "districts"
        objectName: "saveCsvDialog"
        title: by === "leads" ? qsTr("Save the view by lead") : qsTr("Save the view by district")
        fileMode: FileDialog.SaveFile
        nameFilters: [qsTr("CSV files (*.csv)")]
        onAccepted: region.saveCsv(by, selectedFile)
    }

    // A lead's caseload: 1 to 3 districts, chosen among the region's; districts the lead has
    // in other regions are kept and count toward the three.
    Dialog {
        id: assign
        objectName: "caseloadDialog"
        property string leadId
        property string leadName
        property var chosen: []
        property int outside: 0
        readonly property int total: chosen.length + outside
        function openFor(lead) {
            leadId = lead.id
            leadName = lead.name
            const inside = region.assignable.map(d => d.id)
            chosen = lead.withIds.filter(id => inside.indexOf(id) >= 0)
            outside = lead.withIds.length - chosen.length
            open()
        }
        function toggle(id, on) {
            const next = chosen.filter(x => x !== id)
            if (on) next.push(id)
            chosen = next
        }
        title: qsTr("Caseload of %1").arg(leadName)
        modal: true
        anchors.centerIn: Overlay.overlay
        // Drawn here: the style's raised background is a layer effect some renderers leave out.
        background: Rectangle { color: Theme.surface; radius: Theme.radius; border.color: Theme.divider }
        width: Math.min(520, page.width - 2 * Theme.margin)
        standardButtons: Dialog.Ok | Dialog.Cancel
        onOpened: standardButton(Dialog.Ok).enabled = Qt.binding(() => assign.total >= 1 && assign.total <= 3)
        onAccepted: region.assignCaseload(leadId, chosen)
        ColumnLayout {
            width: parent.width
            spacing: Theme.spacing
            Label {
                Layout.fillWidth: true
                wrapMode: Text.WordWrap
                text: qsTr("An Assistance Lead works in 1 to 3 districts.")
                      + (assign.outside > 0 ? " " + qsTr("%n district(s) of another region stay as they are.", "", assign.outside) : "")
                color: Theme.mutedText
            }
            Repeater {
                model: region.assignable
                CheckBox {
                    required property var modelData
                    Layout.fillWidth: true
                    text: modelData.name
                    implicitHeight: Theme.touchTarget
                    checked: assign.chosen.indexOf(modelData.id) >= 0
                    onToggled: assign.toggle(modelData.id, checked)
                }
            }
            Label {
                Layout.fillWidth: true
                visible: assign.total < 1 || assign.total > 3
                wrapMode: Text.WordWrap
                color: Theme.danger
                text: assign.total < 1 ? qsTr("Choose at least one district.") : qsTr("Choose at most 3 districts in all.")
            }
        }
    }
}
