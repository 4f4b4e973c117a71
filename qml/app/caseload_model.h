#pragma once

#include <QAbstractListModel>
#include <QQmlEngine>
#include <QQmlParserStatus>

namespace sitevisit::app {

class AppController;

// The schools on this device (the signed-in user's scope), by district, with their
// designation, the last and next visit, the benchmarks off track or at risk, and the next
// steps still to do and overdue. Where the user reads a district's own rows (its plan and next
// steps), the district comes first in its section, as one more place to open.
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
        ReceivershipRole,
        WorryingBenchmarksRole, // benchmarks off track or at risk
        OpenStepsRole,          // next steps still to do (open, in progress, returned)
        OverdueStepsRole,       // of those, the ones past their due date
        UnderWayRole,           // the start date of a draft visit begun before today, or ""
        DistrictLevelRole       // the district's own plan and next steps, first in its district
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
        int worrying = 0, open_steps = 0, overdue_steps = 0;
        QString under_way;
        bool district_level = false;
    };
    AppController* app_ = nullptr;
    QList<School> schools_;
};

} // namespace sitevisit::app
