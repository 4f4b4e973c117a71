import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import SiteVisit

// The school's ratings across its submitted visits: per practice, how many indicators stood at
// each level at each visit; per indicator, its level at each visit (a timeline, oldest left).
ColumnLayout {
    id: view
    property var history // a HistoryModel
    spacing: Theme.spacing

    function levelColor(rating) {
        return rating < 0 ? Theme.divider : [Theme.danger, Theme.warning, Qt.lighter(Theme.ok, 1.6), Theme.ok][Math.min(3, rating)]
    }

    Label {
        Layout.fillWidth: true
        text: qsTr("Ratings across visits")
        font.pixelSize: Theme.fontTitle
        font.bold: true
        color: Theme.text
    }
    Label {
        Layout.fillWidth: true
        visible: view.history.visits.length === 0
        text: qsTr("No submitted visits yet.")
        color: Theme.mutedText
    }
    // Columns, not a nested layout: wrapped titles settle their height in one pass. Their
    // width follows the view, never the grid (whose own width follows its columns), and
    // nothing is made while there are no visits.
    Grid {
        id: grid
        Layout.fillWidth: true
        visible: view.history.visits.length > 0
        columns: view.width >= 700 ? 2 : 1
        columnSpacing: Theme.margin
        rowSpacing: Theme.margin
        Repeater {
            model: view.history.visits.length > 0 ? view.history.practices : []
            Column {
                required property var modelData
                width: Math.max(0, (view.width - (grid.columns - 1) * grid.columnSpacing) / grid.columns)
                spacing: 4
                Label {
                    width: parent.width
                    text: qsTr("Practice %1: %2").arg(modelData.practice).arg(modelData.name)
                    font.bold: true
                    color: Theme.text
                    wrapMode: Text.Wrap
                }
                LevelsChart {
                    width: parent.width
                    visits: view.history.visits
                    counts: modelData.counts
                    levels: view.history.levels
                    Accessible.name: qsTr("Levels of practice %1 at each visit").arg(modelData.practice)
                }
            }
        }
    }
    Label {
        Layout.fillWidth: true
        Layout.topMargin: Theme.margin
        visible: view.history.visits.length > 0
        text: qsTr("Each indicator at each visit")
        font.pixelSize: Theme.fontBody
        font.bold: true
        color: Theme.text
    }
    // The visits' dates over the columns of levels.
    Row {
        visible: view.history.visits.length > 0
        Layout.alignment: Qt.AlignRight
        spacing: 4
        Repeater {
            model: view.history.visits
            Label {
                required property var modelData
                width: 84
                horizontalAlignment: Text.AlignHCenter
                text: modelData.date
                color: Theme.mutedText
                font.pixelSize: Theme.fontSmall
            }
        }
    }
    Repeater {
        model: view.history.indicators
        RowLayout {
            id: line
            required property var modelData
            Layout.fillWidth: true
            Accessible.role: Accessible.StaticText
            Accessible.name: qsTr("%1 %2: %3").arg(modelData.code).arg(modelData.name)
                .arg(modelData.ratings.map(function(r, i) { return view.history.visits[i].date + " " + (r < 0 ? qsTr("unrated") : r) }).join(", "))
            Label {
                Layout.fillWidth: true
                text: line.modelData.code + " " + line.modelData.name
                color: Theme.text
                font.pixelSize: Theme.fontSmall
                elide: Text.ElideRight
            }
            Repeater {
                model: line.modelData.ratings
                Rectangle {
                    required property var modelData
                    Layout.preferredWidth: 84
                    Layout.preferredHeight: 24
                    radius: 4
                    color: view.levelColor(modelData)
                    Label {
                        anchors.centerIn: parent
                        text: parent.modelData < 0 ? "–" : parent.modelData
                        color: parent.modelData === 2 && !Theme.dark ? Theme.text : Theme.textOnStatus
                        font.pixelSize: Theme.fontSmall
                        font.bold: true
                    }
                }
            }
        }
    }
}
