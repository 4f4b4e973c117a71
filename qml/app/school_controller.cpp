#include "school_controller.h"

#include "app_controller.h"
#include "describe.h"
#include "reflection_controller.h"
#include "sitevisit/core/capabilities.h"
#include "sitevisit/core/domain.h"
#include "sitevisit/core/plan_cycle.h"
#include "sitevisit/core/queries.h"
#include "sitevisit/core/time_format.h"

#include <QDate>
#include <map>
#include <tuple>

namespace sitevisit::app {

void SchoolController::classBegin() {
    setApp(AppController::of(this));
}

void SchoolController::setApp(AppController* app) {
    if (!follow_app(this, app_, app)) return;
    reload();
}

void SchoolController::setSchoolId(const QString& id) {
    if (id == school_) return;
    school_ = id;
    reload();
}

namespace {

QString kind_label(const std::string& kind) {
    auto k = parse_visit_kind(kind);
    return k ? label(*k) : QString::fromStdString(kind);
}

} // namespace

QVariantList SchoolController::visitKinds() const {
    QVariantList out;
    for (VisitKind k : kVisitKinds)
        out << QVariantMap{{"kind", QString::fromLatin1(to_string(k))}, {"label", label(k)}};
    return out;
}

bool SchoolController::canStartVisit() const {
    auto u = app_ ? app_->user() : std::nullopt;
    if (!u) return false;
    auto target = school_target(app_->store(), school_.toStdString());
    return target && can(*u, Action::StartVisit, *target);
}

void SchoolController::reload() {
    benchmarks_.clear();
    visits_.clear();
    name_.clear();
    designation_.clear();
    district_level_ = false;
    if (app_ && !school_.isEmpty()) {
        Store& store = app_->store();
        const std::string sid = school_.toStdString();
        if (auto s = store.get("school", sid); s.ok() && *s && !(*s)->deleted) {
            name_ = QString::fromStdString((*s)->fields.value("name", ""));
            designation_ = QString::fromStdString((*s)->fields.value("designation", ""));
        } else if (auto d = store.get("district", sid); d.ok() && *d && !(*d)->deleted) {
            district_level_ = true;
            name_ = tr("%1 · district plan")
                        .arg(QString::fromStdString((*d)->fields.value("name", "")));
        }
        const std::int64_t today = QDate(1970, 1, 1).daysTo(app_->today());
        // Plan order: objectives by position, then the benchmarks of their initiatives.
        struct Objective {
            int position = 0;
            QString title;
        };
        std::map<std::string, Objective> objectives;
        std::map<std::string, std::string> objective_of_initiative;
        if (auto os = store.list("objective", "school", sid))
            for (const auto& o : *os)
                objectives[o.id] = {o.fields.value("position", 0),
                                    tr("%1 · Practice %2")
                                        .arg(QString::fromStdString(o.fields.value("title", "")))
                                        .arg(o.fields.value("practice", 0))};
        if (auto is = store.list("initiative", "school", sid))
            for (const auto& i : *is)
                objective_of_initiative[i.id] = i.fields.value("objective", "");
        auto bms = store.list("benchmark", "school", sid);
        // The plan the school works to this year: not a draft of next year's, not a renewed one.
        if (const auto held =
                benchmarks_in_effect(store, school_year_of(app_->today()).toStdString());
            bms && held)
            bms->erase(std::remove_if(bms->begin(), bms->end(),
                                      [&](const Row& b) { return !held->count(b.id); }),
                       bms->end());
        if (bms)
            std::stable_sort(bms->begin(), bms->end(), [&](const auto& a, const auto& b) {
                const std::string oa = objective_of_initiative[a.fields.value("initiative", "")];
                const std::string ob = objective_of_initiative[b.fields.value("initiative", "")];
                return std::tie(objectives[oa].position, oa) <
                       std::tie(objectives[ob].position, ob);
            });
        std::string previous_objective = "\x01";
        if (bms)
            for (const auto& b : *bms) {
                const std::string objective =
                    objective_of_initiative[b.fields.value("initiative", "")];
                auto status = benchmark_status(store, b.id, today);
                auto line = benchmark_line(b.fields);
                QVariantList points;
                if (auto readings = store.list("reading", "benchmark", b.id))
                    for (const auto& r : *readings) {
                        auto day = parse_date_days(r.fields.value("date", ""));
                        if (day)
                            points.push_back(QVariantMap{{"day", qint64(*day)},
                                                         {"value", r.fields.value("value", 0.0)}});
                    }
                QVariantMap m{
                    {"benchmarkId", QString::fromStdString(b.id)},
                    {"measure", QString::fromStdString(b.fields.value("measure", ""))},
                    {"unit", QString::fromStdString(b.fields.value("unit", ""))},
                    {"status", status ? QString::fromLatin1(to_string(status->status)) : QString()},
                    {"statusLabel", status ? tr(label(status->status)) : tr("Unknown")},
                    {"reason", status ? QString::fromStdString(status->reason) : QString()},
                    {"readings", points},
                    {"objective", objectives.count(objective) ? objectives[objective].title
                                                              : tr("Other benchmarks")},
                    {"objectiveFirst", objective != previous_objective}};
                previous_objective = objective;
                if (line) {
                    m["baseline"] = line->baseline;
                    m["target"] = line->target;
                    m["baselineDay"] = qint64(line->baseline_day);
                    m["dueDay"] = qint64(line->due_day);
                }
                benchmarks_.push_back(m);
            }
        if (auto vs = store.list("visit", "school", sid)) {
            for (const auto& row : *vs) {
                auto v = domain::from_row<domain::Visit>(row);
                if (!v) continue;
                const VisitStatus status =
                    parse_visit_status(v->status).value_or(VisitStatus::Draft);
                visits_.push_back(QVariantMap{{"visitId", QString::fromStdString(v->id)},
                                              {"kind", QString::fromStdString(v->kind)},
                                              {"kindLabel", kind_label(v->kind)},
                                              {"date", QString::fromStdString(v->start_date)},
                                              {"status", QString::fromLatin1(to_string(status))},
                                              {"statusValue", static_cast<int>(status)},
                                              {"statusLabel", label(status)}});
            }
            std::sort(visits_.begin(), visits_.end(), [](const QVariant& a, const QVariant& b) {
                return a.toMap()["date"].toString() > b.toMap()["date"].toString();
            });
        }
    }
    emit changed();
}

QString SchoolController::startVisit(const QString& kind, const QString& date) {
    error_.clear();
    auto u = app_ ? app_->user() : std::nullopt;
    if (!u) {
        error_ = tr("Sign in first.");
        return {};
    }
    const std::string level = [&] {
        auto s = app_->store().get("school", school_.toStdString());
        return s.ok() && *s ? (*s)->fields.value("level", "elementary") : std::string("elementary");
    }();
    const Rubric* rubric_of_level = app_->store().reference().rubric_for_level(level);
    const std::string rubric = rubric_of_level ? rubric_of_level->id : std::string();
    auto r = app_->store().put(
        *u, {"visit",
             "",
             school_.toStdString(),
             {{"kind",
               kind.isEmpty() ? std::string(to_string(VisitKind::Monitoring)) : kind.toStdString()},
              {"rubric", rubric},
              {"start_date", date.isEmpty() ? app_->today().toString(Qt::ISODate).toStdString()
                                            : date.trimmed().toStdString()}}});
    if (!r) {
        error_ = QString::fromStdString(r.error().message);
        return {};
    }
    return QString::fromStdString(r->id);
}

} // namespace sitevisit::app
