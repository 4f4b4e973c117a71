#include "school_controller.h"

#include "app_controller.h"

#include "sitevisit/core/queries.h"
#include "sitevisit/core/time_format.h"

#include <QDate>

namespace sitevisit::app {

QObject* SchoolController::app() const { return app_; }

void SchoolController::setApp(QObject* app) {
    if (!follow_app(this, app_, app)) return;
    reload();
}

void SchoolController::setSchoolId(const QString& id) {
    if (id == school_) return;
    school_ = id;
    reload();
}

bool SchoolController::canStartVisit() const {
    auto u = app_ ? app_->user() : std::nullopt;
    return u && (u->role == Role::AssistanceLead || u->role == Role::Admin);
}

void SchoolController::reload() {
    benchmarks_.clear();
    visits_.clear();
    name_.clear();
    designation_.clear();
    if (app_ && !school_.isEmpty()) {
        Store& store = app_->store();
        const std::string sid = school_.toStdString();
        if (auto s = store.get("school", sid); s.ok() && *s) {
            name_ = QString::fromStdString((*s)->fields.value("name", ""));
            designation_ = QString::fromStdString((*s)->fields.value("designation", ""));
        }
        const std::int64_t today = QDate(1970, 1, 1).daysTo(QDate::currentDate());
        if (auto bms = store.list("benchmark", "school", sid))
            for (const auto& b : *bms) {
                auto status = benchmark_status(store, b.id, today);
                auto line = benchmark_line(b.fields);
                QVariantList points;
                if (auto readings = store.list("reading", "benchmark", b.id))
                    for (const auto& r : *readings) {
                        auto day = parse_date_days(r.fields.value("date", ""));
                        if (day) points.push_back(QVariantMap{{"day", qint64(*day)}, {"value", r.fields.value("value", 0.0)}});
                    }
                QVariantMap m{{"benchmarkId", QString::fromStdString(b.id)},
                              {"measure", QString::fromStdString(b.fields.value("measure", ""))},
                              {"unit", QString::fromStdString(b.fields.value("unit", ""))},
                              {"status", status ? QString::fromLatin1(to_string(status->status)) : QString()},
                              {"statusLabel", status ? tr(label(status->status)) : tr("Unknown")},
                              {"reason", status ? QString::fromStdString(status->reason) : QString()},
                              {"readings", points}};
                if (line) {
                    m["baseline"] = line->baseline;
                    m["target"] = line->target;
                    m["baselineDay"] = qint64(line->baseline_day);
                    m["dueDay"] = qint64(line->due_day);
                }
                benchmarks_.push_back(m);
            }
        if (auto vs = store.list("visit", "school", sid)) {
            auto u = app_->user();
            for (const auto& v : *vs) {
                const std::string status = v.fields.value("status", "draft");
                visits_.push_back(QVariantMap{{"visitId", QString::fromStdString(v.id)},
                                              {"kind", QString::fromStdString(v.fields.value("kind", ""))},
                                              {"date", QString::fromStdString(v.fields.value("start_date", ""))},
                                              {"status", QString::fromStdString(status)}});
            }
            std::sort(visits_.begin(), visits_.end(), [](const QVariant& a, const QVariant& b) {
                return a.toMap()["date"].toString() > b.toMap()["date"].toString();
            });
        }
    }
    emit changed();
}

QString SchoolController::startVisit() {
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
    auto r = app_->store().put(*u, {"visit", "", school_.toStdString(),
                                    {{"kind", "monitoring"}, {"rubric", rubric},
                                     {"start_date", QDate::currentDate().toString(Qt::ISODate).toStdString()}}});
    if (!r) {
        error_ = QString::fromStdString(r.error().message);
        return {};
    }
    emit app_->dataChanged();
    return QString::fromStdString(r->id);
}

} // namespace sitevisit::app
