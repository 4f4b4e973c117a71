import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import SiteVisit

// Q1 and Q2 of a plan: what the school is trying to do (the goal), and how (its objectives,
// each with its initiatives: who carries them, when, and how far they are).
ColumnLayout {
    id: summary
    property var plan // a PlanModel
    // A district's own plan: its questions speak of the district; no meetings are held there.
    property bool districtLevel: false
    spacing: Theme.spacing

    Label {
        Layout.fillWidth: true
        text: summary.districtLevel ? qsTr("What is the district trying to do?") : qsTr("What is the school trying to do?")
        font.pixelSize: Theme.fontTitle
        font.bold: true
        color: Theme.text
        wrapMode: Text.Wrap
    }
    Label {
        Layout.fillWidth: true
        visible: summary.plan.planTitle.length > 0
        text: qsTr("%1 · %2").arg(summary.plan.planTitle).arg(summary.plan.years)
        color: Theme.mutedText
        font.pixelSize: Theme.fontSmall
        wrapMode: Text.Wrap
    }
    // Earlier plans stay readable, and next year's draft can be looked at.
    RowLayout {
        Layout.fillWidth: true
        visible: summary.plan.plans.length > 1
        Label { text: qsTr("Plan"); color: Theme.mutedText; font.pixelSize: Theme.fontSmall }
        ComboBox {
            objectName: "planChooser"
            Layout.preferredWidth: 280
            implicitHeight: Theme.touchTarget
            model: summary.plan.plans
            textRole: "label"
            valueRole: "planId"
            currentIndex: Math.max(0, indexOfValue(summary.plan.shownPlanId))
            Accessible.name: qsTr("Which plan to show")
            onActivated: summary.plan.planId = currentValue
        }
        Item { Layout.fillWidth: true }
    }
    Label {
        objectName: "planGoal"
        Layout.fillWidth: true
        text: summary.plan.goal.length ? summary.plan.goal
              : summary.plan.planTitle.length ? qsTr("The plan has no goal written yet.") : qsTr("No plan for this school on this device.")
        color: summary.plan.goal.length ? Theme.text : Theme.mutedText
        font.pixelSize: Theme.fontBody
        wrapMode: Text.Wrap
    }
    Label {
        Layout.fillWidth: true
        Layout.topMargin: Theme.spacing
        visible: summary.plan.planTitle.length > 0
        text: qsTr("How? Objectives and initiatives")
        font.pixelSize: Theme.fontTitle
        font.bold: true
        color: Theme.text
        wrapMode: Text.Wrap
    }
    Label {
        Layout.fillWidth: true
        visible: summary.plan.planTitle.length > 0 && summary.plan.objectives.length === 0
        text: qsTr("The plan has no objectives yet.")
        color: Theme.mutedText
        wrapMode: Text.Wrap
    }
    Repeater {
        model: summary.plan.objectives
        Rectangle {
            id: objective
            required property var modelData
            Layout.fillWidth: true
            implicitHeight: column.implicitHeight + 2 * Theme.margin
            radius: Theme.radius
            color: Theme.surface
            border.color: Theme.divider
            Column {
                id: column
                x: Theme.margin
                y: Theme.margin
                width: objective.width - 2 * Theme.margin
                spacing: Theme.spacing
                Label {
                    width: parent.width
                    text: objective.modelData.title
                    font.pixelSize: Theme.fontBody
                    font.bold: true
                    color: Theme.text
                    wrapMode: Text.Wrap
                }
                Label {
                    width: parent.width
                    text: qsTr("Practice %1: %2").arg(objective.modelData.practice).arg(objective.modelData.practiceName)
                    font.pixelSize: Theme.fontSmall
                    color: Theme.mutedText
                    wrapMode: Text.Wrap
                }
                Repeater {
                    model: objective.modelData.initiatives
                    Column {
                        id: initiative
                        required property var modelData
                        width: column.width
                        spacing: 2
                        Accessible.role: Accessible.StaticText
                        Accessible.name: initiative.modelData.title + ". " + details.text
                        Rectangle { width: parent.width; height: 1; color: Theme.divider }
                        RowLayout {
                            width: parent.width
                            Label {
                                Layout.fillWidth: true
                                topPadding: Theme.spacing
                                text: initiative.modelData.title
                                color: Theme.text
                                font.pixelSize: Theme.fontBody
                                wrapMode: Text.Wrap
                            }
                            Label {
                                visible: text.length > 0
                                text: initiative.modelData.statusLabel
                                color: Theme.textOnPrimary
                                font.pixelSize: Theme.fontSmall
                                leftPadding: Theme.spacing
                                rightPadding: Theme.spacing
                                topPadding: 2
                                bottomPadding: 2
                                background: Rectangle {
                                    radius: height / 2
                                    color: initiative.modelData.status === "completed" ? Theme.ok
                                         : initiative.modelData.status === "on_hold" ? Theme.warning
                                         : initiative.modelData.status === "in_progress" ? Theme.primary : Theme.mutedText
                                }
                            }
                        }
                        Label {
                            id: details
                            width: parent.width
                            text: [initiative.modelData.owner.length ? qsTr("Owner: %1").arg(initiative.modelData.owner) : "",
                                   initiative.modelData.start.length || initiative.modelData.end.length
                                       ? qsTr("%1 to %2").arg(initiative.modelData.start || "…").arg(initiative.modelData.end || "…") : "",
                                   initiative.modelData.benchmarkIds.length ? qsTr("%n benchmark(s)", "", initiative.modelData.benchmarkIds.length) : ""]
                                  .filter(function(s) { return s.length }).join(" · ")
                            visible: text.length > 0
                            color: Theme.mutedText
                            font.pixelSize: Theme.fontSmall
                            wrapMode: Text.Wrap
                        }
                    }
                }
                Label {
                    visible: objective.modelData.initiatives.length === 0
                    text: qsTr("No initiatives yet.")
                    color: Theme.mutedText
                    font.pixelSize: Theme.fontSmall
                }
            }
        }
    }

    // The monitoring rhythm: the meetings the school's teams held, latest first.
    Label {
        visible: !summary.districtLevel
        Layout.fillWidth: true
        Layout.topMargin: Theme.margin
        text: qsTr("Monitoring meetings")
        font.pixelSize: Theme.fontTitle
        font.bold: true
        color: Theme.text
    }
    Label {
        visible: !summary.districtLevel && summary.plan.meetings.length === 0
        text: qsTr("None recorded yet.")
        color: Theme.mutedText
        font.pixelSize: Theme.fontSmall
    }
    Repeater {
        model: summary.plan.meetings.slice(0, 5)
        Label {
            required property var modelData
            Layout.fillWidth: true
            text: qsTr("%1 · %2 · %3").arg(modelData.date).arg(modelData.team)
                  .arg(qsTr("%n benchmark(s) reviewed", "", modelData.benchmarks))
            color: Theme.text
            font.pixelSize: Theme.fontSmall
            wrapMode: Text.Wrap
        }
    }
}
