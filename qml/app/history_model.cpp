#include "history_model.h"

#include "app_controller.h"
#include "describe.h"
#include "sitevisit/core/domain.h"

#include <algorithm>
#include <map>
#include <set>

namespace sitevisit::app {

void HistoryModel::classBegin() {
    setApp(AppController::of(this));
}

void HistoryModel::setApp(AppController* app) {
    if (!follow_app(this, app_, app)) return;
    reload();
}

void HistoryModel::setSchoolId(const QString& id) {
    if (id == school_) return;
    school_ = id;
    reload();
}

void HistoryModel::reload() {
    visits_.clear();
    indicators_.clear();
    practices_.clear();
    levels_.clear();
    if (app_ && !school_.isEmpty()) {
        const Store& store = app_->store();
        const Reference& ref = store.reference();
        for (const auto& l : ref.continuum())
            levels_.push_back(
                QVariantMap{{"rating", l.rating}, {"label", QString::fromStdString(l.label)}});
        std::vector<domain::Visit> visits;
        if (auto vs = store.list("visit", "school", school_.toStdString()))
            for (const auto& row : *vs)
                if (auto v = domain::from_row<domain::Visit>(row);
                    v && parse_visit_status(v->status).value_or(VisitStatus::Draft) !=
                             VisitStatus::Draft)
                    visits.push_back(*v);
        std::stable_sort(visits.begin(), visits.end(),
                         [](const auto& a, const auto& b) { return a.start_date < b.start_date; });
        const std::size_t n = visits.size();
        // Indicators in rubric order, those of every visit's rubric, each once.
        std::vector<const Indicator*> order;
        std::set<std::string> seen;
        std::map<std::string, std::vector<int>> ratings; // indicator -> level per visit
        for (std::size_t k = 0; k < n; ++k) {
            const auto& v = visits[k];
            const auto kind = parse_visit_kind(v.kind);
            visits_.push_back(
                QVariantMap{{"visitId", QString::fromStdString(v.id)},
                            {"date", QString::fromStdString(v.start_date)},
                            {"kindLabel", kind ? label(*kind) : QString::fromStdString(v.kind)}});
            if (const Rubric* r = ref.rubric(v.rubric))
                for (const auto& ind : r->indicators)
                    if (!ind.placeholder && seen.insert(ind.id).second) order.push_back(&ind);
            if (auto os = store.list("observation", "visit", v.id))
                for (const auto& row : *os) {
                    auto o = domain::from_row<domain::Observation>(row);
                    if (!o || !o->rating) continue;
                    auto& line = ratings[o->indicator];
                    line.resize(n, -1);
                    line[k] = *o->rating;
                }
        }
        const int levels = ref.max_rating() + 1;
        std::map<int, std::vector<std::vector<int>>> counts; // practice -> per visit -> level
        std::map<int, std::vector<int>> unrated;
        for (const auto& p : ref.practices()) {
            counts[p.number].assign(n, std::vector<int>(std::size_t(levels), 0));
            unrated[p.number].assign(n, 0);
        }
        for (const Indicator* ind : order) {
            auto line = ratings[ind->id];
            line.resize(n, -1);
            QVariantList list;
            for (std::size_t k = 0; k < n; ++k) {
                list.push_back(line[k]);
                if (!counts.count(ind->practice)) continue;
                if (line[k] >= 0 && line[k] < levels)
                    ++counts[ind->practice][k][std::size_t(line[k])];
                else
                    ++unrated[ind->practice][k];
            }
            indicators_.push_back(QVariantMap{{"indicatorId", QString::fromStdString(ind->id)},
                                              {"code", QString::fromStdString(ind->code)},
                                              {"name", QString::fromStdString(ind->name)},
                                              {"practice", ind->practice},
                                              {"ratings", list}});
        }
        for (const auto& p : ref.practices()) {
            QVariantList per_visit, none;
            for (std::size_t k = 0; k < n; ++k) {
                QVariantList c;
                for (int x : counts[p.number][k])
                    c.push_back(x);
                per_visit.push_back(c);
                none.push_back(unrated[p.number][k]);
            }
            practices_.push_back(QVariantMap{{"practice", p.number},
                                             {"name", QString::fromStdString(p.name)},
                                             {"counts", per_visit},
                                             {"unrated", none}});
        }
    }
    emit changed();
}

} // namespace sitevisit::app
