import QtQuick
import QtQuick.Controls
import SiteVisit

// A benchmark's readings over time: a value axis and a date axis with ticks, the straight line
// from baseline to target (dashed), the target labelled, and each reading as a dot coloured by
// the status the benchmark had on that date. The value under the pointer or a finger is shown
// beside its dot; arrow keys step through the readings. Drawn from the view model's numbers
// (PlanModel's benchmark: baseline, target, baselineDay, dueDay, history); no rules here.
Item {
    id: chart
    property var benchmark: ({})
    // The reading shown in the marker, -1 for none.
    property int currentIndex: -1
    readonly property var points: benchmark.history || benchmark.readings || []
    readonly property string unit: benchmark.unit || ""
    readonly property string currentText: currentIndex >= 0 && currentIndex < points.length
        ? describe(points[currentIndex]) : ""
    readonly property bool hasLine: benchmark.baselineDay !== undefined

    // Room for the tick labels.
    readonly property real padLeft: 48
    readonly property real padRight: 16
    readonly property real padTop: 12
    readonly property real padBottom: 28
    readonly property real plotWidth: Math.max(1, width - padLeft - padRight)
    readonly property real plotHeight: Math.max(1, height - padTop - padBottom)

    // The domain: from the baseline (or the first reading) to the due date (or the last).
    readonly property real firstDay: {
        var d = hasLine ? benchmark.baselineDay : Infinity
        for (var i = 0; i < points.length; ++i) d = Math.min(d, points[i].day)
        return isFinite(d) ? d : 0
    }
    readonly property real lastDay: {
        var d = hasLine ? benchmark.dueDay : -Infinity
        for (var i = 0; i < points.length; ++i) d = Math.max(d, points[i].day)
        return isFinite(d) ? Math.max(d, firstDay + 1) : firstDay + 1
    }
    readonly property var valueTicks: {
        var lo = Infinity, hi = -Infinity
        if (hasLine) { lo = Math.min(benchmark.baseline, benchmark.target); hi = Math.max(benchmark.baseline, benchmark.target) }
        for (var i = 0; i < points.length; ++i) { lo = Math.min(lo, points[i].value); hi = Math.max(hi, points[i].value) }
        if (!isFinite(lo)) { lo = 0; hi = 1 }
        if (hi === lo) { hi += 1; lo -= 1 }
        var raw = (hi - lo) / 4
        var mag = Math.pow(10, Math.floor(Math.log(raw) / Math.LN10))
        var step = [1, 2, 5, 10].map(function(m) { return m * mag }).find(function(s) { return s >= raw })
        var ticks = []
        for (var v = Math.floor(lo / step) * step; v <= hi + step * 0.999; v += step) ticks.push(Math.round(v / step) * step)
        return ticks
    }
    readonly property real low: valueTicks[0]
    readonly property real high: valueTicks[valueTicks.length - 1]

    function xOf(day) { return padLeft + plotWidth * (day - firstDay) / (lastDay - firstDay) }
    function yOf(value) { return padTop + plotHeight * (1 - (value - low) / Math.max(1e-9, high - low)) }
    // A day since 1970 as a local date, so "1 Oct" is not 30 Sep west of Greenwich.
    function dateOf(day) { var u = new Date(day * 86400000); return new Date(u.getUTCFullYear(), u.getUTCMonth(), u.getUTCDate()) }
    function number(v) { return Number(v).toLocaleString(Qt.locale(), "f", Math.abs(v) < 10 && v % 1 !== 0 ? 1 : (v % 1 !== 0 ? 1 : 0)) }
    function withUnit(v) { return unit === "%" ? number(v) + "%" : unit.length ? number(v) + " " + unit : number(v) }
    function describe(p) {
        var text = Qt.formatDate(dateOf(p.day), "d MMM yyyy") + ": " + withUnit(p.value)
        return p.statusLabel ? text + " · " + p.statusLabel : text
    }
    function statusColor(status) {
        switch (status) {
        case "on_track": case "met": return Theme.ok
        case "at_risk": case "no_data": return Theme.warning
        case "off_track": case "not_met": return Theme.danger
        default: return Theme.primary
        }
    }
    // The reading nearest to x, for the pointer and a finger.
    function nearest(x) {
        var best = -1, dist = Infinity
        for (var i = 0; i < points.length; ++i) {
            var d = Math.abs(xOf(points[i].day) - x)
            if (d < dist) { dist = d; best = i }
        }
        return best
    }

    implicitHeight: 200
    activeFocusOnTab: points.length > 0
    Accessible.role: Accessible.Chart
    Accessible.name: qsTr("Readings of %1 from %2 towards %3 by %4").arg(benchmark.measure || "")
        .arg(hasLine ? withUnit(benchmark.baseline) : "").arg(hasLine ? withUnit(benchmark.target) : "")
        .arg(hasLine ? Qt.formatDate(dateOf(benchmark.dueDay), "d MMM yyyy") : "")
    Accessible.description: currentText

    onPointsChanged: { currentIndex = -1; canvas.requestPaint() }
    onWidthChanged: canvas.requestPaint()
    onHeightChanged: canvas.requestPaint()
    Keys.onLeftPressed: currentIndex = currentIndex <= 0 ? points.length - 1 : currentIndex - 1
    Keys.onRightPressed: currentIndex = currentIndex >= points.length - 1 ? 0 : currentIndex + 1
    Keys.onEscapePressed: currentIndex = -1
    onActiveFocusChanged: if (activeFocus && currentIndex < 0 && points.length) currentIndex = points.length - 1

    Connections {
        target: Theme
        function onDarkChanged() { canvas.requestPaint() }
    }

    Canvas {
        id: canvas
        anchors.fill: parent
        onPaint: {
            var ctx = getContext("2d")
            ctx.reset()
            ctx.font = Theme.fontSmall + "px sans-serif"
            // Value axis: grid lines and labels.
            ctx.strokeStyle = Theme.divider
            ctx.fillStyle = Theme.mutedText
            ctx.lineWidth = 1
            ctx.textAlign = "right"
            ctx.textBaseline = "middle"
            var ticks = chart.valueTicks
            for (var i = 0; i < ticks.length; ++i) {
                var y = Math.round(chart.yOf(ticks[i])) + 0.5
                ctx.beginPath(); ctx.moveTo(chart.padLeft, y); ctx.lineTo(chart.width - chart.padRight, y); ctx.stroke()
                ctx.fillText(chart.number(ticks[i]) + (chart.unit === "%" ? "%" : ""), chart.padLeft - 6, y)
            }
            // Date axis: the baseline, the due date and months between, as many as fit.
            var count = Math.max(2, Math.min(6, Math.floor(chart.plotWidth / 90)))
            ctx.textAlign = "center"
            ctx.textBaseline = "top"
            var axisY = chart.height - chart.padBottom
            ctx.strokeStyle = Theme.mutedText
            ctx.beginPath(); ctx.moveTo(chart.padLeft, axisY + 0.5); ctx.lineTo(chart.width - chart.padRight, axisY + 0.5); ctx.stroke()
            for (var k = 0; k <= count - 1; ++k) {
                var day = chart.firstDay + (chart.lastDay - chart.firstDay) * k / (count - 1)
                var x = Math.round(chart.xOf(day)) + 0.5
                ctx.beginPath(); ctx.moveTo(x, axisY); ctx.lineTo(x, axisY + 4); ctx.stroke()
                var label = Qt.formatDate(chart.dateOf(Math.round(day)), "d MMM yy")
                ctx.textAlign = k === 0 ? "left" : k === count - 1 ? "right" : "center"
                ctx.fillText(label, k === 0 ? x - 4 : k === count - 1 ? x + 4 : x, axisY + 6)
            }
            if (chart.hasLine) {
                var b = chart.benchmark
                // The expected path, baseline to target.
                ctx.strokeStyle = Theme.mutedText
                ctx.setLineDash([6, 4])
                ctx.beginPath(); ctx.moveTo(chart.xOf(b.baselineDay), chart.yOf(b.baseline)); ctx.lineTo(chart.xOf(b.dueDay), chart.yOf(b.target)); ctx.stroke()
                // The target, labelled.
                ctx.strokeStyle = Theme.ok
                ctx.setLineDash([2, 3])
                var ty = Math.round(chart.yOf(b.target)) + 0.5
                ctx.beginPath(); ctx.moveTo(chart.padLeft, ty); ctx.lineTo(chart.width - chart.padRight, ty); ctx.stroke()
                ctx.setLineDash([])
                ctx.fillStyle = Theme.ok
                ctx.textAlign = "left"
                var below = ty < chart.padTop + 16
                ctx.textBaseline = below ? "top" : "bottom"
                ctx.fillText(qsTr("Target %1").arg(chart.withUnit(b.target)), chart.padLeft + 4, below ? ty + 3 : ty - 3)
                // The baseline: a hollow dot where the line starts.
                ctx.strokeStyle = Theme.mutedText
                ctx.lineWidth = 2
                ctx.beginPath(); ctx.arc(chart.xOf(b.baselineDay), chart.yOf(b.baseline), 4, 0, 2 * Math.PI); ctx.stroke()
            }
            // The readings: a line and dots in the colour of their status then.
            var pts = chart.points
            ctx.strokeStyle = Theme.primary
            ctx.lineWidth = 2
            ctx.beginPath()
            for (var j = 0; j < pts.length; ++j) {
                if (j === 0) ctx.moveTo(chart.xOf(pts[j].day), chart.yOf(pts[j].value))
                else ctx.lineTo(chart.xOf(pts[j].day), chart.yOf(pts[j].value))
            }
            ctx.stroke()
            for (var n = 0; n < pts.length; ++n) {
                ctx.fillStyle = chart.statusColor(pts[n].status)
                ctx.beginPath(); ctx.arc(chart.xOf(pts[n].day), chart.yOf(pts[n].value), 5, 0, 2 * Math.PI); ctx.fill()
            }
        }
    }

    // The reading under the pointer or finger.
    Rectangle {
        id: marker
        objectName: "chartMarker"
        visible: chart.currentIndex >= 0 && chart.currentIndex < chart.points.length
        readonly property var point: visible ? chart.points[chart.currentIndex] : ({ day: 0, value: 0 })
        width: 14; height: 14; radius: 7
        color: "transparent"
        border.color: Theme.text
        border.width: 2
        x: chart.xOf(point.day) - width / 2
        y: chart.yOf(point.value) - height / 2
    }
    Label {
        id: tip
        objectName: "chartTooltip"
        visible: marker.visible
        text: chart.currentText
        color: Theme.text
        font.pixelSize: Theme.fontSmall
        padding: 4
        background: Rectangle { color: Theme.surface; border.color: Theme.divider; radius: 4 }
        x: Math.max(0, Math.min(chart.width - width, marker.x + marker.width / 2 - width / 2))
        y: marker.y > height + 8 ? marker.y - height - 4 : marker.y + marker.height + 4
    }
    HoverHandler {
        id: hover
        onPointChanged: if (hovered) chart.currentIndex = chart.nearest(point.position.x)
        onHoveredChanged: if (!hovered && !chart.activeFocus) chart.currentIndex = -1
    }
    TapHandler {
        onTapped: (eventPoint) => chart.currentIndex = chart.nearest(eventPoint.position.x)
    }
}
