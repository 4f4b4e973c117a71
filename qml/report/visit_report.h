#pragma once

// The visit report: a PDF made on the device, offline, from the rows a person may read. Two
// steps: build_visit_report() reads the store into plain values (what the report says), and
// write_report_pdf() lays them out with Qt's own PDF writer. The first needs the store's
// thread; the second touches no store and may run on a worker.

#include "sitevisit/core/clock.h"
#include "sitevisit/core/permissions.h"
#include "sitevisit/core/result.h"

#include <QString>
#include <QStringList>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace sitevisit {
class Store;
}

namespace sitevisit::report {

// An indicator's rating against the previous submitted visit of the same kind at the school.
enum class Change { New, Up, Down, Same };
const char* to_string(Change change);

struct Photo {
    QString title;
    QString file; // the local file; empty when the photo is not on this device
};

struct RatedIndicator {
    QString id, code, name, level; // level: the continuum label of the rating
    int rating = 0;
    QString note, source; // source: the evidence source's label
    Change change = Change::New;
    QString previous_level; // the label in the previous visit (for Up, Down, Same)
    std::vector<Photo> photos;
    QStringList documents; // titles of other evidence linked to the observation
};

struct PracticeSection {
    int number = 0;
    QString name;
    std::vector<int> counts; // rated indicators per continuum level, by rating
    int unrated = 0;         // named indicators of the practice not rated
    QString strengths, areas_for_growth;
    std::vector<RatedIndicator> indicators; // rated ones, in rubric order
};

struct Step {
    QString title, description, owner, due_date, status;
};

struct StepGroup {
    QString heading; // "For the whole visit", or "1.2 Trusting relationships among staff"
    std::vector<Step> steps;
};

struct VisitReport {
    QString visit_id, school, school_code, district, kind, status, dates, team, rubric;
    bool submitted = false;
    QString previous_visit; // start date of the visit changes are measured from; "" for none
    QStringList levels;     // the continuum labels, by rating
    std::vector<PracticeSection> practices;
    std::vector<StepGroup> next_steps; // the whole visit's first, then by indicator
    QString made_at;                   // "2026-11-30 14:05 UTC"
};

// Where an evidence file is on this device, by its sha256; "" when it is not.
using FileLookup = std::function<QString(const std::string& sha256)>;

// What the report says, read from the store as `reader` may see it. Refused (Forbidden, with
// the reason) unless the reader may make the visit's report (core's Action::MakeReport).
Result<VisitReport> build_visit_report(const Store& store, const User& reader,
                                       std::string_view visit_id, const FileLookup& files,
                                       const Clock& clock);

struct ReportSummary {
    QString path;
    int pages = 0;
    int indicators = 0;     // rated indicators listed
    int photos = 0;         // thumbnails drawn
    int photos_missing = 0; // photos not on this device (listed by title)
    qint64 bytes = 0;
};

// Lays the report out on A4 pages (header with the school and visit, page numbers) and writes
// it to `out_path` (replaced only once the whole file is written). Needs a QGuiApplication
// (fonts); safe on a worker thread.
Result<ReportSummary> write_report_pdf(const VisitReport& report, const QString& out_path);

// Both steps at once (the CLI, tests).
Result<ReportSummary> make_visit_report(const Store& store, const User& reader,
                                        std::string_view visit_id, const QString& out_path,
                                        const FileLookup& files, const Clock& clock);

// "Visit report - Lincoln Elementary - 2026-11-20.pdf": a name to offer when saving.
QString report_file_name(const VisitReport& report);

// The evidence files this device holds (downloaded, or kept from an upload), from the sync
// client's file queue.
FileLookup device_files(Store& store);

} // namespace sitevisit::report
