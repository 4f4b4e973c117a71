import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import SiteVisit

// Makes or changes one part of a plan: an objective, an initiative (of `parentId`, an
// objective) or a benchmark (of `parentId`, an initiative). `values` holds the row's item as
// PlanEditor.objectives gives it (empty for a new row); the form sends the fields by their
// names in the data. Stays open with the reason when the editor refuses them.
Dialog {
    id: dialog
    objectName: "planPartDialog"
    property string kind: "objective" // "objective" | "initiative" | "benchmark"
    property string rowId: ""
    property string parentId: ""
    property var values: ({})
    property var editor: null
    // What the part belongs to, in words ("Objective: Raise reading"), shown under the title.
    property string about: ""
    // A save was refused while this dialog was open: its reason is shown.
    property bool failed: false
    signal saved()

    readonly property bool isObjective: kind === "objective"
    readonly property bool isInitiative: kind === "initiative"
    readonly property bool isBenchmark: kind === "benchmark"
    readonly property int columns: availableWidth >= 480 ? 2 : 1
    readonly property var choices: editor && editor.choices ? editor.choices : ({})
    readonly property bool complete: isBenchmark
        ? measureField.text.trim().length > 0 && baselineField.text.trim().length > 0
          && targetField.text.trim().length > 0 && baselineDateField.date.length > 0
          && dueField.date.length > 0
        : titleField.text.trim().length > 0

    title: rowId.length > 0
           ? (isBenchmark ? qsTr("Benchmark") : isInitiative ? qsTr("Initiative") : qsTr("Objective"))
           : (isBenchmark ? qsTr("New benchmark") : isInitiative ? qsTr("New initiative") : qsTr("New objective"))
    modal: true
    parent: Overlay.overlay
    anchors.centerIn: parent
    width: Math.min((parent ? parent.width : 640) - 2 * Theme.margin, 640)
    height: Math.min(implicitHeight, (parent ? parent.height : 800) - 2 * Theme.margin)
    // Drawn here: the style's raised background is a layer effect some renderers leave out.
    background: Rectangle { color: Theme.surface; radius: Theme.radius; border.color: Theme.divider }

    onAboutToShow: load()
    onOpened: (isBenchmark ? measureField : titleField).forceActiveFocus()

    // Where `value` is among `list` ({value, label} each), else where `fallback` is, else 0.
    function indexIn(list, value, fallback) {
        if (!list) return -1
        const find = (v) => list.findIndex(c => String(c.value) === String(v))
        let i = value === undefined || value === null || value === "" ? -1 : find(value)
        if (i < 0 && fallback !== undefined) i = find(fallback)
        return list.length ? Math.max(0, i) : -1
    }
    function valueOf(box) {
        const list = box.model
        return list && box.currentIndex >= 0 && box.currentIndex < list.length
                ? list[box.currentIndex].value : ""
    }
    function textOf(v) { return v === undefined || v === null ? "" : String(v) }

    // The row's fields, or fresh ones for a new row.
    function load() {
        const v = dialog.values || {}
        failed = false
        titleField.text = textOf(v.title)
        practiceBox.currentIndex = indexIn(choices.practice, v.practice, 1)
        descriptionField.text = textOf(v.description)
        ownerField.text = textOf(v.owner)
        startField.date = textOf(v.start)
        endField.date = textOf(v.end)
        statusBox.currentIndex = indexIn(choices.initiativeStatus, v.status, "not_started")
        measureField.text = textOf(v.measure)
        typeBox.currentIndex = indexIn(choices.benchmarkType, v.type, "process")
        audienceBox.currentIndex = indexIn(choices.audience, v.audience, "students")
        unitField.text = textOf(v.unit)
        baselineField.text = textOf(v.baseline)
        baselineDateField.date = textOf(v.baselineDate).length ? textOf(v.baselineDate)
                                                               : Qt.formatDate(new Date(), "yyyy-MM-dd")
        targetField.text = textOf(v.target)
        directionBox.currentIndex = indexIn(choices.direction, v.direction, "higher")
        dueField.date = textOf(v.due)
        cadenceBox.currentIndex = indexIn(choices.cadence, v.cadence, "monthly")
        if (scroll.ScrollBar.vertical) scroll.ScrollBar.vertical.position = 0
    }

    // The form's fields by their names in the data.
    function fields() {
        if (isObjective)
            return { title: titleField.text.trim(), practice: valueOf(practiceBox) }
        if (isInitiative)
            return { title: titleField.text.trim(), description: descriptionField.text,
                     owner: ownerField.text.trim(), start: startField.date, end: endField.date,
                     status: valueOf(statusBox) }
        return { measure: measureField.text.trim(), type: valueOf(typeBox),
                 audience: valueOf(audienceBox), unit: unitField.text.trim(),
                 baseline: baselineField.text.trim(), baseline_date: baselineDateField.date,
                 target: targetField.text.trim(), direction: valueOf(directionBox),
                 due: dueField.date, cadence: valueOf(cadenceBox) }
    }

    function save() {
        if (!editor || !complete) return false
        const map = fields()
        const ok = isObjective ? editor.saveObjective(rowId, map)
                 : isInitiative ? editor.saveInitiative(rowId, parentId, map)
                 : editor.saveBenchmark(rowId, parentId, map)
        failed = !ok
        if (ok) {
            dialog.close()
            dialog.saved()
        }
        return ok
    }

    // A field's label above the field; half the width on a wide dialog unless `span`.
    component Cell: ColumnLayout {
        id: cell
        property string label
        property bool span: false
        Layout.columnSpan: span ? dialog.columns : 1
        Layout.fillWidth: true
        Layout.preferredWidth: span || dialog.columns === 1
                               ? form.width : (form.width - form.columnSpacing) / 2
        Layout.alignment: Qt.AlignTop
        spacing: 4
        Label {
            Layout.fillWidth: true
            text: cell.label
            color: Theme.text
            font.pixelSize: Theme.fontBody
            wrapMode: Text.WordWrap
        }
    }
    component Choice: ComboBox {
        Layout.fillWidth: true
        implicitHeight: Theme.touchTarget
        textRole: "label"
        valueRole: "value"
    }

    contentItem: ScrollView {
        id: scroll
        clip: true
        contentWidth: availableWidth
        implicitHeight: form.implicitHeight
        GridLayout {
            id: form
            width: scroll.availableWidth
            columns: dialog.columns
            columnSpacing: Theme.margin
            rowSpacing: Theme.spacing

            Label {
                Layout.columnSpan: dialog.columns
                Layout.fillWidth: true
                visible: dialog.about.length > 0
                text: dialog.about
                color: Theme.mutedText
                wrapMode: Text.WordWrap
            }

            // Objective and initiative.
            Cell {
                label: dialog.isObjective ? qsTr("Objective") : qsTr("Initiative")
                span: true
                visible: !dialog.isBenchmark
                TextField {
                    id: titleField
                    objectName: "planPartTitle"
                    Layout.fillWidth: true
                    implicitHeight: Theme.touchTarget
                    placeholderText: qsTr("Title")
                    Accessible.name: dialog.isObjective ? qsTr("Title of the objective")
                                                        : qsTr("Title of the initiative")
                    onAccepted: dialog.save()
                }
            }
            Cell {
                label: qsTr("Practice")
                span: true
                visible: dialog.isObjective
                Choice {
                    id: practiceBox
                    objectName: "planPartPractice"
                    model: dialog.choices.practice || []
                    Accessible.name: qsTr("Practice the objective serves")
                }
            }
            Cell {
                label: qsTr("Description")
                span: true
                visible: dialog.isInitiative
                TextArea {
                    id: descriptionField
                    objectName: "planPartDescription"
                    Layout.fillWidth: true
                    Layout.minimumHeight: 2 * Theme.touchTarget
                    wrapMode: TextEdit.Wrap
                    placeholderText: qsTr("What will be done (optional)")
                    Accessible.name: qsTr("Description of the initiative")
                }
            }
            Cell {
                label: qsTr("Owner")
                visible: dialog.isInitiative
                TextField {
                    id: ownerField
                    objectName: "planPartOwner"
                    Layout.fillWidth: true
                    implicitHeight: Theme.touchTarget
                    placeholderText: qsTr("A name or a role, e.g. Math coach")
                    Accessible.name: qsTr("Who carries the initiative")
                }
            }
            Cell {
                label: qsTr("Status")
                visible: dialog.isInitiative
                Choice {
                    id: statusBox
                    objectName: "planPartStatus"
                    model: dialog.choices.initiativeStatus || []
                    Accessible.name: qsTr("Status of the initiative")
                }
            }
            Cell {
                label: qsTr("Start (optional)")
                visible: dialog.isInitiative
                RowLayout {
                    Layout.fillWidth: true
                    spacing: 0
                    DateField {
                        id: startField
                        objectName: "planPartStart"
                        Layout.fillWidth: true
                        Accessible.name: qsTr("Start of the initiative: %1").arg(text)
                    }
                    ToolButton {
                        visible: startField.date.length > 0
                        text: "✕"
                        implicitWidth: Theme.touchTarget
                        implicitHeight: Theme.touchTarget
                        Accessible.name: qsTr("Clear the start date")
                        onClicked: startField.date = ""
                    }
                }
            }
            Cell {
                label: qsTr("End (optional)")
                visible: dialog.isInitiative
                RowLayout {
                    Layout.fillWidth: true
                    spacing: 0
                    DateField {
                        id: endField
                        objectName: "planPartEnd"
                        Layout.fillWidth: true
                        Accessible.name: qsTr("End of the initiative: %1").arg(text)
                    }
                    ToolButton {
                        visible: endField.date.length > 0
                        text: "✕"
                        implicitWidth: Theme.touchTarget
                        implicitHeight: Theme.touchTarget
                        Accessible.name: qsTr("Clear the end date")
                        onClicked: endField.date = ""
                    }
                }
            }

            // Benchmark.
            Cell {
                label: qsTr("Measure")
                span: true
                visible: dialog.isBenchmark
                TextField {
                    id: measureField
                    objectName: "planPartMeasure"
                    Layout.fillWidth: true
                    implicitHeight: Theme.touchTarget
                    placeholderText: qsTr("What is measured, e.g. Chronic absenteeism")
                    Accessible.name: qsTr("Measure of the benchmark")
                }
            }
            Cell {
                label: qsTr("Type")
                visible: dialog.isBenchmark
                Choice {
                    id: typeBox
                    objectName: "planPartType"
                    model: dialog.choices.benchmarkType || []
                    Accessible.name: qsTr("Type of benchmark")
                }
            }
            Cell {
                label: qsTr("Audience")
                visible: dialog.isBenchmark
                Choice {
                    id: audienceBox
                    objectName: "planPartAudience"
                    model: dialog.choices.audience || []
                    Accessible.name: qsTr("Who is measured")
                }
            }
            Cell {
                label: qsTr("Unit (optional)")
                visible: dialog.isBenchmark
                TextField {
                    id: unitField
                    objectName: "planPartUnit"
                    Layout.fillWidth: true
                    implicitHeight: Theme.touchTarget
                    placeholderText: qsTr("e.g. %")
                    Accessible.name: qsTr("Unit of the measure")
                }
            }
            Cell {
                label: qsTr("Direction")
                visible: dialog.isBenchmark
                Choice {
                    id: directionBox
                    objectName: "planPartDirection"
                    model: dialog.choices.direction || []
                    Accessible.name: qsTr("Which way is better")
                }
            }
            Cell {
                label: qsTr("Baseline")
                visible: dialog.isBenchmark
                TextField {
                    id: baselineField
                    objectName: "planPartBaseline"
                    Layout.fillWidth: true
                    implicitHeight: Theme.touchTarget
                    inputMethodHints: Qt.ImhFormattedNumbersOnly
                    placeholderText: qsTr("A number")
                    Accessible.name: qsTr("Baseline value")
                }
            }
            Cell {
                label: qsTr("Baseline measured on")
                visible: dialog.isBenchmark
                DateField {
                    id: baselineDateField
                    objectName: "planPartBaselineDate"
                    Layout.fillWidth: true
                    Accessible.name: qsTr("Date of the baseline: %1").arg(text)
                }
            }
            Cell {
                label: qsTr("Target")
                visible: dialog.isBenchmark
                TextField {
                    id: targetField
                    objectName: "planPartTarget"
                    Layout.fillWidth: true
                    implicitHeight: Theme.touchTarget
                    inputMethodHints: Qt.ImhFormattedNumbersOnly
                    placeholderText: qsTr("A number")
                    Accessible.name: qsTr("Target value")
                }
            }
            Cell {
                label: qsTr("Due")
                visible: dialog.isBenchmark
                DateField {
                    id: dueField
                    objectName: "planPartDue"
                    Layout.fillWidth: true
                    Accessible.name: qsTr("Target due by: %1").arg(text)
                }
            }
            Cell {
                label: qsTr("Measured")
                visible: dialog.isBenchmark
                Choice {
                    id: cadenceBox
                    objectName: "planPartCadence"
                    model: dialog.choices.cadence || []
                    Accessible.name: qsTr("How often it is measured")
                }
            }

            Label {
                objectName: "planPartMissing"
                Layout.columnSpan: dialog.columns
                Layout.fillWidth: true
                visible: !dialog.complete
                text: dialog.isBenchmark
                      ? qsTr("A measure, a baseline with its date, a target and a due date are needed.")
                      : qsTr("A title is needed.")
                color: Theme.mutedText
                font.pixelSize: Theme.fontSmall
                wrapMode: Text.WordWrap
            }
            Label {
                objectName: "planPartError"
                Layout.columnSpan: dialog.columns
                Layout.fillWidth: true
                visible: text.length > 0
                text: dialog.failed && dialog.editor ? dialog.editor.errorString : ""
                color: Theme.danger
                wrapMode: Text.WordWrap
            }
        }
    }

    footer: DialogButtonBox {
        Button {
            text: qsTr("Cancel")
            implicitHeight: Theme.touchTarget
            DialogButtonBox.buttonRole: DialogButtonBox.RejectRole
        }
        Button {
            objectName: "planPartSave"
            text: qsTr("Save")
            implicitHeight: Theme.touchTarget
            enabled: dialog.complete && dialog.editor !== null && dialog.editor.editable
            DialogButtonBox.buttonRole: DialogButtonBox.ApplyRole
            onClicked: dialog.save()
        }
    }
}
