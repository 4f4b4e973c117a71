#include "dashboard_model.h"

#include "app_controller.h"
#include "reflection_controller.h"
#include "sitevisit/core/domain.h"
#include "sitevisit/core/plan_cycle.h"
#include "sitevisit/core/queries.h"
#include "sitevisit/core/time_format.h"

#include <QDate>
#include <QLocale>
#include <map>
#include <set>

namespace sitevisit::app {

namespace {

// Order of concern: what needs a receiver's attention first.
constexpr BenchmarkStatus kOrder[] = {BenchmarkStatus::OffTrack, BenchmarkStatus::NotMet,
                                      BenchmarkStatus::AtRisk,   BenchmarkStatus::NoData,
                                      BenchmarkStatus::OnTrack,  BenchmarkStatus::Met};

int rank_of(BenchmarkStatus s) {
    for (int i = 0; i < int(std::size(kOrder)); ++i)
        if (kOrder[i] == s) return i;
    return int(std::size(kOrder));
}

QString number(double v) {
    return QLocale().toString(v, 'g', 6);
}

} // namespace

QVariant DashboardModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Item& i = items_.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
    case MeasureRole:
        return i.measure;
    case BenchmarkIdRole:
        return i.benchmark;
    case SchoolIdRole:
        return i.school;
    case SchoolNameRole:
        return i.school_name;
    case StatusRole:
        return i.status;
    case StatusLabelRole:
        return i.status_label;
    case ReasonRole:
        return i.reason;
    case LatestRole:
        return i.latest;
    case TargetRole:
        return i.target;
    case EvidenceCountRole:
        return i.evidence;
    case WaitingRole:
        return i.waiting;
    }
    return {};
}

QHash<int, QByteArray> DashboardModel::roleNames() const {
    return {{BenchmarkIdRole, "benchmarkId"}, {SchoolIdRole, "schoolId"},
            {SchoolNameRole, "schoolName"},   {MeasureRole, "measure"},
            {StatusRole, "status"},           {StatusLabelRole, "statusLabel"},
            {ReasonRole, "reason"},           {LatestRole, "latest"},
            {TargetRole, "target"},           {EvidenceCountRole, "evidenceCount"},
            {WaitingRole, "waiting"}};
}

void DashboardModel::classBegin() {
    setApp(AppController::of(this));
}

void DashboardModel::setApp(AppController* app) {
    if (!follow_app(this, app_, app)) return;
    reload();
}

void DashboardModel::setStatusFilter(const QString& status) {
    if (status == filter_) return;
    filter_ = status;
    reload();
}

void DashboardModel::reload() {
    beginResetModel();
    items_.clear();
    summary_.clear();
    names_.clear();
    std::map<BenchmarkStatus, int> counts;
    if (app_) {
        Store& store = app_->store();
        std::map<std::string, std::string> school_names;
        if (auto s = store.list("school"))
            for (const auto& r : *s) {
                school_names[r.id] = r.fields.value("name", "");
                names_.insert(QString::fromStdString(r.id),
                              QString::fromStdString(school_names[r.id]));
            }
        // A district's own benchmarks are listed under the district.
        if (auto d = store.list("district"))
            for (const auto& r : *d) {
                const QString name = tr("%1 · district plan")
                                         .arg(QString::fromStdString(r.fields.value("name", "")));
                school_names[r.id] = name.toStdString();
                names_.insert(QString::fromStdString(r.id), name);
            }
        // Evidence per benchmark, and how much of it has no decision yet.
        std::set<std::string> decided; // evidence with a review
        if (auto rv = store.list("review"))
            for (const auto& row : *rv)
                if (auto r = domain::from_row<domain::Review>(row)) decided.insert(r->evidence);
        std::map<std::string, std::pair<int, int>> evidence; // benchmark -> {all, waiting}
        if (auto ev = store.list("evidence"))
            for (const auto& row : *ev)
                if (auto e = domain::from_row<domain::Evidence>(row))
                    for (const auto& b : e->benchmarks) {
                        auto& [all, waiting] = evidence[b];
                        ++all;
                        if (!decided.count(e->id)) ++waiting;
                    }
        const std::int64_t today = QDate(1970, 1, 1).daysTo(app_->today());
        const auto held = benchmarks_in_effect(
            store, school_year_of(app_->today()).toStdString()); // not drafts, not renewed
        if (auto bms = store.list("benchmark"))
            for (const auto& b : *bms) {
                if (held && !held->count(b.id)) continue;
                auto report = benchmark_status(store, b.id, today);
                const BenchmarkStatus status = report ? report->status : BenchmarkStatus::NoData;
                ++counts[status];
                if (!filter_.isEmpty() && filter_ != QLatin1String(to_string(status))) continue;
                Item i;
                i.benchmark = QString::fromStdString(b.id);
                i.school = QString::fromStdString(b.school);
                i.school_name = QString::fromStdString(school_names[b.school]);
                i.measure = QString::fromStdString(b.fields.value("measure", ""));
                i.status = QString::fromLatin1(to_string(status));
                i.status_label = tr(label(status));
                i.reason = report ? QString::fromStdString(report->reason)
                                  : QString::fromStdString(report.error().message);
                const QString unit = QString::fromStdString(b.fields.value("unit", ""));
                if (report && report->latest)
                    i.latest =
                        tr("%1%2 on %3")
                            .arg(number(report->latest->value),
                                 unit.isEmpty() ? QString() : QStringLiteral(" ") + unit,
                                 QString::fromStdString(format_date_days(report->latest->day)));
                if (auto line = benchmark_line(b.fields))
                    i.target = tr("%1%2 by %3")
                                   .arg(number(line->target),
                                        unit.isEmpty() ? QString() : QStringLiteral(" ") + unit,
                                        QString::fromStdString(format_date_days(line->due_day)));
                std::tie(i.evidence, i.waiting) = evidence[b.id];
                i.rank = rank_of(status);
                items_.push_back(i);
            }
        std::sort(items_.begin(), items_.end(), [](const Item& a, const Item& b) {
            if (int c = a.school_name.localeAwareCompare(b.school_name)) return c < 0;
            if (a.school != b.school) return a.school < b.school;
            if (a.rank != b.rank) return a.rank < b.rank;
            return a.measure < b.measure;
        });
    }
    for (BenchmarkStatus s : kOrder)
        summary_.push_back(QVariantMap{{"status", QString::fromLatin1(to_string(s))},
                                       {"label", tr(label(s))},
                                       {"count", counts[s]}});
    endResetModel();
    emit changed();
}

} // namespace sitevisit::app
