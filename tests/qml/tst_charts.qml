import QtQuick
import QtTest
import SiteVisit

// The school page's charts and comments alone, in the real scene: no controller, no store.
Item {
    id: root
    width: 800
    height: 600

    // A benchmark as PlanModel gives it: absenteeism 28% -> 18%, on track then off track.
    readonly property var absenteeism: ({
        benchmarkId: "b1", measure: "Chronic absenteeism", unit: "%", direction: "lower",
        baseline: 28, target: 18, baselineDay: 20000, dueDay: 20300,
        history: [{ day: 20050, date: "2024-10-09", value: 26, status: "on_track", statusLabel: "On track" },
                  { day: 20150, date: "2025-01-17", value: 27.5, status: "off_track", statusLabel: "Off track" }] })

    Component {
        id: trendChart
        TrendChart { width: 600; height: 220 }
    }
    Component {
        id: levelsChart
        LevelsChart { width: 500 }
    }
    Component {
        id: commentsView
        Comments { width: 500 }
    }
    // The CommentsModel API on a list: rows with author, when and body; canComment; add().
    Component {
        id: fakeComments
        ListModel {
            property bool canComment: true
            property string errorString: ""
            property bool refuse: false
            function add(body) {
                if (refuse) { errorString = "you may not comment on this benchmark"; return false }
                append({ author: "Paula Principal", when: "2026-11-30 09:00", body: body })
                errorString = ""
                return true
            }
        }
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
        name: "TrendChart"
        when: windowShown

        function test_value_ticks_cover_baseline_target_and_readings() {
            var chart = createTemporaryObject(trendChart, root, { benchmark: root.absenteeism })
            verify(chart.low <= 18, "the target is on the axis")
            verify(chart.high >= 28, "the baseline is on the axis")
            verify(chart.valueTicks.length >= 3 && chart.valueTicks.length <= 8)
            compare(chart.firstDay, 20000)
            compare(chart.lastDay, 20300)
            // Lower values sit lower on the screen; later days further right.
            verify(chart.yOf(18) > chart.yOf(28))
            verify(chart.xOf(20300) > chart.xOf(20000))
            verify(chart.xOf(20000) >= chart.padLeft)
        }

        function test_the_value_under_the_pointer_or_finger_is_shown() {
            var chart = createTemporaryObject(trendChart, root, { benchmark: root.absenteeism })
            var tip = findChild(chart, "chartTooltip")
            verify(!tip.visible)
            mouseClick(chart, chart.xOf(20150) + 3, chart.yOf(27.5))
            compare(chart.currentIndex, 1)
            verify(tip.visible)
            verify(tip.text.indexOf("27.5%") >= 0, tip.text)
            verify(tip.text.indexOf("Off track") >= 0, tip.text)
            verify(tip.text.indexOf("2025") >= 0, tip.text)
            mouseMove(chart, chart.xOf(20050), chart.yOf(26))
            compare(chart.currentIndex, 0)
            verify(tip.text.indexOf("26%") >= 0, tip.text)
        }

        function test_the_keyboard_steps_through_the_readings() {
            var chart = createTemporaryObject(trendChart, root, { benchmark: root.absenteeism })
            chart.forceActiveFocus()
            compare(chart.currentIndex, 1, "the latest reading first")
            keyClick(Qt.Key_Left)
            compare(chart.currentIndex, 0)
            keyClick(Qt.Key_Right)
            compare(chart.currentIndex, 1)
            verify(chart.Accessible.description.indexOf("Off track") >= 0)
            keyClick(Qt.Key_Escape)
            compare(chart.currentIndex, -1)
        }

        function test_a_benchmark_without_readings_still_draws_its_line() {
            var chart = createTemporaryObject(trendChart, root, {
                benchmark: { measure: "Attendance", unit: "%", baseline: 90, target: 95, baselineDay: 20000, dueDay: 20300, history: [] } })
            compare(chart.points.length, 0)
            verify(chart.low <= 90 && chart.high >= 95)
            verify(!chart.activeFocusOnTab)
        }
    }

    TestCase {
        name: "LevelsChart"
        when: windowShown

        function test_counts_per_visit_are_written_out_for_the_bar_chosen() {
            var chart = createTemporaryObject(levelsChart, root, {
                visits: [{ date: "2026-09-21" }, { date: "2026-11-16" }],
                counts: [[1, 3, 2, 0], [0, 1, 3, 2]],
                levels: [{ rating: 0, label: "No evidence" }, { rating: 1, label: "Developing" },
                         { rating: 2, label: "Providing" }, { rating: 3, label: "Sustaining" }] })
            compare(chart.most, 6)
            chart.forceActiveFocus()
            compare(chart.currentIndex, 1)
            verify(chart.currentText.indexOf("2026-11-16") === 0, chart.currentText)
            verify(chart.currentText.indexOf("2 Sustaining") >= 0, chart.currentText)
            verify(chart.currentText.indexOf("No evidence") < 0, "levels with no indicators are left out")
            keyClick(Qt.Key_Left)
            verify(chart.currentText.indexOf("3 Developing") >= 0, chart.currentText)
        }
    }

    TestCase {
        name: "Comments"
        when: windowShown

        function test_lists_author_and_time_and_adds_a_comment() {
            var model = createTemporaryObject(fakeComments, root)
            model.append({ author: "Lena Lead", when: "2026-11-29 14:05", body: "Data wall seen in grade 3." })
            var view = createTemporaryObject(commentsView, root, { model: model })
            tryVerify(function() { return findChild(view, "commentBox") !== null })
            var box = findChild(view, "commentBox")
            var button = findChild(view, "addCommentButton")
            verify(box.visible)
            verify(!button.enabled, "nothing to add yet")
            box.text = "Grade 4 next time."
            verify(button.enabled)
            mouseClick(button)
            compare(model.count, 2)
            compare(model.get(1).body, "Grade 4 next time.")
            compare(box.text, "", "the box empties once stored")
        }

        function test_a_refused_comment_stays_typed_with_the_reason() {
            var model = createTemporaryObject(fakeComments, root, { refuse: true })
            var view = createTemporaryObject(commentsView, root, { model: model })
            var box = findChild(view, "commentBox")
            box.text = "Hello"
            mouseClick(findChild(view, "addCommentButton"))
            compare(box.text, "Hello")
            compare(findChild(view, "commentError").text, "you may not comment on this benchmark")
            verify(findChild(view, "commentError").visible)
        }

        function test_a_heading_names_what_the_comments_are_on() {
            var model = createTemporaryObject(fakeComments, root)
            var view = createTemporaryObject(commentsView, root, { model: model, heading: "Comments on the visit" })
            compare(findChild(view, "commentsHeading").text, "Comments on the visit: none yet")
            model.add("Thank you for the walkthrough.")
            compare(findChild(view, "commentsHeading").text, "Comments on the visit (1)")
        }

        function test_people_who_may_not_comment_see_no_box() {
            var model = createTemporaryObject(fakeComments, root, { canComment: false })
            var view = createTemporaryObject(commentsView, root, { model: model })
            verify(!findChild(view, "commentBox").parent.visible)
        }
    }

    // A HistoryModel as the school page gives it: four practices, with or without visits.
    function history(visitCount) {
        var visits = [], counts = []
        for (var i = 0; i < visitCount; ++i) {
            visits.push({ visitId: "v" + i, date: "2026-0" + (i + 1) + "-15", kindLabel: "Monitoring" })
            counts.push([1, 2, 1, 0])
        }
        var practices = []
        for (var p = 1; p <= 4; ++p)
            practices.push({ practice: p, name: "A practice with a name long enough to wrap on a narrow column " + p, counts: counts })
        return { visits: visits, practices: practices,
                 indicators: visitCount ? [{ code: "1.1", name: "Leadership team", ratings: counts.map(function() { return 2 }) }] : [],
                 levels: [{ rating: 0, label: "Not yet" }, { rating: 1, label: "Beginning" },
                          { rating: 2, label: "Developing" }, { rating: 3, label: "Sustaining" }] }
    }
    Component {
        id: historyView
        HistoryView {}
    }

    TestCase {
        name: "HistoryView"
        when: windowShown

        // A school with no submitted visits once sent the page into an endless layout pass
        // (the grid's width followed its columns' widths, which followed the grid's).
        function test_settles_with_and_without_visits_at_each_width() {
            for (var visits = 0; visits <= 3; visits += 3)
                for (var width = 300; width <= 800; width += 250) {
                    var view = createTemporaryObject(historyView, root, { history: root.history(visits), width: width })
                    wait(50) // a polish loop never returns from here
                    var height = view.implicitHeight
                    wait(50)
                    compare(view.implicitHeight, height, "the layout settled")
                    verify(height > 0)
                    view.destroy()
                }
        }
    }
}
