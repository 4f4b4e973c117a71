import QtQuick
import QtTest
import SiteVisit
import "../../qml/components/window_placement.js" as WindowPlacement

// Components alone, in the real scene: no controller, no store.
Item {
    id: root
    width: 800
    height: 600

    Component {
        id: ratingButtons
        RatingButtons { width: 600; levels: ["No evidence", "Developing", "Providing", "Sustaining"]; code: "1.1" }
    }
    Component {
        id: benchmarkCard
        BenchmarkCard { width: 600 }
    }
    Component {
        id: startVisitDialog
        StartVisitDialog { kinds: [{ kind: "monitoring", label: "Monitoring" }, { kind: "targeted", label: "Targeted" }] }
    }
    Component {
        id: syncBar
        SyncStatusBar { width: 800 }
    }
    Component {
        id: dateField
        DateField { width: 320 }
    }

    // Inside a popup of `item` (its content lives in the window's overlay, not under the item).
    function findPopupChild(item, name) {
        for (var i = 0; i < item.data.length; ++i) {
            var popup = item.data[i]
            if (popup && popup.contentItem && popup.hasOwnProperty("opened")) {
                var found = findChild(popup.contentItem, name)
                if (found) return found
            }
        }
        return null
    }

    function findChild(item, name) {
        if (item.objectName === name) return item
        for (var i = 0; i < item.children.length; ++i) {
            var found = findChild(item.children[i], name)
            if (found) return found
        }
        return null
    }

    TestCase {
        name: "RatingButtons"
        when: windowShown

        function test_four_large_levels_with_the_rubric_labels() {
            var row = createTemporaryObject(ratingButtons, root)
            verify(row)
            for (var i = 0; i < 4; ++i) {
                var b = findChild(row, "rate-1.1-" + i)
                verify(b, "button " + i)
                verify(b.height >= 48, "touch target")
                compare(b.Accessible.name, "Rate " + row.levels[i])
            }
        }

        function test_tapping_rates_and_tapping_again_clears() {
            var row = createTemporaryObject(ratingButtons, root)
            var spy = createTemporaryObject(signalSpy, root, { target: row, signalName: "rated" })
            mouseClick(findChild(row, "rate-1.1-2"))
            compare(spy.count, 1)
            compare(spy.signalArguments[0][0], 2)
            row.rating = 2
            verify(findChild(row, "rate-1.1-2").checked)
            mouseClick(findChild(row, "rate-1.1-2"))
            compare(spy.signalArguments[1][0], -1)
            // The page kept the rating (a team rating is never cleared): the level stays filled.
            verify(findChild(row, "rate-1.1-2").checked, "the look follows the rating, not the tap")
            row.rating = 3
            verify(!findChild(row, "rate-1.1-2").checked)
            verify(findChild(row, "rate-1.1-3").checked)
        }

        function test_the_keyboard_rates_and_moves_between_levels() {
            var row = createTemporaryObject(ratingButtons, root)
            var spy = createTemporaryObject(signalSpy, root, { target: row, signalName: "rated" })
            var first = findChild(row, "rate-1.1-0")
            first.forceActiveFocus(Qt.TabFocusReason)
            keyClick(Qt.Key_Right)
            verify(findChild(row, "rate-1.1-1").activeFocus, "Right moves to the next level")
            keyClick(Qt.Key_Space)
            compare(spy.count, 1)
            compare(spy.signalArguments[0][0], 1)
            keyClick(Qt.Key_3)
            compare(spy.count, 2)
            compare(spy.signalArguments[1][0], 3)
            verify(findChild(row, "rate-1.1-3").activeFocus, "a digit moves focus to its level")
            keyClick(Qt.Key_7) // no such level
            compare(spy.count, 2)
            keyClick(Qt.Key_Left)
            verify(findChild(row, "rate-1.1-2").activeFocus)
        }

        function test_a_frozen_visit_cannot_be_rated() {
            var row = createTemporaryObject(ratingButtons, root, { editable: false })
            var spy = createTemporaryObject(signalSpy, root, { target: row, signalName: "rated" })
            mouseClick(findChild(row, "rate-1.1-1"))
            compare(spy.count, 0)
        }
    }

    Component { id: signalSpy; SignalSpy {} }

    Component {
        id: newEvidence
        NewEvidenceDialog {
            width: 600
            file: "file:///tmp/sheet.csv"
            benchmarks: [{ benchmarkId: "b1", measure: "Chronic absenteeism" }]
            indicators: [{ indicatorId: "i1", label: "1.1 High expectations" }, { indicatorId: "i2", label: "2.1 Data use" }]
        }
    }

    TestCase {
        name: "NewEvidenceDialog"
        when: windowShown

        function test_a_refused_add_keeps_what_was_typed_and_says_why() {
            var answer = false
            var got = null
            var dialog = createTemporaryObject(newEvidence, root, { parent: root,
                submit: function(file, title, description, b, i) { got = [title, description, b, i]; return answer },
                errorText: "scan.pdf is 240.0 MB; the limit is 100.0 MB" })
            dialog.open()
            tryCompare(dialog, "opened", true)
            var title = findChild(dialog.contentItem, "evidenceTitleField")
            verify(title)
            title.text = "Sign-in sheets"
            dialog.chosenBenchmarks = ["b1"]
            dialog.chosenIndicators = ["i2"]
            title.accepted() // Enter in the title adds
            compare(got, ["Sign-in sheets", "", ["b1"], ["i2"]])
            tryCompare(dialog, "opened", true)
            verify(dialog.failed) // refused at once
            compare(title.text, "Sign-in sheets")
            compare(dialog.chosenIndicators, ["i2"])
            // Started: the dialog waits for the file, then shows why it could not be stored.
            answer = true
            title.accepted()
            verify(!dialog.failed)
            dialog.preparing = true
            dialog.finished(false)
            dialog.preparing = false
            verify(dialog.opened)
            verify(dialog.failed)
            compare(title.text, "Sign-in sheets")
            title.accepted()
            dialog.finished(true)
            tryCompare(dialog, "opened", false)
            compare(title.text, "")
            compare(dialog.chosenBenchmarks, [])
        }

        function test_while_the_file_is_prepared_it_says_so_and_the_buttons_wait() {
            var calls = 0
            var dialog = createTemporaryObject(newEvidence, root, { parent: root,
                submit: function() { ++calls; return true } })
            dialog.open()
            tryCompare(dialog, "opened", true)
            var title = findChild(dialog.contentItem, "evidenceTitleField")
            title.text = "Board minutes"
            title.accepted()
            compare(calls, 1)
            dialog.preparing = true
            var row = findChild(dialog.contentItem, "preparingRow")
            verify(row)
            verify(row.visible)
            verify(!findChild(dialog.footer, "addEvidenceButton").enabled)
            verify(!findChild(dialog.footer, "cancelEvidenceButton").enabled)
            title.accepted() // a second Enter while preparing adds nothing
            compare(calls, 1)
            dialog.preparing = false
            dialog.finished(true)
            tryCompare(dialog, "opened", false)
            verify(!row.visible)
        }
    }

    TestCase {
        name: "BenchmarkCard"
        when: windowShown

        function test_shows_status_and_reason() {
            var card = createTemporaryObject(benchmarkCard, root, {
                benchmark: { measure: "Chronic absenteeism", unit: "%", status: "off_track", statusLabel: "Off track",
                             reason: "Latest reading 29 is -10% of the way.", baseline: 28, target: 18,
                             baselineDay: 20000, dueDay: 20300, readings: [{ day: 20100, value: 29 }] } })
            verify(card)
            compare(card.statusColor, Theme.danger)
            verify(card.Accessible.name.indexOf("Off track") >= 0)
            verify(card.height > 150)
        }

        function test_a_refused_reading_stays_typed_with_the_reason() {
            var answer = false
            var recorded = ""
            var card = createTemporaryObject(benchmarkCard, root, {
                canRecord: true,
                benchmark: { benchmarkId: "b1", measure: "Attendance", unit: "%", status: "on_track", statusLabel: "On track",
                             reason: "", readings: [] },
                record: function(id, date, value) { recorded = date; return answer },
                errorFor: function() { return "date must be on or before today" } })
            var value = findChild(card, "readingValueField")
            value.text = "38"
            mouseClick(findChild(card, "recordReadingButton"))
            compare(value.text, "38")
            compare(findChild(card, "readingError").text, "date must be on or before today")
            compare(recorded, Qt.formatDate(new Date(), "yyyy-MM-dd"), "today by default, as YYYY-MM-DD")
            answer = true
            mouseClick(findChild(card, "recordReadingButton"))
            compare(value.text, "")
            compare(findChild(card, "readingError").text, "")
        }
    }

    TestCase {
        name: "StartVisitDialog"
        when: windowShown

        function test_a_refused_visit_keeps_the_dialog_open_with_the_reason() {
            var made = ""
            var dialog = createTemporaryObject(startVisitDialog, root, {
                create: function(kind, date) { made = kind + " " + date; return date === "2099-01-01" ? "" : "visit-1" } })
            var spy = createTemporaryObject(signalSpy, root, { target: dialog, signalName: "created" })
            dialog.open()
            tryCompare(dialog, "opened", true)
            var date = findChild(dialog.contentItem, "visitDateField")
            compare(date.date, Qt.formatDate(new Date(), "yyyy-MM-dd")) // today by default
            verify(dialog.isToday)
            date.date = "2099-01-01"
            dialog.errorText = "start_date is too far ahead"
            dialog.tryCreate()
            verify(dialog.opened)
            compare(spy.count, 0)
            // Picked in the calendar, as a person would: the next day.
            mouseClick(date)
            var grid = findChild(date, "dateFieldGrid") || findPopupChild(date, "dateFieldGrid")
            verify(grid)
            mouseClick(findChild(grid, "day-2099-01-02"))
            compare(date.date, "2099-01-02")
            verify(!dialog.isToday)
            dialog.tryCreate()
            compare(made, "monitoring 2099-01-02")
            compare(spy.count, 1)
            compare(spy.signalArguments[0][1], false) // a later day: planned, not opened
            tryCompare(dialog, "opened", false)
        }
    }

    TestCase {
        name: "SyncStatusBar"
        when: windowShown

        function test_says_what_has_not_reached_the_server() {
            var bar = createTemporaryObject(syncBar, root, {
                syncState: SyncEngine.Offline, message: "Offline — 3 change(s) saved on this device",
                lastSync: "never", openConflicts: 2, signedIn: true })
            verify(bar)
            compare(bar.stateColor, Theme.warning)
            verify(bar.height >= 48)
            verify(!findChild(bar, "signInAgainButton").visible)
            verify(!findChild(bar, "refusedButton").visible)
        }

        function test_a_run_out_session_offers_sign_in_and_refusals_are_shown() {
            var bar = createTemporaryObject(syncBar, root, {
                syncState: SyncEngine.NeedsSignIn, message: "Sign in again to send 1 change(s)",
                lastSync: "never", refusedChanges: 2, signedIn: true })
            var signInSpy = createTemporaryObject(signalSpy, root, { target: bar, signalName: "signInRequested" })
            var refusedSpy = createTemporaryObject(signalSpy, root, { target: bar, signalName: "refusedRequested" })
            var again = findChild(bar, "signInAgainButton")
            verify(again.visible)
            verify(again.height >= 48)
            mouseClick(again)
            compare(signInSpy.count, 1)
            var refused = findChild(bar, "refusedButton")
            verify(refused.visible)
            compare(refused.text, "Refused (2)")
            mouseClick(refused)
            compare(refusedSpy.count, 1)
        }

        function test_changes_waiting_with_the_server_reachable_are_not_green() {
            var bar = createTemporaryObject(syncBar, root, {
                syncState: SyncEngine.UpToDate, pendingChanges: 2, signedIn: true, lastSync: "today",
                message: qsTranslate("sitevisit::app::AppController", "%n change(s) waiting to be sent", "", 2) })
            verify(bar.stateColor !== Theme.ok)
            compare(bar.stateColor, Theme.warning)
            compare(bar.message, "2 changes waiting to be sent")
            bar.pendingChanges = 0
            compare(bar.stateColor, Theme.ok)
        }

        function test_counts_use_plural_forms() {
            var bar = createTemporaryObject(syncBar, root, {
                syncState: SyncEngine.UpToDate, message: "Up to date", lastSync: "today", openConflicts: 1, signedIn: true })
            verify(findChild(bar, "lastSyncLabel"))
            compare(findChild(bar, "lastSyncLabel").text, "Last synced today · 1 open conflict")
            bar.openConflicts = 3
            compare(findChild(bar, "lastSyncLabel").text, "Last synced today · 3 open conflicts")
            // The words C++ gives the bar (AppController::syncMessage, syncDetail).
            var c = "sitevisit::app::AppController"
            compare(qsTranslate(c, "%n change(s) waiting", "", 1), "1 change waiting")
            compare(qsTranslate(c, "%n change(s) waiting", "", 2), "2 changes waiting")
            compare(qsTranslate(c, "Offline — %n change(s) saved on this device", "", 1), "Offline — 1 change saved on this device")
            compare(qsTranslate(c, "%1 of %n change(s)", "", 40).arg(12), "12 of 40 changes")
        }

        function test_sync_now_asks_for_a_sync_unless_one_runs() {
            var bar = createTemporaryObject(syncBar, root, {
                syncState: SyncEngine.UpToDate, message: "Up to date", lastSync: "today", signedIn: true })
            var syncSpy = createTemporaryObject(signalSpy, root, { target: bar, signalName: "syncRequested" })
            compare(bar.stateColor, Theme.ok)
            var now = findChild(bar, "syncNowButton")
            verify(now.visible && now.enabled)
            mouseClick(now)
            compare(syncSpy.count, 1)
            bar.syncState = SyncEngine.Syncing
            compare(bar.stateColor, Theme.primary)
            verify(!now.enabled)
            mouseClick(now)
            compare(syncSpy.count, 1)
        }
    }

    TestCase {
        name: "DateField"
        when: windowShown

        function calendarOf(field) {
            return findPopupChild(field, "dateFieldGrid")
        }

        function test_shows_the_day_in_words() {
            var field = createTemporaryObject(dateField, root, { date: "2024-02-10" })
            compare(field.text, new Date(2024, 1, 10).toLocaleDateString(Qt.locale(), Locale.LongFormat))
            verify(field.text.indexOf("2024") >= 0)
            verify(field.text.indexOf("2024-02-10") < 0, "words, not the ISO date")
            verify(field.height >= 48)
            field.date = ""
            compare(field.text, "Choose a day")
        }

        function test_a_tapped_day_is_the_iso_date() {
            var field = createTemporaryObject(dateField, root, { date: "2024-02-10" })
            var spy = createTemporaryObject(signalSpy, root, { target: field, signalName: "picked" })
            mouseClick(field)
            tryCompare(field, "calendarOpen", true)
            var grid = calendarOf(field)
            verify(grid)
            // Just under the field, inside the window.
            var top = grid.mapToItem(null, 0, 0).y
            verify(top >= field.mapToItem(null, 0, field.height).y, "under the field")
            verify(top + grid.height <= root.Window.height, "inside the window")
            compare(grid.month, 1)
            compare(grid.year, 2024)
            var day = findChild(grid, "day-2024-02-20")
            verify(day, "the 20th is in the grid")
            verify(day.height >= 48, "touch target")
            mouseClick(day)
            compare(field.date, "2024-02-20")
            compare(spy.count, 1)
            compare(spy.signalArguments[0][0], "2024-02-20")
            tryCompare(field, "calendarOpen", false)
            // Another month: the next-month button, then a day in it.
            mouseClick(field)
            tryCompare(field, "calendarOpen", true)
            mouseClick(findPopupChild(field, "nextMonthButton"))
            compare(grid.month, 2)
            compare(findPopupChild(field, "monthTitle").text, Qt.locale().standaloneMonthName(2) + " 2024")
            mouseClick(findChild(grid, "day-2024-03-05"))
            compare(field.date, "2024-03-05")
        }

        function test_the_keyboard_opens_moves_and_picks() {
            var field = createTemporaryObject(dateField, root, { date: "2024-01-31" })
            var spy = createTemporaryObject(signalSpy, root, { target: field, signalName: "picked" })
            field.forceActiveFocus(Qt.TabFocusReason)
            keyClick(Qt.Key_Space)
            tryCompare(field, "calendarOpen", true)
            keyClick(Qt.Key_PageDown) // a month on keeps the day where it can: 29 February
            keyClick(Qt.Key_Right)    // 1 March
            keyClick(Qt.Key_Down)     // 8 March
            keyClick(Qt.Key_Left)     // 7 March
            keyClick(Qt.Key_Up)       // 29 February
            keyClick(Qt.Key_Up)       // 22 February
            compare(field.date, "2024-01-31", "nothing is chosen until Enter")
            keyClick(Qt.Key_Return)
            compare(field.date, "2024-02-22")
            compare(spy.count, 1)
            tryCompare(field, "calendarOpen", false)
            verify(field.activeFocus, "focus comes back to the field")
            // Escape closes without choosing; Enter opens it too.
            keyClick(Qt.Key_Enter)
            tryCompare(field, "calendarOpen", true)
            keyClick(Qt.Key_PageUp)
            keyClick(Qt.Key_Escape)
            tryCompare(field, "calendarOpen", false)
            compare(field.date, "2024-02-22")
            // Plus and minus move a day without the calendar, across a year's end too.
            field.date = "2023-12-31"
            keyClick(Qt.Key_Plus)
            compare(field.date, "2024-01-01")
            keyClick(Qt.Key_Minus)
            keyClick(Qt.Key_Minus)
            compare(field.date, "2023-12-30")
            compare(spy.count, 4)
        }
    }

    TestCase {
        name: "WindowPlacement"
        when: windowShown

        readonly property var minimum: ({ width: 360, height: 480 })
        readonly property var laptop: ({ x: 0, y: 0, width: 1366, height: 768 })

        function test_a_laptop_gets_its_screen_not_a_tablet_shape() {
            compare(WindowPlacement.place(laptop, null, minimum), { x: 0, y: 40, width: 1366, height: 728 })
        }

        function test_the_tablet_shape_where_the_screen_holds_it() {
            compare(WindowPlacement.place({ x: 0, y: 0, width: 1920, height: 1400 }, null, minimum),
                    { x: 560, y: 80, width: 800, height: 1280 })
            // Tall enough for 1280 but not for a title bar as well: the free area.
            compare(WindowPlacement.place({ x: 0, y: 0, width: 1920, height: 1300 }, null, minimum).height, 1260)
        }

        function test_the_last_size_and_place_come_back_inside_the_screen() {
            compare(WindowPlacement.place(laptop, { x: 100, y: 50, width: 1000, height: 600 }, minimum),
                    { x: 100, y: 50, width: 1000, height: 600 })
            // Left on a bigger screen: never larger than this one, and on it.
            compare(WindowPlacement.place(laptop, { x: 900, y: 400, width: 2000, height: 1500 }, minimum),
                    { x: 0, y: 0, width: 1366, height: 768 })
            // Left on a second screen that is gone.
            compare(WindowPlacement.place(laptop, { x: 3000, y: -200, width: 1000, height: 600 }, minimum),
                    { x: 366, y: 0, width: 1000, height: 600 })
            // A second screen to the right: its own free area.
            compare(WindowPlacement.place({ x: 1366, y: 0, width: 1920, height: 1040 }, null, minimum),
                    { x: 1366, y: 40, width: 1920, height: 1000 })
            // Too small a size kept is brought up to the least the pages need.
            compare(WindowPlacement.place(laptop, { x: 0, y: 0, width: 100, height: 100 }, minimum),
                    { x: 0, y: 0, width: 360, height: 480 })
        }
    }

    // A stand-in for NextStepsModel: the same roles and invokables, no store. It refuses what
    // the test says it refuses, with a reason, as the real one does.
    Component {
        id: fakeSteps
        ListModel {
            id: fake
            property int overdueCount: 0
            property bool canMake: true
            property string errorString: ""
            property string refuse: ""
            property var owners: [{ id: "u1", name: "Paula Principal", role: "Principal" },
                                  { id: "u2", name: "Rosa Receiver", role: "Receiver" }]
            property var calls: []
            function row(id) {
                for (var i = 0; i < count; ++i) if (get(i).stepId === id) return i
                return -1
            }
            function record(what) { calls = calls.concat([what]); return refuse.length === 0 || !(errorString = refuse) }
            function start(id) { return record("start " + id) }
            function markDone(id) { return record("done " + id) }
            function verify(id) { return record("verify " + id) }
            function sendBack(id, note) { return record("return " + id + " " + note) }
            function remove(id) { return record("remove " + id) }
            function clearError() { errorString = "" }
            function step(id) { var i = row(id); return i < 0 ? null : { title: get(i).title, description: get(i).description, owner: "u2", dueDate: get(i).dueDate } }
            function make(title, description, owner, due, visit, indicator, benchmark) {
                return record(["make", title, description, owner, due, visit, indicator, benchmark].join("|"))
            }
            function edit(id, title, description, owner, due) {
                return record(["edit", id, title, description, owner, due].join("|"))
            }
        }
    }
    function stepRow(extra) {
        var r = { stepId: "s1", title: "Exit tickets in grade 3", description: "", ownerName: "Paula Principal",
                  dueDate: "2026-11-20", statusLabel: "Open", status: "open", returnNote: "",
                  overdue: false, indicatorCode: "2.1", canWork: false, canVerify: false, canEdit: false,
                  comments: 0 }
        for (var k in extra) r[k] = extra[k]
        return r
    }
    Component {
        id: nextStepList
        NextStepList { width: 600; heading: "Next steps" }
    }
    Component {
        id: nextStepDialog
        NextStepDialog {}
    }

    TestCase {
        name: "NextStepList"
        when: windowShown

        function test_overdue_steps_stand_out_in_colour_and_in_words() {
            var steps = createTemporaryObject(fakeSteps, root)
            steps.append(stepRow({ stepId: "late", overdue: true }))
            steps.append(stepRow({ stepId: "fine", title: "Greeters", dueDate: "2099-01-01" }))
            steps.overdueCount = 1
            var list = createTemporaryObject(nextStepList, root, { steps: steps })
            var late = findChild(list, "nextStep_late")
            var fine = findChild(list, "nextStep_fine")
            verify(late && fine)
            var tag = findChild(late, "overdueTag")
            verify(tag.visible)
            compare(tag.text, "Overdue")
            compare(late.border.color, Theme.danger)
            verify(!findChild(fine, "overdueTag").visible)
            verify(fine.border.color !== Theme.danger)
            verify(late.Accessible.name.indexOf("Overdue") === 0)
        }

        function test_buttons_follow_what_the_person_may_do() {
            var steps = createTemporaryObject(fakeSteps, root)
            steps.append(stepRow({ stepId: "mine", canWork: true }))
            steps.append(stepRow({ stepId: "check", status: "done", statusLabel: "Done", canVerify: true, canEdit: true }))
            var list = createTemporaryObject(nextStepList, root, { steps: steps })
            var mine = findChild(list, "nextStep_mine")
            verify(findChild(mine, "startStep").visible)
            verify(findChild(mine, "doneStep").visible)
            verify(!findChild(mine, "verifyStep").visible)
            verify(!findChild(mine, "editStep").visible)
            verify(findChild(mine, "doneStep").height >= 48)
            mouseClick(findChild(mine, "doneStep"))
            compare(steps.calls, ["done mine"])
            var check = findChild(list, "nextStep_check")
            verify(!findChild(check, "doneStep").visible)
            verify(findChild(check, "verifyStep").visible)
            verify(findChild(check, "editStep").visible)
            findChild(check, "verifyStep").clicked()
            compare(steps.calls, ["done mine", "verify check"])
        }

        function test_returning_asks_for_a_note_and_requires_it() {
            var steps = createTemporaryObject(fakeSteps, root)
            steps.append(stepRow({ stepId: "check", status: "done", statusLabel: "Done", canVerify: true }))
            var list = createTemporaryObject(nextStepList, root, { steps: steps })
            mouseClick(findChild(findChild(list, "nextStep_check"), "returnStep"))
            var dialog = list.returnDialog
            verify(dialog)
            tryCompare(dialog, "opened", true)
            var confirm = findChild(dialog, "returnStepConfirm")
            verify(!confirm.enabled) // no note yet
            findChild(dialog, "returnNote").text = "Only one of two meetings held."
            verify(confirm.enabled)
            mouseClick(confirm)
            compare(steps.calls, ["return check Only one of two meetings held."])
            tryCompare(dialog, "opened", false)
        }

        function test_a_refusal_is_shown_in_words() {
            var steps = createTemporaryObject(fakeSteps, root)
            steps.append(stepRow({ stepId: "mine", canWork: true }))
            steps.refuse = "a next step that is verified cannot move to done"
            var list = createTemporaryObject(nextStepList, root, { steps: steps })
            mouseClick(findChild(findChild(list, "nextStep_mine"), "doneStep"))
            var error = findChild(list, "nextStepsError")
            verify(error.visible)
            compare(error.text, "a next step that is verified cannot move to done")
        }

        function test_each_step_opens_its_comments_only_when_asked() {
            var steps = createTemporaryObject(fakeSteps, root)
            steps.append(stepRow({ stepId: "s1", comments: 2 }))
            var list = createTemporaryObject(nextStepList, root, { steps: steps })
            var step = findChild(list, "nextStep_s1")
            var toggle = findChild(step, "stepComments")
            verify(toggle.visible)
            compare(toggle.text, "Comments (2)")
            verify(toggle.height >= 48)
            var view = findChild(step, "stepCommentsView")
            compare(view.item, null, "nothing is made until asked")
            var closed = step.height
            mouseClick(toggle)
            verify(view.item)
            compare(view.item.targetEntity, "next_step")
            compare(view.item.target, "s1")
            compare(toggle.text, "Hide comments")
            tryVerify(function() { return step.height > closed }, 1000, "the card makes room")
            // No store here: nobody may comment, so there is no box.
            verify(!findChild(view.item, "commentBox").parent.visible)
            mouseClick(toggle)
            compare(view.item, null)
            tryCompare(step, "height", closed)
        }

        function test_open_comments_settle_at_every_width() {
            var steps = createTemporaryObject(fakeSteps, root)
            steps.append(stepRow({ stepId: "s1", comments: 1, title: "A title long enough to wrap on a narrow phone column, twice over" }))
            for (var width = 300; width <= 800; width += 250) {
                var list = createTemporaryObject(nextStepList, root, { steps: steps, width: width })
                mouseClick(findChild(findChild(list, "nextStep_s1"), "stepComments"))
                wait(50) // a polish loop never returns from here
                var height = list.implicitHeight
                wait(50)
                compare(list.implicitHeight, height, "the layout settled at " + width)
                list.destroy()
            }
        }

        function test_nothing_to_show_and_nothing_to_add_hides_the_list() {
            var steps = createTemporaryObject(fakeSteps, root, { canMake: false })
            var list = createTemporaryObject(nextStepList, root, { steps: steps })
            verify(list.empty)
            verify(!list.visible)
            steps.canMake = true
            verify(!list.empty)
            verify(findChild(list, "addNextStep").visible)
        }
    }

    TestCase {
        name: "NextStepDialog"
        when: windowShown

        function test_a_new_step_hands_on_title_owner_day_and_links() {
            var steps = createTemporaryObject(fakeSteps, root)
            var dialog = createTemporaryObject(nextStepDialog, root, { steps: steps, indicator: "ind-2.1" })
            dialog.openFor("")
            tryCompare(dialog, "opened", true)
            compare(dialog.title, "Add a next step")
            findChild(dialog, "nextStepTitle").text = "Exit tickets in grade 3"
            var owner = findChild(dialog, "nextStepOwner")
            owner.currentIndex = 1
            verify(owner.displayText.indexOf("Rosa Receiver") === 0)
            findChild(dialog, "nextStepDue").date = "2026-12-14"
            mouseClick(findChild(dialog, "nextStepSave"))
            compare(steps.calls, ["make|Exit tickets in grade 3||u2|2026-12-14||ind-2.1|"])
            tryCompare(dialog, "opened", false)
        }

        function test_a_refused_step_keeps_the_dialog_open_with_the_reason() {
            var steps = createTemporaryObject(fakeSteps, root, { refuse: "Give the next step a title." })
            var dialog = createTemporaryObject(nextStepDialog, root, { steps: steps })
            dialog.openFor("")
            tryCompare(dialog, "opened", true)
            mouseClick(findChild(dialog, "nextStepSave"))
            var error = findChild(dialog, "nextStepError")
            verify(error.visible)
            compare(error.text, "Give the next step a title.")
            verify(dialog.opened)
            dialog.close()
        }

        function test_changing_a_step_starts_from_its_values() {
            var steps = createTemporaryObject(fakeSteps, root)
            steps.append(stepRow({ stepId: "s1", canEdit: true }))
            var dialog = createTemporaryObject(nextStepDialog, root, { steps: steps })
            dialog.openFor("s1")
            tryCompare(dialog, "opened", true)
            compare(dialog.title, "Change the next step")
            compare(findChild(dialog, "nextStepTitle").text, "Exit tickets in grade 3")
            compare(findChild(dialog, "nextStepOwner").currentIndex, 1)
            compare(findChild(dialog, "nextStepDue").date, "2026-11-20")
            mouseClick(findChild(dialog, "nextStepSave"))
            compare(steps.calls, ["edit|s1|Exit tickets in grade 3||u2|2026-11-20"])
        }
    }

    Component {
        id: indicatorDelegate
        IndicatorDelegate {
            width: 700
            indicatorId: "ind-1.1"
            code: "1.1"
            name: "Use of student assessment data to inform classroom instruction, in every grade"
            rating: -1
            note: ""
            source: ""
            files: 0
            observation: ""
            comments: 0
            levels: ["No evidence", "Developing", "Providing", "Sustaining"]
        }
    }

    TestCase {
        name: "IndicatorDelegate"
        when: windowShown

        function test_no_comments_before_the_indicator_is_observed() {
            var card = createTemporaryObject(indicatorDelegate, root)
            verify(!findChild(card, "observationComments_1.1").visible)
            compare(findChild(card, "observationCommentsView_1.1").item, null)
        }

        function test_a_rating_opens_its_comments_only_when_asked() {
            var card = createTemporaryObject(indicatorDelegate, root, { rating: 2, observation: "obs-1", comments: 3 })
            var toggle = findChild(card, "observationComments_1.1")
            verify(toggle.visible)
            compare(toggle.text, "Comments (3)")
            verify(toggle.height >= 48)
            var view = findChild(card, "observationCommentsView_1.1")
            compare(view.item, null, "nothing is made until asked")
            var closed = card.height
            mouseClick(toggle)
            verify(view.item)
            compare(toggle.text, "Hide comments")
            tryVerify(function() { return toggle.width >= toggle.implicitWidth }, 1000, "the words are not cut")
            compare(view.item.targetEntity, "observation")
            compare(view.item.target, "obs-1")
            tryVerify(function() { return card.height > closed }, 1000, "the card makes room")
            mouseClick(toggle)
            compare(view.item, null)
            tryCompare(card, "height", closed)
        }

        function test_open_comments_settle_at_every_width() {
            // From a narrow tablet column (the note row itself needs about 400) to a laptop.
            for (var width = 420; width <= 820; width += 200) {
                var card = createTemporaryObject(indicatorDelegate, root, { rating: 1, observation: "obs-1", comments: 1, width: width })
                mouseClick(findChild(card, "observationComments_1.1"))
                wait(50) // a polish loop never returns from here
                var height = card.implicitHeight
                wait(50)
                compare(card.implicitHeight, height, "the layout settled at " + width)
                verify(findChild(card, "observationCommentsView_1.1").width <= width)
                card.destroy()
            }
        }
    }

    Component {
        id: visitSummary
        VisitSummary { width: 700; levels: ["No evidence", "Developing", "Providing", "Sustaining"] }
    }

    TestCase {
        name: "VisitSummary"
        when: windowShown

        function test_counts_per_level_beside_the_last_visit_never_averages() {
            var box = createTemporaryObject(visitSummary, root, { summary: [
                { number: 1, name: "Leadership", counts: [0, 1, 2, 0], unrated: 3, hasLast: true,
                  lastCounts: [2, 1, 1, 2], lastUnrated: 0, lastDate: "2026-09-21" }] })
            verify(box)
            compare(findChild(box, "count_1_2").text, "2")
            compare(findChild(box, "unrated_1").text, "3")
            compare(findChild(box, "lastCount_1_0").text, "2")
            compare(findChild(box, "lastCount_1_3").text, "2")
            // No mean, no decimals.
            for (var i = 0; i < box.cells.length; ++i)
                verify(box.cells[i].text.indexOf(".") < 0 || box.cells[i].kind === "name")
        }

        function test_no_earlier_visit_of_the_kind_says_so() {
            var box = createTemporaryObject(visitSummary, root, { summary: [
                { number: 1, name: "Leadership", counts: [0, 0, 0, 0], unrated: 6, hasLast: false,
                  lastCounts: [0, 0, 0, 0], lastUnrated: 0, lastDate: "" }] })
            compare(findChild(box, "lastCount_1_0").text, "–")
        }
    }

    TestCase {
        name: "SyncStatusBarHeld"
        when: windowShown

        function test_changes_the_server_holds_back_ask_for_an_update() {
            var bar = createTemporaryObject(syncBar, root, {
                syncState: SyncEngine.UpToDate, message: "Up to date", lastSync: "today",
                signedIn: true, heldChanges: 0 })
            var held = findChild(bar, "heldLabel")
            verify(!held.visible)
            bar.heldChanges = 1
            verify(held.visible)
            compare(held.text, "Update the app to see 1 newer item")
            bar.heldChanges = 3
            compare(held.text, "Update the app to see 3 newer items")
        }
    }
}
