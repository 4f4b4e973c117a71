#include "visit_controller.h"

#include "app_controller.h"
#include "sitevisit/client/attachments.h"
#include "sitevisit/core/calibration.h"
#include "sitevisit/core/capabilities.h"
#include "sitevisit/core/domain.h"
#include "sitevisit/core/values.h"
#include "sitevisit/platform/share.h"
#include "visit_report.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QJsonValue>
#include <QPointer>
#include <QStandardPaths>
#include <QThreadPool>
#include <QUrl>
#include <tuple>

namespace sitevisit::app {

QVariant IndicatorListModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Item& i = items_.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
    case NameRole:
        return i.name;
    case IndicatorIdRole:
        return i.id;
    case CodeRole:
        return i.code;
    case RatingRole:
        return i.rating;
    case NoteRole:
        return i.note;
    case SourceRole:
        return i.source;
    case FilesRole:
        return i.files;
    case ObservationRole:
        return i.observation;
    case CommentsRole:
        return i.comments;
    }
    return {};
}

QHash<int, QByteArray> IndicatorListModel::roleNames() const {
    return {{IndicatorIdRole, "indicatorId"},
            {CodeRole, "code"},
            {NameRole, "name"},
            {RatingRole, "rating"},
            {NoteRole, "note"},
            {SourceRole, "source"},
            {FilesRole, "files"},
            {ObservationRole, "observation"},
            {CommentsRole, "comments"}};
}

void IndicatorListModel::reset(QList<Item> items) {
    // The same indicators (an edit, a sync): change the rows that differ in place, so the view
    // keeps its delegates, scroll position and keyboard focus.
    const bool same_rows = items.size() == items_.size() &&
                           std::equal(items.begin(), items.end(), items_.begin(),
                                      [](const Item& a, const Item& b) { return a.id == b.id; });
    if (same_rows) {
        for (int r = 0; r < items.size(); ++r)
            if (!(items[r] == items_[r])) {
                items_[r] = items[r];
                emit dataChanged(index(r), index(r));
            }
        return;
    }
    beginResetModel();
    items_ = std::move(items);
    endResetModel();
}

void IndicatorListModel::update(const Item& item) {
    for (int r = 0; r < items_.size(); ++r)
        if (items_[r].id == item.id) {
            items_[r] = item;
            emit dataChanged(index(r), index(r));
        }
}

VisitController::VisitController(QObject* parent) : QObject(parent), indicators_(this) {
}

void VisitController::classBegin() {
    setApp(AppController::of(this));
}

void VisitController::setApp(AppController* app) {
    if (app == app_) return;
    if (app_) disconnect(app_, nullptr, this, nullptr);
    app_ = app;
    // Rows changed (a sync, a comment, a teammate's rating): the page follows, announcing only
    // what moved, so a field being typed in is not reset to what it was.
    if (app_) connect(app_, &AppController::dataChanged, this, [this] { load(false); });
    reload();
}

void VisitController::setVisitId(const QString& id) {
    if (id == visit_) return;
    visit_ = id;
    // Another visit: the last one's report is not this one's.
    report_file_.clear();
    report_name_.clear();
    report_message_.clear();
    saved_report_.clear();
    emit reportChanged();
    reload();
}

void VisitController::setPractice(int p) {
    if (p == practice_) return;
    practice_ = p;
    reload();
}

void VisitController::reload() {
    load(true);
}

