#include "reflection_controller.h"

#include "app_controller.h"
#include "sitevisit/core/capabilities.h"
#include "sitevisit/core/time_format.h"

#include <QDate>
#include <QDateTime>
#include <algorithm>
#include <functional>

namespace sitevisit::app {

namespace {
const char* const kAnswers[] = {"worked", "worked_evidence", "not_worked", "not_worked_evidence",
                                "stakeholders"};
} // namespace

QString school_year_of(const QDate& d) {
    const int first = d.month() >= 7 ? d.year() : d.year() - 1;
    return QStringLiteral("%1-%2").arg(first).arg(first + 1);
}

void ReflectionController::setYear(const QString& year) {
    if (year == chosen_year_) return;
    chosen_year_ = year;
    error_.clear();
    reload();
}

void ReflectionController::classBegin() {
    setApp(AppController::of(this));
}

void ReflectionController::setApp(AppController* app) {
    if (app == app_) return;
    app_ = app;
    reload();
}

void ReflectionController::setSchoolId(const QString& id) {
    if (id == school_) return;
    school_ = id;
    reload();
}

bool ReflectionController::editable() const {
    auto u = app_ ? app_->user() : std::nullopt;
    if (!u || plan_.isEmpty()) return false;
    // The plan's school, as reload() chose it.
    const std::string school =
        school_.isEmpty() && !u->schools.empty() ? u->schools.front() : school_.toStdString();
    auto target = school_target(app_->store(), school);
    return target && can(*u, Action::WriteReflection, *target);
}

void ReflectionController::reload() {
    year_ = chosen_year_;
    if (year_.isEmpty() && app_) year_ = school_year_of(app_->today());
    years_.clear();
    if (!year_.isEmpty()) years_ << year_;
    if (app_) years_ << school_year_of(app_->today());
    plan_.clear();
    plan_title_.clear();
    reflection_.clear();
    answers_.clear();
    objectives_.clear();
    if (app_) {
        Store& store = app_->store();
        std::string school = school_.toStdString();
        if (school.empty())
            if (auto u = app_->user(); u && !u->schools.empty()) school = u->schools.front();
        if (auto plans = store.list("plan", "school", school); plans && !plans->empty()) {
            const Row& p = plans->front();
            plan_ = QString::fromStdString(p.id);
            plan_title_ = QString::fromStdString(p.fields.value("title", ""));
            // Every school year of the plan.
            const auto first = parse_school_year(p.fields.value("first_year", ""));
            const auto last = parse_school_year(p.fields.value("last_year", ""));
            if (first && last && *last >= *first && *last - *first < 20)
                for (int y = *first; y <= *last; ++y)
                    years_ << QStringLiteral("%1-%2").arg(y).arg(y + 1);
            Json decisions = Json::object();
            if (auto rs = store.list("reflection", "plan", p.id))
                for (const auto& r : *rs) {
                    years_ << QString::fromStdString(r.fields.value("year", ""));
                    if (r.fields.value("year", "") == year_.toStdString()) {
                        reflection_ = QString::fromStdString(r.id);
                        for (const char* a : kAnswers)
                            answers_[a] = QString::fromStdString(r.fields.value(a, ""));
                        decisions = r.fields.value("decisions", Json::object());
                    }
                }
            if (auto os = store.list("objective", "plan", p.id))
                for (const auto& o : *os)
                    objectives_.push_back(QVariantMap{
                        {"objectiveId", QString::fromStdString(o.id)},
                        {"title", QString::fromStdString(o.fields.value("title", ""))},
                        {"decision", QString::fromStdString(decisions.value(o.id, ""))}});
        }
    }
    years_.removeAll(QString());
    years_.removeDuplicates();
    std::sort(years_.begin(), years_.end(), std::greater<QString>());
    emit changed();
}

bool ReflectionController::save(const Json& fields) {
    auto u = app_ ? app_->user() : std::nullopt;
    if (!u || plan_.isEmpty()) return false;
    WriteRequest req{"reflection", reflection_.toStdString(), "", fields};
    if (reflection_.isEmpty()) {
        req.fields["plan"] = plan_.toStdString();
        req.fields["year"] = year_.toStdString();
    }
    auto r = app_->store().put(*u, req);
    if (!r) {
        error_ = QString::fromStdString(r.error().message);
        emit changed();
        return false;
    }
    error_.clear();
    reflection_ = QString::fromStdString(r->id);
    saved_at_ = QDateTime::fromMSecsSinceEpoch(app_->clock().now_ms())
                    .toLocalTime()
                    .toString(QStringLiteral("HH:mm"));
    reload();
    return true;
}

bool ReflectionController::setAnswer(const QString& field, const QString& text) {
    bool known = false;
    for (const char* a : kAnswers)
        known = known || field == QLatin1String(a);
    if (!known) return false;
    if (answers_.value(field).toString() == text) return true;
    return save(Json{{field.toStdString(),
                      text.trimmed().isEmpty() ? Json(nullptr) : Json(text.toStdString())}});
}

bool ReflectionController::setDecision(const QString& objectiveId, const QString& decision) {
    Json decisions = Json::object();
    for (const auto& o : objectives_) {
        const auto m = o.toMap();
        const QString d =
            m["objectiveId"].toString() == objectiveId ? decision : m["decision"].toString();
        if (!d.isEmpty()) decisions[m["objectiveId"].toString().toStdString()] = d.toStdString();
    }
    return save(Json{{"decisions", decisions}});
}

} // namespace sitevisit::app
