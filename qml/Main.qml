import QtQuick
import QtQuick.Controls
import QtQuick.Controls.Material
import QtQuick.Layouts
import SiteVisit

ApplicationWindow {
    id: window
    property string defaultServer: ""
    property bool dark: false
    property string userBefore: "" // who was signed in, to tell signing in again from another person
    onDarkChanged: Theme.dark = window.dark
    Component.onCompleted: {
        Theme.dark = window.dark
        window.userBefore = App.userName
    }
    Material.theme: window.dark ? Material.Dark : Material.Light
    Material.accent: Theme.primary
    width: 800
    height: 1280
    visible: true
    title: qsTr("Site Visit")
    color: Theme.background

    // Pages by name, for navigation, self-test and screenshots ("school" and "visit" open
    // the ones the app suggests when no id is given).
    function showPage(name, id) {
        if (name === "signIn") stack.replace(null, signInPage)
        else if (name === "signInTls") { stack.replace(null, signInPage); stack.currentItem.showTlsExample() }
        else if (name === "home") stack.replace(null, homePage)
        else if (name === "school") { stack.replace(null, homePage); openSchool(id || App.suggestedSchool()) }
        else if (name === "visit") { stack.replace(null, homePage); openVisit(id || App.suggestedVisit()) }
        else if (name === "conflicts") { stack.replace(null, homePage); stack.push(conflictsPage) }
        else if (name === "evidence") { stack.replace(null, homePage); openEvidence(id || "") }
        else if (name === "newEvidence") { showPage("evidence", id); stack.currentItem.describe("file:///evidence/attendance-plan.pdf") }
        else if (name === "camera") { showPage("evidence", id); stack.currentItem.openCamera() }
        else if (name === "preview") { showPage("evidence", id); stack.currentItem.previewFirst("application/pdf") }
        else if (name === "review") { stack.replace(null, homePage); stack.push(evidencePage, { schoolId: "", initialState: "waiting" }) }
        else if (name === "newVisit") { showPage("school", id); stack.currentItem.newVisit() }
        else if (name === "signInAgain") { stack.replace(null, homePage); signInAgain() }
        else if (name === "refused") { stack.replace(null, homePage); refused.open() }
        else if (name === "dashboard") { stack.replace(null, homePage); stack.push(dashboardPage) }
        else if (name === "reflection") { stack.replace(null, homePage); stack.push(reflectionPage, { schoolId: id || "" }) }
    }
    // The session ran out: the sign-in form over the data, which stays where it was.
    function signInAgain() {
        if (stack.currentItem.objectName !== "signInPage") stack.push(signInPage, { again: true })
    }
    function openSchool(id) { stack.push(schoolPage, { schoolId: id }) }
    function openVisit(id) { stack.push(visitPage, { visitId: id }) }
    function openEvidence(schoolId, benchmarkId) { stack.push(evidencePage, { schoolId: schoolId, benchmarkId: benchmarkId || "" }) }

    Component {
        id: signInPage
        SignInPage {
            defaultServer: window.defaultServer
            onCancelled: stack.pop()
        }
    }
    Component {
        id: homePage
        HomePage {
            onOpenSchool: (id) => window.openSchool(id)
            onOpenDashboard: stack.push(dashboardPage)
            onOpenReviewQueue: stack.push(evidencePage, { schoolId: "", initialState: "waiting" })
        }
    }
    Component {
        id: schoolPage
        SchoolPage {
            onOpenVisit: (id) => window.openVisit(id)
            onOpenEvidence: (id) => window.openEvidence(id)
            onOpenReflection: (id) => stack.push(reflectionPage, { schoolId: id })
        }
    }
    Component {
        id: reflectionPage
        ReflectionPage {}
    }
    Component {
        id: evidencePage
        EvidencePage {}
    }
    Component {
        id: dashboardPage
        DashboardPage {
            onOpenSchool: (id) => window.openSchool(id)
            onOpenEvidence: (schoolId, benchmarkId) => window.openEvidence(schoolId, benchmarkId)
        }
    }
    Component {
        id: conflictsPage
        ConflictsPage {}
    }
    Component {
        id: visitPage
        VisitPage {}
    }

    ColumnLayout {
        anchors.fill: parent
        spacing: 0
        StackView {
            id: stack
            objectName: "stack"
            Layout.fillWidth: true
            Layout.fillHeight: true
            initialItem: App.signedIn ? homePage : signInPage
        }
        SyncStatusBar {
            Layout.fillWidth: true
            syncState: App.syncState
            message: App.syncMessage
            lastSync: App.lastSync
            openConflicts: App.openConflicts
            refusedChanges: App.refusedChanges
            progress: App.syncProgress
            detail: App.syncDetail
            signedIn: App.signedIn
            onSyncRequested: App.syncNow()
            onConflictsRequested: if (stack.currentItem.objectName !== "conflictsPage") stack.push(conflictsPage)
            onSignInRequested: window.signInAgain()
            onRefusedRequested: refused.open()
            visible: App.signedIn
        }
    }

    RefusedDialog {
        id: refused
        anchors.centerIn: parent
        width: Math.min(window.width - 2 * Theme.margin, 640)
    }

    // Desktop keys: back (Alt+Left, the Back key), sync now (Ctrl+R, F5).
    Shortcut {
        sequences: [StandardKey.Back, "Alt+Left"]
        enabled: stack.depth > 1
        onActivated: stack.pop()
        onActivatedAmbiguously: stack.pop() // StandardKey.Back is Alt+Left on most desktops
    }
    Shortcut {
        sequences: [StandardKey.Refresh, "Ctrl+R"]
        enabled: App.signedIn
        onActivated: App.syncNow()
        onActivatedAmbiguously: App.syncNow()
    }

    Connections {
        target: App
        function onSessionChanged() {
            // Signed in again as the same person: back to where they were.
            if (App.signedIn && stack.currentItem.again && App.userName === window.userBefore) stack.pop()
            else window.showPage(App.signedIn ? "home" : "signIn")
            window.userBefore = App.userName
        }
    }
}
