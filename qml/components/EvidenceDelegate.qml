import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import SiteVisit

Rectangle {
    id: card
    required property string evidenceId
    required property string title
    required property string schoolName
    required property string mediaType
    required property var size
    required property string state
    required property string stateLabel
    required property int decision
    required property string lastComment
    required property string upload
    required property double uploadProgress
    required property bool uploadFailed
    required property string localFile
    required property var links
    required property string description
    required property string detail
    property bool canReview: false
    // Records a decision and answers whether it was kept; the comment stays when it was not.
    property var review: function(decision, comment) { return false }
    signal fetchRequested()
    signal previewRequested()
    readonly property bool isPdf: mediaType === "application/pdf"
    readonly property bool canPreview: localFile.length > 0 && (mediaType.startsWith("image/") || isPdf)

    implicitHeight: column.implicitHeight + 2 * Theme.margin
    radius: Theme.radius
    color: Theme.surface
    border.color: Theme.divider

    readonly property color stateColor: decision === Values.Accepted ? Theme.ok : decision === Values.NeedsMore ? Theme.warning
                                       : decision === Values.NotRelevant ? Theme.danger : Theme.mutedText

    ColumnLayout {
        id: column
        anchors.fill: parent
        anchors.margins: Theme.margin
        spacing: Theme.spacing
        Label { Layout.fillWidth: true; text: card.title; font.pixelSize: Theme.fontTitle; color: Theme.text; wrapMode: Text.WordWrap }
        Label {
            Layout.fillWidth: true
            text: card.detail
            color: Theme.mutedText
            font.pixelSize: Theme.fontSmall
            elide: Text.ElideRight
        }
        Label {
            Layout.fillWidth: true
            visible: card.links.length > 0
            text: qsTr("For: %1").arg(card.links.join(", "))
            color: Theme.mutedText
            font.pixelSize: Theme.fontSmall
            wrapMode: Text.WordWrap
        }
        Label {
            Layout.fillWidth: true
            visible: card.description.length > 0
            text: card.description
            color: Theme.text
            wrapMode: Text.WordWrap
        }
        // A thumbnail (a photo, or a PDF's first page); tap it to see it large.
        AbstractButton {
            Layout.preferredWidth: 240
            Layout.preferredHeight: 160
            visible: card.canPreview
            Accessible.name: qsTr("Preview of %1").arg(card.title)
            onClicked: card.previewRequested()
            contentItem: Item {
                Image {
                    id: thumbnail
                    anchors.fill: parent
                    source: !card.canPreview ? "" : card.isPdf ? "image://pdf/0/" + encodeURIComponent(card.localFile) : card.localFile
                    sourceSize.width: 240
                    sourceSize.height: 160
                    fillMode: Image.PreserveAspectFit
                    horizontalAlignment: Image.AlignLeft
                    verticalAlignment: Image.AlignTop
                    asynchronous: true
                }
                Rectangle { // the page's edge
                    width: thumbnail.paintedWidth
                    height: thumbnail.paintedHeight
                    color: "transparent"
                    border.color: Theme.divider
                }
            }
            background: Rectangle { color: "transparent"; border.color: parent.visualFocus ? Theme.primary : "transparent"; border.width: 2 }
        }
        RowLayout {
            Label {
                text: card.stateLabel
                color: Theme.textOnStatus
                font.pixelSize: Theme.fontSmall
                font.bold: true
                leftPadding: Theme.spacing; rightPadding: Theme.spacing; topPadding: 3; bottomPadding: 3
                background: Rectangle { radius: height / 2; color: card.stateColor }
            }
            Label {
                visible: card.upload.length > 0
                Layout.maximumWidth: card.width / 2
                text: card.upload
                color: card.uploadFailed ? Theme.danger : Theme.mutedText
                font.pixelSize: Theme.fontSmall
                elide: Text.ElideRight
            }
            Item { Layout.fillWidth: true }
            Button {
                visible: card.canPreview
                text: qsTr("Preview")
                implicitHeight: Theme.touchTarget
                Accessible.name: qsTr("Preview %1").arg(card.title)
                onClicked: card.previewRequested()
            }
            Button {
                visible: card.localFile.length > 0 && !card.canPreview
                text: qsTr("Open")
                implicitHeight: Theme.touchTarget
                Accessible.name: qsTr("Open %1 in another app").arg(card.title)
                onClicked: Qt.openUrlExternally(card.localFile)
            }
            Button {
                visible: card.localFile.length === 0
                text: qsTr("Get file")
                implicitHeight: Theme.touchTarget
                Accessible.name: qsTr("Download %1 to view it").arg(card.title)
                onClicked: card.fetchRequested()
            }
        }
        Label {
            Layout.fillWidth: true
            visible: card.lastComment.length > 0
            text: qsTr("“%1”").arg(card.lastComment)
            color: Theme.text
            wrapMode: Text.WordWrap
        }
        ProgressBar {
            Layout.fillWidth: true
            visible: card.uploadProgress >= 0
            value: card.uploadProgress
            Accessible.name: qsTr("Upload of %1").arg(card.title)
        }
        ColumnLayout {
            Layout.fillWidth: true
            visible: card.canReview
            TextField {
                id: comment
                Layout.fillWidth: true
                implicitHeight: Theme.touchTarget
                placeholderText: qsTr("Comment for the school (needed for Needs more and Not relevant)")
                Accessible.name: qsTr("Review comment for %1").arg(card.title)
            }
            RowLayout {
                Layout.fillWidth: true
                Repeater {
                    model: [{ d: "accepted", t: qsTr("Accept") }, { d: "needs_more", t: qsTr("Needs more") }, { d: "not_relevant", t: qsTr("Not relevant") }]
                    Button {
                        required property var modelData
                        Layout.fillWidth: true
                        Layout.preferredWidth: 1 // three equal buttons
                        implicitHeight: Theme.touchTarget
                        text: modelData.t
                        Accessible.name: qsTr("%1: %2").arg(modelData.t).arg(card.title)
                        onClicked: if (card.review(modelData.d, comment.text)) comment.text = ""
                    }
                }
            }
        }
    }
}
