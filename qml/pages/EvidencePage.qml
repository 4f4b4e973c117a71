import QtQuick
import QtQuick.Controls
import QtQuick.Dialogs
import QtQuick.Layouts
import SiteVisit

// Evidence: principals add files for their benchmarks and watch them upload; receivers review
// them (accepted / needs more / not relevant, with a comment).
Page {
    id: page
    property var app
    property string schoolId
    objectName: "evidencePage"
    background: Rectangle { color: Theme.background }

    EvidenceModel {
        id: evidence
        app: page.app
        schoolId: page.schoolId
    }

    header: PageHeader {
        title: evidence.canReview ? qsTr("Evidence to review") : qsTr("Evidence")
        onBack: page.StackView.view.pop()
    }

    FileDialog {
        id: picker
        title: qsTr("Choose a document, photo or data file")
        onAccepted: { addDialog.file = selectedFile; addDialog.open() }
    }

    Dialog {
        id: addDialog
        property url file
        anchors.centerIn: parent
        width: Math.min(page.width - 2 * Theme.margin, 520)
        modal: true
        title: qsTr("New evidence")
        standardButtons: Dialog.Ok | Dialog.Cancel
        ColumnLayout {
            anchors.fill: parent
            TextField {
                id: evidenceTitle
                Layout.fillWidth: true
                implicitHeight: Theme.touchTarget
                placeholderText: qsTr("Title")
                Accessible.name: qsTr("Evidence title")
            }
            Label { text: qsTr("For which benchmarks?"); color: Theme.mutedText }
            Repeater {
                id: links
                model: evidence.benchmarks
                CheckBox {
                    required property var modelData
                    text: modelData.measure
                    implicitHeight: Theme.touchTarget
                }
            }
        }
        onAccepted: {
            var ids = []
            for (var i = 0; i < links.count; ++i)
                if (links.itemAt(i).checked) ids.push(evidence.benchmarks[i].benchmarkId)
            evidence.addEvidence(file, evidenceTitle.text, ids)
            evidenceTitle.text = ""
        }
    }

    ColumnLayout {
        anchors.fill: parent
        anchors.margins: Theme.margin
        spacing: Theme.spacing
        RowLayout {
            Layout.fillWidth: true
            ComboBox {
                id: filter
                Layout.preferredWidth: 260
                implicitHeight: Theme.touchTarget
                textRole: "label"
                valueRole: "value"
                model: [{ value: "", label: qsTr("All") }, { value: "waiting", label: qsTr("Waiting for review") },
                        { value: "needs_more", label: qsTr("Needs more") }, { value: "accepted", label: qsTr("Accepted") },
                        { value: "not_relevant", label: qsTr("Not relevant") }]
                onActivated: evidence.stateFilter = currentValue
                Accessible.name: qsTr("Show evidence by state")
            }
            Item { Layout.fillWidth: true }
            Button {
                visible: evidence.canUpload
                text: qsTr("Add evidence")
                implicitHeight: Theme.touchTarget
                Accessible.name: qsTr("Add evidence")
                onClicked: picker.open()
            }
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
            delegate: EvidenceDelegate {
                width: ListView.view.width
                canReview: evidence.canReview
                onReviewed: (decision, comment) => evidence.review(evidenceId, decision, comment)
                onFetchRequested: evidence.fetch(evidenceId)
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
