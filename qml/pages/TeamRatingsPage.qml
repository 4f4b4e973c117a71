import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import SiteVisit

// A team visit on one member's device: the team, this person's own ratings (the others see them
// once they are marked done), the raters side by side, the visit's final rating and how alike
// the raters rated.
Page {
    id: page
    property string visitId
    property var levels: []
    objectName: "teamRatingsPage"
    background: Rectangle { color: Theme.background }

    TeamController {
        id: team
        visitId: page.visitId
    }

    header: PageHeader {
        title: qsTr("Team ratings")
        onBack: page.StackView.view.pop()
    }

    function percent(x) { return x === undefined || x === null ? "–" : Math.round(x * 100) + "%" }

    ListView {
        id: list
        anchors.fill: parent
        clip: true
        model: team.comparison
        spacing: Theme.spacing
        header: ColumnLayout {
            width: list.width
            spacing: Theme.spacing
            SectionTitle { text: qsTr("Team"); Layout.margins: Theme.margin }
            Repeater {
                model: team.members
                RowLayout {
                    required property var modelData
                    Layout.fillWidth: true
                    Layout.leftMargin: Theme.margin
                    Layout.rightMargin: Theme.margin
                    Label {
                        Layout.fillWidth: true
                        text: modelData.me ? qsTr("%1 (you)").arg(modelData.name) : modelData.name
                        font.pixelSize: Theme.fontBody
                        color: Theme.text
                    }
                    Label {
                        text: modelData.done ? qsTr("Done") : qsTr("Rating")
                        color: modelData.done ? Theme.primary : Theme.mutedText
                    }
                    Button {
                        text: qsTr("Remove")
                        visible: team.canRate && !modelData.me && team.members.length > 1
                        implicitHeight: Theme.touchTarget
                        onClicked: { removeDialog.userId = modelData.userId; removeDialog.name = modelData.name; removeDialog.open() }
                    }
                }
            }
            RowLayout {
                Layout.fillWidth: true
                Layout.leftMargin: Theme.margin
                Layout.rightMargin: Theme.margin
                visible: team.canRate && team.colleagues.length > 0
                ComboBox {
                    id: colleagueBox
                    Layout.fillWidth: true
                    model: team.colleagues
                    textRole: "name"
                    valueRole: "userId"
                    implicitHeight: Theme.touchTarget
                    Accessible.name: qsTr("A colleague to add to the team")
                }
                Button {
                    text: qsTr("Add to the team")
                    implicitHeight: Theme.touchTarget
                    onClicked: team.addMember(colleagueBox.currentValue)
                }
            }
            Label {
                Layout.fillWidth: true
                Layout.margins: Theme.margin
                wrapMode: Text.WordWrap
                color: Theme.mutedText
                text: team.calibration.pairs > 0
                      ? qsTr("%1 pairs of ratings compared: the same level %2, within one level %3, weighted kappa %4.")
                            .arg(team.calibration.pairs).arg(page.percent(team.calibration.exact))
                            .arg(page.percent(team.calibration.adjacent))
                            .arg(team.calibration.kappa === undefined ? qsTr("undefined") : Number(team.calibration.kappa).toFixed(2))
                      : qsTr("Nothing to compare yet: each rater's ratings show here once they mark them done.")
            }
            // The same figures per pair of the team's members over every visit both rated.
            Repeater {
                model: team.pairsOverTime
                Label {
                    required property var modelData
                    Layout.fillWidth: true
                    Layout.leftMargin: Theme.margin
                    Layout.rightMargin: Theme.margin
                    Layout.bottomMargin: Theme.spacing
                    wrapMode: Text.WordWrap
                    color: Theme.mutedText
                    text: qsTr("%1 over %2 since %3: %4 pairs, the same level %5, within one level %6, weighted kappa %7.")
                          .arg(modelData.names).arg(qsTr("%n visit(s)", "", modelData.visits)).arg(modelData.from)
                          .arg(modelData.pairs).arg(page.percent(modelData.exact)).arg(page.percent(modelData.adjacent))
                          .arg(modelData.kappa === undefined ? qsTr("undefined") : Number(modelData.kappa).toFixed(2))
                }
            }
            PrimaryButton {
                objectName: "markDoneButton"
                Layout.leftMargin: Theme.margin
                visible: team.canRate
                enabled: team.myRated > 0
                text: qsTr("Mark my ratings done")
                implicitHeight: Theme.touchTarget
                onClicked: doneDialog.open()
            }
            Label {
                Layout.fillWidth: true
                Layout.leftMargin: Theme.margin
                visible: team.errorString.length > 0
                text: team.errorString
                color: Theme.danger
                wrapMode: Text.WordWrap
            }
        }
        delegate: Rectangle {
            required property var modelData
            width: list.width - 2 * Theme.margin
            x: Theme.margin
            height: column.implicitHeight + 2 * Theme.spacing
            radius: Theme.radius
            color: Theme.surface
            border.color: Theme.divider
            ColumnLayout {
                id: column
                anchors.fill: parent
                anchors.margins: Theme.spacing
                Label {
                    Layout.fillWidth: true
                    text: modelData.code + " " + modelData.name
                    wrapMode: Text.WordWrap
                    font.pixelSize: Theme.fontBody
                    color: Theme.text
                }
                Label {
                    Layout.fillWidth: true
                    wrapMode: Text.WordWrap
                    color: Theme.mutedText
                    text: team.members.map((m, i) => m.name + ": " + (modelData.levels[i] >= 0 ? modelData.levels[i] : (m.me || m.done ? qsTr("not rated") : qsTr("not shown yet")))).join(" · ")
                }
                Label { text: qsTr("Yours"); color: Theme.mutedText; visible: team.canRate }
                RatingButtons {
                    Layout.fillWidth: true
                    visible: team.canRate
                    levels: page.levels
                    rating: modelData.mine
                    code: "mine-" + modelData.code
                    onRated: (r) => { if (r >= 0) team.rate(modelData.indicatorId, r) }
                }
                Label { text: qsTr("The visit's rating"); color: Theme.mutedText }
                RatingButtons {
                    Layout.fillWidth: true
                    levels: page.levels
                    rating: modelData.final
                    editable: team.canRate || team.myDone
                    code: "final-" + modelData.code
                    onRated: (r) => team.setFinal(modelData.indicatorId, r)
                }
            }
        }
    }

    Dialog {
        id: doneDialog
        title: qsTr("Mark your ratings done?")
        modal: true
        anchors.centerIn: Overlay.overlay
        // Drawn here: the style's raised background is a layer effect some renderers leave out.
        background: Rectangle { color: Theme.surface; radius: Theme.radius; border.color: Theme.divider }
        standardButtons: Dialog.Ok | Dialog.Cancel
        Label {
            width: Math.min(480, page.width - 4 * Theme.margin)
            wrapMode: Text.WordWrap
            text: qsTr("Your %n rating(s) become final and your team sees them after the next sync. You cannot change them afterwards.", "", team.myRated)
        }
        onAccepted: team.markDone()
    }
    Dialog {
        id: removeDialog
        property string userId
        property string name
        title: qsTr("Take %1 off the team?").arg(name)
        modal: true
        anchors.centerIn: Overlay.overlay
        // Drawn here: the style's raised background is a layer effect some renderers leave out.
        background: Rectangle { color: Theme.surface; radius: Theme.radius; border.color: Theme.divider }
        standardButtons: Dialog.Ok | Dialog.Cancel
        Label {
            width: Math.min(480, page.width - 4 * Theme.margin)
            wrapMode: Text.WordWrap
            text: qsTr("They will no longer see this draft visit. Their ratings are kept.")
        }
        onAccepted: team.removeMember(userId)
    }
}
