#pragma once

#include <QString>
#include <memory>

namespace sitevisit::platform {

// Handing a file the app made (a visit report) to the person: the system's share sheet where
// the platform has one (mail, messaging, cloud drives), else they choose where to save it.
class Share {
public:
    virtual ~Share() = default;
    // Whether there is a share sheet; without one the app offers "Save as" instead.
    virtual bool hasShareSheet() const = 0;
    // Offers the file to other apps through the sheet; "" once offered, else why not, in words.
    virtual QString shareFile(const QString& path, const QString& mimeType) = 0;
};

// This platform's. Desktop Linux, Windows and macOS builds have no share sheet here.
std::unique_ptr<Share> system_share();

// Copies `from` to `to`, replacing what is there only once the copy is whole; "" when done,
// else why not, in words ("Cannot write /media/usb/report.pdf: Permission denied").
QString save_copy(const QString& from, const QString& to);

// Opens a file in the system's viewer for its type; false when none would take it.
bool open_file(const QString& path);

} // namespace sitevisit::platform
