import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import SiteVisit

// A school, answering the four questions in order: what is it trying to do (the plan's goal),
// how (objectives and initiatives), is it working (benchmarks, their status and trajectory),
// what next (next steps and open review requests); then its history and visits. The main
// actions sit in the header, never below the benchmarks. On a laptop a list of sections and
// benchmarks on the left and the chosen one on the right; on a tablet one column. Given a
// district's id, the same page shows the district's own plan, benchmarks and next steps.
Page {
    id: page
    property string schoolId
    // Wide windows: which section the right pane shows (plan, benchmark, next, history,
    // visits), and which benchmark.
    property string section: "plan"
    property int benchmarkIndex: 0
    readonly property bool wide: width >= 1100
    signal openVisit(string visitId)
    signal openEvidence(string schoolId)
    signal openReflection(string schoolId)
    signal openPlan(string schoolId, string planId)
    objectName: "schoolPage"
    title: school.name
    background: Rectangle { color: Theme.background }

    SchoolController {
        id: school
        schoolId: page.schoolId
    }
    PlanModel {
        id: planModel
        schoolId: page.schoolId
    }
    HistoryModel {
        id: historyModel
        schoolId: page.schoolId
    }
    EvidenceModel {
        id: readings // records readings through the same view model as evidence
        schoolId: page.schoolId
    }

    function newVisit() { newVisit.open() }
    // Shows a section (on a tablet: scrolls to it).
    function show(section, index) {
        page.section = section
        if (index !== undefined) page.benchmarkIndex = index
        if (!page.wide) {
            const target = { plan: planBlock, benchmark: benchmarksBlock, next: nextBlock, history: historyBlock, visits: visitsBlock }[section]
            if (target) column.scrollTo(target)
        }
    }

    MeetingDialog {
        id: meeting
        plan: planModel
    }
    // For the self-test and screenshots.
    function recordMeeting() { meeting.open() }
    function recordMeetingWithStep() { meeting.open(); meeting.addStep() }
    function editPlan() { page.openPlan(page.schoolId, planModel.shownPlanId) }

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

    header: ColumnLayout {
        spacing: 0
        PageHeader {
            Layout.fillWidth: true
            title: school.name
            onBack: page.StackView.view.pop()
        }
        // The main actions, always in reach.
        Rectangle {
            Layout.fillWidth: true
            implicitHeight: actions.implicitHeight + 2 * Theme.spacing
            color: Theme.surface
            Rectangle { anchors.bottom: parent.bottom; width: parent.width; height: 1; color: Theme.divider }
            Flow {
                id: actions
                x: Theme.margin
                y: Theme.spacing
                width: parent.width - 2 * Theme.margin
                spacing: Theme.spacing
                PrimaryButton {
                    objectName: "startVisitButton"
                    visible: school.canStartVisit
                    text: qsTr("Start or plan a visit")
                    Accessible.name: qsTr("Start or plan a visit")
                    onClicked: page.newVisit()
                }
                Button {
                    visible: !school.districtLevel
                    text: qsTr("Evidence")
                    implicitHeight: Theme.touchTarget
                    Accessible.name: qsTr("Evidence of this school")
                    onClicked: page.openEvidence(page.schoolId)
                }
                Button {
                    objectName: "recordMeetingAction"
                    visible: planModel.canRecordMeeting
                    text: qsTr("Record a meeting")
                    implicitHeight: Theme.touchTarget
                    Accessible.name: qsTr("Record a monitoring meeting of one of the school's teams")
                    onClicked: meeting.open()
                }
                Button {
                    objectName: "editPlanAction"
                    visible: planModel.canWritePlan
                    text: planModel.shownPlanId.length ? qsTr("Edit plan") : qsTr("Write a plan")
                    implicitHeight: Theme.touchTarget
                    Accessible.name: planModel.shownPlanId.length ? qsTr("Edit the plan") : qsTr("Write a plan")
                    onClicked: page.openPlan(page.schoolId, planModel.shownPlanId)
                }
                Button {
                    text: qsTr("Annual reflection")
                    implicitHeight: Theme.touchTarget
                    Accessible.name: qsTr("Annual reflection on the plan")
                    onClicked: page.openReflection(page.schoolId)
                }
            }
        }
    }

    // The sections, each made where it is shown.
    Component {
        id: planSection
        PlanSummary { plan: planModel; districtLevel: school.districtLevel }
    }
    Component {
        id: benchmarkSection
        BenchmarkDetail {
            benchmark: planModel.benchmarks[Math.min(page.benchmarkIndex, planModel.benchmarks.length - 1)] || ({})
            canRecord: planModel.canRecordReading
            record: (id, date, value) => readings.addReading(id, date, value, "")
            errorFor: () => readings.errorString
        }
    }
    Component {
        id: benchmarksSection
        ColumnLayout {
            spacing: Theme.spacing
            SectionTitle { text: qsTr("Is it working? Benchmarks") }
            Repeater {
                model: planModel.benchmarks
                ColumnLayout {
                    required property var modelData
                    Layout.fillWidth: true
                    Label {
                        Layout.fillWidth: true
                        Layout.topMargin: Theme.spacing
                        visible: modelData.objectiveFirst
                        text: modelData.objective
                        font.bold: true
                        color: Theme.mutedText
                        wrapMode: Text.Wrap
                    }
                    BenchmarkDetail {
                        Layout.fillWidth: true
                        benchmark: modelData
                        canRecord: planModel.canRecordReading
                        record: (id, date, value) => readings.addReading(id, date, value, "")
                        errorFor: () => readings.errorString
                    }
                }
            }
            Label {
                visible: planModel.benchmarks.length === 0
                text: qsTr("No plan benchmarks on this device.")
                color: Theme.mutedText
            }
        }
    }
    Component {
        id: nextSection
        NextSection { schoolId: page.schoolId; districtLevel: school.districtLevel; onOpenEvidence: page.openEvidence(page.schoolId) }
    }
    Component {
        id: historySection
        HistoryView { history: historyModel }
    }
    Component {
        id: visitsSection
        ColumnLayout {
            spacing: Theme.spacing
            SectionTitle { text: qsTr("Visits") }
            Repeater {
                model: school.visits
                ItemDelegate {
                    required property var modelData
                    Layout.fillWidth: true
                    implicitHeight: Theme.touchTarget + Theme.spacing
                    text: qsTr("%1 · %2 · %3").arg(modelData.date).arg(modelData.kindLabel).arg(modelData.statusLabel)
                    Accessible.name: text
                    background: Rectangle { color: Theme.surface; radius: Theme.radius; border.color: Theme.divider }
                    onClicked: page.openVisit(modelData.visitId)
                }
            }
            Label {
                visible: school.visits.length === 0
                text: qsTr("No visits yet.")
                color: Theme.mutedText
            }
        }
    }

    // A tablet: one column, the questions in order.
    Flickable {
        id: column
        anchors.fill: parent
        visible: !page.wide
        contentHeight: blocks.implicitHeight + 2 * Theme.margin
        clip: true
        ScrollBar.vertical: ScrollBar {}
        function scrollTo(item) { contentY = Math.min(Math.max(0, contentHeight - height), item.y) }
        ColumnLayout {
            id: blocks
            x: Theme.margin
            y: Theme.margin
            width: column.width - 2 * Theme.margin
            spacing: 2 * Theme.margin
            Loader { id: planBlock; Layout.fillWidth: true; active: !page.wide; sourceComponent: planSection }
            Loader { id: benchmarksBlock; Layout.fillWidth: true; active: !page.wide; sourceComponent: benchmarksSection }
            Loader { id: nextBlock; Layout.fillWidth: true; active: !page.wide; sourceComponent: nextSection }
            Loader { id: historyBlock; Layout.fillWidth: true; active: !page.wide && !school.districtLevel; sourceComponent: historySection }
            Loader { id: visitsBlock; Layout.fillWidth: true; active: !page.wide && !school.districtLevel; sourceComponent: visitsSection }
        }
    }

    // A laptop: the sections and benchmarks on the left, the chosen one on the right.
    RowLayout {
        anchors.fill: parent
        visible: page.wide
        spacing: 0
        SchoolSections {
            Layout.preferredWidth: 380
            Layout.fillHeight: true
            benchmarks: planModel.benchmarks
            showVisits: !school.districtLevel
            chosenSection: page.section
            benchmarkIndex: page.benchmarkIndex
            onChosen: (section, index) => page.show(section, index)
        }
        Rectangle { Layout.fillHeight: true; Layout.preferredWidth: 1; color: Theme.divider }
        Flickable {
            id: detailPane
            Layout.fillWidth: true
            Layout.fillHeight: true
            contentHeight: detail.implicitHeight + 2 * Theme.margin
            clip: true
            ScrollBar.vertical: ScrollBar {}
            Loader {
                id: detail
                objectName: "schoolDetail"
                x: Theme.margin
                y: Theme.margin
                width: detailPane.width - 2 * Theme.margin
                active: page.wide
                sourceComponent: ({ plan: planSection, benchmark: benchmarkSection, next: nextSection,
                                    history: historySection, visits: visitsSection })[page.section] || planSection
                onLoaded: detailPane.contentY = 0
            }
        }
    }
}
