#include "conflicts_model.h"

#include "app_controller.h"
#include "describe.h"
#include "sitevisit/core/domain.h"
#include "sitevisit/core/hlc.h"

#include <QDateTime>

namespace sitevisit::app {

QVariant ConflictsModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Item& i = items_.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
    case WhatRole:
        return i.what;
    case ConflictIdRole:
        return i.id;
    case KeptValueRole:
        return i.kept;
    case KeptByRole:
        return i.kept_by;
    case KeptWhenRole:
        return i.kept_when;
    case OtherValueRole:
        return i.other;
    case OtherByRole:
        return i.other_by;
    case OtherWhenRole:
        return i.other_when;
    case EditTextRole:
        return i.edit_text;
    case FieldHintRole:
        return i.hint;
    }
    return {};
}

QHash<int, QByteArray> ConflictsModel::roleNames() const {
    return {{ConflictIdRole, "conflictId"}, {WhatRole, "what"},
            {KeptValueRole, "keptValue"},   {KeptByRole, "keptBy"},
            {KeptWhenRole, "keptWhen"},     {OtherValueRole, "otherValue"},
            {OtherByRole, "otherBy"},       {OtherWhenRole, "otherWhen"},
            {EditTextRole, "editText"},     {FieldHintRole, "fieldHint"}};
}

void ConflictsModel::classBegin() {
    setApp(AppController::of(this));
}

void ConflictsModel::setApp(AppController* app) {
    if (!follow_app(this, app_, app)) return;
    reload();
}

namespace {

// The kept value as a person would edit it: text as it is, anything else as JSON.
QString editable(const Json& v) {
    if (v.is_null()) return {};
    if (v.is_string()) return QString::fromStdString(v.get<std::string>());
    return QString::fromStdString(v.dump());
}

// What the field takes, for the placeholder of the "another value" box.
QString hint(const FieldSpec* f, const Reference& ref) {
    if (!f) return ConflictsModel::tr("Another value");
    switch (f->type) {
    case FieldType::Rating:
        return ConflictsModel::tr("A rating from 0 (%1) to %2 (%3)")
            .arg(QString::fromStdString(ref.continuum().front().label))
            .arg(ref.max_rating())
            .arg(QString::fromStdString(ref.continuum().back().label));
    case FieldType::Integer:
        if (f->min && f->max)
            return ConflictsModel::tr("A whole number from %1 to %2").arg(*f->min).arg(*f->max);
        return ConflictsModel::tr("A whole number");
    case FieldType::Real:
        return ConflictsModel::tr("A number");
    case FieldType::Bool:
        return ConflictsModel::tr("yes or no");
    case FieldType::Date:
        return ConflictsModel::tr("A date like 2026-11-23");
    case FieldType::Enum: {
        QStringList names;
        for (const auto& v : f->values)
            names << QString::fromStdString(v.value);
        return ConflictsModel::tr("One of: %1").arg(names.join(QStringLiteral(", ")));
    }
    default:
        return ConflictsModel::tr("Another value");
    }
}

const FieldSpec* field_of(const Json& conflict) {
    const EntitySpec* e = find_entity(conflict.value("entity", ""));
    return e ? e->field(conflict.value("field", "")) : nullptr;
}

QString when(const std::string& hlc) {
    auto h = Hlc::parse(hlc);
    if (!h) return {};
    return QLocale().toString(QDateTime::fromMSecsSinceEpoch(h->wall_ms).toLocalTime(),
                              QLocale::ShortFormat);
}

} // namespace

void ConflictsModel::reload() {
    beginResetModel();
    items_.clear();
    if (app_) {
        Store& store = app_->store();
        auto name_of = [&](const std::string& id) {
            auto u = store.get("user", id);
            return u.ok() && *u ? QString::fromStdString((*u)->fields.value("name", id))
                                : QString::fromStdString(id);
        };
        if (auto rows = store.list("conflict", "status", to_string(ConflictStatus::Open)))
            for (const auto& row : *rows) {
                auto c = domain::from_row<domain::Conflict>(row);
                if (!c) continue;
                const FieldSpec* field = field_of(row.fields);
                const QString what = tr("%1: %2").arg(describe_row(store, c->entity, c->row),
                                                      QString::fromStdString(c->field));
                items_.push_back({QString::fromStdString(c->id), what,
                                  describe_value(store, field, c->winner_value),
                                  name_of(c->winner_author), when(c->winner_hlc),
                                  describe_value(store, field, c->loser_value),
                                  name_of(c->loser_author), when(c->loser_hlc),
                                  editable(c->winner_value), hint(field, store.reference())});
            }
    }
    endResetModel();
    emit countChanged();
}

bool ConflictsModel::resolve(const QString& conflictId, bool keepWinner) {
    if (!app_) return false;
    auto c = app_->store().get("conflict", conflictId.toStdString());
    if (!c.ok() || !*c) return false;
    const Json& f = (*c)->fields;
    return settle(conflictId,
                  keepWinner ? f.value("winner_value", Json()) : f.value("loser_value", Json()));
}

bool ConflictsModel::resolveWith(const QString& conflictId, const QString& text) {
    if (!app_) return false;
    auto c = app_->store().get("conflict", conflictId.toStdString());
    if (!c.ok() || !*c) return false;
    const FieldSpec* field = field_of((*c)->fields);
    if (!field) return settle(conflictId, Json(text.toStdString()));
    Validator validator(app_->store().reference());
    Result<Json> value = validator.value_from_text(*field, text.toStdString());
    if (!value) {
        error_ = QString::fromStdString(value.error().message);
        emit countChanged();
        return false;
    }
    return settle(conflictId, *value);
}

bool ConflictsModel::settle(const QString& conflictId, const Json& value) {
    error_.clear();
    auto u = app_ ? app_->user() : std::nullopt;
    if (!u) return false;
    auto r = app_->store().resolve_conflict(*u, conflictId.toStdString(), value);
    if (!r) {
        error_ = QString::fromStdString(r.error().message);
        emit countChanged();
        return false;
    }
    reload();
    app_->syncNow();
    return true;
}

} // namespace sitevisit::app
