#pragma once

#include <QAbstractListModel>
#include <QQmlEngine>
#include <QQmlParserStatus>

namespace sitevisit::app {

class AppController;

// The comments on one row (a visit, observation, benchmark, evidence or next step), oldest
// first, and adding one. Comments are append-only; who may comment is core's can(Comment).
class CommentsModel : public QAbstractListModel, public QQmlParserStatus {
    Q_OBJECT
    QML_ELEMENT
    Q_INTERFACES(QQmlParserStatus)
    // visit | observation | benchmark | evidence | next_step
    Q_PROPERTY(QString targetEntity READ targetEntity WRITE setTargetEntity NOTIFY changed)
    Q_PROPERTY(QString target READ target WRITE setTarget NOTIFY changed)
    Q_PROPERTY(int count READ rowCount NOTIFY changed)
    Q_PROPERTY(bool canComment READ canComment NOTIFY changed)
    Q_PROPERTY(QString errorString READ errorString NOTIFY changed)
public:
    enum Roles { CommentIdRole = Qt::UserRole + 1, AuthorRole, BodyRole, AtRole, WhenRole };
    explicit CommentsModel(QObject* parent = nullptr) : QAbstractListModel(parent) {}
    int rowCount(const QModelIndex& parent = {}) const override {
        return parent.isValid() ? 0 : int(items_.size());
    }
    QVariant data(const QModelIndex& index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;
    void setApp(AppController* app);
    void classBegin() override;
    void componentComplete() override {}
    QString targetEntity() const { return entity_; }
    void setTargetEntity(const QString& entity);
    QString target() const { return target_; }
    void setTarget(const QString& id);
    bool canComment() const;
    QString errorString() const { return error_; }
    // A new comment by the signed-in user; false with errorString when refused or empty.
    Q_INVOKABLE bool add(const QString& body);
    Q_INVOKABLE void reload();

signals:
    void changed();

private:
    struct Item {
        QString id, author, body, at, when;
    };
    AppController* app_ = nullptr;
    QString entity_, target_, error_;
    QList<Item> items_;
};

} // namespace sitevisit::app
