// What the visit report says: the visit, its ratings per practice, the change since the previous
// submitted visit of the same kind, its evidence and next steps, read from the store.
#include "visit_report.h"

#include "sitevisit/core/capabilities.h"
#include "sitevisit/core/domain.h"
#include "sitevisit/core/entities.h"
#include "sitevisit/core/store.h"
#include "sitevisit/core/time_format.h"
#include "sitevisit/core/values.h"

#include <algorithm>
#include <map>
#include <set>

namespace sitevisit::report {

namespace {

QString q(const std::string& s) {
    return QString::fromStdString(s);
}

// A text field of a row, "" when absent or not text.
std::string text(const Row& row, const char* field) {
    auto it = row.fields.find(field);
    return it != row.fields.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// The label entities.cpp gives an enum value ("monitoring" -> "Monitoring site visit").
QString choice_label(std::string_view entity, std::string_view field, const std::string& value) {
    if (const EntitySpec* spec = find_entity(entity))
        if (const FieldSpec* f = spec->field(field))
            for (const auto& v : f->values)
                if (v.value == value) return q(v.label);
    return q(value);
}

std::optional<Row> row_of(const Store& store, std::string_view entity, const std::string& id) {
    if (id.empty()) return std::nullopt;
    auto r = store.get(entity, id);
    if (!r || !*r || (*r)->deleted) return std::nullopt;
    return **r;
}

QString person_name(const Store& store, const std::string& id) {
    if (auto u = row_of(store, "user", id)) {
        const std::string name = text(*u, "name");
        return q(name.empty() ? text(*u, "email") : name);
    }
    return id.empty() ? QString() : QStringLiteral("(someone not on this device)");
}

// A text per practice from a visit field keyed by practice number ("1".."4").
QString per_practice(const Json& by_practice, int practice) {
    if (!by_practice.is_object()) return {};
    auto p = by_practice.find(std::to_string(practice));
    return p != by_practice.end() && p->is_string() ? q(p->get<std::string>()).trimmed()
                                                    : QString();
}

std::optional<int> rating_of(const Row& observation) {
    auto it = observation.fields.find("rating");
    if (it == observation.fields.end() || !it->is_number_integer()) return std::nullopt;
    return it->get<int>();
}

// The latest submitted (or reviewed) visit of the same kind at the school, before this one.
std::optional<Row> previous_visit(const Store& store, const Row& visit) {
    auto visits = store.list("visit", "school", visit.school);
    if (!visits) return std::nullopt;
    const std::string kind = text(visit, "kind"), start = text(visit, "start_date");
    std::optional<Row> best;
    for (const auto& v : *visits) {
        if (v.id == visit.id || text(v, "kind") != kind) continue;
        const auto status = parse_visit_status(text(v, "status"));
        if (!status || *status == VisitStatus::Draft) continue;
        const auto key = std::make_pair(text(v, "start_date"), v.id);
        if (key >= std::make_pair(start, visit.id)) continue;
        if (!best || key > std::make_pair(text(*best, "start_date"), best->id)) best = v;
    }
    return best;
}

QString made_at(const Clock& clock) {
    // "2026-11-30T14:05:09.123Z" -> "2026-11-30 14:05 UTC"
    const std::string iso = format_utc_ms(clock.now_ms());
    return q(iso.substr(0, 10) + " " + iso.substr(11, 5) + " UTC");
}

} // namespace

const char* to_string(Change c) {
    switch (c) {
    case Change::New:
        return "new";
    case Change::Up:
        return "up";
    case Change::Down:
        return "down";
    case Change::Same:
        return "same";
    }
    return "new";
}

Result<VisitReport> build_visit_report(const Store& store, const User& reader,
                                       std::string_view visit_id, const FileLookup& files,
                                       const Clock& clock) {
    const std::string id(visit_id);
    auto got = store.get("visit", id);
    if (!got) return got.error();
    if (!*got || (*got)->deleted)
        return Error{ErrorCode::NotFound, "visit " + id + " is not on this device"};
    const Row& visit = **got;

    auto target = visit_target(store, id);
    if (!target) return target.error();
    if (const Decision d = can(reader, Action::MakeReport, *target); !d) {
        const bool draft = target->state.visit_status &&
                           parse_visit_status(*target->state.visit_status) == VisitStatus::Draft;
        return Error{ErrorCode::Forbidden,
                     draft ? "the report of a draft visit is made only by its team; it opens to "
                             "the school once the visit is submitted"
                           : "no report for " + reader.email + ": " + d.reason};
    }

    const Reference& ref = store.reference();
    const auto typed = domain::from_row<domain::Visit>(visit);
    VisitReport r;
    r.visit_id = q(id);
    if (auto school = row_of(store, "school", visit.school)) {
        r.school = q(text(*school, "name"));
        r.school_code = q(text(*school, "code"));
        if (auto district = row_of(store, "district", text(*school, "district")))
            r.district = q(text(*district, "name"));
    }
    r.kind = choice_label("visit", "kind", text(visit, "kind"));
    const auto status = parse_visit_status(text(visit, "status")).value_or(VisitStatus::Draft);
    r.status = choice_label("visit", "status", to_string(status));
    r.submitted = status != VisitStatus::Draft;
    const std::string start = text(visit, "start_date"), end = text(visit, "end_date");
    r.dates =
        q(start) + (end.empty() || end == start ? QString() : QStringLiteral(" to ") + q(end));
    QStringList team;
    if (auto it = visit.fields.find("team"); it != visit.fields.end() && it->is_array())
        for (const auto& member : *it)
            if (member.is_string()) {
                QString name = person_name(store, member.get<std::string>());
                if (auto u = row_of(store, "user", member.get<std::string>()))
                    if (auto role = parse_role(text(*u, "role")))
                        name += QStringLiteral(" (%1)").arg(QString::fromUtf8(role_label(*role)));
                team << name;
            }
    r.team = team.join(QStringLiteral(", "));
    const Rubric* rubric = ref.rubric(text(visit, "rubric"));
    r.rubric = rubric ? q(rubric->name) : q(text(visit, "rubric"));
    for (const auto& level : ref.continuum())
        r.levels << q(level.label);
    r.made_at = made_at(clock);

    std::map<std::string, std::string> source_labels;
    for (const auto& s : ref.sources())
        source_labels[s.id] = s.label;

    // This visit's observations and the previous visit's ratings, by indicator.
    std::map<std::string, Row> observations;
    if (auto obs = store.list("observation", "visit", id))
        for (const auto& o : *obs)
            observations.emplace(text(o, "indicator"), o);
    std::map<std::string, int> before;
    if (auto prev = previous_visit(store, visit)) {
        r.previous_visit = q(text(*prev, "start_date"));
        if (auto obs = store.list("observation", "visit", prev->id))
            for (const auto& o : *obs)
                if (auto rating = rating_of(o)) before[text(o, "indicator")] = *rating;
    }

    // Evidence linked to each observation.
    std::map<std::string, std::vector<const Row*>> evidence_of;
    auto evidence = store.list("evidence", "school", visit.school);
    if (evidence)
        for (const auto& e : *evidence)
            if (auto it = e.fields.find("observations"); it != e.fields.end() && it->is_array())
                for (const auto& o : *it)
                    if (o.is_string()) evidence_of[o.get<std::string>()].push_back(&e);

    for (const auto& practice : ref.practices()) {
        PracticeSection p;
        p.number = practice.number;
        p.name = q(practice.name);
        p.counts.assign(ref.continuum().size(), 0);
        if (typed) {
            p.strengths = per_practice(typed->strengths, practice.number);
            p.areas_for_growth = per_practice(typed->areas_for_growth, practice.number);
        }
        if (rubric)
            for (const auto& ind : rubric->indicators) {
                if (ind.practice != practice.number || ind.placeholder) continue;
                auto o = observations.find(ind.id);
                const std::optional<int> rating =
                    o == observations.end() ? std::nullopt : rating_of(o->second);
                if (!rating || *rating < 0 || *rating >= int(p.counts.size())) {
                    ++p.unrated;
                    continue;
                }
                ++p.counts[size_t(*rating)];
                RatedIndicator item;
                item.id = q(ind.id);
                item.code = q(ind.code);
                item.name = q(ind.name);
                item.rating = *rating;
                item.level = q(ref.rating_label(*rating));
                item.note = q(text(o->second, "note")).trimmed();
                const std::string source = text(o->second, "source");
                item.source = q(source_labels.count(source) ? source_labels[source] : source);
                if (auto b = before.find(ind.id); b != before.end()) {
                    item.previous_level = q(ref.rating_label(b->second));
                    item.change = *rating > b->second   ? Change::Up
                                  : *rating < b->second ? Change::Down
                                                        : Change::Same;
                }
                for (const Row* e : evidence_of[o->second.id]) {
                    const std::string kind = text(*e, "kind");
                    const bool photo = parse_evidence_kind(kind) == EvidenceKind::Photo ||
                                       text(*e, "media_type").rfind("image/", 0) == 0;
                    const QString title = q(text(*e, "title"));
                    if (photo)
                        item.photos.push_back(
                            {title, files ? files(text(*e, "sha256")) : QString()});
                    else
                        item.documents << title;
                }
                p.indicators.push_back(std::move(item));
            }
        r.practices.push_back(std::move(p));
    }

    // Next steps agreed at the visit: the whole visit's first, then by indicator in rubric
    // order.
    if (auto steps = store.list("next_step", "visit", id)) {
        StepGroup whole{QStringLiteral("For the whole visit"), {}};
        std::map<std::string, std::vector<Step>> by_indicator;
        for (const auto& row : *steps) {
            auto s = domain::from_row<domain::NextStep>(row);
            if (!s) continue;
            Step step{q(s->title), q(s->description).trimmed(), person_name(store, s->owner),
                      q(s->due_date), choice_label("next_step", "status", s->status)};
            const std::string ind = s->indicator.value_or(std::string());
            if (ind.empty())
                whole.steps.push_back(std::move(step));
            else
                by_indicator[ind].push_back(std::move(step));
        }
        auto by_due = [](std::vector<Step>& v) {
            std::stable_sort(v.begin(), v.end(), [](const Step& a, const Step& b) {
                return std::make_pair(a.due_date.isEmpty(), a.due_date) <
                       std::make_pair(b.due_date.isEmpty(), b.due_date);
            });
        };
        if (!whole.steps.empty()) {
            by_due(whole.steps);
            r.next_steps.push_back(std::move(whole));
        }
        std::set<std::string> placed;
        if (rubric)
            for (const auto& ind : rubric->indicators)
                if (auto it = by_indicator.find(ind.id); it != by_indicator.end()) {
                    by_due(it->second);
                    r.next_steps.push_back({q(ind.code + " " + ind.name), std::move(it->second)});
                    placed.insert(ind.id);
                }
        for (auto& [ind, list] : by_indicator)
            if (!placed.count(ind)) {
                const Indicator* known = ref.indicator(ind);
                by_due(list);
                r.next_steps.push_back(
                    {known ? q(known->code + " " + known->name) : q(ind), std::move(list)});
            }
    }
    return r;
}

QString report_file_name(const VisitReport& report) {
    QString school = report.school.isEmpty() ? QStringLiteral("School") : report.school;
    // Characters file systems refuse or read specially.
    for (QChar& c : school)
        if (QStringLiteral("/\\:*?\"<>|").contains(c)) c = QLatin1Char('-');
    const QString date = report.dates.left(10);
    return QStringLiteral("Visit report - %1 - %2.pdf").arg(school.trimmed(), date);
}

} // namespace sitevisit::report
