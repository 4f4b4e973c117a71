pragma Singleton
import QtQuick

// Colours, spacing and type in one place, light and dark.
QtObject {
    property bool dark: false

    readonly property color background: dark ? "#121417" : "#f6f7f9"
    readonly property color surface: dark ? "#1d2126" : "#ffffff"
    readonly property color text: dark ? "#e8eaed" : "#1b1f24"
    readonly property color mutedText: dark ? "#a5adb8" : "#5b6572"
    readonly property color primary: dark ? "#7fb0ff" : "#1f5fbf"
    readonly property color textOnPrimary: dark ? "#0b1a33" : "#ffffff"
    readonly property color divider: dark ? "#2c323a" : "#dde1e6"
    readonly property color ok: dark ? "#6fcf97" : "#1e7d45"
    readonly property color warning: dark ? "#f2c94c" : "#9a6a00"
    readonly property color danger: dark ? "#ff8a80" : "#b3261e"
    // Text on a status colour (ok, warning, danger, primary pills): those colours are dark in
    // the light theme and light in the dark one.
    readonly property color textOnStatus: dark ? "#121417" : "#ffffff"

    readonly property int touchTarget: 48
    readonly property int spacing: 8
    readonly property int margin: 16
    readonly property int radius: 8

    readonly property int fontSmall: 13
    readonly property int fontBody: 15
    readonly property int fontTitle: 20
    readonly property int fontHeadline: 26
}
