import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import SiteVisit

Rectangle {
    id: item
    required property string indicatorId
    required property string code
    required property string name
    required property int rating
    required property string note
    required property string source
    required property int files
    property var levels: []
    property var sources: []
    property bool editable: true
    // The visit (its next steps for this indicator) and whether to show what earlier visits
    // asked about this indicator that is still to do (a new visit).
    property string visitId: ""
    property bool showEarlier: false
    signal rated(int rating)
    signal noteEdited(string text)
    signal sourceChosen(string source)
    signal attachRequested()

    implicitHeight: column.implicitHeight + 2 * Theme.margin
    radius: Theme.radius
    color: Theme.surface
    border.color: Theme.divider

    ColumnLayout {
        id: column
        anchors.fill: parent
        anchors.margins: Theme.margin
        spacing: Theme.spacing
        Label {
            Layout.fillWidth: true
            text: item.code + "  " + item.name
            font.pixelSize: Theme.fontTitle
            color: Theme.text
            wrapMode: Text.WordWrap
        }
        RatingButtons {
            Layout.fillWidth: true
            levels: item.levels
            rating: item.rating
            editable: item.editable
            code: item.code
            onRated: (r) => item.rated(r)
        }
        RowLayout {
            Layout.fillWidth: true
            TextField {
                id: noteField
                Layout.fillWidth: true
                implicitHeight: Theme.touchTarget
                text: item.note
                enabled: item.editable
                placeholderText: qsTr("Evidence: what was seen or heard")
                Accessible.name: qsTr("Evidence note for %1").arg(item.code)
                onEditingFinished: if (text !== item.note) item.noteEdited(text)
            }
            Button {
                text: item.files > 0 ? qsTr("Attach (%1)").arg(item.files) : qsTr("Attach")
                implicitHeight: Theme.touchTarget
                enabled: item.editable
                Accessible.name: qsTr("Attach a photo or document to %1").arg(item.code)
                onClicked: item.attachRequested()
            }
            ComboBox {
                id: sourceBox
                implicitHeight: Theme.touchTarget
                Layout.preferredWidth: 250
                enabled: item.editable
                model: [{ id: "", label: qsTr("Source…") }].concat(item.sources)
                textRole: "label"
                valueRole: "id"
                currentIndex: count > 0 ? Math.max(0, indexOfValue(item.source)) : 0 // count: re-evaluated once the model is in
                Accessible.name: qsTr("Evidence source for %1").arg(item.code)
                onActivated: item.sourceChosen(currentValue)
            }
        }
        Loader {
            id: earlier
            Layout.fillWidth: true
            active: item.showEarlier && item.visitId.length > 0
            visible: earlier.item !== null && !earlier.item.empty
            sourceComponent: NextStepList {
                objectName: "earlierSteps_" + item.code
                earlierThan: item.visitId
                indicator: item.indicatorId
                heading: qsTr("Still open from earlier visits")
                canAdd: false
            }
        }
        NextStepList {
            objectName: "steps_" + item.code
            Layout.fillWidth: true
            visit: item.visitId
            indicator: item.indicatorId
            heading: qsTr("Next steps")
            about: item.code + "  " + item.name
        }
    }
}
