import QtQuick
import QtQuick.Controls
import QtQuick.Dialogs
import QtQuick.Layouts
import SiteVisit

Page {
    id: page
    property string defaultServer: ""
    // Signing in again (the session ran out): the data stays; Cancel goes back to it.
    property bool again: false
    signal cancelled()
    objectName: "signInPage"
    title: qsTr("Sign in")
    background: Rectangle { color: Theme.background }

    // Filled in once from the last sign-in (or the --server default); typing is never overwritten.
    // For screenshots: a private authority chosen, and a plain http address to another machine
    // refused before the password leaves.
    function showTlsExample() {
        server.text = "http://sitevisit.example.org"
        email.text = "lead@example.org"
        password.text = "example-password"
        trustCa.checked = true
        caFile.text = "/etc/ssl/private-ca/state-ca.pem"
        signIn.clicked()
    }

    Component.onCompleted: {
        server.text = App.signInServer.length > 0 ? App.signInServer : page.defaultServer
        email.text = App.signInEmail
        caFile.text = App.caFile
        trustCa.checked = caFile.text.length > 0
        if (server.text.length > 0 && email.text.length > 0) password.forceActiveFocus()
    }

    ColumnLayout {
        anchors.centerIn: parent
        width: Math.min(parent.width - 2 * Theme.margin, 420)
        spacing: Theme.margin

        Label {
            text: qsTr("Site Visit")
            font.pixelSize: Theme.fontHeadline
            font.bold: true
            color: Theme.text
        }
        Label {
            Layout.fillWidth: true
            text: page.again ? qsTr("Your sign-in has run out. Sign in again to sync; everything on this device stays as it is.")
                             : qsTr("Sign in once; after that the app opens straight into your data, with or without a network.")
            wrapMode: Text.WordWrap
            color: Theme.mutedText
            font.pixelSize: Theme.fontBody
        }
        TextField {
            id: server
            objectName: "serverField"
            Layout.fillWidth: true
            implicitHeight: Theme.touchTarget
            placeholderText: qsTr("Server address")
            inputMethodHints: Qt.ImhUrlCharactersOnly
            Accessible.name: qsTr("Server address")
            KeyNavigation.tab: email
        }
        TextField {
            id: email
            objectName: "emailField"
            Layout.fillWidth: true
            implicitHeight: Theme.touchTarget
            placeholderText: qsTr("Email")
            inputMethodHints: Qt.ImhEmailCharactersOnly | Qt.ImhNoAutoUppercase
            Accessible.name: qsTr("Email")
            KeyNavigation.tab: password
        }
        TextField {
            id: password
            objectName: "passwordField"
            Layout.fillWidth: true
            implicitHeight: Theme.touchTarget
            placeholderText: qsTr("Password")
            echoMode: TextInput.Password
            Accessible.name: qsTr("Password")
            KeyNavigation.tab: trustCa
            onAccepted: signIn.clicked()
        }
        // For a server whose certificate comes from the organisation's own authority.
        CheckBox {
            id: trustCa
            objectName: "trustCaCheck"
            Layout.fillWidth: true
            text: qsTr("Trust a private certificate authority")
            font.pixelSize: Theme.fontBody
            Accessible.name: text
        }
        RowLayout {
            Layout.fillWidth: true
            visible: trustCa.checked
            spacing: Theme.margin / 2
            TextField {
                id: caFile
                objectName: "caFileField"
                Layout.fillWidth: true
                implicitHeight: Theme.touchTarget
                placeholderText: qsTr("Its certificate: a PEM file")
                inputMethodHints: Qt.ImhNoAutoUppercase | Qt.ImhNoPredictiveText
                Accessible.name: qsTr("Certificate authority file (PEM)")
            }
            Button {
                text: qsTr("Choose…")
                implicitHeight: Theme.touchTarget
                Accessible.name: qsTr("Choose the certificate authority file")
                onClicked: caPicker.open()
            }
        }
        Label {
            Layout.fillWidth: true
            visible: text.length > 0
            text: App.signInError
            color: Theme.danger
            wrapMode: Text.WordWrap
            font.pixelSize: Theme.fontBody
            Accessible.name: qsTr("Sign-in problem: %1").arg(text)
        }
        Button {
            id: signIn
            objectName: "signInButton"
            Layout.fillWidth: true
            implicitHeight: Theme.touchTarget
            text: App.busy ? qsTr("Signing in…") : qsTr("Sign in")
            enabled: !App.busy
            background: Rectangle {
                radius: Theme.radius
                color: signIn.enabled ? Theme.primary : Theme.divider
                border.color: signIn.activeFocus ? Theme.text : "transparent"
            }
            contentItem: Label {
                text: signIn.text
                color: Theme.textOnPrimary
                font.pixelSize: Theme.fontBody
                font.bold: true
                horizontalAlignment: Text.AlignHCenter
                verticalAlignment: Text.AlignVCenter
            }
            Accessible.name: qsTr("Sign in")
            onClicked: App.signIn(server.text, email.text, password.text, trustCa.checked ? caFile.text : "")
        }
        Button {
            Layout.fillWidth: true
            visible: page.again
            flat: true
            implicitHeight: Theme.touchTarget
            text: qsTr("Not now")
            Accessible.name: qsTr("Not now: back to the data on this device")
            onClicked: page.cancelled()
        }
    }

    FileDialog {
        id: caPicker
        title: qsTr("Choose the certificate authority's certificate")
        nameFilters: [qsTr("Certificates (*.pem *.crt *.cer)"), qsTr("All files (*)")]
        onAccepted: caFile.text = selectedFile.toString()
    }
}