void VisitController::load(bool announce) {
    auto state = [this] {
        return std::tuple{
            title_,       status_,         status_value_,     editable_,  can_report_,
            unrated_,     school_,         rubric_,           practices_, sources_,
            summary_,     strengths_,      areas_for_growth_, levels_,    can_mark_reviewed_,
            reviewed_by_, review_comment_, rating_own_,       own_done_};
    };
    const auto before = state();
    observation_of_.clear();
    practices_.clear();
    sources_.clear();
    summary_.clear();
    strengths_.clear();
    areas_for_growth_.clear();
    levels_.clear();
    title_.clear();
    editable_ = false;
    can_report_ = false;
    can_mark_reviewed_ = false;
    rating_own_ = own_done_ = false;
    reviewed_by_.clear();
    review_comment_.clear();
    unrated_ = 0;
    QList<IndicatorListModel::Item> items;
    if (app_ && !visit_.isEmpty()) {
        Store& store = app_->store();
        const Reference& ref = store.reference();
        auto v = store.get("visit", visit_.toStdString());
        if (v.ok() && *v) {
            const Row& visit = **v;
            school_ = QString::fromStdString(visit.school);
            auto typed = domain::from_row<domain::Visit>(visit);
            const VisitStatus status =
                typed ? parse_visit_status(typed->status).value_or(VisitStatus::Draft)
                      : VisitStatus::Draft;
            rubric_ = QString::fromStdString(typed ? typed->rubric : std::string());
            status_ = QString::fromLatin1(to_string(status));
            status_value_ = static_cast<int>(status);
            auto school = store.get("school", visit.school);
            title_ = tr("%1 · %2").arg(
                QString::fromStdString(school.ok() && *school ? (*school)->fields.value("name", "")
                                                              : ""),
                QString::fromStdString(visit.fields.value("start_date", "")));
            auto u = app_->user();
            auto target = visit_target(store, visit.id); // refused for a deleted visit
            editable_ = u && target && can(*u, Action::EditVisit, *target);
            can_report_ = u && target && can(*u, Action::MakeReport, *target);
            can_mark_reviewed_ = u && target && status == VisitStatus::Submitted &&
                                 can(*u, Action::ReviewVisit, *target);
            if (status == VisitStatus::Reviewed) {
                const std::string by = visit.fields.value("reviewed_by", "");
                auto person =
                    by.empty() ? Result<std::optional<Row>>(std::nullopt) : store.get("user", by);
                reviewed_by_ = QString::fromStdString(
                    person.ok() && *person ? (*person)->fields.value("name", by) : by);
                review_comment_ = QString::fromStdString(visit.fields.value("review_comment", ""));
            }
            for (const auto& c : ref.continuum())
                levels_.push_back(QString::fromStdString(c.label));
            for (const auto& s : ref.sources())
                sources_.push_back(QVariantMap{{"id", QString::fromStdString(s.id)},
                                               {"label", QString::fromStdString(s.label)}});

            // This visit's observations (the summary compares them with an earlier visit's).
            std::map<std::string, Row> obs_by_indicator;
            if (auto obs = store.list("observation", "visit", visit.id))
                for (const auto& o : *obs) {
                    const std::string ind = o.fields.value("indicator", "");
                    obs_by_indicator.emplace(ind, o);
                    observation_of_[QString::fromStdString(ind)] = QString::fromStdString(o.id);
                }
            if (typed) {
                for (const auto& [k, v] : typed->strengths.items())
                    if (v.is_string())
                        strengths_[QString::fromStdString(k)] =
                            QString::fromStdString(v.get<std::string>());
                for (const auto& [k, v] : typed->areas_for_growth.items())
                    if (v.is_string())
                        areas_for_growth_[QString::fromStdString(k)] =
                            QString::fromStdString(v.get<std::string>());
            }

            // A team visit: the buttons are this person's own ratings.
            std::map<std::string, int> mine; // indicator -> level
            if (u && status == VisitStatus::Draft && typed && typed->team.size() > 1 &&
                std::find(typed->team.begin(), typed->team.end(), u->id) != typed->team.end()) {
                rating_own_ = true;
                if (auto rows = store.list("rating", "visit", visit.id))
                    for (const auto& r : *rows)
                        if (!r.deleted && r.fields.value("rater", "") == u->id &&
                            r.fields.contains("level") && r.fields["level"].is_number_integer())
                            mine[r.fields.value("indicator", "")] = r.fields["level"].get<int>();
                if (auto id = team_row_id("rater", Json{{"visit", visit.id}}, u->id))
                    if (auto done = store.get("rater", *id); done.ok() && *done)
                        own_done_ = !(*done)->deleted && (*done)->fields.value("done", false);
            }
            auto shown_rating = [&](const std::string& indicator) {
                if (rating_own_) {
                    auto m = mine.find(indicator);
                    return m == mine.end() ? -1 : m->second;
                }
                auto it = obs_by_indicator.find(indicator);
                return it == obs_by_indicator.end() ? -1 : it->second.fields.value("rating", -1);
            };

            // Placeholder indicators (not yet named by an admin) are neither offered nor counted.
            const Rubric* rubric = ref.rubric(rubric_.toStdString());
            for (const auto& p : ref.practices()) {
                int total = 0, rated = 0;
                if (rubric)
                    for (const auto& ind : rubric->indicators)
                        if (ind.practice == p.number && !ind.placeholder) {
                            ++total;
                            if (shown_rating(ind.id) >= 0) ++rated;
                            auto it = obs_by_indicator.find(ind.id);
                            if (it == obs_by_indicator.end() ||
                                !it->second.fields.contains("rating"))
                                ++unrated_; // the visit's own rating, which submitting asks of
                        }
                practices_.push_back(QVariantMap{{"number", p.number},
                                                 {"name", QString::fromStdString(p.name)},
                                                 {"rated", rated},
                                                 {"total", total}});
            }
            build_summary(visit, obs_by_indicator);
            std::map<std::string, int> files; // observation -> evidence linked to it
            if (auto ev = store.list("evidence", "school", visit.school))
                for (const auto& e : *ev)
                    for (const auto& o : e.fields.value("observations", Json::array()))
                        ++files[o.get<std::string>()];
            std::map<std::string, int> comments; // observation -> comments on it
            if (auto cs = store.list("comment", "school", visit.school))
                for (const auto& c : *cs)
                    if (c.fields.value("target_entity", "") == "observation")
                        ++comments[c.fields.value("target", "")];
            if (rubric)
                for (const auto& ind : rubric->indicators) {
                    if (ind.practice != practice_ || ind.placeholder) continue;
                    IndicatorListModel::Item item{QString::fromStdString(ind.id),
                                                  QString::fromStdString(ind.code),
                                                  QString::fromStdString(ind.name),
                                                  {},
                                                  {},
                                                  -1};
                    if (auto it = obs_by_indicator.find(ind.id); it != obs_by_indicator.end()) {
                        item.rating = shown_rating(ind.id);
                        item.note = QString::fromStdString(it->second.fields.value("note", ""));
                        item.source = QString::fromStdString(it->second.fields.value("source", ""));
                        item.files = files[it->second.id];
                        item.observation = QString::fromStdString(it->second.id);
                        item.comments = comments[it->second.id];
                    }
                    if (rating_own_) item.rating = shown_rating(ind.id);
                    items.push_back(item);
                }
        }
    }
    indicators_.reset(items);
    if (announce || state() != before) emit changed();
}

