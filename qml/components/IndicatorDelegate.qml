import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import SiteVisit

Rectangle {
    id: indicatorCard
    required property string indicatorId
    required property string code
    required property string name
    required property int rating
    required property string note
    required property string source
    required property int files
    // This visit's observation of the indicator ("" until it is rated or noted), and how many
    // comments it has: once there is one, its comments open under the rating.
    required property string observation
    required property int comments
    property var levels: []
    property var sources: []
    property bool editable: true
    // The level buttons alone (a team member whose ratings are done keeps notes and photos).
    property bool ratingEditable: editable
    // The visit (its next steps for this indicator) and whether to show what earlier visits
    // asked about this indicator that is still to do (a new visit).
    property string visitId: ""
    property bool showEarlier: false
    signal rated(int rating)
    signal noteEdited(string text)
    signal sourceChosen(string source)
    signal attachRequested()
    // Opens the observation's comments (when there is an observation); false if there is none.
    function openComments() {
        if (!showComments.visible) return false
        showComments.checked = true
        return true
    }

    implicitHeight: column.implicitHeight + 2 * Theme.margin
    radius: Theme.radius
    color: Theme.surface
    border.color: Theme.divider

    ColumnLayout {
        id: column
        anchors.fill: parent
        anchors.margins: Theme.margin
        spacing: Theme.spacing
        // The title, and at its right the toggle for the observation's comments (placed by hand:
        // the button keeps the width of its words, the title wraps in the rest).
        Item {
            Layout.fillWidth: true
            implicitHeight: Math.max(title.implicitHeight, showComments.visible ? showComments.implicitHeight : 0)
            Label {
                id: title
                width: parent.width - (showComments.visible ? showComments.width + Theme.spacing : 0)
                anchors.verticalCenter: parent.verticalCenter
                text: indicatorCard.code + "  " + indicatorCard.name
                font.pixelSize: Theme.fontTitle
                color: Theme.text
                wrapMode: Text.WordWrap
            }
            Button {
                id: showComments
                objectName: "observationComments_" + indicatorCard.code
                anchors.right: parent.right
                anchors.top: parent.top
                visible: indicatorCard.observation.length > 0
                flat: true
                checkable: true
                implicitHeight: Theme.touchTarget
                // Drawn here: a flat, checkable Material button draws a bar under its text.
                background: Rectangle {
                    radius: Theme.radius
                    color: showComments.checked || showComments.down ? Theme.divider : "transparent"
                    border.width: showComments.visualFocus ? 2 : 0
                    border.color: Theme.primary
                }
                text: checked ? qsTr("Hide comments") : qsTr("Comments (%1)").arg(indicatorCard.comments)
                Accessible.name: checked ? qsTr("Hide the comments on %1").arg(indicatorCard.code)
                                         : qsTr("Comments on the rating of %1: %2").arg(indicatorCard.code).arg(indicatorCard.comments)
            }
        }
        RatingButtons {
            Layout.fillWidth: true
            levels: indicatorCard.levels
            rating: indicatorCard.rating
            editable: indicatorCard.ratingEditable
            code: indicatorCard.code
            onRated: (r) => indicatorCard.rated(r)
        }
        RowLayout {
            Layout.fillWidth: true
            TextField {
                id: noteField
                Layout.fillWidth: true
                implicitHeight: Theme.touchTarget
                text: indicatorCard.note
                enabled: indicatorCard.editable
                placeholderText: qsTr("Evidence: what was seen or heard")
                Accessible.name: qsTr("Evidence note for %1").arg(indicatorCard.code)
                onEditingFinished: if (text !== indicatorCard.note) indicatorCard.noteEdited(text)
            }
            Button {
                text: indicatorCard.files > 0 ? qsTr("Attach (%1)").arg(indicatorCard.files) : qsTr("Attach")
                implicitHeight: Theme.touchTarget
                enabled: indicatorCard.editable
                Accessible.name: qsTr("Attach a photo or document to %1").arg(indicatorCard.code)
                onClicked: indicatorCard.attachRequested()
            }
            ComboBox {
                id: sourceBox
                implicitHeight: Theme.touchTarget
                Layout.preferredWidth: 250
                enabled: indicatorCard.editable
                model: [{ id: "", label: qsTr("Source…") }].concat(indicatorCard.sources)
                textRole: "label"
                valueRole: "id"
                currentIndex: count > 0 ? Math.max(0, indexOfValue(indicatorCard.source)) : 0 // count: re-evaluated once the model is in
                Accessible.name: qsTr("Evidence source for %1").arg(indicatorCard.code)
                onActivated: indicatorCard.sourceChosen(currentValue)
            }
        }
        // The observation's comments, made only when asked for.
        Loader {
            objectName: "observationCommentsView_" + indicatorCard.code
            Layout.fillWidth: true
            active: showComments.checked && showComments.visible
            visible: active
            sourceComponent: Comments {
                targetEntity: "observation"
                target: indicatorCard.observation
            }
        }
        Loader {
            id: earlier
            Layout.fillWidth: true
            active: indicatorCard.showEarlier && indicatorCard.visitId.length > 0
            visible: earlier.item !== null && !earlier.item.empty
            sourceComponent: NextStepList {
                objectName: "earlierSteps_" + indicatorCard.code
                earlierThan: indicatorCard.visitId
                indicator: indicatorCard.indicatorId
                heading: qsTr("Still open from earlier visits")
                canAdd: false
            }
        }
        NextStepList {
            objectName: "steps_" + indicatorCard.code
            Layout.fillWidth: true
            visit: indicatorCard.visitId
            indicator: indicatorCard.indicatorId
            heading: qsTr("Next steps")
            about: indicatorCard.code + "  " + indicatorCard.name
        }
    }
}
