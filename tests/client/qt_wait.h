#pragma once

#include <QEventLoop>
#include <QTimer>
#include <functional>

namespace sitevisit::testing {

// Runs the event loop until `done` holds or `ms` pass; whether it holds.
inline bool wait_for(const std::function<bool()>& done, int ms = 30000) {
    QEventLoop loop;
    QTimer tick;
    QObject::connect(&tick, &QTimer::timeout, &loop, [&] {
        if (done()) loop.quit();
    });
    tick.start(20);
    QTimer::singleShot(ms, &loop, &QEventLoop::quit);
    if (!done()) loop.exec();
    return done();
}

} // namespace sitevisit::testing