bool VisitController::write(const QString& indicatorId, const QString& field,
                            const QVariant& value) {
    auto u = app_ ? app_->user() : std::nullopt;
    if (!u || visit_.isEmpty()) return false;
    Json v = value.isNull() || (value.typeId() == QMetaType::Int && value.toInt() < 0)
                 ? Json(nullptr)
             : value.typeId() == QMetaType::Int ? Json(value.toInt())
                                                : Json(value.toString().toStdString());
    if (field == QLatin1String("note") || field == QLatin1String("source"))
        if (value.toString().isEmpty()) v = nullptr;
    WriteRequest req{"observation", "", "", {{field.toStdString(), v}}};
    auto it = observation_of_.find(indicatorId);
    if (it != observation_of_.end()) {
        req.id = it->second.toStdString();
    } else {
        req.fields["visit"] = visit_.toStdString();
        req.fields["indicator"] = indicatorId.toStdString();
    }
    auto r = app_->store().put(*u, req);
    if (!r) {
        error_ = QString::fromStdString(r.error().message);
        emit errorChanged();
        return false;
    }
    if (!error_.isEmpty()) {
        error_.clear();
        emit errorChanged();
    }
    reload();
    return true;
}

bool VisitController::rate(const QString& indicatorId, int rating) {
    if (!rating_own_) return write(indicatorId, QStringLiteral("rating"), rating);
    // A team visit: this person's own rating, a `rating` row of theirs.
    auto u = app_ ? app_->user() : std::nullopt;
    if (!u || visit_.isEmpty()) return false;
    if (rating < 0) {
        // A rater's rating of an indicator is one row for good (its id is made from visit,
        // indicator and rater); it changes, it is not taken back.
        fail(tr("On a team visit your rating can be changed, not cleared: choose another "
                "level."));
        return false;
    }
    auto r = app_->store().put(*u, WriteRequest{"rating",
                                                "",
                                                "",
                                                {{"visit", visit_.toStdString()},
                                                 {"indicator", indicatorId.toStdString()},
                                                 {"level", rating}}});
    if (!r) {
        fail(QString::fromStdString(r.error().message));
        return false;
    }
    if (!error_.isEmpty()) fail({});
    reload();
    return true;
}
bool VisitController::setNote(const QString& indicatorId, const QString& note) {
    return write(indicatorId, QStringLiteral("note"), note);
}
bool VisitController::setSource(const QString& indicatorId, const QString& source) {
    return write(indicatorId, QStringLiteral("source"), source);
}

