import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import SiteVisit

// The continuum as four large buttons, labels from the rubric; the chosen one is filled.
// Keyboard: Tab reaches the buttons, Left/Right move between them, Space chooses, and a digit
// (0-3) rates at once.
RowLayout {
    id: row
    property var levels: []
    property int rating: -1
    property bool editable: true
    property string code
    signal rated(int rating)
    spacing: Theme.spacing
    Keys.onPressed: (event) => {
        const digit = event.text.length === 1 ? "0123456789".indexOf(event.text) : -1
        if (!row.editable || digit < 0 || digit >= row.levels.length) return
        row.rated(row.rating === digit ? -1 : digit)
        buttons.itemAt(digit).forceActiveFocus(Qt.TabFocusReason)
        event.accepted = true
    }
    Repeater {
        id: buttons
        model: row.levels
        Button {
            required property int index
            required property string modelData
            objectName: "rate-" + row.code + "-" + index
            Layout.fillWidth: true
            implicitHeight: Theme.touchTarget + Theme.spacing
            enabled: row.editable
            // Filled from the rating alone: a tap asks for a rating (which the page may refuse,
            // as a team rating that cannot be cleared) and never flips the look by itself.
            checked: row.rating === index
            Accessible.checkable: true
            Accessible.checked: checked
            Accessible.name: qsTr("Rate %1").arg(modelData)
            Keys.onLeftPressed: if (index > 0) buttons.itemAt(index - 1).forceActiveFocus(Qt.TabFocusReason)
            Keys.onRightPressed: if (index + 1 < buttons.count) buttons.itemAt(index + 1).forceActiveFocus(Qt.TabFocusReason)
            background: Rectangle {
                radius: Theme.radius
                color: parent.checked ? Theme.primary : Theme.surface
                border.color: parent.visualFocus ? Theme.text : (parent.checked ? Theme.primary : Theme.divider)
                border.width: parent.visualFocus ? 3 : 1
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
