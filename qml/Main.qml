import QtQuick
import QtQuick.Controls
import QtQuick.Controls.Material
import QtQuick.Layouts
import SiteVisit

ApplicationWindow {
    id: window
    property var app: App
    property string defaultServer: ""
    property bool dark: false
    onDarkChanged: Theme.dark = window.dark
    Component.onCompleted: Theme.dark = window.dark
    Material.theme: window.dark ? Material.Dark : Material.Light
    Material.accent: Theme.primary
    width: 800
    height: 1280
    visible: true
    title: qsTr("Site Visit")
    color: Theme.background

    // Pages by name, for navigation, self-test and screenshots.
    function showPage(name) {
        stack.replace(null, name === "signIn" ? signInPage : homePage)
    }

    Component {
        id: signInPage
        SignInPage { app: window.app; defaultServer: window.defaultServer }
    }
    Component {
        id: homePage
        HomePage { app: window.app }
    }

    ColumnLayout {
        anchors.fill: parent
        spacing: 0
        StackView {
            id: stack
            objectName: "stack"
            Layout.fillWidth: true
            Layout.fillHeight: true
            initialItem: window.app && window.app.signedIn ? homePage : signInPage
        }
        SyncStatusBar {
            Layout.fillWidth: true
            app: window.app
            visible: window.app && window.app.signedIn
        }
    }

    Connections {
        target: window.app
        function onSessionChanged() { window.showPage(window.app.signedIn ? "home" : "signIn") }
    }
}
