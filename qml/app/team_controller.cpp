#include "team_controller.h"

#include "app_controller.h"
#include "sitevisit/core/calibration.h"
#include "sitevisit/core/time_format.h"

#include <QDateTime>
#include <algorithm>
#include <map>

namespace sitevisit::app {

void TeamController::classBegin() {
    setApp(AppController::of(this));
}

void TeamController::setApp(AppController* app) {
    if (app == app_) return;
    if (app_) disconnect(app_, nullptr, this, nullptr);
    app_ = app;
    // A sync brought a teammate's ratings, or someone marked theirs done.
    if (app_) connect(app_, &AppController::dataChanged, this, &TeamController::reload);
    reload();
}

void TeamController::setVisitId(const QString& id) {
    if (id == visit_) return;
    visit_ = id;
    error_.clear();
    reload();
}

void TeamController::reload() {
    team_.clear();
    members_.clear();
    colleagues_.clear();
    comparison_.clear();
    calibration_.clear();
    pairs_over_time_.clear();
    can_rate_ = my_done_ = false;
    my_rated_ = 0;
    auto u = app_ ? app_->user() : std::nullopt;
    if (!app_ || visit_.isEmpty() || !u) return emit changed();
    Store& store = app_->store();
    auto v = store.get("visit", visit_.toStdString());
    if (!v.ok() || !*v || (*v)->deleted) return emit changed();
    const Row& visit = **v;
    for (const auto& m : visit.fields.value("team", Json::array()))
        if (m.is_string()) team_.push_back(m.get<std::string>());
    const bool draft = visit.fields.value("status", "draft") == "draft";
    const bool on_team = std::find(team_.begin(), team_.end(), u->id) != team_.end();

    auto name_of = [&](const std::string& id) {
        auto r = store.get("user", id);
        return r.ok() && *r ? QString::fromStdString((*r)->fields.value("name", id))
                            : QString::fromStdString(id);
    };
    // Ratings this device holds: its own, and those of raters who are done.
    std::map<std::string, std::map<std::string, int>> level; // rater -> indicator -> level
    std::vector<RaterRating> all;
    if (auto rows = store.list("rating", "visit", visit.id))
        for (const auto& r : *rows) {
            if (r.deleted || !r.fields.contains("level") || !r.fields["level"].is_number_integer())
                continue;
            const std::string rater = r.fields.value("rater", "");
            const std::string ind = r.fields.value("indicator", "");
            level[rater][ind] = r.fields["level"].get<int>();
            all.push_back({rater, ind, r.fields["level"].get<int>()});
        }
    std::map<std::string, bool> done;
    if (auto rows = store.list("rater", "visit", visit.id))
        for (const auto& r : *rows)
            if (!r.deleted && r.fields.value("done", false) == true)
                done[r.fields.value("user", "")] = true;
    for (const auto& m : team_)
        members_.push_back(QVariantMap{{"userId", QString::fromStdString(m)},
                                       {"name", name_of(m)},
                                       {"done", done[m]},
                                       {"me", m == u->id},
                                       {"rated", int(level[m].size())}});
    my_done_ = done[u->id];
    my_rated_ = int(level[u->id].size());
    can_rate_ = draft && on_team && !my_done_;

    // Colleagues who could join: active leads whose caseload covers the school.
    if (draft && on_team)
        if (auto place = store.place_of_school(visit.school); place.ok())
            if (auto users = store.list("user"))
                for (const auto& r : *users) {
                    if (r.deleted || std::find(team_.begin(), team_.end(), r.id) != team_.end())
                        continue;
                    auto person = User::from_fields(r.id, r.fields);
                    if (!person || person->role != Role::AssistanceLead || !person->active ||
                        !in_scope(*person, *place))
                        continue;
                    colleagues_.push_back(
                        QVariantMap{{"userId", QString::fromStdString(r.id)},
                                    {"name", QString::fromStdString(person->name)}});
                }

    std::map<std::string, int> final_level;
    if (auto obs = store.list("observation", "visit", visit.id))
        for (const auto& o : *obs)
            if (!o.deleted && o.fields.contains("rating") && o.fields["rating"].is_number_integer())
                final_level[o.fields.value("indicator", "")] = o.fields["rating"].get<int>();
    if (const Rubric* rubric = store.reference().rubric(visit.fields.value("rubric", "")))
        for (const auto& ind : rubric->indicators) {
            if (ind.placeholder) continue;
            QVariantList levels;
            for (const auto& m : team_) {
                auto it = level[m].find(ind.id);
                levels.push_back(it == level[m].end() ? -1 : it->second);
            }
            auto mine = level[u->id].find(ind.id);
            auto fin = final_level.find(ind.id);
            comparison_.push_back(
                QVariantMap{{"indicatorId", QString::fromStdString(ind.id)},
                            {"code", QString::fromStdString(ind.code)},
                            {"name", QString::fromStdString(ind.name)},
                            {"practice", ind.practice},
                            {"mine", mine == level[u->id].end() ? -1 : mine->second},
                            {"levels", levels},
                            {"final", fin == final_level.end() ? -1 : fin->second}});
        }
    const Calibration c = calibrate(all);
    calibration_ = QVariantMap{{"pairs", c.pairs},
                               {"exact", c.exact ? QVariant(*c.exact) : QVariant()},
                               {"adjacent", c.adjacent ? QVariant(*c.adjacent) : QVariant()},
                               {"kappa", c.kappa ? QVariant(*c.kappa) : QVariant()}};

    // The team's pairs over time: every visit on this device where both rated.
    std::vector<VisitRating> history;
    std::map<std::string, std::string> date_of;
    if (auto visits = store.list("visit"))
        for (const auto& v : *visits)
            if (!v.deleted) date_of[v.id] = v.fields.value("start_date", "");
    if (auto rows = store.list("rating"))
        for (const auto& r : *rows) {
            const std::string v = r.fields.value("visit", "");
            const std::string rater = r.fields.value("rater", "");
            if (r.deleted || !date_of.count(v) || !r.fields.contains("level") ||
                !r.fields["level"].is_number_integer() ||
                std::find(team_.begin(), team_.end(), rater) == team_.end())
                continue;
            history.push_back({v, date_of[v],
                               RaterRating{rater, r.fields.value("indicator", ""),
                                           r.fields["level"].get<int>()}});
        }
    for (const auto& line : calibrate_pairs(history)) {
        const Calibration& f = line.figures;
        pairs_over_time_.push_back(
            QVariantMap{{"names", tr("%1 and %2").arg(name_of(line.first), name_of(line.second))},
                        {"visits", line.visits},
                        {"from", QString::fromStdString(line.from)},
                        {"to", QString::fromStdString(line.to)},
                        {"pairs", f.pairs},
                        {"exact", f.exact ? QVariant(*f.exact) : QVariant()},
                        {"adjacent", f.adjacent ? QVariant(*f.adjacent) : QVariant()},
                        {"kappa", f.kappa ? QVariant(*f.kappa) : QVariant()}});
    }
    emit changed();
}

bool TeamController::put(const std::string& entity, const std::string& id, Json fields) {
    auto u = app_ ? app_->user() : std::nullopt;
    if (!u || visit_.isEmpty()) return false;
    auto r = app_->store().put(*u, WriteRequest{entity, id, "", std::move(fields)});
    if (!r) {
        error_ = QString::fromStdString(r.error().message);
        emit changed();
        return false;
    }
    error_.clear();
    reload();
    return true;
}

bool TeamController::set_team(const std::vector<std::string>& team) {
    return put("visit", visit_.toStdString(), Json{{"team", team}});
}

bool TeamController::addMember(const QString& userId) {
    auto team = team_;
    if (std::find(team.begin(), team.end(), userId.toStdString()) != team.end()) return true;
    team.push_back(userId.toStdString());
    return set_team(team);
}

bool TeamController::removeMember(const QString& userId) {
    auto team = team_;
    team.erase(std::remove(team.begin(), team.end(), userId.toStdString()), team.end());
    if (team.empty()) {
        error_ = tr("A visit keeps at least one person on its team.");
        emit changed();
        return false;
    }
    return set_team(team);
}

bool TeamController::rate(const QString& indicatorId, int level) {
    return put("rating", "",
               Json{{"visit", visit_.toStdString()},
                    {"indicator", indicatorId.toStdString()},
                    {"level", level}});
}

bool TeamController::markDone() {
    if (my_rated_ == 0) {
        error_ = tr("Rate at least one indicator before marking your ratings done.");
        emit changed();
        return false;
    }
    return put("rater", "",
               Json{{"visit", visit_.toStdString()},
                    {"done", true},
                    {"done_at", format_utc_ms(QDateTime::currentMSecsSinceEpoch())}});
}

bool TeamController::setFinal(const QString& indicatorId, int level) {
    auto u = app_ ? app_->user() : std::nullopt;
    if (!u || visit_.isEmpty()) return false;
    std::string observation;
    if (auto obs = app_->store().list("observation", "visit", visit_.toStdString()))
        for (const auto& o : *obs)
            if (!o.deleted && o.fields.value("indicator", "") == indicatorId.toStdString())
                observation = o.id;
    Json rating = level < 0 ? Json(nullptr) : Json(level);
    if (!observation.empty()) return put("observation", observation, Json{{"rating", rating}});
    if (level < 0) return true;
    return put("observation", "",
               Json{{"visit", visit_.toStdString()},
                    {"indicator", indicatorId.toStdString()},
                    {"rating", rating}});
}

} // namespace sitevisit::app
