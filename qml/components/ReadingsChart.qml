import QtQuick
import SiteVisit

// A benchmark's readings against the line from baseline to target, with axes, the target
// labelled and the value under the pointer: TrendChart under the name cards already use.
TrendChart {
    implicitHeight: 160
}
