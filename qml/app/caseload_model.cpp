#include "caseload_model.h"

#include "app_controller.h"
#include "reflection_controller.h"
#include "sitevisit/core/capabilities.h"
#include "sitevisit/core/domain.h"
#include "sitevisit/core/permissions.h"
#include "sitevisit/core/plan_cycle.h"
#include "sitevisit/core/queries.h"
#include "sitevisit/core/values.h"

#include <QDate>
#include <map>
#include <set>
#include <tuple>

namespace sitevisit::app {

namespace {

QString designation_label(const std::string& value) {
    if (value == "focused_targeted") return CaseloadModel::tr("Focused/targeted support");
    if (value == "broad_comprehensive") return CaseloadModel::tr("Broad/comprehensive support");
    if (value == "underperforming") return CaseloadModel::tr("Underperforming");
    if (value == "chronically_underperforming") return CaseloadModel::tr("Receivership");
    return CaseloadModel::tr("No designation");
}

} // namespace

CaseloadModel::CaseloadModel(QObject* parent) : QAbstractListModel(parent) {
}

int CaseloadModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(schools_.size());
}

QVariant CaseloadModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const School& s = schools_.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
    case NameRole:
        return s.name;
    case SchoolIdRole:
        return s.id;
    case DistrictRole:
        return s.district;
    case DesignationRole:
        return s.designation;
    case LevelRole:
        return s.level;
    case LastVisitRole:
        return s.last_visit;
    case NextVisitRole:
        return s.next_visit;
    case ReceivershipRole:
        return s.receivership;
    case WorryingBenchmarksRole:
        return s.worrying;
    case OpenStepsRole:
        return s.open_steps;
    case OverdueStepsRole:
        return s.overdue_steps;
    case UnderWayRole:
        return s.under_way;
    case DistrictLevelRole:
        return s.district_level;
    }
    return {};
}

QHash<int, QByteArray> CaseloadModel::roleNames() const {
    return {{SchoolIdRole, "schoolId"},
            {NameRole, "name"},
            {DistrictRole, "district"},
            {DesignationRole, "designation"},
            {LevelRole, "level"},
            {LastVisitRole, "lastVisit"},
            {NextVisitRole, "nextVisit"},
            {ReceivershipRole, "receivership"},
            {WorryingBenchmarksRole, "worryingBenchmarks"},
            {OpenStepsRole, "openSteps"},
            {OverdueStepsRole, "overdueSteps"},
            {UnderWayRole, "underWay"},
            {DistrictLevelRole, "districtLevel"}};
}

void CaseloadModel::classBegin() {
    setApp(AppController::of(this));
}

void CaseloadModel::setApp(AppController* app) {
    if (!follow_app(this, app_, app)) return;
    if (app_) connect(app_, &AppController::sessionChanged, this, &CaseloadModel::reload);
    reload();
}

void CaseloadModel::reload() {
    beginResetModel();
    schools_.clear();
    if (app_) {
        Store& store = app_->store();
        std::map<std::string, std::string> district_name;
        std::vector<Row> districts;
        if (auto d = store.list("district")) {
            for (const auto& r : *d)
                district_name[r.id] = r.fields.value("name", "");
            districts = std::move(*d);
        }
        const QString today = app_->today().toString(Qt::ISODate);
        struct Dates {
            QString last, next, under_way;
        };
        std::map<std::string, Dates> visits; // per school
        if (auto v = store.list("visit"))
            for (const auto& r : *v) {
                // Last: a visit done (submitted or reviewed). Next: one still a draft, from
                // today on (today's is under way). Under way: a draft begun before today.
                const QString date = QString::fromStdString(r.fields.value("start_date", ""));
                const bool done = r.fields.value("status", "draft") != "draft";
                auto& d = visits[r.school];
                if (done && date <= today && date > d.last) d.last = date;
                if (!done && date >= today && (d.next.isEmpty() || date < d.next)) d.next = date;
                if (!done && date < today && date > d.under_way) d.under_way = date;
            }
        // Benchmarks off track or at risk, and next steps still to do and overdue, per school.
        std::map<std::string, int> worrying, open_steps, overdue_steps;
        const std::int64_t day = QDate(1970, 1, 1).daysTo(app_->today());
        const auto held = benchmarks_in_effect(
            store, school_year_of(app_->today()).toStdString()); // not drafts, not renewed
        if (auto bms = store.list("benchmark"))
            for (const auto& b : *bms)
                if (auto report = benchmark_status(store, b.id, day);
                    report && (!held || held->count(b.id)))
                    if (report->status == BenchmarkStatus::OffTrack ||
                        report->status == BenchmarkStatus::AtRisk)
                        ++worrying[b.school];
        const std::string today_iso = today.toStdString();
        if (auto steps = store.list("next_step"))
            for (const auto& row : *steps)
                if (auto step = domain::from_row<domain::NextStep>(row)) {
                    auto status =
                        parse_next_step_status(step->status.empty() ? "open" : step->status);
                    if (!status || *status == NextStepStatus::Done ||
                        *status == NextStepStatus::Verified)
                        continue;
                    ++open_steps[step->school];
                    if (!step->due_date.empty() && step->due_date < today_iso)
                        ++overdue_steps[step->school];
                }
        if (auto s = store.list("school"))
            for (const auto& r : *s) {
                School school{QString::fromStdString(r.id),
                              QString::fromStdString(r.fields.value("name", "")),
                              QString::fromStdString(district_name[r.fields.value("district", "")]),
                              designation_label(r.fields.value("designation", "none")),
                              QString::fromStdString(r.fields.value("level", "")),
                              visits[r.id].last,
                              visits[r.id].next,
                              r.fields.value("designation", "none") ==
                                  "chronically_underperforming",
                              worrying[r.id],
                              open_steps[r.id],
                              overdue_steps[r.id],
                              visits[r.id].under_way};
                schools_.push_back(school);
            }
        // The districts whose own plan and next steps this user reads: those that keep some,
        // and those whose plan the user may write (to begin one).
        std::set<std::string> kept; // scope keys with a plan or a next step
        for (const char* entity : {"plan", "next_step"})
            if (auto rows = store.list(entity))
                for (const auto& r : *rows)
                    if (!r.deleted) kept.insert(r.school);
        if (auto user = app_->user())
            for (const auto& r : districts) {
                const Place place{"", r.id, r.fields.value("region", "")};
                if (r.deleted || !in_scope(*user, place) ||
                    (!kept.count(r.id) && !can(*user, Action::WritePlan, Target::at(place))))
                    continue;
                School d;
                d.id = QString::fromStdString(r.id);
                d.name = tr("District plan and next steps");
                d.district = QString::fromStdString(r.fields.value("name", ""));
                d.designation = tr("The district's own work for its schools");
                d.level = QStringLiteral("district");
                d.worrying = worrying[r.id];
                d.open_steps = open_steps[r.id];
                d.overdue_steps = overdue_steps[r.id];
                d.district_level = true;
                schools_.push_back(d);
            }
        std::sort(schools_.begin(), schools_.end(), [](const School& a, const School& b) {
            return std::tuple(a.district, !a.district_level, a.name) <
                   std::tuple(b.district, !b.district_level, b.name);
        });
    }
    endResetModel();
    emit countChanged();
}

} // namespace sitevisit::app
