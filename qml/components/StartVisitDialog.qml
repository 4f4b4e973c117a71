import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import SiteVisit

// A visit to start today or to plan for a later day: its kind and date. A planned visit shows
// as the school's next visit; it opens like any other when the day comes.
Dialog {
    id: dialog
    property var kinds: []      // {kind, label}
    // Makes the visit; its id, or "" (the dialog stays open and shows errorText).
    property var create: function(kind, date) { return "" }
    property string errorText
    signal created(string visitId, bool today)
    readonly property string today: Qt.formatDate(new Date(), "yyyy-MM-dd")
    readonly property bool isToday: date.date === dialog.today

    objectName: "startVisitDialog"
    modal: true
    title: qsTr("New visit")
    background: Rectangle { color: Theme.surface; radius: Theme.radius; border.color: Theme.divider }
    onAboutToShow: {
        date.date = dialog.today
        kind.currentIndex = 0
        dialog.errorText = ""
    }
    footer: DialogButtonBox {
        Button {
            objectName: "startVisitConfirmButton"
            text: dialog.isToday ? qsTr("Start the visit") : qsTr("Plan the visit")
            implicitHeight: Theme.touchTarget
            enabled: date.date.length > 0
            Accessible.name: text
            DialogButtonBox.buttonRole: DialogButtonBox.ActionRole
            onClicked: dialog.tryCreate()
        }
        Button {
            text: qsTr("Cancel")
            implicitHeight: Theme.touchTarget
            Accessible.name: qsTr("Cancel the new visit")
            DialogButtonBox.buttonRole: DialogButtonBox.RejectRole
        }
    }
    function tryCreate() {
        const id = dialog.create(dialog.kinds[kind.currentIndex].kind, date.date)
        if (id.length === 0) return
        dialog.close()
        dialog.created(id, dialog.isToday)
    }

    contentItem: ColumnLayout {
        spacing: Theme.spacing
        Label { text: qsTr("Kind of visit"); color: Theme.mutedText }
        ComboBox {
            id: kind
            Layout.fillWidth: true
            implicitHeight: Theme.touchTarget
            model: dialog.kinds
            textRole: "label"
            Accessible.name: qsTr("Kind of visit")
        }
        Label { text: qsTr("Date (today starts it; a later day plans it)"); color: Theme.mutedText; wrapMode: Text.WordWrap; Layout.fillWidth: true }
        DateField {
            id: date
            objectName: "visitDateField"
            Layout.fillWidth: true
            Accessible.name: qsTr("Date of the visit: %1").arg(text)
        }
        Label {
            Layout.fillWidth: true
            visible: dialog.errorText.length > 0
            text: dialog.errorText
            color: Theme.danger
            wrapMode: Text.WordWrap
        }
    }
}
