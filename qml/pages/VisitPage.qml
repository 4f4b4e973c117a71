import QtQuick
import QtQuick.Controls
import QtQuick.Dialogs
import QtQuick.Layouts
import SiteVisit

// Visit capture for a tablet: a practice, its indicators, a rating and evidence for each.
// Every change is saved at once; submit hands the visit to the school.
Page {
    id: page
    property string visitId
    readonly property string visitTitle: visit.title
    objectName: "visitPage"
    background: Rectangle { color: Theme.background }

    VisitController {
        id: visit
        visitId: page.visitId
    }
    // Who is on the visit's team, for the team ratings button.
    TeamController {
        id: teamState
        visitId: page.visitId
    }
    Component {
        id: teamRatingsPage
        TeamRatingsPage {}
    }
    // The team's own ratings side by side, the visit's final rating and how alike they rated.
    function openTeam() {
        page.StackView.view.push(teamRatingsPage, { visitId: page.visitId, levels: visit.levels })
    }

    header: PageHeader {
        title: visit.title
        onBack: page.StackView.view.pop()
    }

    ColumnLayout {
        anchors.fill: parent
        spacing: 0
        TabBar {
            id: tabs
            Layout.fillWidth: true
            currentIndex: visit.practice - 1
            Repeater {
                model: visit.practices
                TabButton {
                    required property var modelData
                    text: qsTr("Practice %1 (%2/%3)").arg(modelData.number).arg(modelData.rated).arg(modelData.total)
                    implicitHeight: Theme.touchTarget
                    Accessible.name: qsTr("Practice %1: %2").arg(modelData.number).arg(modelData.name)
                    onClicked: visit.practice = modelData.number
                }
            }
        }
        Label {
            Layout.fillWidth: true
            Layout.margins: Theme.margin
            text: visit.practices.length ? visit.practices[visit.practice - 1].name : ""
            wrapMode: Text.WordWrap
            color: Theme.mutedText
            font.pixelSize: Theme.fontBody
        }
        // The visit report (PDF, made on this tablet, no network): make it, then share or save.
        RowLayout {
            objectName: "reportRow"
            Layout.fillWidth: true
            Layout.leftMargin: Theme.margin
            Layout.rightMargin: Theme.margin
            visible: visit.canReport || teamButton.visible
            spacing: Theme.spacing
            Button {
                id: teamButton
                objectName: "teamButton"
                text: teamState.teamVisit ? qsTr("Team ratings (%1)").arg(teamState.members.length)
                                          : qsTr("Visit as a team")
                visible: teamState.teamVisit || (teamState.canRate && teamState.colleagues.length > 0)
                implicitHeight: Theme.touchTarget
                onClicked: page.openTeam()
            }
            Button {
                objectName: "reportButton"
                visible: visit.canReport
                text: qsTr("Report")
                enabled: !visit.makingReport
                implicitHeight: Theme.touchTarget
                Accessible.name: qsTr("Make the visit report (PDF)")
                onClicked: visit.makeReport()
            }
            BusyIndicator {
                running: visit.makingReport
                visible: running
                implicitWidth: Theme.touchTarget
                implicitHeight: Theme.touchTarget
            }
            Label {
                objectName: "reportMessage"
                Layout.fillWidth: true
                text: visit.reportMessage
                color: Theme.mutedText
                elide: Text.ElideMiddle
            }
            Button {
                text: visit.canShare ? qsTr("Share") : qsTr("Save as…")
                visible: visit.reportFile.length > 0
                implicitHeight: Theme.touchTarget
                onClicked: page.offerReport()
            }
            Button {
                text: qsTr("Open")
                visible: visit.savedReport.length > 0
                implicitHeight: Theme.touchTarget
                onClicked: visit.openSavedReport()
            }
        }
        // A photo or file being made ready for the indicator (read, downscaled, hashed).
        RowLayout {
            objectName: "preparingRow"
            Layout.fillWidth: true
            Layout.leftMargin: Theme.margin
            visible: visit.preparing
            spacing: Theme.spacing
            BusyIndicator {
                running: visit.preparing
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
            Layout.leftMargin: Theme.margin
            visible: visit.errorString.length > 0 && !visit.preparing
            text: visit.errorString
            color: Theme.danger
            wrapMode: Text.WordWrap
        }
        // The region's review of a submitted visit: offered to its regional director (or an
        // admin), and once done, who reviewed it and what the review found.
        Rectangle {
            objectName: "visitReview"
            Layout.fillWidth: true
            Layout.leftMargin: Theme.margin
            Layout.rightMargin: Theme.margin
            Layout.topMargin: Theme.spacing
            visible: visit.canMarkReviewed || visit.reviewedBy.length > 0
            implicitHeight: reviewRow.implicitHeight + 2 * Theme.spacing
            radius: Theme.radius
            color: Theme.surface
            border.color: visit.reviewedBy.length > 0 ? Theme.ok : Theme.primary
            RowLayout {
                id: reviewRow
                anchors.fill: parent
                anchors.margins: Theme.spacing
                spacing: Theme.spacing
                Label {
                    Layout.fillWidth: true
                    wrapMode: Text.WordWrap
                    color: Theme.text
                    text: visit.reviewedBy.length > 0
                          ? qsTr("Reviewed by %1: %2").arg(visit.reviewedBy).arg(visit.reviewComment)
                          : qsTr("Submitted and waiting for the region's review.")
                }
                PrimaryButton {
                    objectName: "markReviewedButton"
                    visible: visit.canMarkReviewed
                    text: qsTr("Mark reviewed…")
                    Accessible.name: qsTr("Mark this visit reviewed, with a comment")
                    onClicked: reviewDialog.open()
                }
            }
        }
        // On a team visit the level buttons are this person's own ratings.
        Label {
            objectName: "ownRatingNote"
            Layout.fillWidth: true
            Layout.leftMargin: Theme.margin
            Layout.rightMargin: Theme.margin
            Layout.topMargin: Theme.spacing
            visible: visit.ratingOwn
            wrapMode: Text.WordWrap
            color: Theme.text
            text: visit.ownRatingsDone
                  ? qsTr("A team visit: your ratings are marked done and can no longer change. The visit's rating is set on Team ratings.")
                  : qsTr("A team visit: the buttons record your own rating, which the team sees once you mark your ratings done. The visit's rating is set on Team ratings.")
        }
        ListView {
            id: list
            Layout.fillWidth: true
            Layout.fillHeight: true
            Layout.leftMargin: Theme.margin
            Layout.rightMargin: Theme.margin
            clip: true
            spacing: Theme.spacing
            model: visit.indicators
            delegate: IndicatorDelegate {
                width: ListView.view.width
                levels: visit.levels
                sources: visit.sources
                editable: visit.editable
                ratingEditable: visit.editable && !(visit.ratingOwn && visit.ownRatingsDone)
                visitId: page.visitId
                showEarlier: visit.statusValue === Values.Draft
                onRated: (r) => visit.rate(indicatorId, r)
                onNoteEdited: (t) => visit.setNote(indicatorId, t)
                onSourceChosen: (s) => visit.setSource(indicatorId, s)
                onAttachRequested: {
                    if (visit.preparing) return // one file at a time
                    page.attachTo = indicatorId
                    if (App.cameraAvailable) attachMenu.popup()
                    else picker.open()
                }
            }
            header: PracticeNotes {
                width: ListView.view.width
            }
            footer: ColumnLayout {
                width: ListView.view.width
                spacing: Theme.spacing
                property alias steps: wholeVisitSteps
                NextStepList {
                    id: wholeVisitSteps
                    objectName: "wholeVisitSteps"
                    Layout.fillWidth: true
                    Layout.topMargin: Theme.margin
                    visit: page.visitId
                    wholeVisit: true
                    heading: qsTr("Next steps for the whole visit")
                    addText: qsTr("Add a next step for the whole visit")
                    about: page.visitTitle // `visit` here is the list's own property
                }
                // What the team and the school say about the visit as a whole.
                Comments {
                    objectName: "visitComments"
                    Layout.fillWidth: true
                    Layout.topMargin: Theme.margin
                    targetEntity: "visit"
                    target: page.visitId
                    heading: qsTr("Comments on the visit")
                }
                VisitSummary {
                    Layout.fillWidth: true
                    summary: visit.summary
                    levels: visit.levels
                    status: visit.statusValue
                    editable: visit.editable
                    onSubmitRequested: confirm.open()
                }
            }
        }
    }

    // The lead's strengths and areas for growth in the chosen practice, saved to the visit when
    // a field is left (a draft the person may edit; read only otherwise).
    component PracticeNotes: ColumnLayout {
        spacing: Theme.spacing
        readonly property string key: String(visit.practice)
        Label {
            Layout.topMargin: Theme.spacing
            text: qsTr("Strengths")
            font.bold: true
            color: Theme.text
        }
        TextArea {
            objectName: "strengthsField"
            Layout.fillWidth: true
            Layout.minimumHeight: Theme.touchTarget * 1.5
            wrapMode: TextEdit.Wrap
            readOnly: !visit.editable
            text: visit.strengths[parent.key] || ""
            placeholderText: visit.editable ? qsTr("What the school does well in this practice") : qsTr("None written")
            Accessible.name: qsTr("Strengths in practice %1").arg(visit.practice)
            onEditingFinished: if (text !== (visit.strengths[parent.key] || "")) visit.setStrengths(visit.practice, text)
        }
        Label {
            text: qsTr("Areas for growth")
            font.bold: true
            color: Theme.text
        }
        TextArea {
            objectName: "areasField"
            Layout.fillWidth: true
            Layout.minimumHeight: Theme.touchTarget * 1.5
            Layout.bottomMargin: Theme.spacing
            wrapMode: TextEdit.Wrap
            readOnly: !visit.editable
            text: visit.areasForGrowth[parent.key] || ""
            placeholderText: visit.editable ? qsTr("What to work on next in this practice") : qsTr("None written")
            Accessible.name: qsTr("Areas for growth in practice %1").arg(visit.practice)
            onEditingFinished: if (text !== (visit.areasForGrowth[parent.key] || "")) visit.setAreasForGrowth(visit.practice, text)
        }
    }

    // For screenshots and the self-test: a new step for the whole visit, the summary, and an
    // indicator's comments.
    function addWholeVisitStep() {
        showSummary()
        if (list.footerItem) list.footerItem.steps.openStep("")
    }
    function showSummary() {
        list.positionViewAtEnd()
        settleAtEnd.restart() // the footer's wrapped texts take their height once laid out
    }
    Timer {
        id: settleAtEnd
        interval: 100
        onTriggered: list.positionViewAtEnd()
    }
    // The comments of the practice's first observed indicator, opened.
    function showComments() {
        list.forceLayout()
        for (let i = 0; i < list.count; ++i) {
            const card = list.itemAtIndex(i)
            if (card && card.openComments()) {
                list.positionViewAtIndex(i, ListView.Beginning)
                return
            }
        }
    }
    function showPractice(n) { visit.practice = n }

    // The indicator a photo or file is being attached to.
    property string attachTo

    // A report made is offered at once: the share sheet where there is one, else "Save as".
    function offerReport() {
        if (visit.canShare) {
            visit.shareReport()
        } else {
            saveReport.selectedFile = visit.reportSaveUrl
            saveReport.open()
        }
    }
    Connections {
        target: visit
        function onReportReady() { page.offerReport() }
    }
    FileDialog {
        id: saveReport
        objectName: "saveReportDialog"
        title: qsTr("Save the visit report")
        fileMode: FileDialog.SaveFile
        nameFilters: [qsTr("PDF files (*.pdf)")]
        onAccepted: visit.saveReport(selectedFile)
    }

    Menu {
        id: attachMenu
        MenuItem {
            text: qsTr("Take a photo")
            implicitHeight: Theme.touchTarget
            onTriggered: camera.open()
        }
        MenuItem {
            text: qsTr("Choose a file")
            implicitHeight: Theme.touchTarget
            onTriggered: picker.open()
        }
    }

    CameraDialog {
        id: camera
        onTaken: (file) => visit.attach(page.attachTo, file)
    }

    FileDialog {
        id: picker
        title: qsTr("Attach a photo or document")
        onAccepted: visit.attach(page.attachTo, selectedFile)
    }

    Dialog {
        id: reviewDialog
        objectName: "reviewDialog"
        anchors.centerIn: parent
        modal: true
        title: qsTr("Mark this visit reviewed?")
        standardButtons: Dialog.Ok | Dialog.Cancel
        contentWidth: Math.min(480, page.width - 4 * Theme.margin)
        // Drawn here: the style's raised background is a layer effect some renderers leave out.
        background: Rectangle { color: Theme.surface; radius: Theme.radius; border.color: Theme.divider }
        onAboutToShow: reviewText.text = ""
        onOpened: {
            standardButton(Dialog.Ok).enabled = Qt.binding(() => reviewText.text.trim().length > 0)
            reviewText.forceActiveFocus()
        }
        onAccepted: visit.markReviewed(reviewText.text)
        ColumnLayout {
            width: reviewDialog.contentWidth
            spacing: Theme.spacing
            Label {
                Layout.fillWidth: true
                wrapMode: Text.WordWrap
                color: Theme.mutedText
                text: qsTr("Say what the review found. The team and the school see it, and the visit cannot be reviewed again.")
            }
            TextArea {
                id: reviewText
                objectName: "reviewComment"
                Layout.fillWidth: true
                Layout.preferredHeight: 120
                wrapMode: TextEdit.Wrap
                placeholderText: qsTr("What the review found")
                Accessible.name: qsTr("What the review found")
            }
        }
    }
    // For the self-test and screenshots.
    function openReview() { reviewDialog.open() }

    Dialog {
        id: confirm
        anchors.centerIn: parent
        modal: true
        title: qsTr("Submit this visit?")
        standardButtons: Dialog.Ok | Dialog.Cancel
        // Its own width: a wrapped text whose count changes (a rating, a sync) would otherwise
        // feed the dialog's width back into itself.
        contentWidth: 360
        Label {
            objectName: "submitConfirmText"
            width: 360
            wrapMode: Text.WordWrap
            text: (visit.unrated > 0 ? qsTr("%n indicator(s) are not rated yet. ", "", visit.unrated) : "")
                  + qsTr("The school's people will see its ratings, and they can no longer be changed.")
        }
        onAccepted: visit.submit()
    }
}
