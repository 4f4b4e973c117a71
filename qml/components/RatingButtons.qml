import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import SiteVisit

// The continuum as four large buttons, labels from the rubric; the chosen one is filled.
RowLayout {
    id: row
    property var levels: []
    property int rating: -1
    property bool editable: true
    property string code
    signal rated(int rating)
    spacing: Theme.spacing
    Repeater {
        model: row.levels
        Button {
            required property int index
            required property string modelData
            objectName: "rate-" + row.code + "-" + index
            Layout.fillWidth: true
            implicitHeight: Theme.touchTarget + Theme.spacing
            enabled: row.editable
            checkable: true
            checked: row.rating === index
            Accessible.name: qsTr("Rate %1").arg(modelData)
            background: Rectangle {
                radius: Theme.radius
                color: parent.checked ? Theme.primary : Theme.surface
                border.color: parent.activeFocus ? Theme.text : (parent.checked ? Theme.primary : Theme.divider)
            }
            contentItem: Label {
                text: (index) + " · " + modelData
                color: parent.checked ? Theme.textOnPrimary : Theme.text
                font.pixelSize: Theme.fontBody
                horizontalAlignment: Text.AlignHCenter
                verticalAlignment: Text.AlignVCenter
                wrapMode: Text.WordWrap
            }
            // Tapping the chosen level again clears it (unrated).
            onClicked: row.rated(row.rating === index ? -1 : index)
        }
    }
}
