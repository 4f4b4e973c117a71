import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import SiteVisit

// Each practice's mean rating in this visit beside the last visit's.
ColumnLayout {
    id: box
    property var summary: []
    property int status: Values.Draft
    property bool editable
    signal submitRequested()
    spacing: Theme.spacing
    Label {
        Layout.topMargin: Theme.margin
        text: qsTr("Summary")
        font.pixelSize: Theme.fontTitle
        font.bold: true
        color: Theme.text
    }
    Repeater {
        model: box.summary
        RowLayout {
            required property var modelData
            Layout.fillWidth: true
            Label {
                Layout.fillWidth: true
                text: modelData.number + ". " + modelData.name
                elide: Text.ElideRight
                color: Theme.text
            }
            Label {
                text: modelData.mean < 0 ? qsTr("not rated") : qsTr("this visit %1").arg(modelData.mean.toFixed(1))
                color: Theme.text
            }
            Label {
                text: modelData.lastMean < 0 ? qsTr("· last: —") : qsTr("· last (%1): %2").arg(modelData.lastDate).arg(modelData.lastMean.toFixed(1))
                color: Theme.mutedText
            }
        }
    }
    Button {
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
