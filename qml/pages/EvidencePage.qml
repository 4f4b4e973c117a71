import QtQuick
import QtQuick.Controls
import QtQuick.Dialogs
import QtQuick.Layouts
import SiteVisit

// Evidence: principals add files for their benchmarks and watch them upload; receivers review
// them (accepted / needs more / not relevant, with a comment).
Page {
    id: page
    property string schoolId
    property string benchmarkId
    property string initialState: ""
    objectName: "evidencePage"
    background: Rectangle { color: Theme.background }

    EvidenceModel {
        id: evidence
        schoolId: page.schoolId
        benchmarkFilter: page.benchmarkId
        stateFilter: page.initialState
    }

    header: PageHeader {
        title: evidence.canReview ? qsTr("Evidence to review") : qsTr("Evidence")
        onBack: page.StackView.view.pop()
    }

    function openCamera() { camera.open() }

    function previewFirst(mediaType) {
        var item = evidence.firstOnDevice(mediaType)
        if (item.localFile) preview.show(item.title, item.localFile, item.mediaType)
    }

    // A file (chosen, or just taken with the camera) on its way to becoming evidence.
    function describe(file) {
        addDialog.file = file
        addDialog.open()
    }

    FilePreview { id: preview }

    CameraDialog {
        id: camera
        onTaken: (file) => page.describe(file)
    }

    FileDialog {
        id: picker
        title: qsTr("Choose a document, photo or data file")
        onAccepted: page.describe(selectedFile)
    }

    NewEvidenceDialog {
        id: addDialog
        anchors.centerIn: parent
        width: Math.min(page.width - 2 * Theme.margin, 620)
        benchmarks: evidence.benchmarks
        indicators: evidence.indicators
        errorText: evidence.errorString
        preparing: evidence.preparing
        submit: (file, title, description, benchmarkIds, indicatorIds) =>
                evidence.addEvidence(file, title, benchmarkIds, indicatorIds, description)
    }

    Connections {
        target: evidence
        function onEvidenceAdded() { addDialog.finished(true) }
        function onEvidenceRefused() { addDialog.finished(false) }
    }

    ColumnLayout {
        anchors.fill: parent
        anchors.margins: Theme.margin
        spacing: Theme.spacing
        // Filters: state, school (when the page is the review queue of every school) and
        // benchmark; they wrap on a narrow screen.
        Flow {
            Layout.fillWidth: true
            spacing: Theme.spacing
            ComboBox {
                id: filter
                width: 220
                implicitHeight: Theme.touchTarget
                textRole: "label"
                valueRole: "value"
                model: [{ value: "", label: qsTr("Any state") }, { value: "waiting", label: qsTr("Waiting for review") },
                        { value: "needs_more", label: qsTr("Needs more") }, { value: "accepted", label: qsTr("Accepted") },
                        { value: "not_relevant", label: qsTr("Not relevant") }]
                Component.onCompleted: currentIndex = Math.max(0, indexOfValue(page.initialState))
                onActivated: evidence.stateFilter = currentValue
                Accessible.name: qsTr("Show evidence by state")
            }
            ComboBox {
                id: schoolFilter
                visible: page.schoolId.length === 0 && evidence.schools.length > 1
                width: 260
                implicitHeight: Theme.touchTarget
                textRole: "name"
                valueRole: "schoolId"
                model: [{ schoolId: "", name: qsTr("Every school") }].concat(evidence.schools)
                onActivated: { evidence.benchmarkFilter = ""; evidence.schoolId = currentValue }
                Accessible.name: qsTr("Show evidence of one school")
            }
            ComboBox {
                id: benchmarkFilter
                visible: evidence.benchmarks.length > 0
                width: 300
                implicitHeight: Theme.touchTarget
                textRole: "measure"
                valueRole: "benchmarkId"
                model: [{ benchmarkId: "", measure: qsTr("Every benchmark") }].concat(evidence.benchmarks)
                currentIndex: Math.max(0, indexOfValue(evidence.benchmarkFilter))
                onActivated: evidence.benchmarkFilter = currentValue
                Accessible.name: qsTr("Show evidence for one benchmark")
            }
            Button {
                visible: evidence.missingFiles > 0
                text: qsTr("Download files (%1)").arg(evidence.missingFiles)
                implicitHeight: Theme.touchTarget
                Accessible.name: qsTr("Download the %1 files of this list to view them offline").arg(evidence.missingFiles)
                onClicked: evidence.fetchAll()
            }
            Button {
                visible: evidence.canUpload && App.cameraAvailable
                objectName: "takePhotoButton"
                text: qsTr("Take a photo")
                implicitHeight: Theme.touchTarget
                Accessible.name: qsTr("Take a photo as evidence")
                onClicked: camera.open()
            }
            Button {
                visible: evidence.canUpload
                text: qsTr("Add a file")
                implicitHeight: Theme.touchTarget
                Accessible.name: qsTr("Add evidence from a file")
                onClicked: picker.open()
            }
        }
        Label {
            Layout.fillWidth: true
            visible: evidence.canReview
            text: qsTr("%n waiting for review", "", evidence.waitingCount)
            color: Theme.mutedText
        }
        Label {
            Layout.fillWidth: true
            visible: evidence.errorString.length > 0
            text: evidence.errorString
            color: Theme.danger
            wrapMode: Text.WordWrap
        }
        ListView {
            id: list
            Layout.fillWidth: true
            Layout.fillHeight: true
            clip: true
            spacing: Theme.spacing
            model: evidence
            // Each piece of evidence, and under it its comments (folded until asked for).
            delegate: Column {
                id: entry
                required property var model
                width: ListView.view.width
                spacing: 4
                EvidenceDelegate {
                    width: parent.width
                    evidenceId: entry.model.evidenceId
                    title: entry.model.title
                    schoolName: entry.model.schoolName
                    mediaType: entry.model.mediaType
                    size: entry.model.size
                    state: entry.model.state
                    stateLabel: entry.model.stateLabel
                    decision: entry.model.decision
                    lastComment: entry.model.lastComment
                    upload: entry.model.upload
                    uploadProgress: entry.model.uploadProgress
                    uploadFailed: entry.model.uploadFailed
                    localFile: entry.model.localFile
                    links: entry.model.links
                    description: entry.model.description
                    detail: entry.model.detail
                    canReview: evidence.canReview
                    review: (decision, comment) => evidence.review(evidenceId, decision, comment)
                    onFetchRequested: evidence.fetch(evidenceId)
                    onPreviewRequested: preview.show(title, localFile, mediaType)
                }
                Button {
                    id: showComments
                    flat: true
                    checkable: true
                    implicitHeight: Theme.touchTarget
                    text: checked ? qsTr("Hide comments") : qsTr("Comments")
                    Accessible.name: qsTr("Comments on %1").arg(entry.model.title)
                }
                Loader {
                    width: parent.width
                    active: showComments.checked
                    sourceComponent: Comments {
                        targetEntity: "evidence"
                        target: entry.model.evidenceId
                    }
                }
            }
            Label {
                anchors.centerIn: parent
                visible: list.count === 0
                text: qsTr("No evidence here yet.")
                color: Theme.mutedText
            }
        }
    }
}
