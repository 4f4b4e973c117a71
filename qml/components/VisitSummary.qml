import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import SiteVisit

// Per practice, how many indicators sit at each continuum level in this visit, beside the
// previous submitted visit of the same kind. The continuum is ordinal: counts, never averages.
ColumnLayout {
    id: box
    property var summary: []
    property var levels: []
    property int status: Values.Draft
    property bool editable
    signal submitRequested()
    spacing: Theme.spacing
    // One column a level (its label wraps), wide enough for "Sustaining" on a tablet.
    readonly property int countWidth: width > 900 ? 110 : 84
    readonly property var cells: {
        const out = []
        for (const p of box.summary) {
            out.push({ kind: "name", text: p.number + ". " + p.name, current: true, first: true })
            out.push({ kind: "when", text: qsTr("This visit"), current: true, first: true })
            for (let i = 0; i < p.counts.length; ++i)
                out.push({ kind: "count", text: String(p.counts[i]), current: true, first: true,
                           name: "count_" + p.number + "_" + i })
            out.push({ kind: "count", text: String(p.unrated), current: true, first: true,
                       name: "unrated_" + p.number })
            out.push({ kind: "name", text: "", current: false })
            out.push({ kind: "when", text: p.hasLast ? qsTr("Last") : qsTr("Last: none"), current: false })
            for (let i = 0; i < p.counts.length; ++i)
                out.push({ kind: "count", text: p.hasLast ? String(p.lastCounts[i]) : "–", current: false,
                           name: "lastCount_" + p.number + "_" + i })
            out.push({ kind: "count", text: p.hasLast ? String(p.lastUnrated) : "–", current: false })
        }
        return out
    }
    Label {
        Layout.topMargin: Theme.margin
        text: qsTr("Summary")
        font.pixelSize: Theme.fontTitle
        font.bold: true
        color: Theme.text
    }
    Label {
        Layout.fillWidth: true
        visible: box.summary.length > 0
        text: box.summary.length && box.summary[0].hasLast
              ? qsTr("Indicators at each level, this visit and the last visit of the same kind (%1).").arg(box.summary[0].lastDate)
              : qsTr("Indicators at each level. No earlier visit of this kind to compare with.")
        color: Theme.mutedText
        wrapMode: Text.WordWrap
        font.pixelSize: Theme.fontSmall
    }
    GridLayout {
        objectName: "summaryGrid"
        Layout.fillWidth: true
        columns: box.levels.length + 3
        columnSpacing: Theme.spacing
        rowSpacing: 2
        // Heading row: practice, when, each level, not rated.
        Label { Layout.fillWidth: true; text: qsTr("Practice"); font.bold: true; color: Theme.mutedText; font.pixelSize: Theme.fontSmall }
        Label { text: "" }
        Repeater {
            model: box.levels
            Label {
                required property string modelData
                Layout.preferredWidth: box.countWidth
                text: modelData
                horizontalAlignment: Text.AlignHCenter
                wrapMode: Text.WordWrap
                font.bold: true
                font.pixelSize: Theme.fontSmall
                color: Theme.mutedText
            }
        }
        Label {
            Layout.preferredWidth: box.countWidth
            text: qsTr("Not rated")
            wrapMode: Text.WordWrap
            horizontalAlignment: Text.AlignHCenter
            font.bold: true
            font.pixelSize: Theme.fontSmall
            color: Theme.mutedText
        }
        // Two rows a practice (this visit, the last one), flattened into the grid's cells.
        Repeater {
            model: box.cells
            Label {
                required property var modelData
                Layout.fillWidth: modelData.kind === "name"
                Layout.preferredWidth: modelData.kind === "count" ? box.countWidth : -1
                Layout.topMargin: modelData.first ? Theme.spacing : 0
                objectName: modelData.name || ""
                text: modelData.text
                horizontalAlignment: modelData.kind === "count" ? Text.AlignHCenter : Text.AlignLeft
                elide: Text.ElideRight
                font.bold: modelData.kind === "count" && modelData.current && modelData.text !== "0"
                font.pixelSize: modelData.current ? Theme.fontBody : Theme.fontSmall
                color: modelData.current ? Theme.text : Theme.mutedText
            }
        }
    }
    Button {
        objectName: "submitVisitButton"
        Layout.fillWidth: true
        Layout.bottomMargin: Theme.margin
        implicitHeight: Theme.touchTarget
        visible: box.editable
        text: qsTr("Submit visit")
        Accessible.name: qsTr("Submit visit")
        onClicked: box.submitRequested()
    }
    Label {
        visible: !box.editable
        Layout.bottomMargin: Theme.margin
        text: box.status === Values.Draft ? qsTr("Only the visit's team can change it.")
            : box.status === Values.Reviewed ? qsTr("This visit has been reviewed; its ratings are kept as they are.")
            : qsTr("This visit has been submitted; its ratings are kept as they are.")
        color: Theme.mutedText
    }
}
