#pragma once

#include <QString>

namespace sitevisit::platform {

// Where the app keeps its files on this device. SITEVISIT_DATA_DIR overrides the platform's
// own folder (tests, kiosks, several profiles on one laptop).
class DataPaths {
public:
    // The folder, created if missing; empty with `error` set when it cannot be created.
    static QString dataDir(QString* error = nullptr);
    // The device store (SQLite) inside dataDir().
    static QString storeFile(QString* error = nullptr);
    // Evidence files waiting for upload or downloaded for viewing.
    static QString blobDir(QString* error = nullptr);
};

} // namespace sitevisit::platform
