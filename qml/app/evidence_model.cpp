#include "evidence_model.h"

#include "app_controller.h"
#include "describe.h"
#include "reflection_controller.h"
#include "sitevisit/client/attachments.h"
#include "sitevisit/client/device_state.h"
#include "sitevisit/core/capabilities.h"
#include "sitevisit/core/domain.h"
#include "sitevisit/core/plan_cycle.h"

#include <QDate>
#include <QDir>
#include <QFileInfo>
#include <QLocale>
#include <QUrl>
#include <map>

namespace sitevisit::app {

namespace {

// A file's upload in words and as a fraction (-1 when there is nothing to show).
struct UploadStatus {
    QString text;
    double progress = -1;
    bool failed = false;
};

UploadStatus upload_status(const client::DeviceState::BlobJob& j) {
    const auto state = j.state;
    if (state == BlobState::Done) return {EvidenceModel::tr("Uploaded"), -1, false};
    if (state == BlobState::Failed)
        return {j.error.empty()
                    ? EvidenceModel::tr("Upload failed")
                    : EvidenceModel::tr("Upload failed: %1").arg(QString::fromStdString(j.error)),
                -1, true};
    const double f = j.size > 0 ? double(j.sent) / double(j.size) : 0.0;
    if (j.sent == 0)
        return {
            EvidenceModel::tr("Waiting to upload (%1)").arg(QLocale().formattedDataSize(j.size)), 0,
            false};
    return {EvidenceModel::tr("Uploading %1 of %2")
                .arg(QLocale().formattedDataSize(j.sent), QLocale().formattedDataSize(j.size)),
            f, false};
}

std::map<std::string, client::DeviceState::BlobJob> upload_jobs(Store& store) {
    std::map<std::string, client::DeviceState::BlobJob> jobs;
    for (BlobState state : {BlobState::Pending, BlobState::Done, BlobState::Failed})
        if (auto js = client::DeviceState(store).blob_jobs(state))
            for (const auto& j : *js)
                if (j.direction == BlobDirection::Up) jobs[j.sha256] = j;
    return jobs;
}

} // namespace

QVariant EvidenceModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Item& i = items_.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
    case TitleRole:
        return i.title;
    case EvidenceIdRole:
        return i.id;
    case KindRole:
        return i.kind;
    case MediaTypeRole:
        return i.media;
    case SizeRole:
        return i.size;
    case SchoolNameRole:
        return i.school_name;
    case StateRole:
        return i.state;
    case StateLabelRole:
        return i.state_label;
    case LastCommentRole:
        return i.comment;
    case UploadRole:
        return i.upload;
    case UploadProgressRole:
        return i.upload_progress;
    case UploadFailedRole:
        return i.upload_failed;
    case LocalFileRole:
        return i.local_file;
    case LinksRole:
        return i.links;
    case DescriptionRole:
        return i.description;
    case DetailRole:
        return i.detail;
    case DecisionRole:
        return i.decision;
    }
    return {};
}

QHash<int, QByteArray> EvidenceModel::roleNames() const {
    return {{EvidenceIdRole, "evidenceId"},
            {TitleRole, "title"},
            {KindRole, "kind"},
            {MediaTypeRole, "mediaType"},
            {SizeRole, "size"},
            {SchoolNameRole, "schoolName"},
            {StateRole, "state"},
            {StateLabelRole, "stateLabel"},
            {LastCommentRole, "lastComment"},
            {UploadRole, "upload"},
            {LocalFileRole, "localFile"},
            {LinksRole, "links"},
            {DescriptionRole, "description"},
            {UploadProgressRole, "uploadProgress"},
            {UploadFailedRole, "uploadFailed"},
            {DetailRole, "detail"},
            {DecisionRole, "decision"}};
}

void EvidenceModel::classBegin() {
    setApp(AppController::of(this));
}

void EvidenceModel::setApp(AppController* app) {
    if (!follow_app(this, app_, app)) return;
    // Uploads move while a sync runs: their rows follow without a reset.
    if (app_) connect(app_, &AppController::syncChanged, this, &EvidenceModel::refreshUploads);
    reload();
}

