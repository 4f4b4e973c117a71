import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import SiteVisit

// A day chosen from a month calendar, shown in words ("Monday, 30 November 2026"). `date` is
// "YYYY-MM-DD", what the view models take. Keyboard: Space or Enter opens the calendar; in it
// the arrows move a day or a week, Page Up / Page Down a month, Enter or Space picks the day and
// Escape closes it unchanged. Plus and minus move a day without opening it.
Button {
    id: field
    property string date: ""
    signal picked(string date) // a person chose a day; `date` already holds it
    readonly property alias calendarOpen: calendar.opened

    // "YYYY-MM-DD" <-> a local JS Date (midnight); an unreadable text is no day at all.
    function toDate(iso) {
        const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso)
        return m ? new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : null
    }
    function toIso(d) {
        const two = (n) => (n < 10 ? "0" : "") + n
        return d.getFullYear() + "-" + two(d.getMonth() + 1) + "-" + two(d.getDate())
    }
    function choose(d) {
        field.date = field.toIso(d)
        field.picked(field.date)
    }
    function addDays(n) {
        const d = field.toDate(field.date) || new Date()
        field.choose(new Date(d.getFullYear(), d.getMonth(), d.getDate() + n))
    }
    function openCalendar() {
        const d = field.toDate(field.date) || new Date()
        calendar.highlighted = new Date(d.getFullYear(), d.getMonth(), d.getDate())
        // Under the field where it fits, else above it; always inside the window.
        const overlay = calendar.parent
        const at = field.mapToItem(overlay, 0, 0)
        const w = calendar.implicitWidth
        const h = calendar.implicitHeight
        calendar.x = Math.max(0, Math.min(overlay.width - w, at.x))
        calendar.y = at.y + field.height + h <= overlay.height ? at.y + field.height
                                                               : Math.max(0, at.y - h)
        calendar.open()
    }

    readonly property var day: toDate(date)
    text: day ? day.toLocaleDateString(Qt.locale(), Locale.LongFormat) : qsTr("Choose a day")
    implicitHeight: Theme.touchTarget
    flat: true
    leftPadding: Theme.margin
    rightPadding: Theme.margin
    font.capitalization: Font.MixedCase
    font.pixelSize: Theme.fontBody
    contentItem: RowLayout {
        spacing: Theme.spacing
        Label {
            Layout.fillWidth: true
            text: field.text
            color: field.day ? Theme.text : Theme.mutedText
            font: field.font
            elide: Text.ElideRight
        }
        Label { text: "▾"; color: Theme.mutedText; font: field.font }
    }
    background: Rectangle {
        implicitWidth: 220
        radius: 4
        color: Theme.surface
        border.width: field.activeFocus ? 2 : 1
        border.color: field.activeFocus ? Theme.primary : Theme.divider
    }
    Accessible.description: qsTr("Press to choose a day from a calendar")
    onClicked: field.openCalendar()
    Keys.onReturnPressed: field.openCalendar()
    Keys.onEnterPressed: field.openCalendar()
    Keys.onPressed: (event) => {
        if (event.key === Qt.Key_Plus) { field.addDays(1); event.accepted = true }
        else if (event.key === Qt.Key_Minus) { field.addDays(-1); event.accepted = true }
    }

    Popup {
        id: calendar
        objectName: "dateFieldCalendar"
        // The day the keys move; it becomes the date when picked.
        property var highlighted: new Date()
        readonly property int month: highlighted.getMonth()
        readonly property int year: highlighted.getFullYear()
        function move(days, months) {
            const h = calendar.highlighted
            let d = new Date(h.getFullYear(), h.getMonth() + months, 1)
            // A month on keeps the day where it can (31 January -> 28 February).
            const last = new Date(d.getFullYear(), d.getMonth() + 1, 0).getDate()
            d = new Date(d.getFullYear(), d.getMonth(), Math.min(h.getDate(), last) + days)
            calendar.highlighted = d
        }
        function pick(d) {
            field.choose(d)
            calendar.close()
        }

        parent: Overlay.overlay
        modal: true
        focus: true
        padding: Theme.spacing
        background: Rectangle { color: Theme.surface; radius: Theme.radius; border.color: Theme.divider }
        onClosed: field.forceActiveFocus()

        contentItem: FocusScope {
            id: keys
            focus: true
            implicitWidth: Math.max(7 * Theme.touchTarget, header.implicitWidth)
            implicitHeight: layout.implicitHeight
            Keys.onPressed: (event) => {
                switch (event.key) {
                case Qt.Key_Left: calendar.move(-1, 0); break
                case Qt.Key_Right: calendar.move(1, 0); break
                case Qt.Key_Up: calendar.move(-7, 0); break
                case Qt.Key_Down: calendar.move(7, 0); break
                case Qt.Key_PageUp: calendar.move(0, -1); break
                case Qt.Key_PageDown: calendar.move(0, 1); break
                case Qt.Key_Return: case Qt.Key_Enter: case Qt.Key_Space:
                    calendar.pick(calendar.highlighted); break
                default: return
                }
                event.accepted = true
            }

            ColumnLayout {
                id: layout
                anchors.fill: parent
                spacing: 0
                RowLayout {
                    id: header
                    Layout.fillWidth: true
                    ToolButton {
                        objectName: "previousMonthButton"
                        text: "‹"
                        font.pixelSize: Theme.fontTitle
                        implicitWidth: Theme.touchTarget
                        implicitHeight: Theme.touchTarget
                        focusPolicy: Qt.NoFocus
                        Accessible.name: qsTr("Previous month")
                        onClicked: calendar.move(0, -1)
                    }
                    Label {
                        objectName: "monthTitle"
                        Layout.fillWidth: true
                        horizontalAlignment: Text.AlignHCenter
                        text: Qt.locale().standaloneMonthName(calendar.month) + " " + calendar.year
                        font.pixelSize: Theme.fontBody
                        font.bold: true
                        color: Theme.text
                    }
                    ToolButton {
                        objectName: "nextMonthButton"
                        text: "›"
                        font.pixelSize: Theme.fontTitle
                        implicitWidth: Theme.touchTarget
                        implicitHeight: Theme.touchTarget
                        focusPolicy: Qt.NoFocus
                        Accessible.name: qsTr("Next month")
                        onClicked: calendar.move(0, 1)
                    }
                }
                DayOfWeekRow {
                    Layout.fillWidth: true
                    locale: grid.locale
                    delegate: Label {
                        required property string shortName
                        text: shortName
                        horizontalAlignment: Text.AlignHCenter
                        color: Theme.mutedText
                        font.pixelSize: Theme.fontSmall
                    }
                }
                MonthGrid {
                    id: grid
                    objectName: "dateFieldGrid"
                    Layout.fillWidth: true
                    month: calendar.month
                    year: calendar.year
                    locale: Qt.locale()
                    spacing: 0
                    delegate: ItemDelegate {
                        id: cell
                        required property var model
                        readonly property bool inMonth: model.month === calendar.month
                        readonly property bool isHighlighted: inMonth && model.day === calendar.highlighted.getDate()
                        readonly property bool isChosen: inMonth && field.day !== null && model.year === field.day.getFullYear()
                                                         && model.month === field.day.getMonth() && model.day === field.day.getDate()
                        objectName: "day-" + field.toIso(new Date(model.year, model.month, model.day))
                        implicitWidth: Theme.touchTarget
                        implicitHeight: Theme.touchTarget
                        focusPolicy: Qt.NoFocus
                        padding: 0
                        contentItem: Label {
                            text: cell.model.day
                            horizontalAlignment: Text.AlignHCenter
                            verticalAlignment: Text.AlignVCenter
                            font.pixelSize: Theme.fontBody
                            font.bold: cell.model.today
                            color: cell.isChosen ? Theme.textOnPrimary
                                 : cell.inMonth ? Theme.text : Theme.mutedText
                        }
                        background: Rectangle {
                            radius: width / 2
                            color: cell.isChosen ? Theme.primary : "transparent"
                            border.width: cell.isHighlighted || cell.model.today ? 2 : 0
                            border.color: cell.isHighlighted ? Theme.primary : Theme.divider
                        }
                        Accessible.name: new Date(model.year, model.month, model.day)
                                             .toLocaleDateString(Qt.locale(), Locale.LongFormat)
                        onClicked: calendar.pick(new Date(model.year, model.month, model.day))
                    }
                }
            }
        }
    }
}
