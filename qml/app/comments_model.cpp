#include "comments_model.h"

#include "app_controller.h"
#include "sitevisit/core/capabilities.h"
#include "sitevisit/core/domain.h"

#include <QDateTime>
#include <algorithm>

namespace sitevisit::app {

namespace {

// Where the question "may I comment here?" is asked: a visit's (or an observation's visit's)
// team and status, a next step's, else the school of the row.
Result<Target> comment_target(const Store& store, const std::string& entity,
                              const std::string& id) {
    if (entity == "visit") return visit_target(store, id);
    if (entity == "next_step") return next_step_target(store, id);
    auto row = store.get(entity, id);
    if (!row) return row.error();
    if (!*row) return Error{ErrorCode::NotFound, entity + " is not on this device", {}};
    if (entity == "observation")
        return visit_target(store, (*row)->fields.value("visit", std::string()));
    return school_target(store, (*row)->school);
}

} // namespace

QHash<int, QByteArray> CommentsModel::roleNames() const {
    return {{CommentIdRole, "commentId"},
            {AuthorRole, "author"},
            {BodyRole, "body"},
            {AtRole, "at"},
            {WhenRole, "when"}};
}

QVariant CommentsModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= items_.size()) return {};
    const Item& i = items_[index.row()];
    switch (role) {
    case CommentIdRole:
        return i.id;
    case AuthorRole:
        return i.author;
    case BodyRole:
        return i.body;
    case AtRole:
        return i.at;
    case WhenRole:
        return i.when;
    }
    return {};
}

void CommentsModel::classBegin() {
    setApp(AppController::of(this));
}

void CommentsModel::setApp(AppController* app) {
    if (!follow_app(this, app_, app)) return;
    reload();
}

void CommentsModel::setTargetEntity(const QString& entity) {
    if (entity == entity_) return;
    entity_ = entity;
    reload();
}

void CommentsModel::setTarget(const QString& id) {
    if (id == target_) return;
    target_ = id;
    error_.clear();
    reload();
}

bool CommentsModel::canComment() const {
    auto u = app_ ? app_->user() : std::nullopt;
    if (!u || entity_.isEmpty() || target_.isEmpty()) return false;
    auto t = comment_target(app_->store(), entity_.toStdString(), target_.toStdString());
    return t && can(*u, Action::Comment, *t);
}

void CommentsModel::reload() {
    beginResetModel();
    items_.clear();
    if (app_ && !target_.isEmpty()) {
        const Store& store = app_->store();
        if (auto rows = store.list("comment", "target", target_.toStdString()))
            for (const auto& row : *rows) {
                auto c = domain::from_row<domain::Comment>(row);
                if (!c || QString::fromStdString(c->target_entity) != entity_) continue;
                auto person = store.get("user", c->author);
                const QString at = QString::fromStdString(c->at);
                items_.push_back(
                    {QString::fromStdString(c->id),
                     person.ok() && *person
                         ? QString::fromStdString((*person)->fields.value("name", c->author))
                         : tr("Someone"),
                     QString::fromStdString(c->body), at,
                     QDateTime::fromString(at, Qt::ISODateWithMs)
                         .toLocalTime()
                         .toString(QStringLiteral("yyyy-MM-dd HH:mm"))});
            }
        std::stable_sort(items_.begin(), items_.end(),
                         [](const Item& a, const Item& b) { return a.at < b.at; });
    }
    endResetModel();
    emit changed();
}

bool CommentsModel::add(const QString& body) {
    auto u = app_ ? app_->user() : std::nullopt;
    const QString text = body.trimmed();
    if (!u) {
        error_ = tr("Sign in first.");
    } else if (text.isEmpty()) {
        error_ = tr("Write the comment first.");
    } else if (auto t = comment_target(app_->store(), entity_.toStdString(), target_.toStdString());
               !t) {
        error_ = QString::fromStdString(t.error().message);
    } else if (Decision d = can(*u, Action::Comment, *t); !d) {
        error_ = QString::fromStdString(d.reason);
    } else {
        auto row = app_->store().get(entity_.toStdString(), target_.toStdString());
        const std::string school = row.ok() && *row ? (*row)->school : std::string();
        error_.clear(); // before the write: its announcement reloads this model
        auto r = app_->store().put(*u, {"comment",
                                        "",
                                        school,
                                        {{"target_entity", entity_.toStdString()},
                                         {"target", target_.toStdString()},
                                         {"body", text.toStdString()}}});
        if (r) {
            app_->syncNow();
            return true;
        }
        error_ = QString::fromStdString(r.error().message);
    }
    emit changed();
    return false;
}

} // namespace sitevisit::app
