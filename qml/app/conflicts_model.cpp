#include "conflicts_model.h"

#include "app_controller.h"

#include "sitevisit/core/hlc.h"

#include <QDateTime>

namespace sitevisit::app {

QVariant ConflictsModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) return {};
    const Item& i = items_.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
    case WhatRole: return i.what;
    case ConflictIdRole: return i.id;
    case KeptValueRole: return i.kept;
    case KeptByRole: return i.kept_by;
    case KeptWhenRole: return i.kept_when;
    case OtherValueRole: return i.other;
    case OtherByRole: return i.other_by;
    case OtherWhenRole: return i.other_when;
    }
    return {};
}

QHash<int, QByteArray> ConflictsModel::roleNames() const {
    return {{ConflictIdRole, "conflictId"}, {WhatRole, "what"},           {KeptValueRole, "keptValue"},
            {KeptByRole, "keptBy"},         {KeptWhenRole, "keptWhen"},   {OtherValueRole, "otherValue"},
            {OtherByRole, "otherBy"},       {OtherWhenRole, "otherWhen"}};
}

QObject* ConflictsModel::app() const { return app_; }

void ConflictsModel::setApp(QObject* app) {
    auto* a = qobject_cast<AppController*>(app);
    if (a == app_) return;
    if (app_) disconnect(app_, nullptr, this, nullptr);
    app_ = a;
    if (app_) connect(app_, &AppController::dataChanged, this, &ConflictsModel::reload);
    emit appChanged();
    reload();
}

namespace {

QString shown(const Json& v) {
    if (v.is_null()) return ConflictsModel::tr("(deleted)");
    if (v.is_string()) return QString::fromStdString(v.get<std::string>());
    return QString::fromStdString(v.dump());
}

QString when(const std::string& hlc) {
    auto h = Hlc::parse(hlc);
    if (!h) return {};
    return QLocale().toString(QDateTime::fromMSecsSinceEpoch(h->wall_ms).toLocalTime(), QLocale::ShortFormat);
}

} // namespace

void ConflictsModel::reload() {
    beginResetModel();
    items_.clear();
    if (app_) {
        Store& store = app_->store();
        auto name_of = [&](const std::string& id) {
            auto u = store.get("user", id);
            return u.ok() && *u ? QString::fromStdString((*u)->fields.value("name", id)) : QString::fromStdString(id);
        };
        if (auto rows = store.list("conflict", "status", "open"))
            for (const auto& r : *rows) {
                const Json& f = r.fields;
                QString what = QString::fromStdString(f.value("entity", "") + " " + f.value("field", ""));
                if (f.value("entity", "") == "observation")
                    if (auto o = store.get("observation", f.value("row", "")); o.ok() && *o)
                        if (auto* ind = store.reference().indicator((*o)->fields.value("indicator", "")))
                            what = tr("%1 %2: %3").arg(QString::fromStdString(ind->code), QString::fromStdString(ind->name),
                                                      QString::fromStdString(f.value("field", "")));
                items_.push_back({QString::fromStdString(r.id), what, shown(f.value("winner_value", Json())),
                                  name_of(f.value("winner_author", "")), when(f.value("winner_hlc", "")),
                                  shown(f.value("loser_value", Json())), name_of(f.value("loser_author", "")),
                                  when(f.value("loser_hlc", ""))});
            }
    }
    endResetModel();
    emit countChanged();
}

bool ConflictsModel::resolve(const QString& conflictId, bool keepWinner) {
    error_.clear();
    auto u = app_ ? app_->user() : std::nullopt;
    if (!u) return false;
    Store& store = app_->store();
    auto c = store.get("conflict", conflictId.toStdString());
    if (!c.ok() || !*c) return false;
    const Json& f = (*c)->fields;
    const Json value = keepWinner ? f.value("winner_value", Json()) : f.value("loser_value", Json());
    if (!keepWinner && !value.is_null()) {
        auto w = store.put(*u, {f.value("entity", ""), f.value("row", ""), "", {{f.value("field", ""), value}}});
        if (!w) {
            error_ = QString::fromStdString(w.error().message);
            emit countChanged();
            return false;
        }
    }
    auto r = store.put(*u, {"conflict", conflictId.toStdString(), "", {{"status", "resolved"}, {"resolution", value}}});
    if (!r) {
        error_ = QString::fromStdString(r.error().message);
        emit countChanged();
        return false;
    }
    reload();
    emit app_->dataChanged();
    app_->syncNow();
    return true;
}

} // namespace sitevisit::app