void EvidenceModel::refreshUploads() {
    if (!app_) return;
    const auto jobs = upload_jobs(app_->store());
    for (int row = 0; row < items_.size(); ++row) {
        Item& i = items_[row];
        const auto j = jobs.find(i.sha);
        if (j == jobs.end()) continue;
        const UploadStatus u = upload_status(j->second);
        if (u.text == i.upload && u.progress == i.upload_progress && u.failed == i.upload_failed)
            continue;
        i.upload = u.text;
        i.upload_progress = u.progress;
        i.upload_failed = u.failed;
        emit dataChanged(index(row), index(row),
                         {UploadRole, UploadProgressRole, UploadFailedRole});
    }
}

void EvidenceModel::setSchoolId(const QString& id) {
    if (id == school_) return;
    school_ = id;
    reload();
}

void EvidenceModel::setBenchmarkFilter(const QString& id) {
    if (id == benchmark_) return;
    benchmark_ = id;
    reload();
}

void EvidenceModel::setStateFilter(const QString& s) {
    if (s == state_) return;
    state_ = s;
    reload();
}

bool EvidenceModel::canReview() const {
    auto u = app_ ? app_->user() : std::nullopt;
    if (!u) return false;
    auto target = school_target(app_->store(), school_.toStdString());
    return target && can(*u, Action::ReviewEvidence, *target);
}

bool EvidenceModel::canUpload() const {
    auto u = app_ ? app_->user() : std::nullopt;
    if (!u) return false;
    // Where addEvidence puts it: the chosen school, else the user's first, else their scope.
    const std::string school =
        school_.isEmpty() && !u->schools.empty() ? u->schools.front() : school_.toStdString();
    auto target = school_target(app_->store(), school);
    return target && can(*u, Action::UploadEvidence, *target);
}

