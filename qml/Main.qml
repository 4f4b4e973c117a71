import QtQuick
import QtQuick.Controls
import QtQuick.Controls.Material
import QtQuick.Layouts
import QtQuick.Window
import Qt.labs.settings
import SiteVisit
import "components/window_placement.js" as WindowPlacement

ApplicationWindow {
    id: window
    property string defaultServer: ""
    property bool dark: false
    property string userBefore: "" // who was signed in, to tell signing in again from another person
    onDarkChanged: Theme.dark = window.dark
    // A person's window (`sitevisit`): sized to the screen it opens on, and where it was left,
    // kept in settingsFile (in the data folder). The tools and tests leave both off and keep
    // the tablet's 800 x 1280.
    property bool fitScreen: false
    property string settingsFile: ""
    property QtObject windowSettings: null
    Component.onCompleted: {
        Theme.dark = window.dark
        window.userBefore = App.userName
        if (window.settingsFile.length > 0)
            window.windowSettings = windowSettingsComponent.createObject(window, { fileName: window.settingsFile })
        if (window.fitScreen) window.placeOnScreen()
    }
    Material.theme: window.dark ? Material.Dark : Material.Light
    Material.accent: Theme.primary
    width: 800
    height: 1280
    minimumWidth: Math.min(360, Screen.desktopAvailableWidth)
    minimumHeight: Math.min(480, Screen.desktopAvailableHeight)
    visible: true
    title: qsTr("Site Visit")
    color: Theme.background

    Component {
        id: windowSettingsComponent
        Settings { category: "window" }
    }
    // The size and place last left, else one that fits this screen (window_placement.js).
    function placeOnScreen() {
        const settings = window.windowSettings
        const saved = settings && Number(settings.value("width", 0)) > 0
                ? { x: Number(settings.value("x", 0)), y: Number(settings.value("y", 0)),
                    width: Number(settings.value("width")), height: Number(settings.value("height", 0)) }
                : null
        const p = WindowPlacement.place({ x: Screen.virtualX, y: Screen.virtualY,
                                          width: Math.min(Screen.desktopAvailableWidth, Screen.width),
                                          height: Math.min(Screen.desktopAvailableHeight, Screen.height) },
                                        saved, { width: 360, height: 480 })
        window.width = p.width
        window.height = p.height
        window.x = p.x
        window.y = p.y
        if (saved && settings.value("maximized", "false") === "true")
            window.visibility = Window.Maximized
    }
    // Kept a moment after each move or resize, and on closing.
    function saveGeometry() {
        if (!window.windowSettings) return
        const maximized = window.visibility === Window.Maximized
        window.windowSettings.setValue("maximized", maximized ? "true" : "false")
        if (maximized || window.visibility === Window.FullScreen || window.visibility === Window.Minimized) return
        window.windowSettings.setValue("x", window.x)
        window.windowSettings.setValue("y", window.y)
        window.windowSettings.setValue("width", window.width)
        window.windowSettings.setValue("height", window.height)
    }
    Timer {
        id: saveSoon
        interval: 500
        onTriggered: window.saveGeometry()
    }
    onXChanged: if (window.windowSettings) saveSoon.restart()
    onYChanged: if (window.windowSettings) saveSoon.restart()
    onWidthChanged: if (window.windowSettings) saveSoon.restart()
    onHeightChanged: if (window.windowSettings) saveSoon.restart()
    onVisibilityChanged: if (window.windowSettings) saveSoon.restart()
    onClosing: window.saveGeometry()

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
        else if (name === "nextStep") { showPage("visit", id); stack.currentItem.addWholeVisitStep() }
        else if (name === "visitSteps") { showPage("visit", id); stack.currentItem.showPractice(2) }
        else if (name === "visitSummary") { showPage("visit", id); stack.currentItem.showSummary() }
        else if (name === "teamRatings") { showPage("visit", id); stack.currentItem.openTeam() }
        else if (name === "visitComments") { showPage("visit", id); stack.currentItem.showPractice(2); stack.currentItem.showComments() }
        else if (name === "newVisit") { showPage("school", id); stack.currentItem.newVisit() }
        else if (name === "schoolBenchmark") { showPage("school", id); stack.currentItem.show("benchmark", 0) }
        else if (name === "schoolNext") { showPage("school", id); stack.currentItem.show("next") }
        else if (name === "meeting") { showPage("school", id); stack.currentItem.recordMeeting() }
        else if (name === "meetingSteps") { showPage("school", id); stack.currentItem.recordMeetingWithStep() }
        else if (name === "schoolHistory") { showPage("school", id); stack.currentItem.show("history") }
        else if (name === "signInAgain") { stack.replace(null, homePage); signInAgain() }
        else if (name === "refused") { stack.replace(null, homePage); refused.open() }
        else if (name === "dashboard") { stack.replace(null, homePage); stack.push(dashboardPage) }
        else if (name === "region") { stack.replace(null, homePage); stack.push(regionPage) }
        else if (name === "regionLeads") { showPage("region"); stack.currentItem.byLead = 1 }
        else if (name === "caseloadDialog") { showPage("region"); stack.currentItem.assignFirst() }
        else if (name === "reviewVisit") { showPage("visit", id); stack.currentItem.openReview() }
        else if (name === "reflection") { stack.replace(null, homePage); stack.push(reflectionPage, { schoolId: id || "" }) }
        else if (name === "reflectionDecisions") { showPage("reflection", id); stack.currentItem.showEnd() }
        else if (name === "plan") { showPage("school", id); stack.currentItem.editPlan() }
        else if (name === "planObjective") { showPage("plan", id); stack.currentItem.addObjective() }
        else if (name === "district") { stack.replace(null, homePage); openSchool(id || App.suggestedDistrict()) }
        else if (name === "districtNext") { showPage("district", id); stack.currentItem.show("next") }
        else if (name === "districtPlan") { showPage("district", id); stack.currentItem.editPlan() }
    }
    // The session ran out: the sign-in form over the data, which stays where it was.
    function signInAgain() {
        if (stack.currentItem.objectName !== "signInPage") stack.push(signInPage, { again: true })
    }
    function openSchool(id) { stack.push(schoolPage, { schoolId: id }) }
    function openVisit(id) { stack.push(visitPage, { visitId: id }) }
    function openPlan(schoolId, planId) { stack.push(planEditorPage, { schoolId: schoolId, planId: planId || "" }) }
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
            onOpenRegion: stack.push(regionPage)
            onOpenReviewQueue: stack.push(evidencePage, { schoolId: "", initialState: "waiting" })
        }
    }
    Component {
        id: schoolPage
        SchoolPage {
            onOpenVisit: (id) => window.openVisit(id)
            onOpenEvidence: (id) => window.openEvidence(id)
            onOpenReflection: (id) => stack.push(reflectionPage, { schoolId: id })
            onOpenPlan: (schoolId, planId) => window.openPlan(schoolId, planId)
        }
    }
    Component {
        id: reflectionPage
        ReflectionPage { onOpenPlan: (schoolId, planId) => window.openPlan(schoolId, planId) }
    }
    Component {
        id: planEditorPage
        PlanEditorPage {}
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
        id: regionPage
        RegionPage {}
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
            pendingChanges: App.pendingChanges
            openConflicts: App.openConflicts
            refusedChanges: App.refusedChanges
            heldChanges: App.heldChanges
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
