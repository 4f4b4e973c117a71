import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import SiteVisit

// A file of evidence shown large: a photo, or a PDF page by page (arrow keys or the buttons).
// Anything else, or a PDF this build cannot draw, is offered to another app.
Popup {
    id: preview
    property string title
    property string file      // a file:// URL on this device
    property string mediaType
    property int page: 0
    readonly property bool isImage: mediaType.startsWith("image/")
    readonly property bool isPdf: mediaType === "application/pdf"

    function show(title, file, mediaType) {
        preview.title = title
        preview.file = file
        preview.mediaType = mediaType
        preview.page = 0
        open()
    }

    parent: Overlay.overlay
    anchors.centerIn: parent
    width: parent ? parent.width - 2 * Theme.margin : 600
    height: parent ? parent.height - 2 * Theme.margin : 800
    modal: true
    focus: true
    padding: Theme.margin
    background: Rectangle { color: Theme.surface; radius: Theme.radius }
    onClosed: file = ""

    PdfPages {
        id: pdf
        source: preview.isPdf ? preview.file : ""
    }

    contentItem: ColumnLayout {
        spacing: Theme.spacing
        focus: true
        Keys.onLeftPressed: if (preview.page > 0) preview.page--
        Keys.onRightPressed: if (preview.page + 1 < pdf.pageCount) preview.page++
        RowLayout {
            Layout.fillWidth: true
            Label {
                Layout.fillWidth: true
                text: preview.title
                font.pixelSize: Theme.fontTitle
                color: Theme.text
                elide: Text.ElideRight
            }
            Button {
                text: qsTr("Open in another app")
                implicitHeight: Theme.touchTarget
                Accessible.name: qsTr("Open %1 in another app").arg(preview.title)
                onClicked: Qt.openUrlExternally(preview.file)
            }
            Button {
                text: qsTr("Close")
                implicitHeight: Theme.touchTarget
                Accessible.name: qsTr("Close the preview")
                onClicked: preview.close()
            }
        }
        Rectangle {
            Layout.fillWidth: true
            Layout.fillHeight: true
            color: Theme.background
            radius: Theme.radius
            Image {
                id: shown
                anchors.fill: parent
                anchors.margins: Theme.spacing
                fillMode: Image.PreserveAspectFit
                asynchronous: true
                sourceSize.width: width
                sourceSize.height: height
                source: preview.file.length === 0 ? ""
                        : preview.isImage ? preview.file
                        : preview.isPdf && pdf.pageCount > 0 ? "image://pdf/" + preview.page + "/" + encodeURIComponent(preview.file)
                        : ""
                Accessible.name: preview.isPdf ? qsTr("Page %1 of %2").arg(preview.page + 1).arg(pdf.pageCount)
                                               : qsTr("Preview of %1").arg(preview.title)
            }
            BusyIndicator { anchors.centerIn: parent; running: shown.status === Image.Loading }
            Label {
                anchors.centerIn: parent
                width: parent.width - 4 * Theme.margin
                visible: shown.source.toString().length === 0 || shown.status === Image.Error
                horizontalAlignment: Text.AlignHCenter
                wrapMode: Text.WordWrap
                color: Theme.mutedText
                text: preview.isPdf && pdf.errorString.length > 0 ? pdf.errorString
                      : qsTr("No preview for this kind of file (%1). Open it in another app.").arg(preview.mediaType)
            }
        }
        RowLayout {
            Layout.alignment: Qt.AlignHCenter
            visible: preview.isPdf && pdf.pageCount > 1
            Button {
                text: qsTr("‹ Previous")
                enabled: preview.page > 0
                implicitHeight: Theme.touchTarget
                Accessible.name: qsTr("Previous page")
                onClicked: preview.page--
            }
            Label {
                text: qsTr("Page %1 of %2").arg(preview.page + 1).arg(pdf.pageCount)
                color: Theme.text
            }
            Button {
                text: qsTr("Next ›")
                enabled: preview.page + 1 < pdf.pageCount
                implicitHeight: Theme.touchTarget
                Accessible.name: qsTr("Next page")
                onClicked: preview.page++
            }
        }
    }
}