void EvidenceModel::reload() {
    beginResetModel();
    items_.clear();
    benchmarks_.clear();
    schools_.clear();
    indicators_.clear();
    waiting_ = 0;
    if (app_) {
        Store& store = app_->store();
        std::map<std::string, std::string> school_names, measures;
        // New evidence goes to the chosen school, else to the user's first (see addEvidence).
        auto u = app_->user();
        const std::string target_school = !school_.isEmpty()         ? school_.toStdString()
                                          : u && !u->schools.empty() ? u->schools.front()
                                                                     : std::string();
        std::string level;
        if (auto s = store.list("school"))
            for (const auto& r : *s) {
                school_names[r.id] = r.fields.value("name", "");
                schools_.push_back(
                    QVariantMap{{"schoolId", QString::fromStdString(r.id)},
                                {"name", QString::fromStdString(r.fields.value("name", ""))}});
                if (r.id == target_school) level = r.fields.value("level", "");
            }
        std::sort(schools_.begin(), schools_.end(), [](const QVariant& a, const QVariant& b) {
            return a.toMap().value("name").toString().localeAwareCompare(
                       b.toMap().value("name").toString()) < 0;
        });
        const auto held = benchmarks_in_effect(
            store, school_year_of(app_->today()).toStdString()); // not drafts, not renewed
        if (auto b = store.list("benchmark"))
            for (const auto& r : *b) {
                measures[r.id] = r.fields.value("measure", "");
                // Evidence is kept at a school: a district's own benchmarks are not offered.
                if ((school_.isEmpty() ? school_names.count(r.school) > 0
                                       : r.school == school_.toStdString()) &&
                    (!held || held->count(r.id)))
                    benchmarks_.push_back(QVariantMap{
                        {"benchmarkId", QString::fromStdString(r.id)},
                        {"measure", QString::fromStdString(r.fields.value("measure", ""))},
                        {"schoolName", QString::fromStdString(school_names[r.school])}});
            }
        // The indicators evidence of this school can speak to: its level's rubric, those an
        // admin has named (placeholders are not offered).
        if (const Rubric* rubric = store.reference().rubric_for_level(level))
            for (const auto& ind : rubric->indicators)
                if (!ind.placeholder)
                    indicators_.push_back(
                        QVariantMap{{"indicatorId", QString::fromStdString(ind.id)},
                                    {"label", QString::fromStdString(ind.code + " " + ind.name)},
                                    {"practice", ind.practice}});
        // The latest decision per evidence (reviews are history; the newest id is the latest).
        std::map<std::string, std::pair<std::optional<ReviewDecision>, std::string>> decision;
        if (auto rv = store.list("review"))
            for (const auto& row : *rv)
                if (auto r = domain::from_row<domain::Review>(row))
                    decision[r->evidence] = {parse_review_decision(r->decision), r->comment};
        const auto uploads = upload_jobs(store);
        std::map<std::string, std::string> local;
        for (BlobState state : {BlobState::Pending, BlobState::Done, BlobState::Failed})
            if (auto jobs = client::DeviceState(store).blob_jobs(state))
                for (const auto& j : *jobs) {
                    if (QFileInfo::exists(QString::fromStdString(j.path)) &&
                        state == BlobState::Done)
                        local[j.sha256] = j.path;
                    if (j.direction == BlobDirection::Up &&
                        QFileInfo::exists(QString::fromStdString(j.path)))
                        local[j.sha256] = j.path;
                }
        if (auto ev = store.list("evidence"))
            for (const auto& r : *ev) {
                if (!school_.isEmpty() && r.school != school_.toStdString()) continue;
                if (!benchmark_.isEmpty()) {
                    const Json& links =
                        r.fields.contains("benchmarks") ? r.fields["benchmarks"] : Json::array();
                    if (std::find(links.begin(), links.end(), Json(benchmark_.toStdString())) ==
                        links.end())
                        continue;
                }
                const auto d = decision.find(r.id);
                const std::optional<ReviewDecision> decided =
                    d == decision.end() ? std::nullopt : d->second.first;
                const QString state =
                    decided ? QString::fromLatin1(to_string(*decided)) : QStringLiteral("waiting");
                if (!decided) ++waiting_;
                if (!state_.isEmpty() && state != state_) continue;
                Item i;
                i.id = QString::fromStdString(r.id);
                i.title = QString::fromStdString(r.fields.value("title", ""));
                i.description = QString::fromStdString(r.fields.value("description", ""));
                i.kind = QString::fromStdString(r.fields.value("kind", ""));
                i.media = QString::fromStdString(r.fields.value("media_type", ""));
                i.size = r.fields.value("size", std::int64_t{0});
                i.school_name = QString::fromStdString(school_names[r.school]);
                const QString kind_label =
                    label(parse_evidence_kind(i.kind.toStdString()).value_or(EvidenceKind::Other));
                i.detail = QStringLiteral("%1 · %2 · %3")
                               .arg(i.school_name, kind_label, QLocale().formattedDataSize(i.size));
                i.state = state;
                i.state_label = label(decided);
                i.decision = decided ? static_cast<int>(*decided) : -1;
                i.comment =
                    d == decision.end() ? QString() : QString::fromStdString(d->second.second);
                const std::string sha = r.fields.value("sha256", "");
                i.sha = sha;
                if (auto up = uploads.find(sha); up != uploads.end()) {
                    const UploadStatus status = upload_status(up->second);
                    i.upload = status.text;
                    i.upload_progress = status.progress;
                    i.upload_failed = status.failed;
                }
                i.local_file =
                    local.count(sha)
                        ? QUrl::fromLocalFile(QString::fromStdString(local[sha])).toString()
                        : QString();
                if (r.fields.contains("benchmarks"))
                    for (const auto& b : r.fields["benchmarks"])
                        i.links << QString::fromStdString(measures[b.get<std::string>()]);
                if (r.fields.contains("indicators"))
                    for (const auto& id : r.fields["indicators"])
                        if (const Indicator* ind =
                                store.reference().indicator(id.get<std::string>()))
                            i.links << QString::fromStdString(ind->code + " " + ind->name);
                i.sort_key = i.id;
                items_.push_back(i);
            }
        std::sort(items_.begin(), items_.end(),
                  [](const Item& a, const Item& b) { return a.sort_key > b.sort_key; });
    }
    endResetModel();
    emit changed();
}

bool EvidenceModel::fail(const std::string& message) {
    error_ = QString::fromStdString(message);
    emit changed();
    return false;
}

bool EvidenceModel::addEvidence(const QUrl& file, const QString& title,
                                const QStringList& benchmarkIds, const QStringList& indicatorIds,
                                const QString& description) {
    auto u = app_ ? app_->user() : std::nullopt;
    if (!u) return fail("sign in first");
    if (title.trimmed().isEmpty()) return fail(tr("Give the evidence a title.").toStdString());
    const std::string school =
        school_.isEmpty() && !u->schools.empty() ? u->schools.front() : school_.toStdString();
    Json links = Json::array();
    for (const auto& b : benchmarkIds)
        links.push_back(b.toStdString());
    Json indicators = Json::array();
    for (const auto& i : indicatorIds)
        indicators.push_back(i.toStdString());
    Json fields{{"title", title.trimmed().toStdString()},
                {"benchmarks", links},
                {"indicators", indicators}};
    if (!description.trimmed().isEmpty())
        fields["description"] = description.trimmed().toStdString();
    if (++preparing_ == 1) emit preparingChanged();
    app_->queueUpload(
        file, this, [this, user = u->id, school, fields](Result<client::Attachment> a) mutable {
            const bool stored = a && store_evidence(user, school, std::move(fields), *a);
            if (!a) fail(a.error().message);
            if (--preparing_ == 0) emit preparingChanged();
            if (stored)
                emit evidenceAdded();
            else
                emit evidenceRefused();
        });
    return true;
}

