import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import SiteVisit

// Q3 for one benchmark: its card (status, reason, trajectory, the reading form for people who
// may record readings), its status at each reading date, and its comments.
ColumnLayout {
    id: detail
    property var benchmark: ({})
    property bool canRecord: false
    property var record: function(benchmarkId, date, value) { return false }
    property var errorFor: function() { return "" }
    spacing: Theme.spacing

    readonly property var history: benchmark.history || []

    BenchmarkCard {
        Layout.fillWidth: true
        benchmark: detail.benchmark
        canRecord: detail.canRecord
        record: detail.record
        errorFor: detail.errorFor
    }
    Label {
        Layout.fillWidth: true
        visible: detail.history.length > 0
        text: qsTr("Status at each reading")
        font.pixelSize: Theme.fontBody
        font.bold: true
        color: Theme.text
    }
    // Oldest first, so a change of status reads left to right.
    Flow {
        objectName: "statusHistory"
        Layout.fillWidth: true
        Layout.preferredWidth: 0 // wraps to the width it is given; never asks for one
        spacing: Theme.spacing
        Repeater {
            model: detail.history
            Label {
                required property var modelData
                required property int index
                readonly property bool changed: index > 0 && detail.history[index - 1].status !== modelData.status
                text: qsTr("%1: %2 %3").arg(modelData.date).arg(modelData.value).arg(modelData.statusLabel)
                font.pixelSize: Theme.fontSmall
                font.bold: changed
                color: Theme.text
                padding: 4
                background: Rectangle {
                    radius: 4
                    color: "transparent"
                    border.width: 2
                    border.color: {
                        switch (modelData.status) {
                        case "on_track": case "met": return Theme.ok
                        case "at_risk": case "no_data": return Theme.warning
                        default: return Theme.danger
                        }
                    }
                }
                Accessible.name: changed ? qsTr("Changed to %1 on %2").arg(modelData.statusLabel).arg(modelData.date) : text
            }
        }
    }
    Comments {
        Layout.fillWidth: true
        Layout.topMargin: Theme.spacing
        targetEntity: "benchmark"
        target: detail.benchmark.benchmarkId || ""
    }
}
