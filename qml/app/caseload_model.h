#pragma once

#include <QAbstractListModel>
#include <QQmlEngine>
#include <QQmlParserStatus>

namespace sitevisit::app {

class AppController;

// The schools on this device (the signed-in user's scope), by district, with their
// designation and the last and next visit.
class CaseloadModel : public QAbstractListModel, public QQmlParserStatus {
    Q_OBJECT
    QML_ELEMENT
    Q_INTERFACES(QQmlParserStatus)
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

    // The app it reads and writes through: the engine's App singleton when QML makes it
    // (classBegin), else set by whoever made it.
    void setApp(AppController* app);
    void classBegin() override;
    void componentComplete() override {}
    Q_INVOKABLE void reload();

signals:
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
