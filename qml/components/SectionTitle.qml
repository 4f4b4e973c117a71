import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import SiteVisit

// A section's title on a page.
Label {
    Layout.fillWidth: true
    font.pixelSize: Theme.fontTitle
    font.bold: true
    color: Theme.text
    wrapMode: Text.Wrap
    Accessible.role: Accessible.Heading
}
