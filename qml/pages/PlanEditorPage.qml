import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import SiteVisit

// Writes a school's plan on the device: the plan itself (title, kind, years, goal), then its
// objectives, each objective's initiatives and each initiative's benchmarks. A plan is a draft
// until submitted; after that every change shows under "Changes", with who made it and when.
Page {
    id: page
    property string schoolId
    // Empty: a new plan; saving it gives it its id.
    property string planId
    objectName: "planEditorPage"
    title: isNew ? qsTr("New plan") : (plan.title || qsTr("Plan"))
    background: Rectangle { color: Theme.background }

    PlanEditor {
        id: editor
        schoolId: page.schoolId
        planId: page.planId
    }

    readonly property bool isNew: editor.planId.length === 0
    readonly property var plan: editor.plan || ({})
    readonly property var choices: editor.choices || ({})
    // The school years offered, with the plan's own even when they are no longer around today.
    readonly property var yearChoices: {
        const list = (page.choices.years || []).slice()
        for (const y of [page.plan.firstYear, page.plan.lastYear]) {
            if (y && !list.some(c => String(c.value) === String(y)))
                list.push({ value: y, label: y })
        }
        return list.sort((a, b) => String(a.value).localeCompare(String(b.value)))
    }
    // What the plan fields were last filled from; they are refilled only when it changes, so
    // the plan fields keep what is being typed while parts of the plan are saved.
    property string loadedFrom: ""
    property bool planSaved: false

    Connections {
        target: editor
        function onChanged() { page.loadPlan(false) }
    }
    Component.onCompleted: loadPlan(true)

    // "2026-2027" for a day from July 2026 to June 2027.
    function schoolYearOf(d) {
        const y = d.getMonth() >= 6 ? d.getFullYear() : d.getFullYear() - 1
        return y + "-" + (y + 1)
    }
    function indexIn(list, value, fallback) {
        if (!list || !list.length) return -1
        const find = (v) => list.findIndex(c => String(c.value) === String(v))
        let i = value === undefined || value === null || value === "" ? -1 : find(value)
        if (i < 0 && fallback !== undefined) i = find(fallback)
        return Math.max(0, i)
    }
    function valueOf(box) {
        const list = box.model
        return list && box.currentIndex >= 0 && box.currentIndex < list.length
                ? list[box.currentIndex].value : ""
    }
    function loadPlan(force) {
        const from = JSON.stringify([editor.planId, page.plan, page.choices.kind || [], page.yearChoices])
        if (!force && from === page.loadedFrom) return
        page.loadedFrom = from
        const p = page.plan
        const thisYear = page.schoolYearOf(new Date())
        titleField.text = p.title || ""
        kindBox.currentIndex = page.indexIn(page.choices.kind, p.kind, "sip")
        firstYearBox.currentIndex = page.indexIn(page.yearChoices, p.firstYear, thisYear)
        lastYearBox.currentIndex = page.indexIn(page.yearChoices, p.lastYear,
                                                p.firstYear || thisYear)
        goalField.text = p.goal || ""
    }
    function savePlan() {
        const ok = editor.savePlan({
            title: titleField.text.trim(),
            kind: page.valueOf(kindBox),
            first_year: page.valueOf(firstYearBox),
            last_year: page.valueOf(lastYearBox),
            goal: goalField.text
        })
        page.planSaved = ok
        if (ok && editor.planId.length > 0 && page.planId !== editor.planId)
            page.planId = editor.planId
        return ok
    }
    function openPart(kind, rowId, parentId, values, about) {
        partDialog.kind = kind
        partDialog.rowId = rowId || ""
        partDialog.parentId = parentId || ""
        partDialog.values = values || ({})
        partDialog.about = about || ""
        partDialog.open()
    }
    function confirmRemove(entity, rowId, rowTitle) {
        removeDialog.entity = entity
        removeDialog.rowId = rowId
        removeDialog.rowTitle = rowTitle
        removeDialog.extra = editor.removes(entity, rowId)
        removeDialog.open()
    }
    // "2026-09-01 – 2027-06-15", "from 2026-09-01", "until 2027-06-15" or "".
    function spanOf(start, end) {
        if (start && end) return qsTr("%1 – %2").arg(start).arg(end)
        if (start) return qsTr("from %1").arg(start)
        if (end) return qsTr("until %1").arg(end)
        return ""
    }
    // For the self-test and screenshots.
    function addObjective() { page.openPart("objective", "", "", ({})) }

    header: PageHeader {
        title: page.title
        onBack: page.StackView.view.pop()
    }

    ScrollView {
        id: scroll
        anchors.fill: parent
        contentWidth: availableWidth
        contentHeight: content.implicitHeight + 2 * Theme.margin
        clip: true

        ColumnLayout {
            id: content
            // At most about 900 px wide, centred on a wide window.
            width: Math.max(0, Math.min(scroll.availableWidth - 2 * Theme.margin, 900))
            x: Math.max(Theme.margin, (scroll.availableWidth - width) / 2)
            y: Theme.margin
            spacing: Theme.spacing

            // Where the plan stands.
            Label {
                objectName: "planStatus"
                Layout.fillWidth: true
                wrapMode: Text.WordWrap
                color: Theme.mutedText
                font.pixelSize: Theme.fontBody
                text: page.isNew
                      ? qsTr("A new plan is saved as a draft; its objectives are added once it is saved.")
                      : editor.draft
                        ? qsTr("%1: the school's plan in effect stays as it is until this one is submitted and its first year begins.")
                              .arg(page.plan.statusLabel || qsTr("Draft"))
                        : page.plan.status === "submitted"
                          ? qsTr("%1. Every change is recorded below.").arg(page.plan.statusLabel || qsTr("Submitted"))
                          : qsTr("Every change is recorded below.")
            }
            Label {
                objectName: "planRenews"
                Layout.fillWidth: true
                visible: !!page.plan.previousTitle
                wrapMode: Text.WordWrap
                color: Theme.mutedText
                text: !page.plan.previousTitle ? ""
                      : page.plan.previousYears ? qsTr("Renews %1 (%2)").arg(page.plan.previousTitle).arg(page.plan.previousYears)
                      : qsTr("Renews %1").arg(page.plan.previousTitle)
            }
            Label {
                objectName: "planReadOnly"
                Layout.fillWidth: true
                visible: !editor.editable
                wrapMode: Text.WordWrap
                color: Theme.mutedText
                text: qsTr("You can read this plan; only the school's principal, its receiver or an admin can change it.")
            }
            Label {
                objectName: "planEditorError"
                Layout.fillWidth: true
                visible: text.length > 0
                text: editor.errorString
                color: Theme.danger
                wrapMode: Text.WordWrap
            }

            // The plan itself.
            SectionTitle {
                Layout.topMargin: Theme.spacing
                text: qsTr("Plan")
            }
            Label { text: qsTr("Title"); color: Theme.text; font.pixelSize: Theme.fontBody }
            TextField {
                id: titleField
                objectName: "planTitle"
                Layout.fillWidth: true
                implicitHeight: Theme.touchTarget
                enabled: editor.editable
                placeholderText: qsTr("e.g. Sustainable improvement plan 2026–2029")
                Accessible.name: qsTr("Title of the plan")
                onTextEdited: page.planSaved = false
            }
            ColumnLayout {
                Layout.fillWidth: true
                spacing: 4
                Label { text: qsTr("Kind"); color: Theme.text; font.pixelSize: Theme.fontBody }
                ComboBox {
                    id: kindBox
                    objectName: "planKind"
                    Layout.fillWidth: true
                    implicitHeight: Theme.touchTarget
                    enabled: editor.editable
                    model: page.choices.kind || []
                    textRole: "label"
                    valueRole: "value"
                    Accessible.name: qsTr("Kind of plan")
                    onActivated: page.planSaved = false
                }
            }
            GridLayout {
                Layout.fillWidth: true
                columns: content.width >= 480 ? 2 : 1
                columnSpacing: Theme.margin
                rowSpacing: Theme.spacing
                ColumnLayout {
                    Layout.fillWidth: true
                    Layout.preferredWidth: 1
                    spacing: 4
                    Label { text: qsTr("First school year"); color: Theme.text; font.pixelSize: Theme.fontBody }
                    ComboBox {
                        id: firstYearBox
                        objectName: "planFirstYear"
                        Layout.fillWidth: true
                        implicitHeight: Theme.touchTarget
                        enabled: editor.editable
                        model: page.yearChoices
                        textRole: "label"
                        valueRole: "value"
                        Accessible.name: qsTr("First school year of the plan")
                        onActivated: page.planSaved = false
                    }
                }
                ColumnLayout {
                    Layout.fillWidth: true
                    Layout.preferredWidth: 1
                    spacing: 4
                    Label { text: qsTr("Last school year"); color: Theme.text; font.pixelSize: Theme.fontBody }
                    ComboBox {
                        id: lastYearBox
                        objectName: "planLastYear"
                        Layout.fillWidth: true
                        implicitHeight: Theme.touchTarget
                        enabled: editor.editable
                        model: page.yearChoices
                        textRole: "label"
                        valueRole: "value"
                        Accessible.name: qsTr("Last school year of the plan")
                        onActivated: page.planSaved = false
                    }
                }
            }
            Label { text: qsTr("Goal / theory of action"); color: Theme.text; font.pixelSize: Theme.fontBody }
            TextArea {
                id: goalField
                objectName: "planGoal"
                Layout.fillWidth: true
                Layout.minimumHeight: 3 * Theme.touchTarget
                wrapMode: TextEdit.Wrap
                enabled: editor.editable
                placeholderText: qsTr("What the school is trying to do, and how it believes it gets there")
                Accessible.name: qsTr("Goal or theory of action of the plan")
                onTextChanged: if (activeFocus) page.planSaved = false
            }
            RowLayout {
                Layout.fillWidth: true
                spacing: Theme.margin
                PrimaryButton {
                    objectName: "savePlan"
                    text: qsTr("Save plan")
                    enabled: editor.editable && titleField.text.trim().length > 0
                    Accessible.name: page.isNew ? qsTr("Save the new plan as a draft") : qsTr("Save the plan")
                    onClicked: page.savePlan()
                }
                Label {
                    Layout.fillWidth: true
                    visible: page.planSaved && editor.errorString.length === 0
                    text: qsTr("Saved on this device.")
                    color: Theme.mutedText
                    wrapMode: Text.WordWrap
                }
            }

            // Objectives, their initiatives and benchmarks: only once the plan is saved.
            SectionTitle {
                Layout.topMargin: Theme.margin
                visible: !page.isNew
                text: qsTr("Objectives")
            }
            Label {
                Layout.fillWidth: true
                visible: !page.isNew && editor.objectives.length === 0
                text: qsTr("No objectives yet. Each objective serves one of the four practices.")
                color: Theme.mutedText
                wrapMode: Text.WordWrap
            }
            ColumnLayout {
                objectName: "planObjectives"
                Layout.fillWidth: true
                visible: !page.isNew
                spacing: Theme.margin
                Repeater {
                    model: page.isNew ? [] : editor.objectives
                    Rectangle {
                        id: objectiveCard
                        required property var modelData
                        required property int index
                        readonly property var objective: modelData
                        Layout.fillWidth: true
                        implicitHeight: objectiveBody.implicitHeight + 2 * Theme.margin
                        radius: Theme.radius
                        color: Theme.surface
                        border.color: Theme.divider
                        ColumnLayout {
                            id: objectiveBody
                            x: Theme.margin
                            y: Theme.margin
                            width: parent.width - 2 * Theme.margin
                spacing: 4
                            Label {
                                Layout.fillWidth: true
                                text: qsTr("Practice %1 · %2").arg(objectiveCard.objective.practice)
                                                               .arg(objectiveCard.objective.practiceName)
                                color: Theme.mutedText
                                font.pixelSize: Theme.fontSmall
                                font.bold: true
                                wrapMode: Text.WordWrap
                            }
                            Label {
                                Layout.fillWidth: true
                                text: objectiveCard.objective.title
                                color: Theme.text
                                font.pixelSize: Theme.fontTitle
                                font.bold: true
                                wrapMode: Text.WordWrap
                            }
                            Flow {
                                Layout.fillWidth: true
                                spacing: Theme.spacing
                                Button {
                                    flat: true
                                    implicitHeight: Theme.touchTarget
                                    enabled: editor.editable
                                    objectName: "editObjective"
                                    text: qsTr("Edit")
                                    Accessible.name: qsTr("Edit the objective %1").arg(objectiveCard.objective.title)
                                    onClicked: page.openPart("objective", objectiveCard.objective.objectiveId, "",
                                                             objectiveCard.objective)
                                }
                                Button {
                                    flat: true
                                    implicitHeight: Theme.touchTarget
                                    enabled: editor.editable
                                    objectName: "removeObjective"
                                    text: qsTr("Remove")
                                    Accessible.name: qsTr("Remove the objective %1").arg(objectiveCard.objective.title)
                                    onClicked: page.confirmRemove("objective", objectiveCard.objective.objectiveId,
                                                                  objectiveCard.objective.title)
                                }
                                Button {
                                    flat: true
                                    implicitHeight: Theme.touchTarget
                                    enabled: editor.editable
                                    objectName: "addInitiative"
                                    text: qsTr("Add initiative")
                                    Accessible.name: qsTr("Add an initiative to %1").arg(objectiveCard.objective.title)
                                    onClicked: page.openPart("initiative", "", objectiveCard.objective.objectiveId, ({}),
                                                             qsTr("Objective: %1").arg(objectiveCard.objective.title))
                                }
                            }
                            Label {
                                Layout.fillWidth: true
                                visible: (objectiveCard.objective.initiatives || []).length === 0
                                text: qsTr("No initiatives yet.")
                                color: Theme.mutedText
                                font.pixelSize: Theme.fontSmall
                            }

                            // The objective's initiatives, each with its benchmarks.
                            Repeater {
                                model: objectiveCard.objective.initiatives || []
                                RowLayout {
                                    id: initiativeRow
                                    required property var modelData
                                    readonly property var initiative: modelData
                                    readonly property string meta: [initiative.owner,
                                                                    page.spanOf(initiative.start, initiative.end),
                                                                    initiative.statusLabel]
                                                                   .filter(s => !!s).join(" · ")
                                    Layout.fillWidth: true
                                    Layout.topMargin: Theme.spacing
                                    spacing: Theme.margin
                                    Rectangle {
                                        Layout.fillHeight: true
                                        Layout.preferredWidth: 3
                                        radius: 1
                                        color: Theme.divider
                                    }
                                    ColumnLayout {
                                        Layout.fillWidth: true
                                        spacing: 2
                                        Label {
                                            Layout.fillWidth: true
                                            text: initiativeRow.initiative.title
                                            color: Theme.text
                                            font.pixelSize: Theme.fontBody
                                            font.bold: true
                                            wrapMode: Text.WordWrap
                                        }
                                        Label {
                                            Layout.fillWidth: true
                                            visible: text.length > 0
                                            text: initiativeRow.meta
                                            color: Theme.mutedText
                                            font.pixelSize: Theme.fontSmall
                                            wrapMode: Text.WordWrap
                                        }
                                        Label {
                                            Layout.fillWidth: true
                                            visible: text.length > 0
                                            text: initiativeRow.initiative.description || ""
                                            color: Theme.text
                                            font.pixelSize: Theme.fontSmall
                                            wrapMode: Text.WordWrap
                                            maximumLineCount: 3
                                            elide: Text.ElideRight
                                        }
                                        Flow {
                                            Layout.fillWidth: true
                                            spacing: Theme.spacing
                                            Button {
                                                flat: true
                                                implicitHeight: Theme.touchTarget
                                                enabled: editor.editable
                                                objectName: "editInitiative"
                                                text: qsTr("Edit")
                                                Accessible.name: qsTr("Edit the initiative %1").arg(initiativeRow.initiative.title)
                                                onClicked: page.openPart("initiative", initiativeRow.initiative.initiativeId,
                                                                         objectiveCard.objective.objectiveId,
                                                                         initiativeRow.initiative,
                                                                         qsTr("Objective: %1").arg(objectiveCard.objective.title))
                                            }
                                            Button {
                                                flat: true
                                                implicitHeight: Theme.touchTarget
                                                enabled: editor.editable
                                                objectName: "removeInitiative"
                                                text: qsTr("Remove")
                                                Accessible.name: qsTr("Remove the initiative %1").arg(initiativeRow.initiative.title)
                                                onClicked: page.confirmRemove("initiative", initiativeRow.initiative.initiativeId,
                                                                              initiativeRow.initiative.title)
                                            }
                                            Button {
                                                flat: true
                                                implicitHeight: Theme.touchTarget
                                                enabled: editor.editable
                                                objectName: "addBenchmark"
                                                text: qsTr("Add benchmark")
                                                Accessible.name: qsTr("Add a benchmark to %1").arg(initiativeRow.initiative.title)
                                                onClicked: page.openPart("benchmark", "", initiativeRow.initiative.initiativeId, ({}),
                                                                         qsTr("Initiative: %1").arg(initiativeRow.initiative.title))
                                            }
                                        }
                                        Label {
                                            Layout.fillWidth: true
                                            visible: (initiativeRow.initiative.benchmarks || []).length === 0
                                            text: qsTr("No benchmarks yet.")
                                            color: Theme.mutedText
                                            font.pixelSize: Theme.fontSmall
                                        }

                                        // The initiative's benchmarks.
                                        Repeater {
                                            model: initiativeRow.initiative.benchmarks || []
                                            ColumnLayout {
                                                id: benchmarkItem
                                                required property var modelData
                                                readonly property var benchmark: modelData
                                                Layout.fillWidth: true
                                                Layout.leftMargin: Theme.margin
                                                Layout.topMargin: 4
                                                spacing: 0
                                                Label {
                                                    Layout.fillWidth: true
                                                    text: benchmarkItem.benchmark.measure
                                                    color: Theme.text
                                                    font.pixelSize: Theme.fontBody
                                                    wrapMode: Text.WordWrap
                                                }
                                                Label {
                                                    Layout.fillWidth: true
                                                    visible: text.length > 0
                                                    text: benchmarkItem.benchmark.summary || ""
                                                    color: Theme.mutedText
                                                    font.pixelSize: Theme.fontSmall
                                                    wrapMode: Text.WordWrap
                                                }
                                                Flow {
                                                    Layout.fillWidth: true
                                                    spacing: Theme.spacing
                                                    Button {
                                                        flat: true
                                                        implicitHeight: Theme.touchTarget
                                                        enabled: editor.editable
                                                        objectName: "editBenchmark"
                                                        text: qsTr("Edit")
                                                        Accessible.name: qsTr("Edit the benchmark %1").arg(benchmarkItem.benchmark.measure)
                                                        onClicked: page.openPart("benchmark", benchmarkItem.benchmark.benchmarkId,
                                                                                 initiativeRow.initiative.initiativeId,
                                                                                 benchmarkItem.benchmark,
                                                                                 qsTr("Initiative: %1").arg(initiativeRow.initiative.title))
                                                    }
                                                    Button {
                                                        flat: true
                                                        implicitHeight: Theme.touchTarget
                                                        enabled: editor.editable
                                                        objectName: "removeBenchmark"
                                                        text: qsTr("Remove")
                                                        Accessible.name: qsTr("Remove the benchmark %1").arg(benchmarkItem.benchmark.measure)
                                                        onClicked: page.confirmRemove("benchmark", benchmarkItem.benchmark.benchmarkId,
                                                                                      benchmarkItem.benchmark.measure)
                                                    }
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            Button {
                objectName: "addObjective"
                visible: !page.isNew
                enabled: editor.editable
                text: qsTr("Add objective")
                implicitHeight: Theme.touchTarget
                Accessible.name: qsTr("Add an objective to the plan")
                onClicked: page.addObjective()
            }

            // Submitting a draft, once nothing is missing.
            ColumnLayout {
                Layout.fillWidth: true
                Layout.topMargin: Theme.margin
                visible: editor.draft && !page.isNew
                spacing: Theme.spacing
                PrimaryButton {
                    objectName: "submitPlan"
                    text: qsTr("Submit plan…")
                    enabled: editor.editable && editor.submitGaps.length === 0
                    Accessible.name: qsTr("Submit the plan")
                    onClicked: submitDialog.open()
                }
                ColumnLayout {
                    objectName: "planSubmitGaps"
                    Layout.fillWidth: true
                    visible: editor.submitGaps.length > 0
                    spacing: 2
                    Label {
                        Layout.fillWidth: true
                        text: qsTr("Before it is submitted:")
                        color: Theme.text
                        font.bold: true
                        wrapMode: Text.WordWrap
                    }
                    Repeater {
                        model: editor.submitGaps
                        Label {
                            required property string modelData
                            Layout.fillWidth: true
                            Layout.leftMargin: Theme.spacing
                            text: "• " + modelData
                            color: Theme.text
                            wrapMode: Text.WordWrap
                        }
                    }
                }
            }

            // A submitted plan's changes, newest first.
            SectionTitle {
                Layout.topMargin: Theme.margin
                visible: history.visible
                text: qsTr("Changes")
            }
            ColumnLayout {
                id: history
                objectName: "planRevisions"
                Layout.fillWidth: true
                visible: !page.isNew && !editor.draft && editor.revisions.length > 0
                spacing: Theme.spacing
                Repeater {
                    model: history.visible ? editor.revisions : []
                    ColumnLayout {
                        id: revision
                        required property var modelData
                        Layout.fillWidth: true
                        spacing: 0
                        Label {
                            Layout.fillWidth: true
                            text: qsTr("%1 · %2 · %3 %4 “%5”").arg(revision.modelData.at).arg(revision.modelData.by)
                                      .arg(revision.modelData.actionLabel).arg(revision.modelData.entityLabel)
                                      .arg(revision.modelData.title)
                            color: Theme.text
                            wrapMode: Text.WordWrap
                        }
                        Label {
                            Layout.fillWidth: true
                            visible: text.length > 0
                            text: revision.modelData.fields || ""
                            color: Theme.mutedText
                            font.pixelSize: Theme.fontSmall
                            wrapMode: Text.WordWrap
                        }
                    }
                }
            }
        }
    }

    PlanPartDialog {
        id: partDialog
        editor: editor
    }

    // Removing a part takes everything under it with it.
    Dialog {
        id: removeDialog
        objectName: "removePlanPartDialog"
        property string entity
        property string rowId
        property string rowTitle
        property string extra
        title: qsTr("Remove “%1”?").arg(rowTitle)
        modal: true
        anchors.centerIn: Overlay.overlay
        width: Math.min(480, page.width - 2 * Theme.margin)
        // Drawn here: the style's raised background is a layer effect some renderers leave out.
        background: Rectangle { color: Theme.surface; radius: Theme.radius; border.color: Theme.divider }
        // The title may be long: wrapped, not cut.
        header: Label {
            text: removeDialog.title
            color: Theme.text
            font.pixelSize: Theme.fontBody + 2
            font.bold: true
            wrapMode: Text.WordWrap
            padding: 24
            bottomPadding: 0
        }
        onAccepted: editor.remove(entity, rowId)
        ColumnLayout {
            width: parent.width
            spacing: Theme.spacing
            Label {
                objectName: "removeAlso"
                Layout.fillWidth: true
                visible: removeDialog.extra.length > 0
                text: qsTr("This also removes %1.").arg(removeDialog.extra)
                color: Theme.text
                wrapMode: Text.WordWrap
            }
            Label {
                Layout.fillWidth: true
                visible: !editor.draft
                text: qsTr("The removal is recorded in the plan's changes.")
                color: Theme.mutedText
                wrapMode: Text.WordWrap
            }
        }
        footer: DialogButtonBox {
            Button {
                text: qsTr("Cancel")
                implicitHeight: Theme.touchTarget
                DialogButtonBox.buttonRole: DialogButtonBox.RejectRole
            }
            Button {
                objectName: "confirmRemove"
                text: qsTr("Remove")
                implicitHeight: Theme.touchTarget
                DialogButtonBox.buttonRole: DialogButtonBox.AcceptRole
            }
        }
    }

    Dialog {
        id: submitDialog
        objectName: "submitPlanDialog"
        title: qsTr("Submit the plan?")
        modal: true
        anchors.centerIn: Overlay.overlay
        width: Math.min(480, page.width - 2 * Theme.margin)
        background: Rectangle { color: Theme.surface; radius: Theme.radius; border.color: Theme.divider }
        onAccepted: editor.submit()
        Label {
            width: parent.width
            text: qsTr("After this, every change is recorded with who made it and when.")
            color: Theme.text
            wrapMode: Text.WordWrap
        }
        footer: DialogButtonBox {
            Button {
                text: qsTr("Cancel")
                implicitHeight: Theme.touchTarget
                DialogButtonBox.buttonRole: DialogButtonBox.RejectRole
            }
            Button {
                objectName: "confirmSubmit"
                text: qsTr("Submit")
                implicitHeight: Theme.touchTarget
                DialogButtonBox.buttonRole: DialogButtonBox.AcceptRole
            }
        }
    }
}