bool EvidenceModel::store_evidence(const std::string& user, const std::string& school, Json fields,
                                   const client::Attachment& a) {
    // Whoever chose the file, not someone who signed in on this tablet meanwhile.
    auto u = app_->user();
    if (!u || u->id != user) return fail(tr("Sign in again to add the evidence.").toStdString());
    const EvidenceKind kind = a.media_type.rfind("image/", 0) == 0 ? EvidenceKind::Photo
                              : a.media_type == "text/csv"         ? EvidenceKind::Data
                                                                   : EvidenceKind::Document;
    fields["kind"] = to_string(kind);
    fields["sha256"] = a.sha256;
    fields["size"] = a.size;
    fields["media_type"] = a.media_type;
    error_.clear(); // before the write: its announcement reloads this model
    auto r = app_->store().put(*u, {"evidence", "", school, fields});
    if (!r) return fail(r.error().message);
    app_->syncNow();
    return true;
}

bool EvidenceModel::review(const QString& evidenceId, const QString& decision,
                           const QString& comment) {
    auto u = app_ ? app_->user() : std::nullopt;
    if (!u) return fail("sign in first");
    Json f{{"evidence", evidenceId.toStdString()}, {"decision", decision.toStdString()}};
    if (!comment.trimmed().isEmpty()) f["comment"] = comment.trimmed().toStdString();
    error_.clear(); // before the write: its announcement reloads this model
    auto r = app_->store().put(*u, {"review", "", "", f});
    if (!r) return fail(r.error().message);
    app_->syncNow();
    return true;
}

bool EvidenceModel::addReading(const QString& benchmarkId, const QString& date, double value,
                               const QString& note) {
    auto u = app_ ? app_->user() : std::nullopt;
    if (!u) return fail("sign in first");
    Json f{
        {"benchmark", benchmarkId.toStdString()}, {"date", date.toStdString()}, {"value", value}};
    if (!note.trimmed().isEmpty()) f["note"] = note.trimmed().toStdString();
    error_.clear(); // before the write: its announcement reloads this model
    auto r = app_->store().put(*u, {"reading", "", "", f});
    if (!r) return fail(r.error().message);
    app_->syncNow();
    return true;
}

int EvidenceModel::missingFiles() const {
    return int(std::count_if(items_.begin(), items_.end(),
                             [](const Item& i) { return i.local_file.isEmpty(); }));
}

QVariantMap EvidenceModel::firstOnDevice(const QString& mediaType) const {
    for (const Item& i : items_)
        if (i.media == mediaType && !i.local_file.isEmpty())
            return {{"title", i.title}, {"localFile", i.local_file}, {"mediaType", i.media}};
    return {};
}

int EvidenceModel::fetchAll() {
    if (!app_) return 0;
    int queued = 0;
    const QList<Item> items = items_;
    for (const Item& i : items)
        if (i.local_file.isEmpty() && queue_download(i.id)) ++queued;
    if (queued) app_->syncNow();
    return queued;
}

bool EvidenceModel::fetch(const QString& evidenceId) {
    if (!queue_download(evidenceId)) return false;
    app_->syncNow();
    return true;
}

bool EvidenceModel::queue_download(const QString& evidenceId) {
    if (!app_) return false;
    auto e = app_->store().get("evidence", evidenceId.toStdString());
    if (!e.ok() || !*e) return fail("no such evidence on this device");
    const std::string sha = (*e)->fields.value("sha256", "");
    const QString dir = app_->filesDir();
    QDir().mkpath(dir);
    if (auto st = client::DeviceState(app_->store())
                      .queue_blob({sha, (dir + "/" + QString::fromStdString(sha)).toStdString(), 0,
                                   BlobDirection::Down});
        !st)
        return fail(st.error().message);
    return true;
}

} // namespace sitevisit::app