void VisitController::fail(const QString& message) {
    error_ = message;
    emit errorChanged();
}

bool VisitController::attach(const QString& indicatorId, const QUrl& file) {
    auto u = app_ ? app_->user() : std::nullopt;
    if (!u || visit_.isEmpty()) return false;
    if (!error_.isEmpty()) fail({});
    ++preparing_;
    if (preparing_ == 1) emit preparingChanged();
    app_->queueUpload(file, this,
                      [this, user = u->id, visit = visit_, school = school_, indicatorId,
                       file](Result<client::Attachment> a) {
                          if (a)
                              store_attachment(user, visit, school, indicatorId, file, *a);
                          else
                              fail(QString::fromStdString(a.error().message));
                          --preparing_;
                          if (preparing_ == 0) emit preparingChanged();
                      });
    return true;
}

void VisitController::store_attachment(const std::string& user, const QString& visitId,
                                       const QString& schoolId, const QString& indicatorId,
                                       const QUrl& file, const client::Attachment& a) {
    // Whoever chose the file, not someone who signed in on this tablet meanwhile.
    auto u = app_->user();
    if (!u || u->id != user) return fail(tr("Sign in again to attach the file."));
    // The page may have moved to another visit while the file was being made ready.
    const bool same_visit = visitId == visit_;
    QString observation =
        same_visit && observation_of_.count(indicatorId) ? observation_of_[indicatorId] : QString();
    if (observation.isEmpty()) {
        auto made = app_->store().put(
            *u, {"observation",
                 "",
                 "",
                 {{"visit", visitId.toStdString()}, {"indicator", indicatorId.toStdString()}}});
        if (!made) return fail(QString::fromStdString(made.error().message));
        observation = QString::fromStdString(made->id);
        if (same_visit) observation_of_[indicatorId] = observation;
    }
    const Indicator* ind = app_->store().reference().indicator(indicatorId.toStdString());
    const std::string title = (ind ? ind->code + " " : std::string()) +
                              QFileInfo(file.toLocalFile()).fileName().toStdString();
    const char* kind = to_string(a.media_type.rfind("image/", 0) == 0 ? EvidenceKind::Photo
                                                                      : EvidenceKind::Document);
    auto r = app_->store().put(*u, {"evidence",
                                    "",
                                    schoolId.toStdString(),
                                    {{"title", title},
                                     {"kind", kind},
                                     {"sha256", a.sha256},
                                     {"size", a.size},
                                     {"media_type", a.media_type},
                                     {"observations", {observation.toStdString()}},
                                     {"indicators", {indicatorId.toStdString()}}}});
    if (!r) return fail(QString::fromStdString(r.error().message));
    reload();
    emit attached(indicatorId);
}

