#include "describe.h"

#include "sitevisit/core/capabilities.h"

#include <QCoreApplication>

namespace sitevisit::app {

namespace {

QString tr(const char* text) {
    return QCoreApplication::translate("Describe", text);
}

std::string text_of(const Store& store, const std::string& entity, const std::string& id,
                    const char* field) {
    auto r = store.get(entity, id);
    return r.ok() && *r ? (*r)->fields.value(field, std::string()) : std::string();
}

QString entity_name(const std::string& entity) {
    switch (entity_kind(entity)) {
    case EntityKind::Observation:
        return tr("rating");
    case EntityKind::Visit:
        return tr("visit");
    case EntityKind::Evidence:
        return tr("evidence");
    case EntityKind::Reflection:
        return tr("annual reflection");
    case EntityKind::Conflict:
        return tr("conflict");
    default:
        return QString::fromStdString(entity);
    }
}

} // namespace

QString describe_row(const Store& store, const std::string& entity, const std::string& id) {
    QStringList parts;
    auto row = store.get(entity, id);
    if (!row.ok() || !*row) return entity_name(entity);
    const Row& r = **row;
    if (const std::string school = text_of(store, "school", r.school, "name"); !school.empty())
        parts << QString::fromStdString(school);
    else if (const std::string district = text_of(store, "district", r.school, "name");
             !district.empty())
        parts << tr("%1 (district)").arg(QString::fromStdString(district));
    const EntityKind kind = entity_kind(entity);
    if (kind == EntityKind::Observation) {
        const std::string date = text_of(store, "visit", r.fields.value("visit", ""), "start_date");
        if (!date.empty()) parts << tr("visit of %1").arg(QString::fromStdString(date));
        if (auto* ind = store.reference().indicator(r.fields.value("indicator", "")))
            parts << QStringLiteral("%1 %2").arg(QString::fromStdString(ind->code),
                                                 QString::fromStdString(ind->name));
    } else if (kind == EntityKind::Visit) {
        parts << tr("visit of %1").arg(QString::fromStdString(r.fields.value("start_date", "")));
    } else if (kind == EntityKind::Evidence) {
        parts << tr("evidence “%1”").arg(QString::fromStdString(r.fields.value("title", "")));
    } else {
        parts << entity_name(entity);
    }
    return parts.join(QStringLiteral(" · "));
}

QString describe_value(const Store& store, const FieldSpec* field, const Json& value) {
    if (value.is_null()) return tr("(deleted)");
    if (field && field->type == FieldType::Rating && value.is_number_integer()) {
        const int rating = value.get<int>();
        return QStringLiteral("%1 · %2").arg(rating).arg(
            QString::fromStdString(store.reference().rating_label(rating)));
    }
    if (value.is_string()) return QString::fromStdString(value.get<std::string>());
    return QString::fromStdString(value.dump());
}

QString label(VisitStatus status) {
    switch (status) {
    case VisitStatus::Draft:
        return tr("Draft");
    case VisitStatus::Submitted:
        return tr("Submitted");
    case VisitStatus::Reviewed:
        return tr("Reviewed");
    }
    return {};
}

QString label(VisitKind kind) {
    switch (kind) {
    case VisitKind::Monitoring:
        return tr("Monitoring");
    case VisitKind::Targeted:
        return tr("Targeted");
    case VisitKind::ProgressMonitoring:
        return tr("Progress monitoring");
    case VisitKind::Walkthrough:
        return tr("Walkthrough");
    }
    return {};
}

QString label(EvidenceKind kind) {
    switch (kind) {
    case EvidenceKind::Photo:
        return tr("Photo");
    case EvidenceKind::Data:
        return tr("Data");
    case EvidenceKind::Document:
    case EvidenceKind::Other:
        return tr("Document");
    }
    return {};
}

QString label(InitiativeStatus status) {
    switch (status) {
    case InitiativeStatus::NotStarted:
        return tr("Not started");
    case InitiativeStatus::InProgress:
        return tr("In progress");
    case InitiativeStatus::Completed:
        return tr("Completed");
    case InitiativeStatus::OnHold:
        return tr("On hold");
    }
    return {};
}

QString label(std::optional<ReviewDecision> decision) {
    if (!decision) return tr("Waiting for review");
    switch (*decision) {
    case ReviewDecision::Accepted:
        return tr("Accepted");
    case ReviewDecision::NeedsMore:
        return tr("Needs more");
    case ReviewDecision::NotRelevant:
        return tr("Not relevant");
    }
    return {};
}

QVariantList people_who_see(const Store& store, const std::string& key, const std::string& first) {
    QVariantList out;
    auto place = store.place_of_school(key);
    if (!place) return out;
    auto people = store.list("user");
    if (!people) return out;
    for (const auto& r : *people) {
        auto person = User::from_fields(r.id, r.fields);
        if (!person || !person->active || !in_scope(*person, *place)) continue;
        const QVariantMap entry{
            {"id", QString::fromStdString(r.id)},
            {"name", QString::fromStdString(r.fields.value("name", r.fields.value("email", "")))},
            {"role", QCoreApplication::translate("sitevisit::app::AppController",
                                                 role_label(person->role))}};
        if (!first.empty() && r.id == first)
            out.prepend(entry);
        else
            out.push_back(entry);
    }
    return out;
}

} // namespace sitevisit::app
