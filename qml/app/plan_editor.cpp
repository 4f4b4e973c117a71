#include "plan_editor.h"

#include "app_controller.h"
#include "describe.h"
#include "reflection_controller.h"
#include "sitevisit/core/capabilities.h"
#include "sitevisit/core/plan_cycle.h"
#include "sitevisit/core/time_format.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QLocale>
#include <algorithm>

namespace sitevisit::app {

namespace {

QString tr(const char* text) {
    return QCoreApplication::translate("PlanEditor", text);
}

QString text(const std::string& s) {
    return QString::fromStdString(s);
}

// The words of an enum field's value, from its spec.
QString value_label(const char* entity, const char* field, const std::string& value) {
    if (const FieldSpec* f = find_entity(entity)->field(field))
        for (const auto& v : f->values)
            if (v.value == value) return tr(v.label.c_str());
    return text(value);
}

QVariantList value_choices(const char* entity, const char* field) {
    QVariantList out;
    if (const FieldSpec* f = find_entity(entity)->field(field))
        for (const auto& v : f->values)
            out.push_back(QVariantMap{{"value", text(v.value)}, {"label", tr(v.label.c_str())}});
    return out;
}

QString number_text(const Json& v) {
    if (!v.is_number()) return {};
    return QLocale::c().toString(v.get<double>(), 'g', 12);
}

// A form's fields as the entity's typed values: text as given (empty clears), numbers parsed.
Result<Json> typed_fields(const EntitySpec& spec, const QVariantMap& form, bool creating) {
    Json out = Json::object();
    for (auto it = form.begin(); it != form.end(); ++it) {
        const FieldSpec* f = spec.field(it.key().toStdString());
        if (!f) continue;
        const QVariant& v = it.value();
        const QString t = v.toString().trimmed();
        if (t.isEmpty() && v.typeId() != QMetaType::Int && v.typeId() != QMetaType::Double) {
            if (!creating) out[f->name] = nullptr;
            continue;
        }
        switch (f->type) {
        case FieldType::Integer: {
            bool ok = false;
            const int n = t.toInt(&ok);
            if (!ok)
                return invalid(f->name + " needs a whole number, got \"" +
                                   t.left(40).toStdString() + "\"",
                               f->name);
            out[f->name] = n;
            break;
        }
        case FieldType::Real: {
            bool ok = false;
            double n = QLocale::c().toDouble(QString(t).replace(',', '.'), &ok);
            if (!ok) n = QLocale().toDouble(t, &ok);
            if (!ok)
                return invalid(
                    f->name + " needs a number, got \"" + t.left(40).toStdString() + "\"", f->name);
            out[f->name] = n;
            break;
        }
        default:
            out[f->name] = t.toStdString();
        }
    }
    return out;
}

// What a revision changed, in words: the fields named by their labels ("target, due").
QString field_words(const Json& changes) {
    QStringList names;
    if (changes.is_object())
        for (auto it = changes.begin(); it != changes.end(); ++it)
            names << text(it.key()).replace('_', ' ');
    return names.join(QStringLiteral(", "));
}

QString row_title(const Json& fields) {
    for (const char* f : {"title", "measure"})
        if (fields.contains(f) && fields[f].is_string()) return text(fields[f].get<std::string>());
    return {};
}

} // namespace

void PlanEditor::classBegin() {
    setApp(AppController::of(this));
}

void PlanEditor::setApp(AppController* app) {
    if (!follow_app(this, app_, app)) return;
    reload();
}

void PlanEditor::setSchoolId(const QString& id) {
    if (id == school_) return;
    school_ = id;
    reload();
}

void PlanEditor::setPlanId(const QString& id) {
    if (id == plan_) return;
    plan_ = id;
    error_.clear();
    reload();
}

bool PlanEditor::editable() const {
    auto u = app_ ? app_->user() : std::nullopt;
    if (!u || school_.isEmpty()) return false;
    auto target = school_target(app_->store(), school_.toStdString());
    return target && can(*u, Action::WritePlan, *target);
}

void PlanEditor::reload() {
    plan_fields_.clear();
    objectives_.clear();
    revisions_.clear();
    gaps_.clear();
    choices_.clear();
    if (!app_) {
        emit changed();
        return;
    }
    // Choices for the forms.
    // A plan kept at a district is the district's own plan; a school's is any kind.
    Store& store = app_->store();
    const bool district_level = [&] {
        auto place = store.place_of_school(school_.toStdString());
        return place && place->district_level();
    }();
    QVariantList kinds = value_choices("plan", "kind");
    if (district_level)
        kinds.erase(std::remove_if(kinds.begin(), kinds.end(),
                                   [](const QVariant& k) {
                                       return k.toMap().value("value").toString() !=
                                              QLatin1String("district");
                                   }),
                    kinds.end());
    choices_["kind"] = kinds;
    choices_["initiativeStatus"] = value_choices("initiative", "status");
    choices_["benchmarkType"] = value_choices("benchmark", "type");
    choices_["audience"] = value_choices("benchmark", "audience");
    choices_["cadence"] = value_choices("benchmark", "cadence");
    choices_["direction"] = value_choices("benchmark", "direction");
    QVariantList practices;
    for (int p = 1; p <= 4; ++p) {
        const Practice* practice = store.reference().practice(p);
        practices.push_back(
            QVariantMap{{"value", p},
                        {"label", practice ? tr("%1. %2").arg(p).arg(text(practice->name))
                                           : tr("Practice %1").arg(p)}});
    }
    choices_["practice"] = practices;
    QVariantList years;
    const int now = parse_school_year(school_year_of(app_->today()).toStdString()).value_or(2026);
    for (int y = now - 3; y <= now + 6; ++y) {
        const QString t = QStringLiteral("%1-%2").arg(y).arg(y + 1);
        years.push_back(QVariantMap{{"value", t}, {"label", t}});
    }
    choices_["years"] = years;

    if (plan_.isEmpty()) {
        // A new plan's defaults: this school year and the two after it.
        plan_fields_ = QVariantMap{{"title", QString()},
                                   {"kind", district_level ? "district" : "sip"},
                                   {"firstYear", QStringLiteral("%1-%2").arg(now).arg(now + 1)},
                                   {"lastYear", QStringLiteral("%1-%2").arg(now + 2).arg(now + 3)},
                                   {"goal", QString()},
                                   {"status", QString()},
                                   {"statusLabel", tr("New plan, not saved yet")}};
        emit changed();
        return;
    }
    auto tree = plan_tree(store, plan_.toStdString());
    if (!tree) {
        error_ = text(tree.error().message);
        emit changed();
        return;
    }
    const Json& p = tree->plan.fields;
    if (school_.isEmpty()) school_ = text(tree->plan.school);
    const std::string status = p.value("status", "");
    plan_fields_ = QVariantMap{{"title", text(p.value("title", ""))},
                               {"kind", text(p.value("kind", "sip"))},
                               {"firstYear", text(p.value("first_year", ""))},
                               {"lastYear", text(p.value("last_year", ""))},
                               {"goal", text(p.value("goal", ""))},
                               {"status", text(status)},
                               {"statusLabel", status == "draft" ? tr("Draft") : tr("Submitted")}};
    if (const std::string prev = p.value("previous", ""); !prev.empty())
        if (auto r = store.get("plan", prev); r && *r) {
            plan_fields_["previousTitle"] = text((*r)->fields.value("title", ""));
            plan_fields_["previousYears"] = tr("%1 to %2")
                                                .arg(text((*r)->fields.value("first_year", "")),
                                                     text((*r)->fields.value("last_year", "")));
        }

    int benchmarks = 0;
    for (const auto& o : tree->objectives) {
        QVariantList initiatives;
        for (const auto& i : o.initiatives) {
            QVariantList bms;
            for (const auto& b : i.benchmarks) {
                const Json& f = b.fields;
                const QString unit = text(f.value("unit", ""));
                // "45%", "6 teams".
                const QString shown_unit =
                    unit.isEmpty() || unit.startsWith(QLatin1Char('%')) ? unit : " " + unit;
                bms.push_back(QVariantMap{
                    {"benchmarkId", text(b.id)},
                    {"measure", text(f.value("measure", ""))},
                    {"type", text(f.value("type", ""))},
                    {"typeLabel", value_label("benchmark", "type", f.value("type", ""))},
                    {"audience", text(f.value("audience", ""))},
                    {"unit", unit},
                    {"baseline", number_text(f.value("baseline", Json()))},
                    {"baselineDate", text(f.value("baseline_date", ""))},
                    {"target", number_text(f.value("target", Json()))},
                    {"due", text(f.value("due", ""))},
                    {"cadence", text(f.value("cadence", ""))},
                    {"cadenceLabel", value_label("benchmark", "cadence", f.value("cadence", ""))},
                    {"direction", text(f.value("direction", "higher"))},
                    {"summary",
                     tr("%1 · from %2%3 (%4) to %5%3 by %6 · %7")
                         .arg(value_label("benchmark", "type", f.value("type", "")),
                              number_text(f.value("baseline", Json())), shown_unit,
                              text(f.value("baseline_date", "")),
                              number_text(f.value("target", Json())), text(f.value("due", "")),
                              value_label("benchmark", "cadence", f.value("cadence", "")))}});
                ++benchmarks;
            }
            const Json& f = i.row.fields;
            initiatives.push_back(QVariantMap{
                {"initiativeId", text(i.row.id)},
                {"title", text(f.value("title", ""))},
                {"description", text(f.value("description", ""))},
                {"owner", text(f.value("owner", ""))},
                {"start", text(f.value("start", ""))},
                {"end", text(f.value("end", ""))},
                {"status", text(f.value("status", "not_started"))},
                {"statusLabel", value_label("initiative", "status", f.value("status", ""))},
                {"benchmarks", bms}});
        }
        const int practice = o.row.fields.value("practice", 1);
        const Practice* pr = store.reference().practice(practice);
        objectives_.push_back(QVariantMap{{"objectiveId", text(o.row.id)},
                                          {"title", text(o.row.fields.value("title", ""))},
                                          {"practice", practice},
                                          {"practiceName", pr ? text(pr->name) : QString()},
                                          {"position", o.row.fields.value("position", 0)},
                                          {"initiatives", initiatives}});
    }
    if (status == "draft") {
        if (tree->objectives.empty())
            gaps_ << tr("Add at least one objective, tied to one of the four practices.");
        for (const auto& o : tree->objectives)
            if (o.initiatives.empty())
                gaps_ << tr("Add an initiative to \"%1\".")
                             .arg(text(o.row.fields.value("title", "")));
        if (!tree->objectives.empty() && benchmarks == 0)
            gaps_ << tr("Add at least one benchmark, so progress can be seen.");
    }
    // The submitted plan's history, newest first.
    if (auto rows = store.list("plan_revision", "plan", plan_.toStdString())) {
        std::vector<Row> revs = std::move(*rows);
        std::sort(revs.begin(), revs.end(), [](const Row& a, const Row& b) {
            return a.fields.value("at", "") > b.fields.value("at", "");
        });
        for (const auto& r : revs) {
            const Json& f = r.fields;
            QString by = text(f.value("by", ""));
            if (auto u = store.get("user", f.value("by", "")); u && *u)
                by = text((*u)->fields.value("name", f.value("by", "")));
            const QDateTime at =
                QDateTime::fromString(text(f.value("at", "")), Qt::ISODateWithMs).toLocalTime();
            QString title = row_title(f.value("changes", Json::object()));
            if (title.isEmpty()) {
                // The row as it is now, for a change that did not touch its title.
                if (auto row = store.get(f.value("entity", ""), f.value("row", "")); row && *row)
                    title = row_title((*row)->fields);
            }
            revisions_.push_back(QVariantMap{
                {"at", at.toString(QStringLiteral("yyyy-MM-dd HH:mm"))},
                {"by", by},
                {"action", text(f.value("action", ""))},
                {"actionLabel", value_label("plan_revision", "action", f.value("action", ""))},
                {"entityLabel",
                 value_label("plan_revision", "entity", f.value("entity", "")).toLower()},
                {"title", title},
                {"fields", f.value("action", "") == "changed"
                               ? field_words(f.value("changes", Json::object()))
                               : QString()}});
        }
    }
    emit changed();
}

bool PlanEditor::save(const QString& entity, const QString& id, const QVariantMap& fields,
                      const QString& parentField, const QString& parentId) {
    auto u = app_ ? app_->user() : std::nullopt;
    if (!u) return false;
    const EntitySpec* spec = find_entity(entity.toStdString());
    auto typed = typed_fields(*spec, fields, id.isEmpty());
    if (!typed) {
        error_ = text(typed.error().message);
        emit changed();
        return false;
    }
    WriteRequest req{entity.toStdString(), id.toStdString(), "", *typed};
    if (id.isEmpty() && !parentField.isEmpty())
        req.fields[parentField.toStdString()] = parentId.toStdString();
    if (id.isEmpty() && parentField.isEmpty()) {
        req.school = school_.toStdString();
        // A plan written here is a draft until it is submitted (a plan without a status is
        // taken to be in effect, as those made before drafts were).
        req.fields["status"] = "draft";
    }
    auto r = app_->store().put(*u, req);
    if (!r) {
        error_ = text(r.error().message);
        emit changed();
        return false;
    }
    error_.clear();
    if (entity == QLatin1String("plan") && plan_.isEmpty()) plan_ = text(r->id);
    reload();
    return true;
}

bool PlanEditor::savePlan(const QVariantMap& fields) {
    return save(QStringLiteral("plan"), plan_, fields, {}, {});
}

bool PlanEditor::saveObjective(const QString& id, const QVariantMap& fields) {
    QVariantMap f = fields;
    if (id.isEmpty() && !f.contains("position")) f["position"] = int(objectives_.size());
    return save(QStringLiteral("objective"), id, f, QStringLiteral("plan"), plan_);
}

bool PlanEditor::saveInitiative(const QString& id, const QString& objectiveId,
                                const QVariantMap& fields) {
    return save(QStringLiteral("initiative"), id, fields, QStringLiteral("objective"), objectiveId);
}

bool PlanEditor::saveBenchmark(const QString& id, const QString& initiativeId,
                               const QVariantMap& fields) {
    return save(QStringLiteral("benchmark"), id, fields, QStringLiteral("initiative"),
                initiativeId);
}

namespace {
// What removing a row takes with it: the row and everything under it, children first.
std::vector<WriteRequest> removal(const Store& store, const std::string& entity,
                                  const std::string& id, int* initiatives, int* benchmarks) {
    std::vector<WriteRequest> out;
    if (entity == "objective") {
        if (auto is = store.list("initiative", "objective", id))
            for (const auto& i : *is)
                if (!i.deleted) {
                    auto under = removal(store, "initiative", i.id, initiatives, benchmarks);
                    out.insert(out.end(), under.begin(), under.end());
                }
    } else if (entity == "initiative") {
        if (auto bs = store.list("benchmark", "initiative", id))
            for (const auto& b : *bs)
                if (!b.deleted) {
                    out.push_back({"benchmark", b.id, "", nullptr});
                    ++*benchmarks;
                }
        ++*initiatives;
    }
    out.push_back({entity, id, "", nullptr});
    return out;
}
} // namespace

QString PlanEditor::removes(const QString& entity, const QString& id) const {
    if (!app_) return {};
    int initiatives = 0, benchmarks = 0;
    removal(app_->store(), entity.toStdString(), id.toStdString(), &initiatives, &benchmarks);
    if (entity == QLatin1String("initiative")) initiatives = 0;
    QStringList parts;
    if (initiatives > 0) parts << tr("%n initiative(s)", nullptr, initiatives);
    if (benchmarks > 0) parts << tr("%n benchmark(s)", nullptr, benchmarks);
    return parts.join(tr(" and "));
}

bool PlanEditor::remove(const QString& entity, const QString& id) {
    auto u = app_ ? app_->user() : std::nullopt;
    if (!u) return false;
    if (entity != QLatin1String("objective") && entity != QLatin1String("initiative") &&
        entity != QLatin1String("benchmark"))
        return false;
    int initiatives = 0, benchmarks = 0;
    auto r = app_->store().put_all(*u, removal(app_->store(), entity.toStdString(),
                                               id.toStdString(), &initiatives, &benchmarks));
    if (!r) {
        error_ = text(r.error().message);
        emit changed();
        return false;
    }
    error_.clear();
    reload();
    return true;
}

bool PlanEditor::submit() {
    if (!gaps_.isEmpty()) {
        error_ = gaps_.front();
        emit changed();
        return false;
    }
    return save(QStringLiteral("plan"), plan_, QVariantMap{{"status", "submitted"}}, {}, {});
}

} // namespace sitevisit::app