void VisitController::build_summary(const Row& visit,
                                    const std::map<std::string, Row>& obs_by_indicator) {
    Store& store = app_->store();
    const Reference& ref = store.reference();
    const int levels = static_cast<int>(ref.continuum().size());
    // The previous visit of the same kind at the school that is no longer a draft.
    const std::string kind = visit.fields.value("kind", "");
    const std::string date = visit.fields.value("start_date", "");
    std::string last_id, last_date;
    if (auto vs = store.list("visit", "school", visit.school))
        for (const auto& other : *vs) {
            const std::string d = other.fields.value("start_date", "");
            if (other.id != visit.id && other.fields.value("kind", "") == kind &&
                parse_visit_status(other.fields.value("status", "")) != VisitStatus::Draft &&
                d <= date && d > last_date) {
                last_date = d;
                last_id = other.id;
            }
        }
    std::map<std::string, int> before; // indicator -> rating at the previous visit
    if (!last_id.empty())
        if (auto obs = store.list("observation", "visit", last_id))
            for (const auto& o : *obs)
                if (o.fields.contains("rating") && o.fields["rating"].is_number_integer())
                    before[o.fields.value("indicator", "")] = o.fields["rating"].get<int>();

    const Rubric* rubric = ref.rubric(rubric_.toStdString());
    const Rubric* last_rubric = nullptr;
    if (!last_id.empty())
        if (auto lv = store.get("visit", last_id); lv && *lv)
            last_rubric = ref.rubric((*lv)->fields.value("rubric", ""));
    auto count = [&](const Rubric* r, int practice, auto rating_of) {
        QVariantList counts;
        std::vector<int> n(levels, 0);
        int unrated = 0;
        if (r)
            for (const auto& ind : r->indicators) {
                if (ind.practice != practice || ind.placeholder) continue;
                const std::optional<int> rating = rating_of(ind.id);
                if (rating && *rating >= 0 && *rating < levels)
                    ++n[*rating];
                else
                    ++unrated;
            }
        for (int x : n)
            counts.push_back(x);
        return std::pair{counts, unrated};
    };
    for (const auto& p : ref.practices()) {
        auto [now, now_unrated] = count(rubric, p.number, [&](const std::string& id) {
            std::optional<int> r;
            auto it = obs_by_indicator.find(id);
            if (it != obs_by_indicator.end() && it->second.fields.contains("rating") &&
                it->second.fields["rating"].is_number_integer())
                r = it->second.fields["rating"].get<int>();
            return r;
        });
        auto [last, last_unrated] = count(last_rubric, p.number, [&](const std::string& id) {
            std::optional<int> r;
            if (auto it = before.find(id); it != before.end()) r = it->second;
            return r;
        });
        summary_.push_back(QVariantMap{{"number", p.number},
                                       {"name", QString::fromStdString(p.name)},
                                       {"counts", now},
                                       {"unrated", now_unrated},
                                       {"hasLast", !last_id.empty()},
                                       {"lastCounts", last},
                                       {"lastUnrated", last_unrated},
                                       {"lastDate", QString::fromStdString(last_date)}});
    }
}

bool VisitController::write_practice_text(const char* field, int practice, const QString& text) {
    auto u = app_ ? app_->user() : std::nullopt;
    if (!u || visit_.isEmpty()) return false;
    auto v = app_->store().get("visit", visit_.toStdString());
    if (!v || !*v) return false;
    Json all = (*v)->fields.value(field, Json::object());
    if (!all.is_object()) all = Json::object();
    const std::string key = std::to_string(practice);
    if (text.trimmed().isEmpty())
        all.erase(key);
    else
        all[key] = text.toStdString();
    auto r = app_->store().put(*u, {"visit", visit_.toStdString(), "", {{field, all}}});
    if (!r) {
        fail(QString::fromStdString(r.error().message));
        return false;
    }
    if (!error_.isEmpty()) fail({});
    reload();
    return true;
}

bool VisitController::setStrengths(int practice, const QString& text) {
    return write_practice_text("strengths", practice, text);
}

bool VisitController::setAreasForGrowth(int practice, const QString& text) {
    return write_practice_text("areas_for_growth", practice, text);
}

bool VisitController::markReviewed(const QString& comment) {
    auto u = app_ ? app_->user() : std::nullopt;
    if (!u || visit_.isEmpty()) return false;
    auto r = app_->store().put(*u, {"visit",
                                    visit_.toStdString(),
                                    "",
                                    {{"status", to_string(VisitStatus::Reviewed)},
                                     {"review_comment", comment.trimmed().toStdString()}}});
    if (!r) {
        error_ = QString::fromStdString(r.error().message);
        emit errorChanged();
        return false;
    }
    error_.clear();
    emit errorChanged();
    reload();
    app_->syncNow();
    return true;
}

