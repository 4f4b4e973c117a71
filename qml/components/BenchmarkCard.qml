import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import SiteVisit

// A benchmark: its measure, derived status, why, and its readings against the straight line
// from baseline to target.
Rectangle {
    id: card
    property var benchmark: ({})
    property bool canRecord: false
    // Records a reading; true when stored. The value stays typed (and errorFor() shows why)
    // when it was not.
    property var record: function(benchmarkId, date, value) { return false }
    property var errorFor: function() { return "" }
    implicitHeight: column.implicitHeight + 2 * Theme.margin
    radius: Theme.radius
    color: Theme.surface
    border.color: Theme.divider
    Accessible.role: Accessible.StaticText
    Accessible.name: qsTr("%1: %2. %3").arg(benchmark.measure).arg(benchmark.statusLabel).arg(benchmark.reason)

    readonly property color statusColor: {
        switch (benchmark.status) {
        case "on_track": case "met": return Theme.ok
        case "at_risk": case "no_data": return Theme.warning
        default: return Theme.danger
        }
    }

    ColumnLayout {
        id: column
        anchors.fill: parent
        anchors.margins: Theme.margin
        spacing: Theme.spacing
        Label {
            Layout.fillWidth: true
            text: card.benchmark.measure + (card.benchmark.unit ? " (" + card.benchmark.unit + ")" : "")
            font.pixelSize: Theme.fontTitle
            color: Theme.text
            wrapMode: Text.WordWrap
        }
        Label {
            text: card.benchmark.statusLabel
            color: Theme.textOnStatus
            font.pixelSize: Theme.fontSmall
            font.bold: true
            leftPadding: Theme.spacing
            rightPadding: Theme.spacing
            topPadding: 3
            bottomPadding: 3
            background: Rectangle { radius: height / 2; color: card.statusColor }
        }
        Label {
            Layout.fillWidth: true
            text: card.benchmark.reason
            wrapMode: Text.WordWrap
            color: Theme.mutedText
            font.pixelSize: Theme.fontBody
        }
        // The monitoring rhythm: kept, or since when it was not.
        Label {
            objectName: "rhythm"
            Layout.fillWidth: true
            visible: text.length > 0
            text: card.benchmark.rhythm || ""
            wrapMode: Text.WordWrap
            color: card.benchmark.rhythmKept === false ? Theme.danger : Theme.mutedText
            font.bold: card.benchmark.rhythmKept === false
            font.pixelSize: Theme.fontBody
        }
        ReadingsChart {
            Layout.fillWidth: true
            Layout.preferredHeight: 120
            benchmark: card.benchmark
        }
        RowLayout {
            Layout.fillWidth: true
            visible: card.canRecord
            DateField {
                id: readingDate
                objectName: "readingDateField"
                Layout.preferredWidth: 280 // the longest day in words, so the row does not shift
                date: Qt.formatDate(new Date(), "yyyy-MM-dd") // the local day
                Accessible.name: qsTr("Date of the reading: %1").arg(text)
            }
            TextField {
                id: readingValue
                objectName: "readingValueField"
                Layout.fillWidth: true
                implicitHeight: Theme.touchTarget
                placeholderText: qsTr("New reading (%1)").arg(card.benchmark.unit || qsTr("value"))
                validator: DoubleValidator {}
                inputMethodHints: Qt.ImhFormattedNumbersOnly
                Accessible.name: qsTr("New reading for %1").arg(card.benchmark.measure)
            }
            Button {
                objectName: "recordReadingButton"
                text: qsTr("Record")
                implicitHeight: Theme.touchTarget
                enabled: readingValue.acceptableInput
                Accessible.name: qsTr("Record the reading")
                onClicked: {
                    if (card.record(card.benchmark.benchmarkId, readingDate.date, Number(readingValue.text))) {
                        readingValue.text = ""
                        readingError.text = ""
                    } else {
                        readingError.text = card.errorFor()
                    }
                }
            }
        }
        Label {
            id: readingError
            objectName: "readingError"
            Layout.fillWidth: true
            visible: text.length > 0
            color: Theme.danger
            wrapMode: Text.WordWrap
        }
        // At risk or off track: what is being done about it, and a way to add a step.
        Loader {
            id: stepsLoader
            Layout.fillWidth: true
            active: (card.benchmark.status === "at_risk" || card.benchmark.status === "off_track")
                    && !!card.benchmark.benchmarkId
            visible: active
            sourceComponent: NextStepList {
                objectName: "benchmarkSteps"
                benchmark: card.benchmark.benchmarkId
                heading: qsTr("Next steps")
                about: card.benchmark.measure || ""
            }
        }
    }
}
