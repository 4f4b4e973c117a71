#pragma once

#include <QAbstractListModel>
#include <QQmlEngine>

namespace sitevisit::app {

class AppController;

// The schools on this device (the signed-in user's scope), by district, with their
// designation and the last and next visit.
class CaseloadModel : public QAbstractListModel {
    Q_OBJECT
    QML_ELEMENT
    Q_PROPERTY(QObject* app READ app WRITE setApp NOTIFY appChanged)
    Q_PROPERTY(int count READ rowCount NOTIFY countChanged)
public:
    enum Roles {
        SchoolIdRole = Qt::UserRole + 1,
        NameRole,
        DistrictRole,
        DesignationRole,
        LevelRole,
        LastVisitRole,
        NextVisitRole,
        ReceivershipRole
    };
    Q_ENUM(Roles)

    explicit CaseloadModel(QObject* parent = nullptr);
    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

    QObject* app() const;
    void setApp(QObject* app);
    Q_INVOKABLE void reload();

signals:
    void appChanged();
    void countChanged();

private:
    struct School {
        QString id, name, district, designation, level, last_visit, next_visit;
        bool receivership = false;
    };
    AppController* app_ = nullptr;
    QList<School> schools_;
};

} // namespace sitevisit::app