bool VisitController::submit() {
    auto u = app_ ? app_->user() : std::nullopt;
    if (!u) return false;
    auto r = app_->store().put(*u, {visit_.isEmpty() ? "" : "visit",
                                    visit_.toStdString(),
                                    "",
                                    {{"status", to_string(VisitStatus::Submitted)}}});
    if (!r) {
        error_ = QString::fromStdString(r.error().message);
        emit errorChanged();
        return false;
    }
    reload();
    app_->syncNow();
    return true;
}

QUrl VisitController::reportSaveUrl() const {
    QString folder = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
    if (folder.isEmpty() || !QFileInfo(folder).isDir()) folder = QDir::homePath();
    return QUrl::fromLocalFile(folder + QLatin1Char('/') +
                               (report_name_.isEmpty() ? tr("Visit report.pdf") : report_name_));
}

bool VisitController::canShare() const {
    return platform::system_share()->hasShareSheet();
}

bool VisitController::makeReport() {
    auto u = app_ ? app_->user() : std::nullopt;
    if (!u || visit_.isEmpty() || making_report_) return false;
    // What the report says is read here, on the store's thread (a few milliseconds); the layout,
    // the photos' thumbnails and the PDF are made on a worker.
    auto content = report::build_visit_report(app_->store(), *u, visit_.toStdString(),
                                              report::device_files(app_->store()), app_->clock());
    if (!content) {
        fail(QString::fromStdString(content.error().message));
        return false;
    }
    if (!error_.isEmpty()) fail({});
    // Beside the app's other files (the data folder is the owner's alone).
    const QString dir = QFileInfo(app_->filesDir()).absolutePath() + QStringLiteral("/reports");
    QDir().mkpath(dir);
    const QString path = dir + QLatin1Char('/') + report::report_file_name(*content);
    making_report_ = true;
    report_file_.clear();
    report_message_ = tr("Making the report…");
    report_name_ = report::report_file_name(*content);
    emit reportChanged();
    QPointer<VisitController> self(this);
    QThreadPool::globalInstance()->start(
        [self, path, visit = visit_, content = std::move(content).value()] {
            auto written = report::write_report_pdf(content, path);
            QMetaObject::invokeMethod(qApp, [self, path, visit, written = std::move(written)] {
                if (!self) return;
                self->making_report_ = false;
                if (self->visit_ != visit) { // the page moved on to another visit meanwhile
                    emit self->reportChanged();
                    return;
                }
                if (written) {
                    self->report_file_ = path;
                    self->report_message_ = tr("Report ready: %n page(s)", "", written->pages);
                } else {
                    self->report_message_.clear();
                    self->fail(QString::fromStdString(written.error().message));
                }
                emit self->reportChanged();
                if (written) emit self->reportReady(path);
            });
        });
    return true;
}

bool VisitController::shareReport() {
    if (report_file_.isEmpty()) return false;
    const QString why =
        platform::system_share()->shareFile(report_file_, QStringLiteral("application/pdf"));
    if (!why.isEmpty()) fail(why);
    return why.isEmpty();
}

bool VisitController::saveReport(const QUrl& to) {
    if (report_file_.isEmpty() || !to.isLocalFile()) return false;
    QString target = to.toLocalFile();
    if (!target.endsWith(QStringLiteral(".pdf"), Qt::CaseInsensitive))
        target += QStringLiteral(".pdf");
    if (const QString why = platform::save_copy(report_file_, target); !why.isEmpty()) {
        fail(why);
        return false;
    }
    saved_report_ = target;
    report_message_ = tr("Saved to %1").arg(QDir::toNativeSeparators(target));
    emit reportChanged();
    return true;
}

bool VisitController::openSavedReport() {
    const QString file = saved_report_.isEmpty() ? report_file_ : saved_report_;
    return !file.isEmpty() && platform::open_file(file);
}

} // namespace sitevisit::app
