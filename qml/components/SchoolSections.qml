import QtQuick
import QtQuick.Controls
import SiteVisit

// The left pane of a school on a laptop: the four questions, each benchmark with its status,
// then history and visits. Choosing one shows it on the right.
ListView {
    id: list
    property var benchmarks: []
    property string chosenSection: "plan"
    property int benchmarkIndex: 0
    // A district's own page has no visits to list.
    property bool showVisits: true
    signal chosen(string section, int index)
    clip: true
    focus: true
    keyNavigationEnabled: true
    model: {
        var rows = [{ section: "plan", index: 0, heading: qsTr("What is it trying to do, and how?"), label: qsTr("Goal, objectives and initiatives"), status: "" }]
        for (var i = 0; i < benchmarks.length; ++i)
            rows.push({ section: "benchmark", index: i, heading: qsTr("Is it working?"), label: benchmarks[i].measure, status: benchmarks[i].status, statusLabel: benchmarks[i].statusLabel })
        rows.push({ section: "next", index: 0, heading: qsTr("What next?"), label: showVisits ? qsTr("Next steps and review requests") : qsTr("Next steps"), status: "" })
        if (showVisits) {
            rows.push({ section: "history", index: 0, heading: qsTr("History"), label: qsTr("Ratings across visits"), status: "" })
            rows.push({ section: "visits", index: 0, heading: qsTr("History"), label: qsTr("Visits"), status: "" })
        }
        for (var k = 0; k < rows.length; ++k) rows[k].first = k === 0 || rows[k - 1].heading !== rows[k].heading
        return rows
    }
    currentIndex: {
        for (var i = 0; i < model.length; ++i) {
            var r = model[i]
            if (r.section === chosenSection && (chosenSection !== "benchmark" || r.index === benchmarkIndex)) return i
        }
        return 0
    }
    delegate: Column {
        id: entry
        required property var modelData
        required property int index
        width: ListView.view.width
        Label {
            visible: entry.modelData.first
            width: parent.width
            leftPadding: Theme.margin
            topPadding: Theme.margin
            bottomPadding: 4
            text: entry.modelData.heading
            font.pixelSize: Theme.fontSmall
            font.bold: true
            color: Theme.mutedText
            Accessible.role: Accessible.Heading
        }
    ItemDelegate {
        id: row
        readonly property var modelData: entry.modelData
        width: parent.width
        implicitHeight: Theme.touchTarget + 4
        highlighted: entry.ListView.isCurrentItem
        leftPadding: Theme.margin
        Accessible.name: modelData.statusLabel ? qsTr("%1: %2").arg(modelData.label).arg(modelData.statusLabel) : modelData.label
        // No positioner here: the row's parts are placed by hand from the delegate's width, so
        // no size flows back from the labels into the width they are given.
        contentItem: Item {
            implicitHeight: texts.implicitHeight
            Rectangle {
                id: dot
                visible: row.modelData.status.length > 0
                anchors.verticalCenter: parent.verticalCenter
                width: 12; height: 12; radius: 6
                color: {
                    switch (row.modelData.status) {
                    case "on_track": case "met": return Theme.ok
                    case "at_risk": case "no_data": return Theme.warning
                    default: return Theme.danger
                    }
                }
            }
            Column {
                id: texts
                anchors.verticalCenter: parent.verticalCenter
                x: dot.visible ? dot.width + Theme.spacing : 0
                width: Math.max(0, parent.width - x)
                Label { width: parent.width; text: row.modelData.label; color: Theme.text; font.pixelSize: Theme.fontBody; elide: Text.ElideRight }
                Label { width: parent.width; visible: !!row.modelData.statusLabel; text: row.modelData.statusLabel || ""; color: Theme.mutedText; font.pixelSize: Theme.fontSmall; elide: Text.ElideRight }
            }
        }
        onClicked: list.chosen(modelData.section, modelData.index)
    }
    }
    Keys.onReturnPressed: if (currentItem) list.chosen(model[currentIndex].section, model[currentIndex].index)
}
