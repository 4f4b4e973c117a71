#include "plan_model.h"

#include "app_controller.h"
#include "describe.h"
#include "reflection_controller.h"
#include "sitevisit/core/capabilities.h"
#include "sitevisit/core/domain.h"
#include "sitevisit/core/plan_cycle.h"
#include "sitevisit/core/queries.h"
#include "sitevisit/core/time_format.h"

#include <QCoreApplication>
#include <QDate>
#include <algorithm>
#include <map>
#include <tuple>

namespace sitevisit::app {

namespace {

QString tr(const char* text) {
    return QCoreApplication::translate("PlanModel", text);
}

QString text(const std::string& s) {
    return QString::fromStdString(s);
}

QString cadence_word(Cadence c) {
    switch (c) {
    case Cadence::Daily:
        return tr("Daily");
    case Cadence::Weekly:
        return tr("Weekly");
    case Cadence::Monthly:
        return tr("Monthly");
    case Cadence::Quarterly:
        return tr("Quarterly");
    case Cadence::Annual:
        return tr("Annual");
    }
    return {};
}

} // namespace

QVariantMap benchmark_item(const Store& store, const Row& row, std::int64_t today) {
    auto b = domain::from_row<domain::Benchmark>(row);
    auto line = benchmark_line(row.fields);
    struct Point {
        std::int64_t day;
        double value;
        std::string date;
    };
    std::vector<Point> points;
    if (auto readings = store.list("reading", "benchmark", row.id))
        for (const auto& r : *readings) {
            const std::string date = r.fields.value("date", "");
            if (auto day = parse_date_days(date))
                points.push_back({*day, r.fields.value("value", 0.0), date});
        }
    // By date; readings of one day keep the store's order (the last given counts).
    std::stable_sort(points.begin(), points.end(),
                     [](const Point& a, const Point& b) { return a.day < b.day; });
    QVariantList readings, history;
    std::vector<ReadingPoint> so_far;
    for (std::size_t i = 0; i < points.size(); ++i) {
        const Point& p = points[i];
        readings.push_back(
            QVariantMap{{"day", qint64(p.day)}, {"date", text(p.date)}, {"value", p.value}});
        so_far.push_back({p.day, p.value});
        // One entry per reading date: the status once that day's readings were in.
        if (!line || (i + 1 < points.size() && points[i + 1].day == p.day)) continue;
        const StatusReport then = derive_status(*line, so_far, p.day);
        history.push_back(QVariantMap{{"day", qint64(p.day)},
                                      {"date", text(p.date)},
                                      {"value", p.value},
                                      {"status", QString::fromLatin1(to_string(then.status))},
                                      {"statusLabel", tr(label(then.status))}});
    }
    auto status = benchmark_status(store, row.id, today);
    QVariantMap m{{"benchmarkId", text(row.id)},
                  {"measure", text(row.fields.value("measure", ""))},
                  {"unit", text(row.fields.value("unit", ""))},
                  {"direction", line && line->lower_is_better() ? QStringLiteral("lower")
                                                                : QStringLiteral("higher")},
                  {"status", status ? QString::fromLatin1(to_string(status->status)) : QString()},
                  {"statusLabel", status ? tr(label(status->status)) : tr("Unknown")},
                  {"reason", status ? text(status->reason) : QString()},
                  {"readings", readings},
                  {"history", history},
                  {"due", b ? text(b->due) : QString()},
                  {"baselineDate", b ? text(b->baseline_date) : QString()}};
    // The monitoring rhythm: a reading or a meeting that reviewed it, once each cadence period.
    m["rhythmKept"] = true;
    m["rhythm"] = QString();
    if (auto rhythm = benchmark_cadence(store, row.id, today); rhythm && line) {
        const QString cadence = cadence_word(line->cadence);
        auto date = [](std::int64_t day) {
            return QDate(1970, 1, 1).addDays(day).toString(Qt::ISODate);
        };
        m["rhythmKept"] = rhythm->kept;
        if (today > line->due_day)
            m["rhythm"] = rhythm->kept ? tr("%1 rhythm kept to the due date").arg(cadence)
                                       : tr("%1 rhythm not kept since %2 (to the due date)")
                                             .arg(cadence, date(*rhythm->behind));
        else
            m["rhythm"] = rhythm->kept
                              ? tr("%1 rhythm kept: next reading or meeting by %2")
                                    .arg(cadence, date(rhythm->next_due))
                              : tr("%1 rhythm not kept since %2: no reading or meeting on it")
                                    .arg(cadence, date(*rhythm->behind));
    }
    if (line) {
        m["baseline"] = line->baseline;
        m["target"] = line->target;
        m["baselineDay"] = qint64(line->baseline_day);
        m["dueDay"] = qint64(line->due_day);
    }
    return m;
}

void PlanModel::classBegin() {
    setApp(AppController::of(this));
}

void PlanModel::setApp(AppController* app) {
    if (!follow_app(this, app_, app)) return;
    reload();
}

void PlanModel::setSchoolId(const QString& id) {
    if (id == school_) return;
    school_ = id;
    reload();
}

bool PlanModel::canRecordReading() const {
    auto u = app_ ? app_->user() : std::nullopt;
    if (!u || school_.isEmpty()) return false;
    auto target = school_target(app_->store(), school_.toStdString());
    return target && can(*u, Action::RecordReading, *target);
}

void PlanModel::setPlanId(const QString& id) {
    if (id == chosen_) return;
    chosen_ = id;
    reload();
}

bool PlanModel::canWritePlan() const {
    auto u = app_ ? app_->user() : std::nullopt;
    if (!u || school_.isEmpty()) return false;
    auto target = school_target(app_->store(), school_.toStdString());
    return target && can(*u, Action::WritePlan, *target);
}

bool PlanModel::canRecordMeeting() const {
    auto u = app_ ? app_->user() : std::nullopt;
    if (!u || school_.isEmpty()) return false;
    auto target = school_target(app_->store(), school_.toStdString());
    return target && can(*u, Action::RecordMeeting, *target);
}

QVariantList PlanModel::meetingTeams() const {
    QVariantList out;
    if (const FieldSpec* team = find_entity("monitoring_meeting")->field("team"))
        for (const auto& v : team->values)
            out.push_back(QVariantMap{{"value", text(v.value)}, {"label", tr(v.label.c_str())}});
    return out;
}

bool PlanModel::recordMeeting(const QString& date, const QString& team,
                              const QStringList& benchmarkIds, const QVariantMap& notes,
                              const QVariantList& steps) {
    auto u = app_ ? app_->user() : std::nullopt;
    if (!u || school_.isEmpty()) return false;
    Json ids = Json::array(), said = Json::object();
    for (const auto& id : benchmarkIds) {
        ids.push_back(id.toStdString());
        const QString note = notes.value(id).toString().trimmed();
        if (!note.isEmpty()) said[id.toStdString()] = note.toStdString();
    }
    Json fields{{"date", date.toStdString()}, {"team", team.toStdString()}, {"benchmarks", ids}};
    if (!said.empty()) fields["notes"] = said;
    // The next steps decided, made first so the meeting can name them.
    std::vector<WriteRequest> writes;
    Json decided = Json::array();
    for (const auto& s : steps) {
        const QVariantMap m = s.toMap();
        Json step{{"title", m.value("title").toString().trimmed().toStdString()},
                  {"owner", m.value("owner").toString().toStdString()},
                  {"due_date", m.value("due").toString().toStdString()}};
        if (const QString b = m.value("benchmark").toString(); !b.isEmpty())
            step["benchmark"] = b.toStdString();
        const std::string id = app_->store().new_id();
        decided.push_back(id);
        writes.push_back({"next_step", id, school_.toStdString(), std::move(step)});
    }
    if (!decided.empty()) fields["next_steps"] = decided;
    writes.push_back({"monitoring_meeting", "", school_.toStdString(), std::move(fields)});
    std::size_t refused = writes.size(); // none named: a storage error
    auto r = app_->store().put_all(*u, writes, &refused);
    if (!r) {
        // A refused step says which one; the meeting's own refusal is as it is.
        error_ = refused + 1 < writes.size()
                     ? tr("Next step %1: %2").arg(refused + 1).arg(text(r.error().message))
                     : text(r.error().message);
        emit changed();
        return false;
    }
    error_.clear();
    reload();
    return true;
}

void PlanModel::reload() {
    meetings_.clear();
    plan_title_.clear();
    years_.clear();
    goal_.clear();
    objectives_.clear();
    benchmarks_.clear();
    plans_.clear();
    owners_.clear();
    shown_.clear();
    status_.clear();
    if (app_ && !school_.isEmpty()) {
        const Store& store = app_->store();
        const std::string sid = school_.toStdString();
        const std::int64_t today = QDate(1970, 1, 1).daysTo(app_->today());
        if (auto rows = store.list("monitoring_meeting", "school", sid)) {
            std::vector<Row> held;
            for (auto& r : *rows)
                if (!r.deleted) held.push_back(std::move(r));
            std::sort(held.begin(), held.end(), [](const Row& a, const Row& b) {
                return a.fields.value("date", "") > b.fields.value("date", "");
            });
            const FieldSpec* team = find_entity("monitoring_meeting")->field("team");
            for (const auto& r : held) {
                QString team_label = text(r.fields.value("team", ""));
                for (const auto& v : team->values)
                    if (v.value == r.fields.value("team", "")) team_label = tr(v.label.c_str());
                meetings_.push_back(QVariantMap{
                    {"date", text(r.fields.value("date", ""))},
                    {"team", team_label},
                    {"benchmarks", int(r.fields.value("benchmarks", Json::array()).size())},
                    {"notes", int(r.fields.value("notes", Json::object()).size())}});
            }
        }
        // The signed-in person first: the usual owner of what they record.
        const auto me = app_->user();
        owners_ = people_who_see(store, sid, me ? me->id : std::string());
        if (auto plans = plans_of_school(store, sid); plans && !plans->empty()) {
            const Row* shown = plan_in_effect(*plans, school_year_of(app_->today()).toStdString());
            for (const auto& r : *plans) {
                if (r.id == chosen_.toStdString()) shown = &r;
                const std::string status = r.fields.value("status", "");
                const QString years = tr("%1 to %2")
                                          .arg(text(r.fields.value("first_year", "")),
                                               text(r.fields.value("last_year", "")));
                plans_.push_back(QVariantMap{
                    {"planId", text(r.id)},
                    {"title", text(r.fields.value("title", ""))},
                    {"years", years},
                    {"status", text(status)},
                    {"label", status == "draft" ? tr("%1 (draft)").arg(years) : years}});
            }
            if (auto p = domain::from_row<domain::Plan>(*shown)) {
                shown_ = text(p->id);
                status_ = text(p->status);
                plan_title_ = text(p->title);
                goal_ = text(p->goal);
                years_ = tr("%1 to %2").arg(text(p->first_year), text(p->last_year));
            }
        }
        std::vector<domain::Objective> objectives;
        if (auto os = store.list("objective", "school", sid))
            for (const auto& o : *os)
                if (auto v = domain::from_row<domain::Objective>(o);
                    v && !o.deleted && v->plan == shown_.toStdString())
                    objectives.push_back(*v);
        std::stable_sort(objectives.begin(), objectives.end(), [](const auto& a, const auto& b) {
            return std::tie(a.plan, a.position) < std::tie(b.plan, b.position);
        });
        std::map<std::string, std::vector<domain::Initiative>> initiatives; // by objective
        if (auto is = store.list("initiative", "school", sid))
            for (const auto& i : *is)
                if (auto v = domain::from_row<domain::Initiative>(i))
                    initiatives[v->objective].push_back(*v);
        std::map<std::string, std::vector<Row>> benchmarks; // by initiative
        if (auto bs = store.list("benchmark", "school", sid))
            for (const auto& b : *bs)
                benchmarks[b.fields.value("initiative", "")].push_back(b);
        for (const auto& o : objectives) {
            QVariantList items;
            const Practice* practice = store.reference().practice(o.practice);
            const QString heading = tr("%1 · Practice %2").arg(text(o.title)).arg(o.practice);
            bool first = true;
            for (const auto& i : initiatives[o.id]) {
                QStringList ids;
                for (const Row& b : benchmarks[i.id]) {
                    ids << text(b.id);
                    QVariantMap m = benchmark_item(store, b, today);
                    m["objective"] = heading;
                    m["objectiveFirst"] = first;
                    m["initiative"] = text(i.title);
                    first = false;
                    benchmarks_.push_back(m);
                }
                const auto status = parse_initiative_status(i.status);
                items.push_back(QVariantMap{{"initiativeId", text(i.id)},
                                            {"title", text(i.title)},
                                            {"description", text(i.description)},
                                            {"owner", text(i.owner)},
                                            {"start", text(i.start)},
                                            {"end", text(i.end)},
                                            {"status", text(i.status)},
                                            {"statusLabel", status ? label(*status) : QString()},
                                            {"benchmarkIds", ids}});
            }
            objectives_.push_back(
                QVariantMap{{"objectiveId", text(o.id)},
                            {"title", text(o.title)},
                            {"heading", heading},
                            {"practice", o.practice},
                            {"practiceName", practice ? text(practice->name) : QString()},
                            {"initiatives", items}});
        }
    }
    emit changed();
}

} // namespace sitevisit::app
