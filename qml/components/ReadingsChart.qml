import QtQuick
import SiteVisit

// Readings (dots) against the line from baseline to target (dashed), from baseline date to
// due date. Drawn from the view model's numbers; no rules here.
Canvas {
    id: chart
    property var benchmark: ({})
    onBenchmarkChanged: requestPaint()
    onWidthChanged: requestPaint()
    Accessible.role: Accessible.Chart
    Accessible.name: qsTr("Readings against the line from baseline to target")

    onPaint: {
        var ctx = getContext("2d")
        ctx.reset()
        var b = chart.benchmark
        if (b.baselineDay === undefined) return
        var readings = b.readings || []
        var lo = Math.min(b.baseline, b.target), hi = Math.max(b.baseline, b.target)
        for (var i = 0; i < readings.length; ++i) { lo = Math.min(lo, readings[i].value); hi = Math.max(hi, readings[i].value) }
        if (hi === lo) { hi += 1; lo -= 1 }
        var pad = 8
        function x(day) { return pad + (width - 2 * pad) * (day - b.baselineDay) / Math.max(1, b.dueDay - b.baselineDay) }
        function y(v) { return height - pad - (height - 2 * pad) * (v - lo) / (hi - lo) }
        ctx.strokeStyle = Theme.divider
        ctx.lineWidth = 1
        ctx.strokeRect(0.5, 0.5, width - 1, height - 1)
        ctx.strokeStyle = Theme.mutedText
        ctx.setLineDash([6, 4])
        ctx.beginPath(); ctx.moveTo(x(b.baselineDay), y(b.baseline)); ctx.lineTo(x(b.dueDay), y(b.target)); ctx.stroke()
        ctx.setLineDash([])
        ctx.fillStyle = Theme.primary
        ctx.strokeStyle = Theme.primary
        ctx.lineWidth = 2
        ctx.beginPath()
        for (var k = 0; k < readings.length; ++k) {
            var px = x(readings[k].day), py = y(readings[k].value)
            if (k === 0) ctx.moveTo(px, py); else ctx.lineTo(px, py)
        }
        ctx.stroke()
        for (var j = 0; j < readings.length; ++j) {
            ctx.beginPath(); ctx.arc(x(readings[j].day), y(readings[j].value), 4, 0, 2 * Math.PI); ctx.fill()
        }
    }
}
