.pragma library

// Where a person's window opens (Main.qml, for `sitevisit`): the size and place it was last
// left in, shrunk to fit this screen and moved onto it; else the tablet's 800 x 1280 where the
// screen's free area holds it and a title bar; else that free area less a title bar. `screen`
// is the free area {x, y, width, height}; `saved` {x, y, width, height} or null; `minimum`
// {width, height}. Returns {x, y, width, height}.
function place(screen, saved, minimum) {
    const titleBar = 40
    const tablet = screen.width >= 800 && screen.height >= 1280 + titleBar
    let width = saved ? saved.width : tablet ? 800 : screen.width
    let height = saved ? saved.height : tablet ? 1280 : screen.height - titleBar
    width = Math.max(Math.min(minimum.width, screen.width), Math.min(width, screen.width))
    height = Math.max(Math.min(minimum.height, screen.height), Math.min(height, screen.height))
    const x = saved ? saved.x : screen.x + (screen.width - width) / 2
    const y = saved ? saved.y : screen.y + titleBar + (screen.height - titleBar - height) / 2
    const clamp = (v, low, high) => Math.max(low, Math.min(v, high))
    return {
        x: Math.round(clamp(x, screen.x, screen.x + screen.width - width)),
        y: Math.round(clamp(y, screen.y, screen.y + screen.height - height)),
        width: width,
        height: height
    }
}
