import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import SiteVisit

// A file about to become evidence: its title and description, and what it speaks to: the
// school's benchmarks and its rubric's indicators.
Dialog {
    id: dialog
    property url file
    property var benchmarks: []
    property var indicators: []
    // Starts adding the evidence; true when the file is being made ready, false when refused at
    // once. The page answers with finished(stored) when the file is ready. Until stored the
    // dialog stays open with what was typed, and shows errorText.
    property var submit: function(file, title, description, benchmarkIds, indicatorIds) { return false }
    property string errorText
    // The file is being read and hashed: the buttons wait.
    property bool preparing: false

    modal: true
    closePolicy: preparing ? Popup.NoAutoClose : Popup.CloseOnEscape | Popup.CloseOnPressOutside
    title: qsTr("New evidence")
    background: Rectangle { color: Theme.surface; radius: Theme.radius; border.color: Theme.divider }
    // "Add evidence" closes the dialog only once the evidence is stored.
    footer: DialogButtonBox {
        Button {
            objectName: "addEvidenceButton"
            text: qsTr("Add evidence")
            enabled: evidenceTitle.text.trim().length > 0 && !dialog.preparing
            DialogButtonBox.buttonRole: DialogButtonBox.ActionRole
            onClicked: dialog.tryAdd()
        }
        Button {
            objectName: "cancelEvidenceButton"
            text: qsTr("Cancel")
            enabled: !dialog.preparing
            DialogButtonBox.buttonRole: DialogButtonBox.RejectRole
        }
    }

    function tryAdd() {
        if (evidenceTitle.text.trim().length === 0 || preparing) return
        failed = !dialog.submit(file, evidenceTitle.text, description.text, chosenBenchmarks, chosenIndicators)
    }
    // The answer to submit() once the file was made ready: close when stored, else say why.
    function finished(stored) {
        failed = !stored
        if (stored) accept()
    }

    function reset() {
        evidenceTitle.text = ""
        description.text = ""
        filter.text = ""
        chosenBenchmarks = []
        chosenIndicators = []
    }
    property var chosenBenchmarks: []
    property var chosenIndicators: []
    function toggle(list, id, on) {
        var copy = list.filter(x => x !== id)
        if (on) copy.push(id)
        return copy
    }

    onAccepted: reset()
    property bool failed: false
    onOpened: evidenceTitle.forceActiveFocus()
    onRejected: { failed = false; reset() }

    contentItem: Flickable {
        implicitHeight: Math.min(form.implicitHeight, dialog.parent ? dialog.parent.height * 0.6 : 600)
        contentHeight: form.implicitHeight
        clip: true
        boundsBehavior: Flickable.StopAtBounds
        ScrollBar.vertical: ScrollBar {}
        ColumnLayout {
            id: form
            width: parent.width
            spacing: Theme.spacing
            RowLayout {
                objectName: "preparingRow"
                Layout.fillWidth: true
                visible: dialog.preparing
                spacing: Theme.spacing
                BusyIndicator {
                    running: dialog.preparing
                    implicitWidth: Theme.touchTarget
                    implicitHeight: Theme.touchTarget
                }
                Label {
                    Layout.fillWidth: true
                    text: qsTr("Preparing the file…")
                    color: Theme.mutedText
                }
            }
            Label {
                Layout.fillWidth: true
                visible: dialog.failed && dialog.errorText.length > 0 && !dialog.preparing
                text: dialog.errorText
                color: Theme.danger
                wrapMode: Text.WordWrap
            }
            Label {
                Layout.fillWidth: true
                text: decodeURIComponent(dialog.file.toString().split("/").pop())
                color: Theme.mutedText
                elide: Text.ElideMiddle
            }
            TextField {
                id: evidenceTitle
                Layout.fillWidth: true
                implicitHeight: Theme.touchTarget
                objectName: "evidenceTitleField"
                placeholderText: qsTr("Title (required)")
                Accessible.name: qsTr("Evidence title")
                onAccepted: dialog.tryAdd()
            }
            TextArea {
                id: description
                Layout.fillWidth: true
                Layout.preferredHeight: Theme.touchTarget * 2
                placeholderText: qsTr("What it shows (optional)")
                wrapMode: TextEdit.Wrap
                Accessible.name: qsTr("Evidence description")
                KeyNavigation.priority: KeyNavigation.BeforeItem
                KeyNavigation.tab: benchmarkRepeater.count > 0 ? benchmarkRepeater.itemAt(0) : filter
            }
            Label { text: qsTr("Benchmarks it is evidence for"); color: Theme.text; font.bold: true; visible: dialog.benchmarks.length > 0 }
            Repeater {
                id: benchmarkRepeater
                model: dialog.benchmarks
                CheckBox {
                    required property var modelData
                    Layout.fillWidth: true
                    text: modelData.measure
                    implicitHeight: Theme.touchTarget
                    checked: dialog.chosenBenchmarks.indexOf(modelData.benchmarkId) >= 0
                    onToggled: dialog.chosenBenchmarks = dialog.toggle(dialog.chosenBenchmarks, modelData.benchmarkId, checked)
                    Accessible.name: qsTr("Link to benchmark %1").arg(modelData.measure)
                }
            }
            Label { text: qsTr("Indicators it speaks to"); color: Theme.text; font.bold: true }
            TextField {
                id: filter
                Layout.fillWidth: true
                implicitHeight: Theme.touchTarget
                placeholderText: qsTr("Find an indicator by number or words")
                Accessible.name: qsTr("Find an indicator")
            }
            Repeater {
                model: dialog.indicators
                CheckBox {
                    required property var modelData
                    Layout.fillWidth: true
                    visible: filter.text.length === 0 || checked
                             || modelData.label.toLowerCase().indexOf(filter.text.toLowerCase()) >= 0
                    text: modelData.label
                    implicitHeight: Theme.touchTarget
                    checked: dialog.chosenIndicators.indexOf(modelData.indicatorId) >= 0
                    onToggled: dialog.chosenIndicators = dialog.toggle(dialog.chosenIndicators, modelData.indicatorId, checked)
                    Accessible.name: qsTr("Link to indicator %1").arg(modelData.label)
                    contentItem: Label {
                        leftPadding: parent.indicator.width + parent.spacing
                        text: parent.text
                        wrapMode: Text.WordWrap
                        color: Theme.text
                        verticalAlignment: Text.AlignVCenter
                    }
                }
            }
        }
    }
}
