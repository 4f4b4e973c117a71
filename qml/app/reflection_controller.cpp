#include "reflection_controller.h"

#include "app_controller.h"
#include "sitevisit/core/capabilities.h"
#include "sitevisit/core/plan_cycle.h"
#include "sitevisit/core/time_format.h"

#include <QCoreApplication>
#include <QDate>
#include <QDateTime>
#include <algorithm>
#include <functional>

namespace sitevisit::app {

namespace {
const char* const kAnswers[] = {"worked",       "worked_evidence",
                                "not_worked",   "not_worked_evidence",
                                "stakeholders", "district_systems"};
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
    if (!u || plan_.isEmpty() || submitted_) return false;
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
    gaps_.clear();
    renewed_id_.clear();
    renewed_.clear();
    submitted_ = false;
    decisions_ = Json::object();
    reasons_ = Json::object();
    if (app_) {
        Store& store = app_->store();
        std::string school = school_.toStdString();
        if (school.empty())
            if (auto u = app_->user(); u && !u->schools.empty()) school = u->schools.front();
        auto plans = plans_of_school(store, school);
        const Row* p = plans ? plan_in_effect(*plans, year_.toStdString()) : nullptr;
        if (p) {
            plan_ = QString::fromStdString(p->id);
            plan_title_ = QString::fromStdString(p->fields.value("title", ""));
            for (const auto& other : *plans)
                if (other.fields.value("previous", "") == p->id) {
                    renewed_id_ = QString::fromStdString(other.id);
                    renewed_ =
                        tr("%1, %2 to %3 (%4)")
                            .arg(QString::fromStdString(other.fields.value("title", "")),
                                 QString::fromStdString(other.fields.value("first_year", "")),
                                 QString::fromStdString(other.fields.value("last_year", "")),
                                 other.fields.value("status", "") == "draft" ? tr("draft")
                                                                             : tr("submitted"));
                }
            // Every school year of the plan.
            const auto first = parse_school_year(p->fields.value("first_year", ""));
            const auto last = parse_school_year(p->fields.value("last_year", ""));
            if (first && last && *last >= *first && *last - *first < 20)
                for (int y = *first; y <= *last; ++y)
                    years_ << QStringLiteral("%1-%2").arg(y).arg(y + 1);
            std::optional<Row> mine;
            if (auto rs = store.list("reflection", "plan", p->id))
                for (const auto& r : *rs) {
                    years_ << QString::fromStdString(r.fields.value("year", ""));
                    if (r.fields.value("year", "") == year_.toStdString()) mine = r;
                }
            if (mine) {
                reflection_ = QString::fromStdString(mine->id);
                for (const char* a : kAnswers)
                    answers_[a] = QString::fromStdString(mine->fields.value(a, ""));
                decisions_ = mine->fields.value("decisions", Json::object());
                reasons_ = mine->fields.value("reasons", Json::object());
                submitted_ = mine->fields.value("status", "") == "submitted";
                if (!submitted_)
                    if (auto g = reflection_gaps(store, *mine))
                        for (const auto& gap : *g)
                            gaps_ << QString::fromStdString(gap);
            } else {
                gaps_ << tr("Answer the five questions above.");
            }
            auto word = [](const Json& m, const std::string& id) {
                return QString::fromStdString(m.value(id, ""));
            };
            if (auto tree = plan_tree(store, p->id))
                for (const auto& o : tree->objectives) {
                    QVariantList initiatives;
                    for (const auto& i : o.initiatives)
                        initiatives.push_back(QVariantMap{
                            {"initiativeId", QString::fromStdString(i.row.id)},
                            {"title", QString::fromStdString(i.row.fields.value("title", ""))},
                            {"decision", word(decisions_, i.row.id)},
                            {"reason", word(reasons_, i.row.id)}});
                    objectives_.push_back(QVariantMap{
                        {"objectiveId", QString::fromStdString(o.row.id)},
                        {"title", QString::fromStdString(o.row.fields.value("title", ""))},
                        {"decision", word(decisions_, o.row.id)},
                        {"reason", word(reasons_, o.row.id)},
                        {"initiatives", initiatives}});
                }
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

bool ReflectionController::setDecision(const QString& id, const QString& decision) {
    Json decisions = decisions_;
    if (decision.isEmpty())
        decisions.erase(id.toStdString());
    else
        decisions[id.toStdString()] = decision.toStdString();
    if (decisions == decisions_) return true;
    return save(Json{{"decisions", decisions}});
}

bool ReflectionController::setReason(const QString& id, const QString& reason) {
    Json reasons = reasons_;
    if (reason.trimmed().isEmpty())
        reasons.erase(id.toStdString());
    else
        reasons[id.toStdString()] = reason.trimmed().toStdString();
    if (reasons == reasons_) return true;
    return save(Json{{"reasons", reasons}});
}

bool ReflectionController::submit() {
    auto u = app_ ? app_->user() : std::nullopt;
    if (!u || reflection_.isEmpty()) {
        error_ = gaps_.isEmpty() ? tr("Nothing is written yet.") : gaps_.front();
        emit changed();
        return false;
    }
    auto r = submit_reflection(app_->store(), *u, reflection_.toStdString());
    if (!r) {
        error_ = QString::fromStdString(r.error().message);
        emit changed();
        return false;
    }
    error_.clear();
    reload();
    return true;
}

bool ReflectionController::canRenew() const {
    auto u = app_ ? app_->user() : std::nullopt;
    if (!u || !submitted_ || !renewed_id_.isEmpty() || plan_.isEmpty()) return false;
    const std::string school =
        school_.isEmpty() && !u->schools.empty() ? u->schools.front() : school_.toStdString();
    auto target = school_target(app_->store(), school);
    return target && can(*u, Action::WritePlan, *target);
}

QString ReflectionController::renew() {
    auto u = app_ ? app_->user() : std::nullopt;
    if (!u || plan_.isEmpty()) return {};
    auto r = renew_plan(app_->store(), *u, plan_.toStdString(),
                        app_->today().toString(Qt::ISODate).toStdString());
    if (!r) {
        error_ = QString::fromStdString(r.error().message);
        emit changed();
        return {};
    }
    error_.clear();
    QStringList made;
    made << tr("%n objective(s)", nullptr, r->objectives)
         << tr("%n initiative(s)", nullptr, r->initiatives)
         << tr("%n benchmark(s)", nullptr, r->benchmarks);
    renewal_ = tr("Made the %1 to %2 plan as a draft: %3.")
                   .arg(QString::fromStdString(r->first_year), QString::fromStdString(r->last_year),
                        made.join(tr(", ")));
    if (r->targets_met > 0)
        renewal_ +=
            QLatin1Char(' ') + tr("%n benchmark(s) met the target already; raise the new target.",
                                  nullptr, r->targets_met);
    reload();
    return QString::fromStdString(r->plan);
}

} // namespace sitevisit::app
