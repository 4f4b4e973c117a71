import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import SiteVisit

// The comments on one row, oldest first, each with its author and time, and a box to add one
// for people who may comment. Give it targetEntity (visit, observation, benchmark, evidence,
// next_step) and target (the row's id); `model` may be any list with the CommentsModel API.
ColumnLayout {
    id: comments
    property string targetEntity
    property string target
    // What the comments are on, in words ("Comments on the visit"); the count follows it.
    property string heading: ""
    property var model: own
    spacing: Theme.spacing

    CommentsModel {
        id: own
        targetEntity: comments.targetEntity
        target: comments.target
    }

    Label {
        objectName: "commentsHeading"
        Layout.fillWidth: true
        wrapMode: Text.Wrap
        text: comments.heading
              ? (comments.model.count ? qsTr("%1 (%2)").arg(comments.heading).arg(comments.model.count)
                                      : qsTr("%1: none yet").arg(comments.heading))
              : comments.model.count ? qsTr("Comments (%1)").arg(comments.model.count) : qsTr("No comments yet")
        font.pixelSize: Theme.fontBody
        font.bold: true
        color: Theme.text
    }
    Repeater {
        objectName: "commentList"
        model: comments.model
        Column {
            required property string author
            required property string when
            required property string body
            Layout.fillWidth: true
            Layout.preferredWidth: 0 // its labels take the width given; they never ask for one
            spacing: 2
            Accessible.role: Accessible.StaticText
            Accessible.name: qsTr("%1 at %2: %3").arg(author).arg(when).arg(body)
            Label {
                width: parent.width
                text: qsTr("%1 · %2").arg(parent.author).arg(parent.when)
                color: Theme.mutedText
                font.pixelSize: Theme.fontSmall
                elide: Text.ElideRight
            }
            Label {
                width: parent.width
                text: parent.body
                color: Theme.text
                font.pixelSize: Theme.fontBody
                wrapMode: Text.Wrap
            }
        }
    }
    RowLayout {
        Layout.fillWidth: true
        visible: comments.model.canComment
        TextArea {
            id: box
            objectName: "commentBox"
            Layout.fillWidth: true
            Layout.minimumHeight: Theme.touchTarget
            wrapMode: TextEdit.Wrap
            placeholderText: qsTr("Add a comment")
            Accessible.name: qsTr("New comment")
        }
        Button {
            objectName: "addCommentButton"
            text: qsTr("Add")
            implicitHeight: Theme.touchTarget
            enabled: box.text.trim().length > 0
            Accessible.name: qsTr("Add the comment")
            onClicked: {
                if (comments.model.add(box.text)) box.text = ""
            }
        }
    }
    Label {
        objectName: "commentError"
        Layout.fillWidth: true
        visible: text.length > 0
        text: comments.model.errorString || ""
        color: Theme.danger
        wrapMode: Text.Wrap
    }
}
