import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import SiteVisit

// One practice's indicators by level at each visit: a stacked bar per visit (dates below, a
// count axis on the left, a legend of the levels). The counts under the pointer or a finger,
// or the bar chosen with the arrow keys, are written out above the chart.
Item {
    id: chart
    property var visits: []   // {date}
    property var counts: []   // per visit: [count of level 0, 1, ...]
    property var levels: []   // {rating, label}
    property int currentIndex: -1
    readonly property int most: {
        var m = 1
        for (var i = 0; i < counts.length; ++i) {
            var s = 0
            for (var j = 0; j < counts[i].length; ++j) s += counts[i][j]
            m = Math.max(m, s)
        }
        return m
    }
    readonly property string currentText: {
        if (currentIndex < 0 || currentIndex >= counts.length) return ""
        var parts = []
        for (var j = 0; j < levels.length; ++j)
            if (counts[currentIndex][j] > 0) parts.push(qsTr("%1 %2").arg(counts[currentIndex][j]).arg(levels[j].label))
        return qsTr("%1: %2").arg(visits[currentIndex].date).arg(parts.length ? parts.join(", ") : qsTr("no ratings"))
    }
    function levelColor(rating) {
        return [Theme.danger, Theme.warning, Qt.lighter(Theme.ok, 1.6), Theme.ok][Math.max(0, Math.min(3, rating))]
    }

    implicitHeight: layout.implicitHeight
    activeFocusOnTab: visits.length > 0
    Accessible.role: Accessible.Chart
    Accessible.description: currentText
    Keys.onLeftPressed: currentIndex = currentIndex <= 0 ? visits.length - 1 : currentIndex - 1
    Keys.onRightPressed: currentIndex = currentIndex >= visits.length - 1 ? 0 : currentIndex + 1
    onActiveFocusChanged: if (activeFocus && currentIndex < 0 && visits.length) currentIndex = visits.length - 1

    ColumnLayout {
        id: layout
        width: parent.width
        spacing: 4
        Label {
            objectName: "levelsTooltip"
            Layout.fillWidth: true
            bottomPadding: 8
            text: chart.currentText.length ? chart.currentText : qsTr("Point at a visit for its counts")
            color: chart.currentText.length ? Theme.text : Theme.mutedText
            font.pixelSize: Theme.fontSmall
            elide: Text.ElideRight
        }
        Item {
            id: plot
            Layout.fillWidth: true
            Layout.preferredHeight: 140
            readonly property real axis: 28
            readonly property real barArea: height - 22
            // Count axis: 0 and the most indicators rated at one visit.
            Repeater {
                model: [0, chart.most]
                Label {
                    required property var modelData
                    x: 0
                    width: plot.axis - 6
                    horizontalAlignment: Text.AlignRight
                    y: plot.barArea * (1 - modelData / chart.most) - height / 2
                    text: modelData
                    color: Theme.mutedText
                    font.pixelSize: Theme.fontSmall
                }
            }
            Rectangle { x: plot.axis; y: plot.barArea; width: plot.width - plot.axis; height: 1; color: Theme.mutedText }
            Repeater {
                model: chart.visits.length
                Item {
                    id: bar
                    required property int index
                    readonly property real slot: (plot.width - plot.axis) / Math.max(1, chart.visits.length)
                    x: plot.axis + index * slot
                    width: slot
                    height: plot.height
                    Rectangle {
                        anchors.fill: column
                        anchors.margins: -3
                        visible: chart.currentIndex === bar.index
                        color: "transparent"
                        border.color: Theme.text
                        border.width: 2
                        radius: 3
                    }
                    Column {
                        id: column
                        width: Math.min(48, bar.slot * 0.6)
                        anchors.horizontalCenter: parent.horizontalCenter
                        anchors.bottom: parent.top
                        anchors.bottomMargin: -plot.barArea
                        // Highest level on top.
                        Repeater {
                            model: chart.levels.length
                            Rectangle {
                                required property int index
                                readonly property int level: chart.levels.length - 1 - index
                                readonly property int n: (chart.counts[bar.index] || [])[level] || 0
                                width: column.width
                                height: plot.barArea * n / chart.most
                                color: chart.levelColor(level)
                            }
                        }
                    }
                    Label {
                        anchors.horizontalCenter: parent.horizontalCenter
                        y: plot.barArea + 4
                        width: bar.slot
                        horizontalAlignment: Text.AlignHCenter
                        elide: Text.ElideRight
                        text: chart.visits[bar.index].date
                        color: Theme.mutedText
                        font.pixelSize: Theme.fontSmall
                    }
                }
            }
            HoverHandler {
                id: hover
                onPointChanged: if (hovered) chart.currentIndex = Math.floor((point.position.x - plot.axis) / ((plot.width - plot.axis) / Math.max(1, chart.visits.length)))
                onHoveredChanged: if (!hovered && !chart.activeFocus) chart.currentIndex = -1
            }
            TapHandler {
                onTapped: (p) => chart.currentIndex = Math.max(0, Math.min(chart.visits.length - 1, Math.floor((p.position.x - plot.axis) / ((plot.width - plot.axis) / Math.max(1, chart.visits.length)))))
            }
        }
        Flow {
            Layout.fillWidth: true
            Layout.preferredWidth: 0 // wraps to the width it is given; never asks for one
            spacing: Theme.spacing
            Repeater {
                model: chart.levels
                Row {
                    required property var modelData
                    spacing: 4
                    Rectangle { width: 12; height: 12; anchors.verticalCenter: parent.verticalCenter; color: chart.levelColor(modelData.rating) }
                    Label { text: modelData.rating + " " + modelData.label; color: Theme.mutedText; font.pixelSize: Theme.fontSmall }
                }
            }
        }
    }
}
