#pragma once

// SHA-256 of a file off the GUI thread: a 100 MB file takes a second to read and hash.

#include <QObject>
#include <QString>
#include <functional>

namespace sitevisit::client {

// The lower-case hex digest, or "" when the file cannot be read. Blocks: for worker threads.
QString sha256_of_file(const QString& path);

// Hashes on a worker thread (QtConcurrent); `done` then runs on `context`'s thread with the
// digest ("" when unreadable), unless `context` is gone by then.
void sha256_of_file_async(const QString& path, QObject* context,
                          std::function<void(const QString&)> done);

} // namespace sitevisit::client
